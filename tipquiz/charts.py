"""Bar charts drawn on the server as SVG: no chart library, no script, and they print.

Charts are read on a projector across a room and on paper in black and white, so every number
is written next to its bar, bars sit on a visible 0–100 % track, and what matters is said in
words as well as colour: the correct answer carries "✓", the most-chosen wrong answer "▲" with
a hatched bar. Only SVG presentation attributes are used (``fill=``, ``font-size=``), never
``style=``, so the charts pass the site's Content-Security-Policy.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from .dashboard import QuestionResult, TopicAverage
from .i18n import translate_text

WIDTH = 800
LABEL_SIZE = 20
LINE = 26
BAR = 30
BAR_GAP = 8
ROW_GAP = 22
ROUND_COLUMN = 110
VALUE_ROOM = 150
WRAP_AT = 62
INK = "#1b1f24"
TRACK = "#9aa3ad"

# A generous average width of one character, as a share of the font size, to leave room for
# labels without measuring them: "Trước buổi học" and "Chưa có câu trả lời" must fit whole.
CHAR_WIDTH = 0.62
GUTTER = 14
# Fill per kind of bar: (the round shown alone or "after", the "before" round). The pairs
# differ in lightness, so they stay apart when printed in grey, and even the lighter one keeps
# a contrast of at least 3:1 against the white page.
FILLS = {
    "correct": ("#1e6b34", "#4e9a62"),
    "wrong": ("#4f5b67", "#7c8794"),
    "highlight": ("#b3261e", "#d8584f"),
    "score": ("#0b5d6b", "#3f8c9a"),
}
MARK_FILLS = {"correct": "#1e6b34", "highlight": "#b3261e", "note": INK}


@dataclass(frozen=True)
class ChartWords:
    """The interface words a chart carries, already in the reader's language."""

    rounds: dict[str, str]
    correct: str
    most_chosen_wrong: str
    points: Callable[[int], str]
    no_answers: str


@dataclass(frozen=True)
class Bar:
    value: int
    text: str
    kind: str
    light: bool = False
    round_label: str | None = None


@dataclass(frozen=True)
class Mark:
    text: str
    kind: str


@dataclass(frozen=True)
class Row:
    label: str
    bars: list[Bar]
    marks: list[Mark] = field(default_factory=list)
    css_class: str = ""
    key: str = ""
    strong: bool = False


def bar_chart(rows: list[Row], title: str, chart_id: str) -> Markup:
    """Horizontal bars, one group per row: wrapped label, its marks, then its bars."""
    left = _room_for([bar.round_label or "" for row in rows for bar in row.bars], ROUND_COLUMN)
    span = WIDTH - left - _room_for([bar.text for row in rows for bar in row.bars], VALUE_ROOM)
    parts: list[str] = []
    y = 0
    for row in rows:
        group, y = _row(row, y, left, span, chart_id)
        parts.append(group)
    height = max(y - ROW_GAP, LINE)
    title_id = f"{chart_id}-title"
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{escape(title_id)}" '
        f'font-family="system-ui, sans-serif" font-size="{LABEL_SIZE}" fill="{INK}">'
        f'<title id="{escape(title_id)}">{escape(title)}</title>'
        f"{_hatch(chart_id)}{''.join(parts)}</svg>"
    )


def _room_for(texts: list[str], least: int) -> int:
    """Width for a column of labels: the longest label's estimated width, or none at all."""
    longest = max((len(t) for t in texts), default=0)
    if not longest:
        return 0
    return max(least, round(longest * LABEL_SIZE * CHAR_WIDTH) + GUTTER)


def _hatch(chart_id: str) -> str:
    return (
        f'<defs><pattern id="{escape(chart_id)}-hatch" width="10" height="10" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="4" height="10" fill="#fff" fill-opacity="0.55"/></pattern></defs>'
    )


def _row(row: Row, y: int, left: int, span: int, chart_id: str) -> tuple[str, int]:
    parts = []
    weight = "700" if row.strong else "400"
    for line in textwrap.wrap(row.label, WRAP_AT) or [""]:
        y += LINE
        parts.append(f'<text x="0" y="{y - 6}" font-weight="{weight}">{escape(line)}</text>')
    if row.marks:
        y += LINE
        x = 0
        for mark in row.marks:
            parts.append(
                f'<text x="{x}" y="{y - 6}" class="mark mark-{mark.kind}" font-weight="700" '
                f'fill="{MARK_FILLS.get(mark.kind, INK)}">{escape(mark.text)}</text>'
            )
            x += 16 + int(len(mark.text) * LABEL_SIZE * 0.55)
    y += 4
    for bar in row.bars:
        parts.append(_bar(bar, y, left, span, chart_id))
        y += BAR + BAR_GAP
    css = f"row {row.css_class}".strip()
    key = f' data-key="{escape(row.key)}"' if row.key else ""
    return f'<g class="{escape(css)}"{key}>{"".join(parts)}</g>', y + ROW_GAP - BAR_GAP


def _bar(bar: Bar, y: int, left: int, span: int, chart_id: str) -> str:
    value = max(0, min(bar.value, 100))
    width = round(span * value / 100)
    fill = FILLS[bar.kind][1 if bar.light else 0]
    middle = y + BAR / 2 + 7
    parts = []
    if bar.round_label:
        parts.append(f'<text x="0" y="{middle}" class="round">{escape(bar.round_label)}</text>')
    parts.append(
        f'<rect x="{left}" y="{y}" width="{span}" height="{BAR}" fill="none" '
        f'stroke="{TRACK}" stroke-width="1"/>'
    )
    if width:
        parts.append(
            f'<rect x="{left}" y="{y}" width="{width}" height="{BAR}" fill="{fill}" '
            f'class="bar bar-{bar.kind}"/>'
        )
        if bar.kind == "highlight":
            parts.append(
                f'<rect x="{left}" y="{y}" width="{width}" height="{BAR}" '
                f'fill="url(#{escape(chart_id)}-hatch)"/>'
            )
    parts.append(
        f'<text x="{left + width + 8}" y="{middle}" class="value" font-weight="700">'
        f"{escape(bar.text)}</text>"
    )
    return "".join(parts)


def share_text(percent: int, count: int) -> str:
    return f"{percent}% ({count})"


def signed(number: int) -> str:
    """A change with its sign, and a true minus sign, which reads better than a hyphen."""
    if number > 0:
        return f"+{number}"
    return f"\u2212{-number}" if number < 0 else "0"


def choice_chart(
    question: QuestionResult, rounds: list[str], words: ChartWords, locale: str, chart_id: str
) -> Markup:
    """Each choice with the share that picked it per round; right and most-chosen wrong marked."""
    labelled = len(rounds) > 1
    wrong_by_round = {r: question.most_chosen_wrong(r) for r in rounds}
    rows = []
    for choice in question.choices:
        wrong_in = [r for r in rounds if wrong_by_round[r] is choice]
        marks = []
        if choice.correct:
            marks.append(Mark(f"✓ {words.correct}", "correct"))
        if wrong_in:
            which = f" ({', '.join(words.rounds[r] for r in wrong_in)})" if labelled else ""
            marks.append(Mark(f"▲ {words.most_chosen_wrong}{which}", "highlight"))
        bars = []
        for round_ in rounds:
            kind = "correct" if choice.correct else "highlight" if round_ in wrong_in else "wrong"
            bars.append(
                Bar(
                    value=question.share(choice, round_),
                    text=share_text(question.share(choice, round_), choice.counts.get(round_, 0)),
                    kind=kind,
                    light=labelled and round_ != rounds[-1],
                    round_label=words.rounds[round_] if labelled else None,
                )
            )
        css = " ".join(
            name
            for name, on in (("correct", choice.correct), ("most-chosen-wrong", bool(wrong_in)))
            if on
        )
        rows.append(
            Row(translate_text(choice.text, locale), bars, marks, css_class=css, key=choice.key)
        )
    return bar_chart(rows, translate_text(question.prompt, locale), chart_id)


def topic_chart(
    topics: list[TopicAverage],
    rounds: list[str],
    words: ChartWords,
    locale: str,
    chart_id: str,
    title: str,
) -> Markup:
    """The score per topic per round, with the change in points once both rounds have answers."""
    labelled = len(rounds) > 1
    rows = []
    for topic in topics:
        bars = []
        for round_ in rounds:
            score = topic.scores.get(round_)
            text = f"{score.percent}%" if score and score.total else words.no_answers
            bars.append(
                Bar(
                    value=score.percent if score else 0,
                    text=text,
                    kind="score",
                    light=labelled and round_ != rounds[-1],
                    round_label=words.rounds.get(round_) if labelled else None,
                )
            )
        marks = [] if topic.delta is None else [Mark(words.points(topic.delta), "note")]
        rows.append(
            Row(
                translate_text(topic.title, locale),
                bars,
                marks,
                css_class="topic",
                key=topic.key,
                strong=True,
            )
        )
    return bar_chart(rows, title, chart_id)
