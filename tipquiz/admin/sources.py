"""Admins: the sources the bank cites."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select

from .. import bank_edits, bank_store
from ..db import get_session
from ..models import Source
from .blueprint import actor_id, bp, render
from .forms import (
    DeleteForm,
    NewSourceForm,
    SourceForm,
    source_form_data,
)


def load_source(key: str) -> Source:
    source = get_session().scalar(select(Source).where(Source.key == key))
    if source is None:
        abort(404)
    return source


@bp.get("/sources")
def sources():
    db = get_session()
    return render_template(
        "admin/sources.html",
        sources=db.scalars(select(Source).order_by(Source.position, Source.key)).all(),
        counts=bank_store.citation_counts(db),
    )


@bp.route("/sources/new", methods=["GET", "POST"])
def new_source():
    return source_editor(None)


@bp.route("/sources/<key>", methods=["GET", "POST"])
def edit_source(key: str):
    return source_editor(load_source(key))


def source_editor(source: Source | None):
    db = get_session()
    form_class = NewSourceForm if source is None else SourceForm
    if request.method == "GET":
        data = source_form_data(bank_store.source_entry(source)) if source else {}
        return source_page(form_class(data=data), source)
    form = form_class()
    if not form.validate():
        return source_page(form, source, 422)
    key = source.key if source else form.key.data
    entry = form.entry(key)
    try:
        bank_edits.save_source(db, actor_id=actor_id(), source=source, entry=entry)
    except bank_edits.EditRefused as refused:
        form.attach_bank_errors(refused.errors, entry)
        return source_page(form, source, 422)
    db.commit()
    flash(_("Source %(key)s saved.", key=key))
    return redirect(url_for(".edit_source", key=key))


def source_page(form: SourceForm, source: Source | None, status: int = 200):
    citations = bank_store.source_citations(get_session(), source.key) if source else None
    return render("admin/source_form.html", status, form=form, source=source, citations=citations)


@bp.route("/sources/<key>/delete", methods=["GET", "POST"])
def delete_source(key: str):
    db = get_session()
    source = load_source(key)
    citations = bank_store.source_citations(db, key)
    form = DeleteForm() if not citations else None
    if form is not None and form.validate_on_submit():
        bank_edits.delete_source(db, actor_id=actor_id(), source=source)
        db.commit()
        flash(_("Source %(key)s is deleted.", key=key))
        return redirect(url_for(".sources"))
    return render_template(
        "admin/delete_source.html", source=source, citations=citations, form=form
    )
