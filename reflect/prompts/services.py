import datetime

from reflect.prompts.models import Prompt


def prompt_for_week(day: datetime.date) -> Prompt | None:
    """This week's prompt: the library in order, one a week, the same for everyone
    on a given ISO week, so a cohort can talk about it together."""
    prompts = Prompt.objects.filter(is_active=True).order_by("id")
    count = prompts.count()
    if count == 0:
        return None
    iso_year, iso_week, _ = day.isocalendar()
    return prompts[(iso_year * 53 + iso_week) % count]
