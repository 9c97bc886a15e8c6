"""Phones in a facilitator-led room: one page that shows wherever the room is.

The page is the lobby, the open question, "answer received", the reveal with this phone's own
feedback, or at the end this phone's results. A reload, a late join or a phone woken from
sleep simply asks this page again and lands where the room is, its answers kept.

Phones follow the facilitator by asking ``/follow/<code>/state`` every second or so: one
indexed query, a few bytes of JSON with an ETag, no session cookie sent or set. When the state
changes, the script loads the room page again; without JavaScript a Continue button does it.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from types import SimpleNamespace

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from . import attempts, live
from .db import get_engine, get_session
from .extensions import limiter
from .forms import EmptyForm
from .models import (
    Answer,
    AnswerChoice,
    Attempt,
    AttemptQuestion,
    Choice,
    Question,
    QuestionRevision,
    Topic,
    Workshop,
    utcnow,
)
from .participant import (
    CODE_PATTERN,
    current_attempt,
    find_workshop,
    normalise_code,
    topic_sources_in_attempt,
)
from .quiz import InvalidAnswer
from .scoring import topic_scores
from .security import attempt_key

bp = Blueprint("follow", __name__, url_prefix="/follow")

POLL_MS = (700, 1300)


def answer_limit() -> str:
    return current_app.config["RATELIMIT_ANSWERS"]


def led_workshop(code: str) -> Workshop:
    """The led workshop with this code; a self-paced one sends the phone to its join page."""
    workshop = find_workshop(code)
    if workshop.mode != live.LED:
        abort(redirect(url_for("participant.workshop", code=workshop.code)))
    return workshop


def state_of(workshop: Workshop) -> live.RoomState:
    return live.RoomState(
        workshop_id=workshop.id,
        phase=workshop.phase,
        position=workshop.live_position,
        question_count=workshop.question_count,
        closes_at=workshop.closes_at,
        version=workshop.live_version,
        round=workshop.current_round,
    )


def room_attempt(workshop: Workshop) -> Attempt | None:
    """This phone's attempt in the room's current round, if it joined."""
    attempt = current_attempt()
    if attempt is None or attempt.workshop_id != workshop.id:
        return None
    if attempt.round != workshop.current_round:
        return None
    return attempt


@dataclass(frozen=True)
class ShownChoice:
    key: str
    text: dict[str, str]
    correct: bool


@dataclass(frozen=True)
class ShownQuestion:
    """A question revision as the room page shows it: plain data, the same for every phone."""

    type: str
    scenario: dict[str, str] | None
    prompt: dict[str, str]
    explanation: dict[str, str]
    choices: dict[str, ShownChoice]
    topic: SimpleNamespace
    sources: list[SimpleNamespace]


# When the room moves on, every phone asks for the same question within a second: it is read
# from the database once per process and kept a few seconds (an edit shows up after that).
SHOWN_SECONDS = 10.0


def app_cache(name: str) -> dict:
    """A cache of this app's own: two apps in one process (tests, two databases) share none."""
    return current_app.extensions.setdefault(f"tipquiz_follow_{name}", {})


def shown_question(revision_id: int) -> ShownQuestion:
    cached = app_cache("shown").get(revision_id)
    if cached is not None and time.monotonic() - cached[0] < SHOWN_SECONDS:
        return cached[1]
    question_of = joinedload(QuestionRevision.question)
    revision = get_session().scalar(
        select(QuestionRevision)
        .where(QuestionRevision.id == revision_id)
        .options(
            selectinload(QuestionRevision.choices),
            question_of.joinedload(Question.topic),
            question_of.selectinload(Question.sources),
        )
    )
    question = revision.question
    shown = ShownQuestion(
        type=revision.type,
        scenario=question.scenario,
        prompt=question.prompt,
        explanation=question.explanation,
        choices={c.key: ShownChoice(c.key, c.text, c.correct) for c in revision.choices},
        topic=SimpleNamespace(key=question.topic.key, title=question.topic.title),
        sources=[SimpleNamespace(url=s.url, publisher=s.publisher) for s in question.sources],
    )
    app_cache("shown")[revision_id] = (time.monotonic(), shown)
    return shown


@dataclass(frozen=True)
class PhoneItem:
    """This phone's side of the question: its choice order and its answer, if any."""

    position: int
    revision_id: int
    choice_order: list[str]
    answer: SimpleNamespace | None
    picked: set[str]


def phone_item(attempt: Attempt, position: int) -> PhoneItem | None:
    db = get_session()
    row = db.execute(
        select(
            AttemptQuestion.revision_id,
            AttemptQuestion.choice_order,
            Answer.id,
            Answer.correct,
        )
        .outerjoin(Answer, Answer.item_id == AttemptQuestion.id)
        .where(AttemptQuestion.attempt_id == attempt.id, AttemptQuestion.position == position)
    ).one_or_none()
    if row is None:
        return None
    revision_id, order, answer_id, correct = row
    picked: set[str] = set()
    if answer_id is not None:
        picked = set(
            db.scalars(
                select(Choice.key)
                .join(AnswerChoice, AnswerChoice.choice_id == Choice.id)
                .where(AnswerChoice.answer_id == answer_id)
            )
        )
    answer = SimpleNamespace(correct=correct) if answer_id is not None else None
    return PhoneItem(position, revision_id, order, answer, picked)


def render_room(
    workshop: Workshop,
    attempt: Attempt,
    *,
    error: str | None = None,
    chosen: list[str] | None = None,
    status: int = 200,
):
    now = utcnow()
    state = state_of(workshop)
    phase = state.effective_phase(now)
    follow = {
        "state": state.tag(now),
        "state_url": url_for(".room_state", code=workshop.code),
        "room_url": url_for(".room", code=workshop.code),
    }
    if phase == live.ENDED:
        return render_results(workshop, attempt, follow), status
    item = shown = None
    if phase in (live.QUESTION, live.REVEAL) and state.position:
        item = phone_item(attempt, state.position)
    if item is not None:
        shown = shown_question(item.revision_id)
    answer = item.answer if item else None
    picked = item.picked if answer else set(chosen or [])
    seconds_left = state.seconds_left(now)
    key = None
    if phase == live.QUESTION and item and not answer and not error and not chosen:
        key = shared_page_key(workshop, follow["state"], item, seconds_left)
    shared = app_cache("pages").get(key) if key is not None else None
    if shared is not None:
        return shared.replace(TOKEN_MARK, generate_csrf()), status
    page = render_template(
        "follow/room.html",
        workshop=workshop,
        attempt=attempt,
        state=state,
        phase=phase if item or phase == live.LOBBY else live.LOBBY,
        item=item,
        revision=shown,
        question=shown,
        topic=shown.topic if shown else None,
        choices=[shown.choices[k] for k in item.choice_order if k in shown.choices]
        if shown
        else [],
        letters=live.letter,
        answer=answer,
        picked=picked,
        error=error,
        seconds_left=seconds_left,
        form=EmptyForm(),
        follow=follow,
    )
    if key is not None:
        remember_page(key, page.replace(generate_csrf(), TOKEN_MARK))
    return page, status


# The open question looks the same on every phone that has not answered it, but for the form's
# CSRF token. When the room moves on, 250 phones ask for it within a second, so each process
# draws it once per room state and language and puts each phone's own token in.
_PAGES_LOCK = threading.Lock()
PAGES_KEPT = 16
TOKEN_MARK = "\x00csrf-token\x00"


def shared_page_key(
    workshop: Workshop, tag: str, item: PhoneItem, seconds_left: int | None
) -> tuple | None:
    if not workshop.is_open or session.get("_flashes") or session.get("_user_id"):
        return None
    locale = str(get_locale())
    return (workshop.code, tag, locale, item.revision_id, tuple(item.choice_order), seconds_left)


def remember_page(key: tuple, page: str) -> None:
    if TOKEN_MARK not in page:
        return
    with _PAGES_LOCK:
        pages = app_cache("pages")
        while len(pages) >= PAGES_KEPT:
            pages.pop(next(iter(pages)), None)
        pages[key] = page


def render_results(workshop: Workshop, attempt: Attempt, follow: dict) -> str:
    """This phone's own results, as at the end of a self-paced quiz, for what it answered."""
    db = get_session()
    topics = {t.key: t for t in db.scalars(select(Topic).order_by(Topic.position))}
    scores = topic_scores(attempts.attempt_results(db, attempt), order=topics)
    return render_template(
        "follow/results.html",
        workshop=workshop,
        attempt=attempt,
        scores=scores,
        topics=topics,
        correct=sum(s.correct for s in scores),
        total=sum(s.total for s in scores),
        sources=topic_sources_in_attempt(attempt),
        form=EmptyForm(),
        follow=follow,
    )


@bp.get("/<code>")
def room(code: str):
    workshop = led_workshop(code)
    if code != workshop.code:
        return redirect(url_for(".room", code=workshop.code))
    attempt = room_attempt(workshop)
    if attempt is None:
        return redirect(url_for("participant.workshop", code=workshop.code))
    return render_room(workshop, attempt)


@bp.post("/<code>/answer/<int:position>")
@limiter.limit(answer_limit, key_func=attempt_key)
def answer(code: str, position: int):
    workshop = led_workshop(code)
    attempt = room_attempt(workshop)
    if attempt is None:
        return redirect(url_for("participant.workshop", code=workshop.code))
    db = get_session()
    item = attempts.attempt_item(db, attempt, position)
    if item is None:
        abort(404)
    if item.answer is None:
        if not workshop.is_open:
            message = _("This workshop is closed and takes no new answers.")
            return render_room(workshop, attempt, error=message, status=410)
        if not state_of(workshop).answering_open(utcnow(), position):
            message = _("Answering is closed for this question: the facilitator has moved on.")
            return render_room(workshop, attempt, error=message, status=409)
        chosen = request.form.getlist("choice")
        try:
            attempts.record_answer(db, item, chosen)
        except InvalidAnswer:
            message = (
                _("Choose at least one answer.")
                if item.revision.type == "multiple"
                else _("Choose one answer.")
            )
            return render_room(workshop, attempt, error=message, chosen=chosen, status=422)
    return redirect(url_for(".room", code=workshop.code))


@bp.get("/<code>/state")
@limiter.exempt
def room_state(code: str):
    """Where the room is, in a few bytes: asked every second by every waiting phone.

    One query on the unique index of codes; no template, no session, an ETag so an unchanged
    state costs a 304 with no body.
    """
    code = normalise_code(code)
    state = None
    if CODE_PATTERN.match(code):
        with get_engine().connect() as connection:
            state = live.room_state_by_code(connection, code)
    if state is None:
        return Response('{"state":null}', status=404, mimetype="application/json")
    tag = state.tag(utcnow())
    headers = {"ETag": f'"{tag}"', "Cache-Control": "no-cache"}
    if request.if_none_match.contains(tag):
        return Response(status=304, headers=headers)
    return Response(json.dumps({"state": tag}), mimetype="application/json", headers=headers)
