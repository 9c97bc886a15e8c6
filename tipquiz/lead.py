"""The facilitator leading a room: the live projector, a remote for a phone, and the steps.

Every step (Start, Reveal, Next, End) is a POST form carrying the state version the page was
drawn from; ``live.advance`` applies it only if the room is still there. The projector and the
remote work without JavaScript; ``static/lead.js`` adds the live counts, follows steps taken
on another device, and the → / Space keys.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from . import dashboard, facilitator, live
from .auth import role_guard
from .charts import choice_chart, topic_chart
from .db import get_session
from .follow import state_of
from .forms import EmptyForm
from .live_forms import RoomSettingsForm
from .models import ROUNDS, Question, Workshop, WorkshopQuestion, utcnow
from .public_url import only_loopback_known

bp = Blueprint("lead", __name__, url_prefix="/lead")
bp.before_request(role_guard("facilitator", "admin"))

POLL_SECONDS = 1.5


def step_labels() -> dict[str, str]:
    return {
        "start": _("Start"),
        "reveal": _("Reveal"),
        "next": _("Next question"),
        "results": _("Show the results"),
        "end": _("End"),
    }


def led_or_404(workshop_id: int) -> Workshop:
    workshop = facilitator.load_workshop(workshop_id)
    if workshop.mode != live.LED:
        abort(404)
    return workshop


def current_question(workshop: Workshop, position: int) -> Question | None:
    return get_session().scalar(
        select(Question)
        .join(WorkshopQuestion, WorkshopQuestion.question_id == Question.id)
        .where(WorkshopQuestion.workshop_id == workshop.id, WorkshopQuestion.position == position)
    )


def room_choices(workshop: Workshop, question: Question) -> list:
    """The current revision's choices in the order every phone shows them."""
    revision = question.current_revision
    keys = [c.key for c in revision.choices]
    order = live.shared_choice_order(workshop.id, question.id, revision.type, keys)
    by_key = {c.key: c for c in revision.choices}
    return [by_key[k] for k in order]


def reveal_chart(workshop: Workshop, state: live.RoomState, question: Question) -> Markup:
    """How this round answered the question, choices lettered as on the phones."""
    db = get_session()
    result = next(
        r for r in dashboard.question_results(db, workshop) if r.position == state.position
    )
    order = [c.key for c in room_choices(workshop, question)]
    tallies = {t.key: t for t in result.choices}
    lettered = []
    for index, key in enumerate(order):
        tally = tallies.pop(key)
        text = {lang: f"{live.letter(index)}. {words}" for lang, words in tally.text.items()}
        lettered.append(replace(tally, text=text))
    lettered.extend(tallies.values())
    result = replace(result, choices=lettered)
    return choice_chart(
        result, [state.round], facilitator.chart_words(), workshop.locale, "chart-reveal"
    )


def class_results(workshop: Workshop, state: live.RoomState) -> dict[str, Any]:
    """The end screen: per-topic results of this round, or both rounds side by side."""
    page = facilitator.ResultsPage.build(workshop)
    compared = page.results.compared
    title = _("Score per topic")
    rounds = list(ROUNDS) if compared else [state.round]
    chart = topic_chart(
        page.results.topics, rounds, page.words, workshop.locale, "chart-topics", title
    )
    return {"page": page, "compared": compared, "topics_chart": chart}


def screen(workshop: Workshop, back: str) -> dict[str, Any]:
    """Everything the projector or the remote shows of the room right now."""
    db = get_session()
    now = utcnow()
    state = state_of(workshop)
    phase = state.effective_phase(now)
    counted = live.turnout(db, state)
    found: dict[str, Any] = {
        "workshop": workshop,
        "state": state,
        "phase": phase,
        "turnout": counted,
        "seconds_left": state.seconds_left(now),
        "next_action": state.next_action(now),
        "last": state.position >= state.question_count,
        "labels": step_labels(),
        "round_names": facilitator.round_names(),
        "form": EmptyForm(),
        "back": back,
        "letters": live.letter,
        "live_url": url_for(".room_json", workshop_id=workshop.id),
        "live_seconds": POLL_SECONDS,
        "tag": state.tag(now),
        # The counts the script keeps up to date, inside the translated sentences.
        "live_answered": Markup("<span data-live-answered>%d</span>") % counted.answered,
        "live_joined": Markup("<span data-live-joined>%d</span>") % counted.joined,
    }
    if phase == live.LOBBY:
        found["join_url"] = facilitator.join_url(workshop)
        found["qr"] = facilitator.qr_svg(workshop) if back == "projector" else None
    if phase in (live.QUESTION, live.REVEAL) and state.position:
        question = current_question(workshop, state.position)
        found["question"] = question
        found["choices"] = room_choices(workshop, question)
        found["topic"] = question.topic
        if phase == live.REVEAL and back == "projector":
            found["chart"] = reveal_chart(workshop, state, question)
    if phase == live.ENDED and back == "projector":
        found.update(class_results(workshop, state))
    return found


@bp.get("/<int:workshop_id>")
def projector(workshop_id: int):
    """The full-screen room view, in the workshop's language, to project."""
    workshop = led_or_404(workshop_id)
    with force_locale(workshop.locale):
        return render_template("lead/projector.html", **screen(workshop, "projector"))


@bp.get("/<int:workshop_id>/remote")
def remote(workshop_id: int):
    """The same steps on a phone in the facilitator's hand, in the facilitator's language."""
    workshop = led_or_404(workshop_id)
    return render_template("lead/remote.html", **screen(workshop, "remote"))


@bp.get("/<int:workshop_id>/room.json")
def room_json(workshop_id: int):
    """The room's state and live counts, for the projector and the remote to follow."""
    workshop = led_or_404(workshop_id)
    now = utcnow()
    state = state_of(workshop)
    counted = live.turnout(get_session(), state)
    return jsonify(
        state=state.tag(now),
        joined=counted.joined,
        answered=counted.answered,
        seconds_left=state.seconds_left(now),
    )


@bp.post("/<int:workshop_id>/step")
def step(workshop_id: int):
    workshop = led_or_404(workshop_id)
    back = "remote" if request.form.get("back") == "remote" else "projector"
    action = request.form.get("action", "")
    version = request.form.get("version", type=int)
    if action not in live.ACTIONS or version is None:
        flash(_("That step does not exist. Use the buttons on the page."), "error")
    else:
        try:
            live.advance(get_session(), workshop.id, action, version)
        except live.Conflict:
            flash(_("The room had already moved on, so nothing changed. Here is where it is."))
    target = ".remote" if back == "remote" else ".projector"
    return redirect(url_for(target, workshop_id=workshop.id))


@bp.post("/<int:workshop_id>/settings")
def settings(workshop_id: int):
    """Mode and time limit, which may change until the session starts."""
    workshop = facilitator.load_workshop(workshop_id)
    db = get_session()
    form = RoomSettingsForm()
    if not live.can_change_mode(db, workshop):
        flash(_("The session has started: its mode can no longer change."), "error")
    elif not form.validate_on_submit():
        errors = [e for field in form.errors.values() for e in field]
        flash(" ".join(str(e) for e in errors), "error")
    else:
        live.change_mode(db, workshop, form.mode.data, form.time_limit.data)
        flash(_("Saved: how the room moves."))
    return redirect(url_for("facilitator.show_workshop", workshop_id=workshop.id))


@bp.context_processor
def lead_globals() -> dict[str, Any]:
    return {"join_link_unreachable": only_loopback_known}


@bp.app_context_processor
def room_controls() -> dict[str, Any]:
    """For the workshop page: its room settings form, when the mode may still change."""

    def room_settings(workshop: Workshop) -> dict[str, Any]:
        changeable = live.can_change_mode(get_session(), workshop)
        form = RoomSettingsForm(
            formdata=None, mode=workshop.mode, time_limit=workshop.time_limit or 0
        )
        return {"changeable": changeable, "form": form}

    return {"room_settings": room_settings}
