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

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select

from . import attempts, live
from .db import get_session
from .extensions import limiter
from .models import Attempt, AttemptQuestion, Topic, Workshop, utcnow
from .participant import (
    CODE_PATTERN,
    EmptyForm,
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


def ordered_choices(item: AttemptQuestion) -> list:
    by_key = {c.key: c for c in item.revision.choices}
    return [by_key[k] for k in item.choice_order if k in by_key]


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
    item = None
    if phase in (live.QUESTION, live.REVEAL) and state.position:
        item = attempts.attempt_item(get_session(), attempt, state.position)
    answer = item.answer if item else None
    picked = {c.key for c in answer.choices} if answer else set(chosen or [])
    return (
        render_template(
            "follow/room.html",
            workshop=workshop,
            attempt=attempt,
            state=state,
            phase=phase if item or phase == live.LOBBY else live.LOBBY,
            item=item,
            revision=item.revision if item else None,
            question=item.revision.question if item else None,
            topic=item.revision.question.topic if item else None,
            choices=ordered_choices(item) if item else [],
            letters=live.letter,
            answer=answer,
            picked=picked,
            error=error,
            seconds_left=state.seconds_left(now),
            form=EmptyForm(),
            follow=follow,
        ),
        status,
    )


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
def room_state(code: str):
    """Where the room is, in a few bytes: asked every second by every waiting phone.

    One query on the unique index of codes; no template, no session, an ETag so an unchanged
    state costs a 304 with no body.
    """
    code = normalise_code(code)
    state = live.room_state_by_code(get_session(), code) if CODE_PATTERN.match(code) else None
    if state is None:
        return Response('{"state":null}', status=404, mimetype="application/json")
    tag = state.tag(utcnow())
    headers = {"ETag": f'"{tag}"', "Cache-Control": "no-cache"}
    if request.if_none_match.contains(tag):
        return Response(status=304, headers=headers)
    return Response(json.dumps({"state": tag}), mimetype="application/json", headers=headers)
