"""The audit log: who changed which content or account, when, and from what to what.

Entries are written in the same transaction as the change they describe, so a change that is
rolled back leaves no entry and a committed change always has one. Passwords and their hashes
never reach the log, whatever a caller passes in.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .bank_store import question_entry, source_entry, topic_entry
from .models import AuditEntry, Question, Source, Topic

SECRET_FIELDS = frozenset({"password", "password_hash", "new_password"})
PER_PAGE = 50


def scrub(value: Any) -> Any:
    """A copy of ``value`` without any field that could hold a password."""
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items() if str(k).lower() not in SECRET_FIELDS}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


def changes(
    old: dict[str, Any] | None, new: dict[str, Any] | None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Only the fields that differ, so an entry shows what the edit did rather than everything."""
    if old is None or new is None:
        return old, new
    keys = [k for k in {**old, **new} if old.get(k) != new.get(k)]
    return {k: old.get(k) for k in keys if k in old}, {k: new.get(k) for k in keys if k in new}


def record(
    session: Session,
    *,
    user_id: int | None,
    action: str,
    entity: str,
    entity_key: str,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry to the session; the caller's commit saves it together with the change."""
    old, new = changes(scrub(old), scrub(new))
    entry = AuditEntry(
        user_id=user_id,
        action=action,
        entity=entity,
        entity_key=entity_key[:120],
        old=old,
        new=new,
    )
    session.add(entry)
    return entry


def question_snapshot(question: Question) -> dict[str, Any]:
    """A question as the log keeps it: its bank entry, its topic and its revision number."""
    data = asdict(question_entry(question))
    del data["key"]
    return {"topic": question.topic.key, "revision": question.revision_number, **data}


def topic_snapshot(topic: Topic) -> dict[str, Any]:
    data = asdict(topic_entry(topic))
    del data["key"], data["questions"]
    return data


def source_snapshot(source: Source) -> dict[str, Any]:
    data = asdict(source_entry(source))
    del data["key"]
    return data


@dataclass(frozen=True)
class FieldChange:
    """One field an entry touched, with its values as stored; the page decides how to show them.

    ``in_old`` and ``in_new`` tell a field that was added or removed from one set to nothing.
    """

    field: str
    old: Any
    new: Any
    in_old: bool
    in_new: bool


def field_changes(entry: AuditEntry) -> list[FieldChange]:
    """One row per field the entry touched, old and new side by side."""
    old, new = entry.old or {}, entry.new or {}
    fields = list(dict.fromkeys([*old, *new]))
    return [
        FieldChange(field, old.get(field), new.get(field), field in old, field in new)
        for field in fields
    ]


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def audit_page(
    session: Session,
    *,
    entity: str | None = None,
    user_id: int | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> AuditPage:
    """Entries newest first, optionally only one kind of thing or one person's."""
    conditions = []
    if entity:
        conditions.append(AuditEntry.entity == entity)
    if user_id is not None:
        conditions.append(AuditEntry.user_id == user_id)
    total = session.scalar(select(func.count(AuditEntry.id)).where(*conditions)) or 0
    page = max(1, page)
    entries = session.scalars(
        select(AuditEntry)
        .where(*conditions)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
        .options(selectinload(AuditEntry.user))
    ).all()
    return AuditPage(list(entries), total, page, per_page)


def audited_entities(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEntry.entity).distinct().order_by(AuditEntry.entity)))
