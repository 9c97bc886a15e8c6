"""The audit log: every change to content and accounts says who, what, when, before and after."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from helpers import add_user, form_values, login, page, submit
from sqlalchemy import select

from tipquiz import audit
from tipquiz.db import get_session
from tipquiz.models import AuditEntry, User, utcnow

QUESTION = "ws-too-good-to-be-true"


@pytest.fixture
def admin(app):
    add_user(app, "boss", "admin")
    client = app.test_client()
    client.get("/lang/en")
    assert login(client, "boss").status_code == 302
    return client


def save(client, url: str, changes: dict):
    values = form_values(page(client.get(url)).find("form", class_="editor"))
    values.update(changes)
    values["save"] = "1"
    return client.post(url, data=values)


def entries(soup) -> list[dict]:
    found = []
    for item in soup.find_all("li", class_="audit-entry"):
        fields = {}
        for row in item.find_all("tr", attrs={"data-field": True}):
            old, new = row.find("td", class_="old"), row.find("td", class_="new")
            fields[row["data-field"]] = (old.get_text(strip=True), new.get_text(strip=True))
        found.append(
            {
                "who": item.find("span", class_="who").get_text(strip=True),
                "what": item.find("span", class_="what").get_text(strip=True),
                "key": item.find("code", class_="key").get_text(strip=True),
                "entity": item["data-entity"],
                "fields": fields,
                "at": item.find("time")["datetime"],
            }
        )
    return found


# --- the module ------------------------------------------------------------------------------


def test_scrub_removes_passwords_at_any_depth():
    value = {
        "username": "lan",
        "password": "x",
        "nested": {"password_hash": "y", "keep": [{"new_password": "z", "ok": 1}]},
    }
    assert audit.scrub(value) == {"username": "lan", "nested": {"keep": [{"ok": 1}]}}


def test_changes_keep_only_what_differs():
    old = {"prompt": {"en": "A"}, "status": "draft", "type": "single"}
    new = {"prompt": {"en": "B"}, "status": "draft", "type": "single", "scenario": None}
    assert audit.changes(old, new) == ({"prompt": {"en": "A"}}, {"prompt": {"en": "B"}})
    assert audit.changes(None, new) == (None, new)


def test_record_stores_the_difference_without_secrets(empty_app):
    with empty_app.app_context():
        db = get_session()
        audit.record(
            db,
            user_id=None,
            action="update",
            entity="account",
            entity_key="lan",
            old={"role": "facilitator", "password_hash": "h1", "active": True},
            new={"role": "admin", "password_hash": "h2", "active": True},
        )
        db.commit()
        entry = db.scalar(select(AuditEntry))
        assert (entry.old, entry.new) == ({"role": "facilitator"}, {"role": "admin"})
        assert entry.at is not None


# --- what the pages record -----------------------------------------------------------------


def test_content_changes_are_listed_with_who_what_and_before_after(app, admin):
    assert (
        save(
            admin, f"/admin/questions/{QUESTION}", {"prompt-en": "Is this offer safe?"}
        ).status_code
        == 302
    )
    assert save(admin, "/admin/topics/warning-signs", {"title-vi": "Dấu hiệu"}).status_code == 302
    assert (
        save(admin, "/admin/sources/seed-001-vietnamnews", {"publisher": "VNS"}).status_code == 302
    )
    listed = entries(page(admin.get("/admin/audit")))
    assert [(e["entity"], e["key"], e["who"], e["what"]) for e in listed] == [
        ("source", "seed-001-vietnamnews", "boss", "Changed"),
        ("topic", "warning-signs", "boss", "Changed"),
        ("question", QUESTION, "boss", "Changed"),
    ]
    assert listed[0]["fields"] == {"publisher": ("Viet Nam News (VNA/VNS)", "VNS")}
    assert set(listed[1]["fields"]) == {"title"}
    old, new = listed[2]["fields"]["prompt"]
    assert "What should Lan make of this offer?" in old and "Is this offer safe?" in new
    assert listed[0]["at"] >= listed[1]["at"] >= listed[2]["at"]


def test_account_changes_are_logged_and_never_hold_a_password(app, admin):
    given = "a password given by hand"
    submit(
        admin,
        "/admin/accounts/new",
        {"username": "lan", "role": "facilitator", "password": given},
        action="/admin/accounts/new",
    )
    with app.app_context():
        lan = get_session().scalar(select(User).where(User.username == "lan"))
    for button in ("password", "deactivate", "reactivate"):
        response = submit(
            admin, f"/admin/accounts/{lan.id}", action=f"/admin/accounts/{lan.id}/{button}"
        )
        if button == "password":
            made_up = page(response).find("code", id="new-password").get_text(strip=True)
    listed = entries(page(admin.get("/admin/audit", query_string={"entity": "account"})))
    assert [(e["key"], e["what"]) for e in listed] == [
        ("lan", "Reactivated"),
        ("lan", "Deactivated"),
        ("lan", "Password reset"),
        ("lan", "Created"),
    ]
    assert listed[1]["fields"] == {"active": ("Yes", "No")}
    with app.app_context():
        db = get_session()
        stored = " ".join(f"{e.old} {e.new}" for e in db.scalars(select(AuditEntry)))
        hashes = [u.password_hash for u in db.scalars(select(User))]
    for secret in (given, made_up, *hashes):
        assert secret not in stored
    page_text = admin.get("/admin/audit").get_data(as_text=True)
    assert given not in page_text and made_up not in page_text


def test_filters_by_kind_and_by_person(app, admin):
    other = add_user(app, "minh", "admin")
    with app.app_context():
        db = get_session()
        boss = db.scalar(select(User.id).where(User.username == "boss"))
        for who, entity, key in [
            (boss, "question", "q-1"),
            (other, "question", "q-2"),
            (other, "source", "s-1"),
        ]:
            audit.record(db, user_id=who, action="update", entity=entity, entity_key=key)
        db.commit()
    by_minh = entries(page(admin.get("/admin/audit", query_string={"user": other})))
    assert [e["key"] for e in by_minh] == ["s-1", "q-2"]
    questions = entries(page(admin.get("/admin/audit", query_string={"entity": "question"})))
    assert [e["key"] for e in questions] == ["q-2", "q-1"]
    both = page(admin.get("/admin/audit", query_string={"entity": "question", "user": other}))
    assert [e["key"] for e in entries(both)] == ["q-2"]
    assert both.find("p", class_="result-count").get_text(strip=True) == ("1 change, newest first")
    unknown = entries(page(admin.get("/admin/audit", query_string={"user": "9999"})))
    assert len(unknown) == 3, "an unknown filter value shows everything rather than failing"


def test_the_log_is_paginated_newest_first(app, admin):
    with app.app_context():
        db = get_session()
        start = utcnow() - timedelta(hours=1)
        for n in range(audit.PER_PAGE + 7):
            entry = audit.record(
                db, user_id=None, action="update", entity="topic", entity_key=f"t-{n:03d}"
            )
            entry.at = start + timedelta(seconds=n)
        db.commit()
    first = page(admin.get("/admin/audit"))
    keys = [e["key"] for e in entries(first)]
    assert len(keys) == audit.PER_PAGE
    assert keys[0] == f"t-{audit.PER_PAGE + 6:03d}" and keys == sorted(keys, reverse=True)
    older = first.find("nav", class_="pagination").find("a", rel="next")
    second = page(admin.get(older["href"]))
    assert [e["key"] for e in entries(second)] == [f"t-{n:03d}" for n in range(6, -1, -1)]
    assert second.find("nav", class_="pagination").find("a", rel="next") is None
    assert second.find("span", attrs={"aria-current": "page"}).get_text(strip=True) == (
        "Page 2 of 2"
    )
    assert entries(first)[0]["who"] == "command line"


def test_the_log_reads_as_words_in_the_readers_language(app, admin):
    """Field names, yes/no, roles and both languages of a text are named, not shown as codes."""
    assert save(admin, "/admin/topics/warning-signs", {"title-vi": "Dấu hiệu"}).status_code == 302
    submit(
        admin,
        "/admin/accounts/new",
        {"username": "lan", "role": "facilitator", "password": "a password given by hand"},
        action="/admin/accounts/new",
    )
    admin.get("/lang/vi")
    soup = page(admin.get("/admin/audit"))
    topic, account = (
        soup.find("li", attrs={"data-entity": entity}) for entity in ("topic", "account")
    )
    title = topic.find("tr", attrs={"data-field": "title"})
    assert title.find("th").get_text(strip=True) == "Tiêu đề"
    languages = [dt.get_text(strip=True) for dt in title.find("td", class_="new").find_all("dt")]
    assert languages == ["Tiếng Việt", "English"]
    rows = {
        row["data-field"]: (row.find("th").get_text(strip=True), row.find("td", class_="new"))
        for row in account.find_all("tr", attrs={"data-field": True})
    }
    assert (
        rows["role"][0] == "Vai trò" and rows["role"][1].get_text(strip=True) == "Người hướng dẫn"
    )
    assert rows["active"][1].get_text(strip=True) == "Có"
    time = soup.find("time")
    assert time["datetime"].endswith("Z") and "." not in time["datetime"]
    # Shown in the deployment's time zone, Vietnam's by default (UTC+7, no summer time).
    stored = datetime.fromisoformat(time["datetime"].removesuffix("Z"))
    assert time.get_text(strip=True) == (stored + timedelta(hours=7)).strftime("%Y-%m-%d %H:%M:%S")
