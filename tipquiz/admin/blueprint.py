"""The admin blueprint: its guard, the labels its pages share, and the overview page."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    render_template,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from .. import audit, bank_store
from ..auth import role_guard
from ..db import get_session
from ..models import Source, Topic, User
from .forms import (
    ENTITY_LABELS,
    FIELD_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
    bank_message,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(role_guard("admin"))

ACTION_LABELS = {
    "create": _l("Created"),
    "update": _l("Changed"),
    "revise": _l("Changed, new revision"),
    "archive": _l("Archived"),
    "delete": _l("Deleted"),
    "import": _l("Imported"),
    "deactivate": _l("Deactivated"),
    "reactivate": _l("Reactivated"),
    "reset_password": _l("Password reset"),
    "change_role": _l("Role changed"),
}


@bp.context_processor
def admin_labels() -> dict[str, Any]:
    return {
        "type_labels": TYPE_LABELS,
        "field_labels": FIELD_LABELS,
        "status_labels": STATUS_LABELS,
        "role_labels": ROLE_LABELS,
        "entity_labels": ENTITY_LABELS,
        "action_labels": ACTION_LABELS,
        "bank_message": bank_message,
    }


def actor_id() -> int:
    return current_user.id


def render(template: str, status: int = 200, **context: Any):
    return render_template(template, **context), status


@bp.get("/")
def index():
    db = get_session()
    return render_template(
        "admin/index.html",
        statuses=bank_store.status_counts(db),
        topic_count=db.scalar(select(func.count(Topic.id))),
        source_count=db.scalar(select(func.count(Source.id))),
        account_count=db.scalar(select(func.count(User.id)).where(User.active.is_(True))),
        recent=audit.audit_page(db, per_page=5).entries,
    )


def ordered_topics() -> list[Topic]:
    return list(get_session().scalars(select(Topic).order_by(Topic.position, Topic.key)))


def chosen(value: str | None, allowed: Any) -> str | None:
    return value if value in allowed else None
