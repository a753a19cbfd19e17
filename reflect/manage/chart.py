"""A small bar chart of a cohort's weekly journaling, drawn on the server as inline SVG.

No JavaScript and nothing from elsewhere: the page carries the whole picture, with a
<title> and <desc> for screen readers (the template adds the figures as a table too)."""

import math

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from reflect.manage.reports import WeekBar

SLOT = 16  # horizontal room per week
BAR = 12
PLOT_HEIGHT = 120
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 10, 26
MAX_LABELS = 8
COLOUR = "#24516b"  # the site's brand colour, as in the navigation bar
GRID = "#adb5bd"


def _week_label(bar: WeekBar) -> str:
    return f"{bar.week.day} {bar.week:%b}"


def bar_title(bar: WeekBar) -> str:
    if not bar.trainees:
        return f"Week of {bar.week.day} {bar.week:%b %Y}: no trainees in the cohort yet"
    return (
        f"Week of {bar.week.day} {bar.week:%b %Y}: {bar.journaled} of {bar.trainees} "
        f"trainees journaled ({bar.percent}%)"
    )


def weekly_chart(bars: list[WeekBar], *, chart_id: str, title: str, desc: str) -> SafeString:
    """Bars for the share of trainees who published in each week, 0–100%."""
    width = max(240, LEFT + len(bars) * SLOT + RIGHT)
    height = TOP + PLOT_HEIGHT + BOTTOM
    baseline = TOP + PLOT_HEIGHT
    grid = format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"{}/>'
        '<text x="{}" y="{}" font-size="10" text-anchor="end" fill="#495057">{}%</text>',
        (
            (
                LEFT,
                baseline - PLOT_HEIGHT * p // 100,
                width - RIGHT,
                baseline - PLOT_HEIGHT * p // 100,
                GRID,
                mark_safe("") if p == 0 else mark_safe(' stroke-dasharray="2 3"'),
                LEFT - 4,
                baseline - PLOT_HEIGHT * p // 100 + 3,
                p,
            )
            for p in (0, 50, 100)
        ),
    )
    rects = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
        (
            (
                LEFT + i * SLOT + (SLOT - BAR) // 2,
                f"{baseline - bar.share * PLOT_HEIGHT:.1f}",
                BAR,
                f"{bar.share * PLOT_HEIGHT:.1f}",
                COLOUR,
                bar_title(bar),
            )
            for i, bar in enumerate(bars)
        ),
    )
    every = max(1, math.ceil(len(bars) / MAX_LABELS))
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="10" text-anchor="middle" fill="#495057">{}</text>',
        (
            (LEFT + i * SLOT + SLOT // 2, baseline + 16, _week_label(bar))
            for i, bar in enumerate(bars)
            if i % every == 0
        ),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="engagement-chart" role="img" '
        'viewBox="0 0 {w} {h}" width="{w}" height="{h}" style="max-width: 100%; height: auto" '
        'aria-labelledby="{id}-title {id}-desc">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        "{grid}{rects}{labels}</svg>",
        w=width,
        h=height,
        id=chart_id,
        title=title,
        desc=desc,
        grid=grid,
        rects=rects,
        labels=labels,
    )


def describe(bars: list[WeekBar]) -> str:
    """One or two sentences that say what the chart shows."""
    if not bars:
        return "No weeks have passed since the cohort started."
    latest = bars[-1]
    weeks = "week" if len(bars) == 1 else "weeks"
    text = f"Share of trainees who published at least one entry, week by week, over {len(bars)} {weeks}."
    with_trainees = [b for b in bars if b.trainees]
    if with_trainees:
        average = round(sum(b.share for b in with_trainees) / len(with_trainees) * 100)
        text += f" Average {average}% of the weeks with trainees."
    return f"{text} Week of {latest.week.day} {latest.week:%b %Y}: {latest.journaled} of {latest.trainees} trainees."
