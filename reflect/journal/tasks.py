from celery import shared_task

from reflect.journal import services


@shared_task
def purge_trash() -> int:
    """Daily: delete for good what has been in Trash past the retention period."""
    return services.entries_purge()
