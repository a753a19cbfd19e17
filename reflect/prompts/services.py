"""The weekly prompt rotation: the one rule the home page and the reminder email share."""

import datetime
from collections.abc import Sequence

from reflect.cohorts.weeks import week_start
from reflect.prompts.models import Prompt


def rotation() -> list[int]:
    """The ids of the prompts in rotation: the active library, in library order."""
    return list(Prompt.objects.filter(is_active=True).order_by("id").values_list("id", flat=True))


def prompt_id_for_week(day: datetime.date, prompt_ids: Sequence[int]) -> int | None:
    """The prompt of the week that `day` falls in: the library in order, one a week,
    the same for everyone in a given week, so a cohort can talk about it together,
    and never the same prompt two weeks running. Callers that plan many emails
    fetch `rotation()` once and pass it in."""
    if not prompt_ids:
        return None
    return prompt_ids[week_number(day) % len(prompt_ids)]


def prompt_for_week(day: datetime.date) -> Prompt | None:
    """This week's prompt, as the home page shows it and the weekly email sends it."""
    pk = prompt_id_for_week(day, rotation())
    return None if pk is None else Prompt.objects.get(pk=pk)


def week_number(day: datetime.date) -> int:
    """Weeks since a fixed Monday: it grows by exactly one each week, across year
    ends too, so consecutive weeks never land on the same prompt."""
    return week_start(day).toordinal() // 7
