"""What participants see: the home page, the quiz, results, learn pages, sources and help.

Plain HTML forms, POST then redirect, no JavaScript needed. A participant is known only by the
random attempt token in their signed session cookie.
"""

from __future__ import annotations

import re

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from . import attempts, swap
from .config import LOCALES
from .db import get_session
from .extensions import limiter
from .forms import EmptyForm
from .i18n import current_locale
from .models import Attempt, AttemptQuestion, Question, QuestionRevision, Source, Topic, Workshop
from .pairing_form import JoinForm, pair_on_join, phone_took_before
from .quiz import InvalidAnswer
from .review import answer_review, on_results_page
from .scoring import topic_scores
from .security import attempt_key
from .workshops import CODE_ALPHABET, after_round_open, code_expired

bp = Blueprint("participant", __name__)

CODE_PATTERN = re.compile(rf"^[{CODE_ALPHABET}]{{6}}$")


def normalise_code(raw: str | None) -> str:
    """Codes are read aloud and typed on phones: ignore case, spaces and dashes."""
    return re.sub(r"[\s-]", "", raw or "").upper()


def current_attempt() -> Attempt | None:
    return attempts.find_attempt(get_session(), session.get("attempt"))


def remember_attempt(attempt: Attempt) -> None:
    session["attempt"] = attempt.token
    session.permanent = True


def answer_limit() -> str:
    return current_app.config["RATELIMIT_ANSWERS"]


@bp.get("/")
def home():
    attempt = current_attempt()
    unfinished = attempt if attempt is not None and attempt.finished_at is None else None
    return render_template(
        "participant/home.html",
        form=EmptyForm(),
        unfinished=unfinished,
        finished=attempt if attempt is not None and attempt.finished_at else None,
    )


def reusable(attempt: Attempt | None, workshop: Workshop | None) -> bool:
    """A double tap on "Start" must not make two attempts: reuse one that has no answers yet."""
    if attempt is None:
        return False
    if led_room(workshop) and attempt.workshop_id == workshop.id:
        # A led room keeps one attempt per phone and round, answers and all.
        return attempt.round == workshop.current_round
    if attempt.finished_at is not None:
        return False
    if attempt.workshop_id != (workshop.id if workshop else None):
        return False
    if workshop is not None and attempt.round != workshop.current_round:
        return False
    return attempts.answered_count(get_session(), attempt) == 0


@bp.post("/start")
@limiter.limit("300 per minute")
def start():
    attempt = current_attempt()
    if not reusable(attempt, None):
        attempt = attempts.start_attempt(
            get_session(),
            locale=current_locale(),
            count=current_app.config["QUESTIONS_PER_QUIZ"],
        )
        if not attempt.question_count:
            abort(503)
    remember_attempt(attempt)
    return swap.page_after_post(".question", {"position": 1})


@bp.get("/start")
def start_again():
    """Where a language switch on a page the quiz script showed after "Start" comes back to."""
    return redirect(url_for(".resume") if current_attempt() else url_for(".home"))


@bp.get("/join")
def join():
    code = normalise_code(request.args.get("code"))
    if not code:
        flash(_("Type the workshop code your facilitator gave you."), "error")
        return redirect(url_for(".home"))
    return redirect(url_for(".workshop", code=code))


def find_workshop(code: str) -> Workshop:
    """The workshop for a code, or a clear "no such workshop" page in the user's language."""
    code = normalise_code(code)
    workshop = None
    if CODE_PATTERN.match(code):
        workshop = get_session().scalar(select(Workshop).where(Workshop.code == code))
    if workshop is None or code_expired(workshop):
        abort(
            404,
            description=_(
                "No workshop has the code %(code)s. Check it with your facilitator.", code=code[:12]
            ),
        )
    return workshop


def join_limit() -> str:
    """Looking codes up is limited per address, so that they cannot be found by guessing."""
    return current_app.config["RATELIMIT_JOIN"]


@bp.get("/j/<code>")
@limiter.limit(join_limit)
def workshop(code: str):
    found = find_workshop(code)
    if code != found.code:
        return redirect(url_for(".workshop", code=found.code))
    if led_room(found) and reusable(current_attempt(), found):
        return redirect(url_for("follow.room", code=found.code))
    return workshop_page(found, JoinForm(), 200 if found.is_open else 410)


def workshop_page(found: Workshop, form: JoinForm, status: int):
    form.forget_code()
    with force_locale(joining_locale(found)):
        page = render_template(
            "participant/workshop.html",
            workshop=found,
            form=form,
            phone_took_before=phone_took_before(found),
        )
    return page, status


def joining_locale(found: Workshop) -> str:
    """A workshop link opens in the workshop's language unless the participant chose one."""
    chosen = session.get("lang")
    return chosen if chosen in LOCALES else found.locale


@bp.post("/j/<code>")
@limiter.limit(join_limit)
def join_workshop(code: str):
    found = find_workshop(code)
    if not found.is_open:
        return redirect(url_for(".workshop", code=found.code))
    form = JoinForm()
    with force_locale(joining_locale(found)):
        valid = form.validate()
    if not valid:
        return workshop_page(found, form, 422)
    attempt = current_attempt()
    # The quiz goes on in the language the workshop page was shown in.
    session["lang"] = joining_locale(found)
    if not reusable(attempt, found):
        attempt = attempts.start_attempt(
            get_session(), locale=session["lang"], count=found.question_count, workshop=found
        )
    pair_on_join(found, attempt, form)
    remember_attempt(attempt)
    if led_room(found):
        return redirect(url_for("follow.room", code=found.code))
    return swap.page_after_post(".question", {"position": 1})


def led_room(workshop: Workshop | None) -> bool:
    return workshop is not None and workshop.mode == "led"


def attempt_or_home() -> Attempt:
    attempt = current_attempt()
    if attempt is None:
        abort(404, description=_("There is no quiz in progress in this browser. Start one here."))
    if attempt.workshop_id is not None:
        found = get_session().get(Workshop, attempt.workshop_id)
        if led_room(found):
            # The facilitator sets the pace: no answering ahead through /quiz/<n>.
            abort(redirect(url_for("follow.room", code=found.code)))
    return attempt


def load_item(attempt: Attempt, position: int) -> AttemptQuestion:
    item = attempts.attempt_item(get_session(), attempt, position)
    if item is None:
        abort(404)
    return item


def workshop_closed(attempt: Attempt) -> bool:
    if attempt.workshop_id is None:
        return False
    found = get_session().get(Workshop, attempt.workshop_id)
    return found is not None and not found.is_open


def render_question(
    attempt: Attempt,
    item: AttemptQuestion,
    error: str | None = None,
    chosen: list[str] | None = None,
    status: int = 200,
):
    revision = item.revision
    by_key = {c.key: c for c in revision.choices}
    choices = [by_key[k] for k in item.choice_order if k in by_key]
    answer = item.answer
    picked = {c.key for c in answer.choices} if answer else set(chosen or [])
    topic = revision.question.topic
    return (
        render_template(
            "participant/question.html",
            attempt=attempt,
            item=item,
            question=revision.question,
            revision=revision,
            topic=topic,
            choices=choices,
            answer=answer,
            picked=picked,
            error=error,
            form=EmptyForm(),
            closed=workshop_closed(attempt),
        ),
        status,
    )


@bp.get("/quiz")
def resume():
    attempt = attempt_or_home()
    position = attempts.next_position(get_session(), attempt)
    if position is None:
        return redirect(url_for(".results"))
    return redirect(url_for(".question", position=position))


@bp.get("/quiz/<int:position>")
def question(position: int):
    attempt = attempt_or_home()
    item = load_item(attempt, position)
    if item.answer is None:
        upcoming = attempts.next_position(get_session(), attempt)
        if upcoming is not None and position > upcoming:
            return redirect(url_for(".question", position=upcoming))
    return render_question(attempt, item, error=answer_error(item, request.args.get("error")))


def answer_error(item: AttemptQuestion, code: str | None) -> str | None:
    """The message for an answer sent with no valid choice, read back from the redirect."""
    if code != "choose" or item.answer is not None:
        return None
    return invalid_answer_message(item.revision.type)


@bp.post("/quiz/<int:position>")
@limiter.limit(answer_limit, key_func=attempt_key)
def answer(position: int):
    # The common case reads a few columns and writes three rows; the full page is only loaded
    # to show a message.
    target = attempts.answer_target(get_session(), session.get("attempt"), position)
    if target is None or target.led:
        attempt_or_home()  # sends a led room's phone back to the room
        abort(404)
    if target.answer_id is None and target.workshop_closed:
        # The page says the workshop is closed and offers the results so far.
        return redirect(url_for(".question", position=position), 303)
    chosen = request.form.getlist("choice")
    try:
        attempts.store_answer(get_session(), target, chosen)
    except InvalidAnswer:
        # Back to the page by GET, so the browser's history never holds a POST to resend.
        return redirect(url_for(".question", position=position, error="choose"), 303)
    if not swap.wants_swap():
        return redirect(url_for(".question", position=position) + "#feedback")
    following = (
        (".question", {"position": position + 1})
        if position < attempt_or_home().question_count
        else (".results", {})
    )
    return swap.page_after_post(".question", {"position": position}, "#feedback", following)


def invalid_answer_message(kind: str) -> str:
    """What to do instead, for an answer that could not be stored."""
    if kind == "message":
        # Tapping nothing is an answer; only phrases that are not in the message get here.
        return _("Tap only phrases in the message.")
    if kind == "multiple":
        return _("Choose at least one answer.")
    return _("Choose one answer.")


@bp.get("/quiz/results")
def results():
    attempt = attempt_or_home()
    db = get_session()
    unfinished = attempts.next_position(db, attempt) is not None
    if unfinished and not workshop_closed(attempt):
        return redirect(url_for(".resume"))
    topics = {t.key: t for t in db.scalars(select(Topic).order_by(Topic.position))}
    scores = topic_scores(attempts.attempt_results(db, attempt), order=topics)
    correct = sum(s.correct for s in scores)
    total = sum(s.total for s in scores)
    sources = topic_sources_in_attempt(attempt)
    workshop = db.get(Workshop, attempt.workshop_id) if attempt.workshop_id else None
    review = answer_review(db, attempt)
    shown = on_results_page(len(review))
    return render_template(
        "participant/results.html",
        attempt=attempt,
        scores=scores,
        topics=topics,
        correct=correct,
        total=total,
        sources=sources,
        form=EmptyForm(),
        unfinished=unfinished,
        review=review[:shown],
        review_more=len(review) - shown,
        missed=sum(1 for q in review if not q.correct),
        workshop=workshop,
        after_round=after_round_open(workshop, attempt),
    )


@bp.get("/quiz/results/review")
def more_review():
    """The rest of a long quiz's review, after the questions the results page shows."""
    attempt = attempt_or_home()
    db = get_session()
    if attempts.next_position(db, attempt) is not None and not workshop_closed(attempt):
        return redirect(url_for(".resume"))
    review = answer_review(db, attempt)
    shown = on_results_page(len(review))
    if len(review) <= shown:
        return redirect(url_for(".results"))
    return render_template("participant/review.html", review=review[shown:], start=shown)


def topic_sources_in_attempt(attempt: Attempt) -> dict[str, list[Source]]:
    """The articles behind the questions this attempt asked, by topic key."""
    rows = get_session().execute(
        select(Topic.key, Source)
        .select_from(AttemptQuestion)
        .join(QuestionRevision, QuestionRevision.id == AttemptQuestion.revision_id)
        .join(Question, Question.id == QuestionRevision.question_id)
        .join(Topic, Topic.id == Question.topic_id)
        .join(Question.sources)
        .where(AttemptQuestion.attempt_id == attempt.id)
        .order_by(Topic.position, Source.position)
    )
    found: dict[str, list[Source]] = {}
    for topic_key, source in rows:
        if source not in found.setdefault(topic_key, []):
            found[topic_key].append(source)
    return found


@bp.get("/learn")
def topics():
    found = get_session().scalars(select(Topic).order_by(Topic.position)).all()
    return render_template("participant/topics.html", topics=found)


@bp.get("/learn/<key>")
def learn(key: str):
    db = get_session()
    topic = db.scalar(select(Topic).where(Topic.key == key))
    if topic is None:
        abort(404)
    return render_template("participant/learn.html", topic=topic)


@bp.get("/sources")
def sources():
    found = get_session().scalars(select(Source).order_by(Source.position)).all()
    return render_template("participant/sources.html", sources=found)


@bp.get("/help")
def get_help():
    return render_template("participant/help.html")
