"""Celery entry point for the emails a roster change sends (see mailing.py)."""

from celery import shared_task

from reflect.manage import mailing
from reflect.retry import backoff_with_jitter

MAX_RETRIES = 5


@shared_task(bind=True, max_retries=MAX_RETRIES, ignore_result=True)
def send_cohort_emails(self, cohort_id: int, invitation_ids: list[int], added: list[list]) -> None:
    """Send a batch; what the mail server could not take now is retried on its own."""
    unsent = mailing.cohort_emails_send(
        cohort_id=cohort_id, invitation_ids=invitation_ids, added=[(user_id, role) for user_id, role in added]
    )
    if not unsent:
        return
    if self.request.retries >= MAX_RETRIES:
        mailing.cohort_emails_give_up(invitation_ids=unsent.invitation_ids)
        return
    retry_args = [cohort_id, unsent.invitation_ids, [list(pair) for pair in unsent.added]]
    raise self.retry(args=retry_args, countdown=backoff_with_jitter(self.request.retries))
