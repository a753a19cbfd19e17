from celery import shared_task

from reflect.drafts import services


@shared_task
def purge_old_drafts() -> int:
    return services.purge_old()
