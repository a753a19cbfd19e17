"""A small bar chart of a cohort's weekly journaling, drawn on the server as inline SVG.

No JavaScript and nothing from elsewhere: the page carries the whole picture. The SVG has
a viewBox a phone's width across and fills its container (up to 36rem, set
for .engagement-chart in reflect.css, since the CSP allows no style attribute), so its text
stays readable at 390px. Its accessible name is its <title>; the sentences that describe it
are the figure's caption in the template, read once, and the figures follow as a table."""

import math

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from reflect.manage.reports import WeekBar

VIEW_WIDTH = 360  # viewBox units; drawn about 1:1 on a 390px phone
PLOT_HEIGHT = 120
LEFT, RIGHT, TOP, BOTTOM = 38, 20, 10, 26
FONT_SIZE = 12
LABEL_ROOM = 48  # the least room between week labels: "30 Nov" is about 40 units at FONT_SIZE
BAR_SHARE = 0.7  # of each week's slot
MAX_BAR = 24
COLOUR = "#24516b"  # the site's brand colour, as in the navigation bar
GRID = "#adb5bd"
TEXT = "#495057"


def _week_label(bar: WeekBar) -> str:
    return f"{bar.week.day} {bar.week:%b}"


def bar_title(bar: WeekBar) -> str:
    if not bar.trainees:
        return f"Week of {bar.week.day} {bar.week:%b %Y}: no trainees in the cohort yet"
    return (
        f"Week of {bar.week.day} {bar.week:%b %Y}: {bar.journaled} of {bar.trainees} "
        f"trainees journaled ({bar.percent}%)"
    )


def labelled(count: int, slot: float) -> list[int]:
    """Which weeks get a label: every Nth, counted back from the latest week so that one is
    always labelled, with at least LABEL_ROOM between labels."""
    every = max(1, math.ceil(LABEL_ROOM / slot)) if count else 1
    return [i for i in range(count) if (count - 1 - i) % every == 0]


def weekly_chart(bars: list[WeekBar], *, chart_id: str, title: str) -> SafeString:
    """Bars for the share of trainees who published in each week, 0–100%."""
    height = TOP + PLOT_HEIGHT + BOTTOM
    baseline = TOP + PLOT_HEIGHT
    plot_width = VIEW_WIDTH - LEFT - RIGHT
    slot = plot_width / max(1, len(bars))
    bar_width = min(slot * BAR_SHARE, MAX_BAR)
    grid = format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"{}/>'
        '<text x="{}" y="{}" font-size="{}" text-anchor="end" fill="{}">{}%</text>',
        (
            (
                LEFT,
                baseline - PLOT_HEIGHT * p // 100,
                VIEW_WIDTH - RIGHT,
                baseline - PLOT_HEIGHT * p // 100,
                GRID,
                mark_safe("") if p == 0 else mark_safe(' stroke-dasharray="2 3"'),
                LEFT - 4,
                baseline - PLOT_HEIGHT * p // 100 + 4,
                FONT_SIZE,
                TEXT,
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
                f"{LEFT + i * slot + (slot - bar_width) / 2:.1f}",
                f"{baseline - bar.share * PLOT_HEIGHT:.1f}",
                f"{bar_width:.1f}",
                f"{bar.share * PLOT_HEIGHT:.1f}",
                COLOUR,
                bar_title(bar),
            )
            for i, bar in enumerate(bars)
        ),
    )
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="{}" text-anchor="middle" fill="{}" class="week-label">{}</text>',
        (
            (f"{LEFT + i * slot + slot / 2:.1f}", baseline + 18, FONT_SIZE, TEXT, _week_label(bars[i]))
            for i in labelled(len(bars), slot)
        ),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="engagement-chart d-block" role="img" '
        'viewBox="0 0 {w} {h}" width="100%" preserveAspectRatio="xMinYMin meet" '
        'aria-labelledby="{id}-title">'
        '<title id="{id}-title">{title}</title>'
        "{grid}{rects}{labels}</svg>",
        w=VIEW_WIDTH,
        h=height,
        id=chart_id,
        title=title,
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
