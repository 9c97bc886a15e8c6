"""Admins: the bank as YAML files, imported all or nothing and exported as a zip."""

from __future__ import annotations

from flask import (
    Response,
    flash,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from .. import audit, bank_store
from ..bank import BankInvalid, write_bank
from ..bank_store import UploadRefused
from ..db import get_session
from ..errors import handle_http_error
from .blueprint import actor_id, bp, render
from .forms import (
    ImportForm,
)


@bp.route("/bank", methods=["GET", "POST"])
def bank():
    """Import uploaded bank files, all or nothing, with the checks of ``bank import``."""
    db = get_session()
    form = ImportForm()
    errors = []
    if form.validate_on_submit():
        uploads = [(f.filename or "", f.read()) for f in form.files.data]
        try:
            files = bank_store.unpack_upload(uploads)
            change = bank_store.import_bank_files(db, files, whole=form.whole.data)
        except (UploadRefused, BankInvalid) as exc:
            db.rollback()
            errors = exc.errors
        else:
            record_import(files, change)
            db.commit()
            flash(import_summary(change))
            return redirect(url_for(".bank"))
    return bank_page(form, errors, 422 if errors or form.errors else 200)


def bank_page(form: ImportForm, errors: list, status: int, too_large: str | None = None):
    return render(
        "admin/bank.html",
        status,
        form=form,
        errors=errors,
        too_large=too_large,
        max_files=bank_store.MAX_UPLOAD_FILES,
        max_unpacked_mb=bank_store.MAX_UPLOAD_BYTES // (1024 * 1024),
    )


def record_import(files: dict[str, str], change: bank_store.BankChange) -> None:
    report = change.report
    outcome = {
        name: getattr(report, name)
        for name in ("created", "revised", "archived", "deleted")
        if getattr(report, name)
    }
    audit.record(
        get_session(),
        user_id=actor_id(),
        action="import",
        entity="bank",
        entity_key=", ".join(sorted(files)),
        old={"files": change.old_files},
        new={"files": change.new_files, **outcome},
    )


def import_summary(change: bank_store.BankChange) -> str:
    names = sorted({*change.old_files, *change.new_files})
    if not names:
        return _("Imported: the files said nothing the bank did not already say.")
    report = change.report
    return _(
        "Imported. Files changed: %(files)s. Questions created: %(created)d; given a new "
        "revision: %(revised)d; archived: %(archived)d; deleted: %(deleted)d.",
        files=", ".join(names),
        created=len(report.created),
        revised=len(report.revised),
        archived=len(report.archived),
        deleted=len(report.deleted),
    )


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge):
    """An oversized upload gets the import page back with the limit, not a bare error page."""
    if request.endpoint != "admin.bank" or not (
        current_user.is_authenticated and current_user.is_admin
    ):
        return handle_http_error(error)
    limit = (request.max_content_length or 0) // (1024 * 1024)
    message = _("That upload is larger than %(size)d MB: nothing was imported.", size=limit)
    return bank_page(ImportForm(formdata=None), [], 413, too_large=message)


@bp.get("/bank/export.zip")
def export_bank():
    """The whole bank as a zip of the files ``bank export`` writes, byte for byte."""
    files = write_bank(bank_store.export_bank(get_session()))
    return Response(
        bank_store.bank_zip(files),
        mimetype="application/zip",
        headers={"Content-Disposition": 'attachment; filename="question-bank.zip"'},
    )
