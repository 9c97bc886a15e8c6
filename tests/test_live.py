"""The led room's transitions: one step per click, time limits, rounds, shared choice order."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from helpers import add_user
from sqlalchemy import select

from tipquiz import attempts, live, workshops
from tipquiz.db import get_session
from tipquiz.models import Attempt, User, Workshop, utcnow


def led_workshop(app, *, time_limit=None, mode="led", count=4) -> int:
    owner = add_user(app, "lan")
    with app.app_context():
        db = get_session()
        workshop = workshops.create_workshop(
            db,
            owner=db.get(User, owner),
            title="Lớp 11B",
            locale="vi",
            topic_keys=["warning-signs", "getting-help"],
            question_count=count,
            mode=mode,
            time_limit=time_limit,
        )
        return workshop.id


def step(app, workshop_id, action, version, now=None):
    with app.app_context():
        return live.advance(get_session(), workshop_id, action, version, now=now)


def state(app, workshop_id):
    with app.app_context():
        return live.room_state(get_session(), workshop_id)


def test_the_room_goes_lobby_question_reveal_next_and_ends_after_the_last(app):
    workshop_id = led_workshop(app, count=4)
    now = utcnow()
    first = state(app, workshop_id)
    assert (first.phase, first.position) == ("lobby", 0)
    assert first.next_action(now) == "start"
    seen = []
    current = first
    while current.next_action(now):
        current = step(app, workshop_id, current.next_action(now), current.version, now)
        seen.append((current.phase, current.position))
    assert seen == [
        ("question", 1),
        ("reveal", 1),
        ("question", 2),
        ("reveal", 2),
        ("question", 3),
        ("reveal", 3),
        ("question", 4),
        ("reveal", 4),
        ("ended", 4),
    ]
    assert current.version == first.version + 9


def test_a_double_click_or_a_second_device_moves_the_room_one_step_only(app):
    workshop_id = led_workshop(app)
    seen = state(app, workshop_id)
    moved = step(app, workshop_id, "start", seen.version)
    moved = step(app, workshop_id, "reveal", moved.version)
    both_saw = moved.version
    step(app, workshop_id, "next", both_saw)
    with pytest.raises(live.Conflict):
        step(app, workshop_id, "next", both_saw)
    after = state(app, workshop_id)
    assert (after.phase, after.position) == ("question", 2)


def test_a_step_that_does_not_fit_the_phase_changes_nothing(app):
    workshop_id = led_workshop(app)
    seen = state(app, workshop_id)
    for action in ("reveal", "next", "jump"):
        with pytest.raises(live.Conflict):
            step(app, workshop_id, action, seen.version)
    assert state(app, workshop_id) == seen


def test_when_the_time_runs_out_answering_closes_as_if_revealed(app):
    workshop_id = led_workshop(app, time_limit=30)
    opened = utcnow()
    current = step(app, workshop_id, "start", state(app, workshop_id).version, opened)
    assert current.closes_at == opened + timedelta(seconds=30)
    assert current.answering_open(opened + timedelta(seconds=29), 1)
    assert current.seconds_left(opened + timedelta(seconds=10)) == 20
    late = opened + timedelta(seconds=31)
    assert not current.answering_open(late, 1)
    assert current.effective_phase(late) == "reveal"
    assert current.tag(late) != current.tag(opened)
    # Next goes on from the lazily closed question; Reveal is no longer a step to take.
    assert current.next_action(late) == "next"
    with pytest.raises(live.Conflict):
        step(app, workshop_id, "reveal", current.version, late)
    moved = step(app, workshop_id, "next", current.version, late)
    assert (moved.phase, moved.position) == ("question", 2)
    assert moved.closes_at == late + timedelta(seconds=30)


def test_revealing_early_closes_a_timed_question_at_once(app):
    workshop_id = led_workshop(app, time_limit=60)
    opened = utcnow()
    current = step(app, workshop_id, "start", state(app, workshop_id).version, opened)
    revealed = step(app, workshop_id, "reveal", current.version, opened + timedelta(seconds=5))
    assert revealed.closes_at == opened + timedelta(seconds=5)
    assert not revealed.answering_open(opened + timedelta(seconds=6), 1)


def test_ending_finishes_every_attempt_of_the_round_and_the_after_round_starts_in_the_lobby(app):
    workshop_id = led_workshop(app)
    with app.app_context():
        db = get_session()
        workshop = db.get(Workshop, workshop_id)
        attempt = attempts.start_attempt(db, locale="vi", count=4, workshop=workshop)
        attempt_id = attempt.id
    current = step(app, workshop_id, "start", state(app, workshop_id).version)
    current = step(app, workshop_id, "end", current.version)
    assert current.phase == "ended"
    with app.app_context():
        db = get_session()
        assert db.get(Attempt, attempt_id).finished_at is not None
        workshop = db.get(Workshop, workshop_id)
        assert workshops.start_after_round(db, workshop)
    after = state(app, workshop_id)
    assert (after.phase, after.position, after.round) == ("lobby", 0, "after")
    assert after.version > current.version


def test_every_phone_in_a_led_room_gets_the_workshop_order_and_the_same_choice_order(app):
    workshop_id = led_workshop(app, count=6)
    with app.app_context():
        db = get_session()
        workshop = db.get(Workshop, workshop_id)
        first = attempts.start_attempt(db, locale="vi", count=6, workshop=workshop)
        second = attempts.start_attempt(db, locale="en", count=6, workshop=workshop)
        expected = [wq.question_id for wq in workshop.questions]
        for attempt in (first, second):
            shown = [item.revision.question_id for item in attempt.items]
            assert shown == expected
        assert [i.choice_order for i in first.items] == [i.choice_order for i in second.items]
        for item in first.items:
            keys = [c.key for c in item.revision.choices]
            assert sorted(item.choice_order) == sorted(keys)
            assert item.choice_order == live.shared_choice_order(
                workshop_id, item.revision.question_id, item.revision.type, keys
            )


def test_mode_changes_until_the_session_starts(app):
    workshop_id = led_workshop(app, mode="self_paced")
    with app.app_context():
        db = get_session()
        workshop = db.get(Workshop, workshop_id)
        assert live.can_change_mode(db, workshop)
        live.change_mode(db, workshop, "led", 45)
        assert (workshop.mode, workshop.time_limit) == ("led", 45)
        with pytest.raises(ValueError):
            live.change_mode(db, workshop, "race", None)
        with pytest.raises(ValueError):
            live.change_mode(db, workshop, "led", 7)
        attempts.start_attempt(db, locale="vi", count=4, workshop=workshop)
        assert live.can_change_mode(db, workshop), "people waiting in the lobby: not started"
        version = workshop.live_version
    step(app, workshop_id, "start", version)
    with app.app_context():
        db = get_session()
        workshop = db.get(Workshop, workshop_id)
        assert not live.can_change_mode(db, workshop)
        assert db.scalar(select(Workshop.mode).where(Workshop.id == workshop_id)) == "led"


def test_a_self_paced_workshop_with_participants_keeps_its_mode(app):
    workshop_id = led_workshop(app, mode="self_paced")
    with app.app_context():
        db = get_session()
        workshop = db.get(Workshop, workshop_id)
        attempts.start_attempt(db, locale="vi", count=4, workshop=workshop)
        assert not live.can_change_mode(db, workshop)


def test_turnout_counts_this_round_and_this_question(app):
    workshop_id = led_workshop(app)
    with app.app_context():
        db = get_session()
        workshop = db.get(Workshop, workshop_id)
        phones = [
            attempts.start_attempt(db, locale="vi", count=4, workshop=workshop) for _ in "abc"
        ]
        version = workshop.live_version
    current = step(app, workshop_id, "start", version)
    with app.app_context():
        db = get_session()
        item = attempts.attempt_item(db, db.get(Attempt, phones[0].id), 1)
        attempts.record_answer(db, item, [item.choice_order[0]])
        counted = live.turnout(db, live.room_state(db, workshop_id))
    assert counted == live.Turnout(joined=3, answered=1)
    assert current.position == 1


def test_two_devices_pressing_next_at_the_same_moment_move_the_room_once(app):
    workshop_id = led_workshop(app, count=4)
    current = step(app, workshop_id, "start", state(app, workshop_id).version)
    current = step(app, workshop_id, "reveal", current.version)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def press() -> None:
        with app.app_context():
            barrier.wait()
            try:
                live.advance(get_session(), workshop_id, "next", current.version)
                outcomes.append("moved")
            except live.Conflict:
                outcomes.append("refused")

    devices = [threading.Thread(target=press) for _ in range(4)]
    for device in devices:
        device.start()
    for device in devices:
        device.join()
    assert sorted(outcomes) == ["moved", "refused", "refused", "refused"]
    after = state(app, workshop_id)
    assert (after.phase, after.position, after.version) == ("question", 2, current.version + 1)
