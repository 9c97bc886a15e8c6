"""Admins: the audit log of every change."""

from __future__ import annotations

from flask import (
    render_template,
    request,
)
from sqlalchemy import func, select

from .. import audit
from ..db import get_session
from ..models import User
from .blueprint import bp, chosen
from .forms import (
    AuditFilterForm,
)


@bp.get("/audit")
def audit_log():
    db = get_session()
    users = db.scalars(select(User).order_by(func.lower(User.username))).all()
    entities = audit.audited_entities(db)
    form = AuditFilterForm(request.args, entities, list(users))
    entity = chosen(form.entity.data, entities)
    user_id = chosen(form.user.data, {str(u.id) for u in users})
    page = audit.audit_page(
        db,
        entity=entity,
        user_id=int(user_id) if user_id else None,
        page=request.args.get("page", 1, type=int) or 1,
    )
    filters = {k: v for k, v in (("entity", entity), ("user", user_id)) if v}
    return render_template(
        "admin/audit.html",
        form=form,
        page=page,
        filters=filters,
        changes=audit.field_changes,
    )
