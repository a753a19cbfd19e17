"""What course admins see of the outbox: how a cohort's emails fared lately."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from reflect.outbox.models import Delivery, DeliveryStatus

RECENT = datetime.timedelta(days=30)


def cohort_delivery_counts(cohort_id: int, *, now: datetime.datetime | None = None) -> dict[str, int]:
    """Emails of the last 30 days about this cohort: sent; waiting (the server
    could not take them yet, and they will be tried again); refused for good; and
    dropped because an outage outlasted their use (a week's prompt after its week)."""
    since = (now or timezone.now()) - RECENT
    return Delivery.objects.filter(cohort_id=cohort_id, created_at__gte=since).aggregate(
        sent=Count("id", filter=Q(status=DeliveryStatus.SENT)),
        waiting=Count("id", filter=Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING], attempts__gt=0)),
        refused=Count("id", filter=Q(status=DeliveryStatus.FAILED)),
        dropped=Count("id", filter=Q(status=DeliveryStatus.EXPIRED)),
    )
