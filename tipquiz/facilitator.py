"""Facilitators: their workshops, join codes and QR codes, live results, exports.

A facilitator sees and changes only their own workshops; someone else's workshop is "not
found", exactly like one that does not exist. Admins see every workshop and the totals over
every attempt. The guard on the blueprint keeps out everyone else, route by route.
"""

from __future__ import annotations

import io
from contextlib import nullcontext
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    get_template_attribute,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from wtforms import IntegerField, RadioField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from . import dashboard, exports, learning, workshops
from .auth import role_guard
from .charts import ChartWords, choice_chart, signed, topic_chart
from .config import LANGUAGE_NAMES, LOCALES
from .db import get_session
from .forms import EmptyForm, FlaskForm
from .i18n import current_locale, translate_text
from .live_forms import RoomFields
from .models import Topic, Workshop
from .public_url import only_loopback_known, public_url_for

bp = Blueprint("facilitator", __name__, url_prefix="/facilitator")
bp.before_request(role_guard("facilitator", "admin"))

LIVE_SECONDS = 5


def results_macro(name: str) -> Any:
    """A macro of the results partial, which draws both the pages and their live updates."""
    return get_template_attribute("facilitator/_results.html", name)


# Forms ---------------------------------------------------------------------------------------


class TopicsField(SelectMultipleField):
    """Topics as a list of checkboxes, each with its own label."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class QuestionCountField(IntegerField):
    """A whole number, with a message in the user's language when it is not one."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        try:
            self.data = int(str(valuelist[0]).strip())
        except ValueError as exc:
            self.data = None
            raise ValueError(_l("Enter the number of questions as a whole number.")) from exc


class WorkshopForm(RoomFields, FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(message=_l("Give the workshop a title.")),
            Length(max=200, message=_l("Keep the title under 200 characters.")),
        ],
    )
    language = RadioField(
        _l("Language of the quiz"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()],
        default="vi",
        validate_choice=False,
    )
    topics = TopicsField(_l("Topics"), validate_choice=False)
    question_count = QuestionCountField(
        _l("Number of questions"),
        default=12,
        render_kw={"min": workshops.MIN_QUESTIONS, "max": workshops.MAX_QUESTIONS},
    )
    submit = SubmitField(_l("Create the workshop"))

    def validate_language(self, field: RadioField) -> None:
        if field.data not in LOCALES:
            raise ValidationError(_("Choose Tiếng Việt or English."))

    def validate_topics(self, field: TopicsField) -> None:
        if not field.data:
            raise ValidationError(_("Choose at least one topic."))
        known = {choice.value for choice in field.choices}
        if not set(field.data) <= known:
            raise ValidationError(_("Choose topics from the list."))

    def validate_question_count(self, field: QuestionCountField) -> None:
        if field.data is None:
            if not field.errors:
                raise ValidationError(_("Enter the number of questions."))
            return
        low, high = workshops.MIN_QUESTIONS, workshops.MAX_QUESTIONS
        if not low <= field.data <= high:
            raise ValidationError(
                _("Choose between %(low)d and %(high)d questions.", low=low, high=high)
            )
        if self.topics.data and not self.topics.errors:
            available = workshops.available_questions(get_session(), self.topics.data)
            if available < field.data:
                raise ValidationError(
                    ngettext(
                        "The chosen topics have only %(num)d question. "
                        "Choose more topics or fewer questions.",
                        "The chosen topics have only %(num)d questions. "
                        "Choose more topics or fewer questions.",
                        available,
                    )
                )


# Helpers -------------------------------------------------------------------------------------


def load_workshop(workshop_id: int) -> Workshop:
    workshop = workshops.find_visible_workshop(get_session(), current_user, workshop_id)
    if workshop is None:
        abort(404)
    return workshop


def join_url(workshop: Workshop) -> str:
    return public_url_for("participant.workshop", code=workshop.code)


def qr_code(workshop: Workshop) -> segno.QRCode:
    return segno.make(join_url(workshop), error="m", micro=False)


def qr_svg(workshop: Workshop) -> Markup:
    """The join link as an inline QR code that scales with the page: black on white, to print."""
    svg = qr_code(workshop).svg_inline(
        scale=1,
        border=4,
        omitsize=True,
        dark="#000",
        light="#fff",
        title=_("QR code for %(url)s", url=join_url(workshop)),
        svgclass="qr",
        lineclass=None,
    )
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))


def round_names() -> dict[str, str]:
    return {"before": _("Before"), "after": _("After"), "all": _("All")}


def points(change: int) -> str:
    """A change in percentage points, for example "+20 points"."""
    return ngettext("%(change)s point", "%(change)s points", abs(change), change=signed(change))


def chart_words() -> ChartWords:
    return ChartWords(
        rounds=round_names(),
        correct=_("Correct answer"),
        most_chosen_wrong=_("Most chosen wrong answer"),
        points=points,
        no_answers=_("No answers yet"),
    )


@dataclass
class ResultsPage:
    """Everything the results, projector and JSON views show of one workshop."""

    workshop: Workshop
    results: dashboard.WorkshopResults
    topic_titles: dict[str, str]
    words: ChartWords

    @classmethod
    def build(cls, workshop: Workshop) -> ResultsPage:
        db = get_session()
        results = dashboard.workshop_results(db, workshop)
        titles = {
            t.key: translate_text(t.title, workshop.locale)
            for t in db.scalars(select(Topic).order_by(Topic.position))
        }
        return cls(workshop, results, titles, chart_words())

    @property
    def rounds(self) -> list[str]:
        return self.results.rounds

    @cached_property
    def paired(self) -> learning.PairedResults:
        """The same people before and after, computed only where a page shows it."""
        return learning.paired_results(get_session(), self.workshop)

    def topic_chart(self) -> Markup:
        return topic_chart(
            self.results.topics,
            self.rounds,
            self.words,
            self.workshop.locale,
            "chart-topics",
            _("Score per topic"),
        )

    def choice_chart(self, question: dashboard.QuestionResult) -> Markup:
        words = self.words
        if question.type == "message":
            # A message's choices are phrases: the right ones are red flags, a wrong one tapped
            # most often is the innocent phrase the room mistook for a warning.
            words = replace(
                words, correct=_("Red flag"), most_chosen_wrong=_("Innocent phrase tapped most")
            )
        return choice_chart(
            question, self.rounds, words, self.workshop.locale, f"chart-q{question.position}"
        )

    def missed_flag(
        self, question: dashboard.QuestionResult, round_: str
    ) -> dashboard.ChoiceTally | None:
        """The red flag the fewest tapped in a round (the first listed on a tie): what the room
        missed. None until someone answered, or when everyone found every red flag."""
        if not question.answers(round_):
            return None
        flags = [c for c in question.choices if c.correct]
        missed = min(flags, key=lambda c: c.counts.get(round_, 0), default=None)
        if missed is None or missed.counts.get(round_, 0) >= question.answers(round_):
            return None
        return missed

    def missed_flags(
        self, question: dashboard.QuestionResult
    ) -> list[tuple[str, dashboard.ChoiceTally]]:
        """(round, red flag missed most) for each round that has one."""
        found = [(r, self.missed_flag(question, r)) for r in self.rounds]
        return [(r, flag) for r, flag in found if flag is not None]

    def wrong_rounds(
        self, question: dashboard.QuestionResult, choice: dashboard.ChoiceTally
    ) -> list[str]:
        """The rounds in which this choice was the wrong answer picked most often."""
        return [r for r in self.rounds if question.most_chosen_wrong(r) is choice]

    def change(self, value: int | None) -> str:
        return "–" if value is None else points(value)

    def text(self, value: dict[str, str]) -> str:
        return translate_text(value, self.workshop.locale)

    def fragments(self, names: list[str] | None = None) -> dict[str, str]:
        """Pieces of the page as HTML, by the name of their place on the page; all by default.

        The live update replaces each place's content with its piece, so the macros that draw
        the page are the same ones that draw the update.
        """
        pieces: dict[str, tuple[str, tuple]] = {
            "counts": ("counts", ()),
            "topics": ("topics", ()),
            "topics-table": ("topics_table", ()),
        }
        for question in self.results.questions:
            pieces[f"q-{question.position}"] = ("question_summary", (question,))
            pieces[f"q-{question.position}-table"] = ("question_table", (question,))
        found = {
            name: str(results_macro(pieces[name][0])(self, *pieces[name][1]))
            for name in (names or list(pieces))
            if name in pieces
        }
        if not names or "paired" in names:
            found["paired"] = render_template("facilitator/_paired.html", page=self)
        return found

    def question(self, position: int) -> dashboard.QuestionResult:
        for question in self.results.questions:
            if question.position == position:
                return question
        abort(404)


def slides(page: ResultsPage) -> list[str]:
    """The projector's slides in order: joining, the topics, the same people before and after
    once the after round has started, then one per question."""
    paired = ["paired"] if page.workshop.current_round == "after" else []
    return ["join", "topics", *paired] + [f"q-{q.position}" for q in page.results.questions]


def topic_titles() -> dict[str, str]:
    """Topic titles by key, in the reader's language and the bank's order."""
    topics = get_session().scalars(select(Topic).order_by(Topic.position))
    return {t.key: translate_text(t.title) for t in topics}


def csv_response(data: bytes, filename: str) -> Response:
    return Response(
        data,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.context_processor
def facilitator_globals() -> dict[str, Any]:
    return {
        "language_names": LANGUAGE_NAMES,
        "round_names": round_names(),
        "join_link_unreachable": only_loopback_known,
    }


# Views ---------------------------------------------------------------------------------------


@bp.get("/")
def index():
    db = get_session()
    found = workshops.visible_workshops(db, current_user)
    counts = dashboard.joined_per_workshop(db, [w.id for w in found])
    totals = None
    if current_user.is_admin:
        totals = dashboard.admin_totals(db)
    return render_template(
        "facilitator/index.html",
        workshops=found,
        counts=counts,
        totals=totals,
        totals_chart=totals_chart(totals) if totals else None,
    )


def totals_chart(totals: dashboard.Totals) -> Markup:
    return topic_chart(
        totals.topics,
        ["all"],
        chart_words(),
        current_locale(),
        "chart-totals",
        _("Score per topic, all quizzes"),
    )


@bp.route("/workshops/new", methods=["GET", "POST"])
def new_workshop():
    form = WorkshopForm()
    titles = topic_titles()
    form.topics.choices = [SelectChoice(key, title) for key, title in titles.items()]
    if request.method == "GET":
        form.topics.data = list(titles)
    if form.validate_on_submit():
        workshop = workshops.create_workshop(
            get_session(),
            owner=current_user,
            title=form.title.data,
            locale=form.language.data,
            topic_keys=form.topics.data,
            question_count=form.question_count.data,
            mode=form.mode.data,
            time_limit=form.time_limit.data,
        )
        flash(_("Workshop created. Its join code is %(code)s.", code=workshop.code))
        return redirect(url_for(".show_workshop", workshop_id=workshop.id))
    status = 422 if form.errors else 200
    return render_template("facilitator/new.html", form=form), status


@bp.get("/workshops/<int:workshop_id>")
def show_workshop(workshop_id: int):
    workshop = load_workshop(workshop_id)
    db = get_session()
    return render_template(
        "facilitator/workshop.html",
        workshop=workshop,
        join_url=join_url(workshop),
        qr=qr_svg(workshop),
        counts=dashboard.round_counts(db, workshop.id),
        questions=dashboard.workshop_questions(db, workshop.id),
        topic_titles=topic_titles(),
        form=EmptyForm(),
    )


@bp.get("/workshops/<int:workshop_id>/qr.svg")
def workshop_qr(workshop_id: int):
    workshop = load_workshop(workshop_id)
    svg = io.BytesIO()
    qr_code(workshop).save(
        svg, kind="svg", scale=10, border=4, dark="#000", light="#fff", title=join_url(workshop)
    )
    return Response(
        svg.getvalue(),
        mimetype="image/svg+xml",
        headers={"Content-Disposition": f'inline; filename="workshop-{workshop.code}-qr.svg"'},
    )


@bp.get("/workshops/<int:workshop_id>/handout")
def handout(workshop_id: int):
    """A one-page sheet for the room, in the workshop's language."""
    workshop = load_workshop(workshop_id)
    with force_locale(workshop.locale):
        return render_template(
            "facilitator/handout.html",
            workshop=workshop,
            join_url=join_url(workshop),
            home_url=public_url_for("participant.home"),
            qr=qr_svg(workshop),
        )


@bp.get("/workshops/<int:workshop_id>/results")
def results(workshop_id: int):
    workshop = load_workshop(workshop_id)
    page = ResultsPage.build(workshop)
    return render_template(
        "facilitator/results.html",
        workshop=workshop,
        page=page,
        live_url=url_for(".results_json", workshop_id=workshop.id),
        live_seconds=LIVE_SECONDS,
    )


@bp.get("/workshops/<int:workshop_id>/results.json")
def results_json(workshop_id: int):
    """The live numbers and, for the parts asked for, their HTML ready to put in place.

    The projector asks with ``present=1``: its fragments are then in the workshop's language,
    like the rest of the projected page.
    """
    workshop = load_workshop(workshop_id)
    locale = workshop.locale if request.args.get("present") else None
    with force_locale(locale) if locale else nullcontext():
        page = ResultsPage.build(workshop)
        data = {
            "workshop": {
                "id": workshop.id,
                "code": workshop.code,
                "is_open": workshop.is_open,
                "current_round": workshop.current_round,
            },
            **dashboard.results_as_dict(page.results),
            "fragments": page.fragments(request.args.getlist("part")),
        }
    return jsonify(data)


@bp.get("/workshops/<int:workshop_id>/present", defaults={"slide": 1})
@bp.get("/workshops/<int:workshop_id>/present/<int:slide>")
def present(workshop_id: int, slide: int):
    """The projector view: big type, one thing at a time, in the workshop's language."""
    workshop = load_workshop(workshop_id)
    with force_locale(workshop.locale):
        page = ResultsPage.build(workshop)
        order = slides(page)
        if not 1 <= slide <= len(order):
            abort(404)
        current = order[slide - 1]
        parts = ["counts"] if current == "join" else [current]
        live_url = url_for(".results_json", workshop_id=workshop.id, present=1, part=parts)
        return render_template(
            "facilitator/present.html",
            workshop=workshop,
            page=page,
            slide=slide,
            slide_count=len(order),
            current=current,
            question=page.question(int(current[2:])) if current.startswith("q-") else None,
            join_url=join_url(workshop),
            qr=qr_svg(workshop) if current == "join" else None,
            live_url=live_url,
            live_seconds=LIVE_SECONDS,
        )


@bp.post("/workshops/<int:workshop_id>/close")
def close_workshop(workshop_id: int):
    workshop = load_workshop(workshop_id)
    workshops.close_workshop(get_session(), workshop)
    flash(_("The workshop is closed: nobody can join or answer now. Its results stay."))
    return redirect(url_for(".show_workshop", workshop_id=workshop.id))


@bp.post("/workshops/<int:workshop_id>/reopen")
def reopen_workshop(workshop_id: int):
    workshop = load_workshop(workshop_id)
    workshops.reopen_workshop(get_session(), workshop)
    flash(_("The workshop is open again."))
    return redirect(url_for(".show_workshop", workshop_id=workshop.id))


@bp.post("/workshops/<int:workshop_id>/after-round")
def start_after_round(workshop_id: int):
    workshop = load_workshop(workshop_id)
    if workshops.start_after_round(get_session(), workshop):
        flash(_("The after round has started. Ask everyone to open the join link again."))
    else:
        flash(_("The after round is already running."), "error")
    return redirect(url_for(".show_workshop", workshop_id=workshop.id))


@bp.get("/workshops/<int:workshop_id>/questions.csv")
def questions_csv(workshop_id: int):
    workshop = load_workshop(workshop_id)
    with force_locale(workshop.locale):
        page = ResultsPage.build(workshop)
        words = export_words()
    rows = exports.question_rows(workshop, page.results, page.topic_titles, words)
    data = exports.csv_bytes(words.question_header, rows)
    return csv_response(data, f"workshop-{workshop.code}-questions.csv")


@bp.get("/workshops/<int:workshop_id>/answers.csv")
def answers_csv(workshop_id: int):
    workshop = load_workshop(workshop_id)
    with force_locale(workshop.locale):
        words = export_words()
    titles = {
        t.key: translate_text(t.title, workshop.locale)
        for t in get_session().scalars(select(Topic))
    }
    rows = exports.answer_rows(get_session(), workshop, titles, words)
    data = exports.csv_bytes(words.answer_header, rows)
    return csv_response(data, f"workshop-{workshop.code}-answers.csv")


def export_words() -> exports.ExportWords:
    """The headers and words of the CSV files, in the language in force: the workshop's."""
    return exports.ExportWords(
        question_header=[
            _("Workshop"),
            _("Date"),
            _("Round"),
            _("Question no."),
            _("Topic"),
            _("Question"),
            _("Answers"),
            _("Correct answers"),
            _("Share correct (%)"),
            _("Choice"),
            _("Is the right answer"),
            _("Times picked"),
            _("Share picked (%)"),
            _("Most chosen wrong answer"),
        ],
        answer_header=[
            _("Workshop"),
            _("Date"),
            _("Participant"),
            _("Round"),
            _("Question no."),
            _("Shown as question no."),
            _("Topic"),
            _("Question"),
            _("Answer given"),
            _("Answered correctly"),
            _("Place of the answer in the list shown"),
            _("Choices in the order shown"),
            _("Answered at (UTC)"),
        ],
        rounds={"before": _("Before"), "after": _("After")},
        yes=_("Yes"),
        no=_("No"),
    )
