"""The no-op task whose throughput is the broker's own ceiling in the benchmark.

Workers import it with `-I bench.noop_tasks`. Its only work is one Redis INCR so
that the benchmark can tell when all of them have run; the counting email
backend does the same INCR per email, so the two figures compare like with like."""

from celery import shared_task


@shared_task(name="bench.noop", ignore_result=True)
def noop(counter_key: str) -> None:
    from tests.worker.mail_backends import redis_client

    redis_client().incr(counter_key)
