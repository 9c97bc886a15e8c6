"""Admins: item statistics of the question bank, as a sortable page and a CSV file.

The numbers are ``item_statistics``'; this module only reads the query string and draws them.
The routes hang on the admin blueprint, so its guard (admins only) covers them too.
"""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import item_statistics as stats
from ..db import get_session
from ..exports import csv_bytes
from ..i18n import translate_text
from ..models import Workshop
from ..participant import CODE_PATTERN, normalise_code
from .blueprint import bp
from .forms import TYPE_LABELS

FLAG_LABELS = {
    "too_easy": _l("Too easy"),
    "too_hard": _l("Too hard"),
    "negative_discrimination": _l("Negative discrimination"),
    "unpicked_choice": _l("A wrong choice nobody picks"),
}


def chosen_workshop() -> Workshop | None:
    """The workshop whose answers to count, by its code; None for every answer stored."""
    code = normalise_code(request.args.get("workshop"))
    if not code:
        return None
    found = None
    if CODE_PATTERN.match(code):
        found = get_session().scalar(select(Workshop).where(Workshop.code == code))
    if found is None:
        abort(404, description=_("No workshop has the code %(code)s.", code=code[:12]))
    return found


def sorted_items(workshop: Workshop | None) -> tuple[list[stats.ItemStatistics], str, bool]:
    sort = request.args.get("sort", "question")
    sort = sort if sort in stats.SORT_KEYS else "question"
    descending = request.args.get("order") == "desc"
    items = stats.item_statistics(get_session(), workshop.id if workshop else None)
    items = stats.sort_items(items, sort, descending)
    if request.args.get("flagged"):
        items = [i for i in items if i.flags]
    return items, sort, descending


@bp.get("/statistics")
def item_statistics():
    workshop = chosen_workshop()
    items, sort, descending = sorted_items(workshop)
    return render_template(
        "admin/statistics.html",
        items=items,
        workshop=workshop,
        sort=sort,
        descending=descending,
        flagged_only=bool(request.args.get("flagged")),
        flag_labels=FLAG_LABELS,
        min_answers=stats.MIN_ANSWERS,
    )


@bp.get("/statistics.csv")
def item_statistics_csv():
    workshop = chosen_workshop()
    items, _sort, _descending = sorted_items(workshop)
    header = [
        _("Question key"),
        _("Revision"),
        _("Current revision"),
        _("Topic"),
        _("Question"),
        _("Type"),
        _("Answers"),
        _("Right"),
        _("Facility (%)"),
        _("Discrimination"),
        _("Choices: share picked"),
        _("Flags"),
    ]
    name = f"item-statistics-{workshop.code}.csv" if workshop else "item-statistics.csv"
    return Response(
        csv_bytes(header, (csv_row(i) for i in items)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def csv_row(item: stats.ItemStatistics) -> list[object]:
    return [
        item.question_key,
        item.revision,
        _("Yes") if item.current else _("No"),
        translate_text(item.topic_title),
        translate_text(item.prompt),
        str(TYPE_LABELS.get(item.type, item.type)),
        item.answers,
        item.correct,
        one_decimal(item.facility),
        one_decimal(item.discrimination),
        " | ".join(
            f"{c.key}{' ✓' if c.correct else ''} {c.share:.0f}%: {translate_text(c.text)}"
            for c in item.choices
        ),
        "; ".join(str(FLAG_LABELS[f]) for f in item.flags),
    ]


def one_decimal(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"
