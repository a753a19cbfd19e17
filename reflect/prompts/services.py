import datetime

from reflect.prompts.models import Prompt


def prompt_for_week(day: datetime.date) -> Prompt | None:
    """This week's prompt: the library in order, one a week, the same for everyone
    in a given week, so a cohort can talk about it together, and never the same
    prompt two weeks running."""
    prompts = Prompt.objects.filter(is_active=True).order_by("id")
    count = prompts.count()
    if count == 0:
        return None
    return prompts[week_number(day) % count]


def week_number(day: datetime.date) -> int:
    """Weeks since a fixed Monday: it grows by exactly one each week, across year
    ends too, so consecutive weeks never land on the same prompt."""
    monday = day - datetime.timedelta(days=day.weekday())
    return monday.toordinal() // 7
