"""Admins: the question bank (topics, questions, sources, import and export), the accounts and
the audit log.

Views stay thin: checking is ``bank``'s, saving and the revision rule are ``bank_store``'s,
account rules are ``accounts``' and the log is ``audit``'s. Every change is committed together
with its audit entry, or not at all.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select
from werkzeug.exceptions import RequestEntityTooLarge

from . import accounts, audit, bank_store
from .admin_forms import (
    ENTITY_LABELS,
    FIELD_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
    AccountActionForm,
    ArchiveForm,
    AuditFilterForm,
    DeleteForm,
    ImportForm,
    NewAccountForm,
    NewQuestionForm,
    NewSourceForm,
    NewTopicForm,
    PreviewForm,
    QuestionForm,
    QuestionSearchForm,
    RoleForm,
    SourceForm,
    TopicForm,
    apply_row_action,
    bank_message,
    blank_action,
    blank_choice,
    blank_fact,
    blank_part,
    choice_limit,
    message_form_data,
    next_choice_key,
    question_form_data,
    row_action,
    source_form_data,
    topic_form_data,
)
from .auth import role_guard
from .bank import LANGUAGES, BankInvalid, write_bank
from .bank_store import QuestionFilter, UploadRefused
from .config import LOCALES
from .db import get_session
from .errors import handle_http_error
from .i18n import current_locale
from .models import QUESTION_TYPES, STATUSES, Question, Source, Topic, User
from .participant import invalid_answer_message
from .quiz import InvalidAnswer, grade_answer

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


# --- questions -----------------------------------------------------------------------------


def load_question(key: str) -> Question:
    question = get_session().scalar(select(Question).where(Question.key == key))
    if question is None:
        abort(404)
    return question


def ordered_topics() -> list[Topic]:
    return list(get_session().scalars(select(Topic).order_by(Topic.position, Topic.key)))


def chosen(value: str | None, allowed: Any) -> str | None:
    return value if value in allowed else None


@bp.get("/questions")
def questions():
    topics = ordered_topics()
    form = QuestionSearchForm(request.args, topics)
    wanted = QuestionFilter(
        text=form.q.data or "",
        topic=chosen(form.topic.data, {t.key for t in topics}),
        kind=chosen(form.type.data, QUESTION_TYPES),
        status=chosen(form.status.data, STATUSES),
        missing=chosen(form.missing.data, LANGUAGES),
    )
    rows = bank_store.find_questions(get_session(), wanted)
    return render_template("admin/questions.html", form=form, rows=rows)


@bp.route("/questions/new", methods=["GET", "POST"])
def new_question():
    return question_editor(None)


@bp.route("/questions/<key>", methods=["GET", "POST"])
def edit_question(key: str):
    return question_editor(load_question(key))


def question_editor(question: Question | None):
    db = get_session()
    form_class = NewQuestionForm if question is None else QuestionForm
    used_keys = {c.key for r in question.revisions for c in r.choices} if question else set()
    if request.method == "GET":
        if question is None:
            topic = chosen(request.args.get("topic"), {t.key for t in ordered_topics()})
            data = {
                "topic": topic,
                "type": "single",
                "status": "draft",
                "choices": [blank_choice("a"), blank_choice("b")],
                **message_form_data(None),
            }
        else:
            data = question_form_data(bank_store.question_entry(question), question.topic.key)
        return question_page(form_class(data=data), question)
    form = form_class()
    action = row_action(request.form)
    if action is not None:
        data = form.data
        rows = data["choices"]
        limit = choice_limit(data.get("type"))
        if action.list_name == "choices" and not (action.op == "add" and len(rows) >= limit):
            used = used_keys | {row.get("key") or "" for row in rows}
            data["choices"] = apply_row_action(rows, action, blank_choice(next_choice_key(used)))
        elif action.list_name == "parts":
            data["parts"] = apply_row_action(data["parts"], action, blank_part())
        return question_page(form_class(formdata=None, data=data), question)
    if not form.validate():
        return question_page(form, question, 422)
    key = question.key if question else form.key.data
    entry = form.entry(key)
    proposed = bank_store.bank_with_question(
        bank_store.export_bank(db), form.topic.data, entry, question.key if question else None
    )
    if form.attach_bank_errors(bank_store.bank_errors(proposed), key):
        return question_page(form, question, 422)
    before = audit.question_snapshot(question) if question else None
    topic = db.scalar(select(Topic).where(Topic.key == form.topic.data))
    saved, revised = bank_store.save_question(db, question, topic, entry)
    action_name = "create" if question is None else "revise" if revised else "update"
    audit.record(
        db,
        user_id=actor_id(),
        action=action_name,
        entity="question",
        entity_key=key,
        old=before,
        new=audit.question_snapshot(saved),
    )
    db.commit()
    if revised:
        flash(
            _(
                "Question %(key)s saved. What counts as correct changed, so it now has revision "
                "%(number)d; answers already given keep their score.",
                key=key,
                number=saved.revision_number,
            )
        )
    else:
        flash(_("Question %(key)s saved.", key=key))
    return redirect(url_for(".edit_question", key=key))


def question_page(form: QuestionForm, question: Question | None, status: int = 200):
    stats = bank_store.revision_statistics(get_session(), question) if question else []
    return render(
        "admin/question_form.html",
        status,
        form=form,
        question=question,
        stats=stats,
        max_choices=choice_limit(form.type.data),
        problems=status == 422,
    )


@bp.route("/questions/<key>/preview", methods=["GET", "POST"])
def preview_question(key: str):
    """The question exactly as a participant sees it, asked and then answered, in either
    language; an answer given here is graded but never stored."""
    question = load_question(key)
    lang = chosen(request.args.get("lang"), LOCALES) or current_locale()
    revision = question.current_revision
    form = PreviewForm()
    grade, picked, error = None, set(), None
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        picked = set(request.form.getlist("choice"))
        try:
            grade = grade_answer(
                revision.type, revision.correct_keys, [c.key for c in revision.choices], picked
            )
        except InvalidAnswer:
            with force_locale(lang):
                error = invalid_answer_message(revision.type)
    here = url_for(".preview_question", key=key, lang=lang)
    with force_locale(lang):
        body = Markup(
            render_template(
                "participant/_question.html",
                position=1,
                total=1,
                topic=question.topic,
                question=question,
                revision=revision,
                choices=revision.choices,
                answer=grade,
                picked=picked,
                error=error,
                form=form,
                closed=False,
                action=here,
                next_url=here,
                last=False,
            )
        )
    status = 422 if error else 200
    return render("admin/preview.html", status, question=question, body=body, lang=lang)


@bp.route("/questions/<key>/delete", methods=["GET", "POST"])
def delete_question(key: str):
    """Delete a question nobody has seen; one with answers can only be archived."""
    db = get_session()
    question = load_question(key)
    has_answers = bank_store.question_has_answers(db, question)
    if has_answers and question.status == "archived":
        form = None
    else:
        form = ArchiveForm() if has_answers else DeleteForm()
    if form is not None and form.validate_on_submit():
        before = audit.question_snapshot(question)
        archived = bank_store.remove_question(db, question) == "archived"
        audit.record(
            db,
            user_id=actor_id(),
            action="archive" if archived else "delete",
            entity="question",
            entity_key=key,
            old=before,
            new=audit.question_snapshot(question) if archived else None,
        )
        db.commit()
        if archived:
            flash(_("Question %(key)s is archived: it is no longer drawn.", key=key))
            return redirect(url_for(".edit_question", key=key))
        flash(_("Question %(key)s is deleted.", key=key))
        return redirect(url_for(".questions"))
    return render_template(
        "admin/delete_question.html", question=question, has_answers=has_answers, form=form
    )


# --- topics --------------------------------------------------------------------------------


def load_topic(key: str) -> Topic:
    topic = get_session().scalar(select(Topic).where(Topic.key == key))
    if topic is None:
        abort(404)
    return topic


@bp.get("/topics")
def topics():
    return render_template(
        "admin/topics.html",
        topics=ordered_topics(),
        counts=bank_store.topic_question_counts(get_session()),
    )


@bp.route("/topics/new", methods=["GET", "POST"])
def new_topic():
    return topic_editor(None)


@bp.route("/topics/<key>", methods=["GET", "POST"])
def edit_topic(key: str):
    return topic_editor(load_topic(key))


ROW_BLANKS = {"facts": blank_fact, "actions": blank_action}


def topic_editor(topic: Topic | None):
    db = get_session()
    form_class = NewTopicForm if topic is None else TopicForm
    if request.method == "GET":
        if topic is None:
            highest = db.scalar(select(func.max(Topic.position))) or 0
            data = {"position": highest + 1, "facts": [blank_fact()], "actions": [blank_action()]}
        else:
            data = topic_form_data(bank_store.topic_entry(topic))
        return topic_page(form_class(data=data), topic)
    form = form_class()
    action = row_action(request.form)
    if action is not None:
        data = form.data
        if action.list_name in ROW_BLANKS:
            rows = data[action.list_name]
            blank = ROW_BLANKS[action.list_name]()
            data[action.list_name] = apply_row_action(rows, action, blank)
        return topic_page(form_class(formdata=None, data=data), topic)
    if not form.validate():
        return topic_page(form, topic, 422)
    key = topic.key if topic else form.key.data
    entry = form.entry(key)
    proposed = bank_store.bank_with_topic(
        bank_store.export_bank(db), entry, topic.key if topic else None
    )
    errors = bank_store.bank_errors(proposed)
    if errors:
        form.bank_errors = errors
        return topic_page(form, topic, 422)
    before = audit.topic_snapshot(topic) if topic else None
    saved = bank_store.save_topic(db, topic, entry)
    audit.record(
        db,
        user_id=actor_id(),
        action="create" if topic is None else "update",
        entity="topic",
        entity_key=key,
        old=before,
        new=audit.topic_snapshot(saved),
    )
    db.commit()
    flash(_("Topic %(key)s saved.", key=key))
    return redirect(url_for(".edit_topic", key=key))


def topic_page(form: TopicForm, topic: Topic | None, status: int = 200):
    return render("admin/topic_form.html", status, form=form, topic=topic)


@bp.route("/topics/<key>/delete", methods=["GET", "POST"])
def delete_topic(key: str):
    db = get_session()
    topic = load_topic(key)
    form = DeleteForm() if not topic.questions else None
    if form is not None and form.validate_on_submit():
        before = audit.topic_snapshot(topic)
        db.delete(topic)
        audit.record(
            db, user_id=actor_id(), action="delete", entity="topic", entity_key=key, old=before
        )
        db.commit()
        flash(_("Topic %(key)s is deleted.", key=key))
        return redirect(url_for(".topics"))
    return render_template("admin/delete_topic.html", topic=topic, form=form)


# --- sources -------------------------------------------------------------------------------


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
    proposed = bank_store.bank_with_source(
        bank_store.export_bank(db), entry, source.key if source else None
    )
    if form.attach_bank_errors(bank_store.bank_errors(proposed), entry):
        return source_page(form, source, 422)
    before = audit.source_snapshot(source) if source else None
    saved = bank_store.save_source(db, source, entry)
    audit.record(
        db,
        user_id=actor_id(),
        action="create" if source is None else "update",
        entity="source",
        entity_key=key,
        old=before,
        new=audit.source_snapshot(saved),
    )
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
        before = audit.source_snapshot(source)
        db.delete(source)
        audit.record(
            db, user_id=actor_id(), action="delete", entity="source", entity_key=key, old=before
        )
        db.commit()
        flash(_("Source %(key)s is deleted.", key=key))
        return redirect(url_for(".sources"))
    return render_template(
        "admin/delete_source.html", source=source, citations=citations, form=form
    )


# --- import and export ----------------------------------------------------------------------


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


# --- accounts ------------------------------------------------------------------------------


def load_account(user_id: int) -> User:
    user = get_session().get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.get("/accounts")
def accounts_list():
    users = get_session().scalars(select(User).order_by(func.lower(User.username))).all()
    return render_template("admin/accounts.html", users=users)


@bp.route("/accounts/new", methods=["GET", "POST"])
def new_account():
    form = NewAccountForm()
    if form.validate_on_submit():
        db = get_session()
        try:
            user, password = accounts.create_account(
                db,
                actor_id=actor_id(),
                username=form.username.data,
                role=form.role.data,
                password=form.password.data or None,
            )
        except accounts.AccountRefused as refused:
            form.username.errors.append(_(refused.message, **refused.params))
        else:
            db.commit()
            shown = None if form.password.data else password
            return render_template("admin/account_created.html", user=user, password=shown)
    status = 422 if form.errors else 200
    return render("admin/account_new.html", status, form=form)


@bp.get("/accounts/<int:user_id>")
def account(user_id: int):
    user = load_account(user_id)
    return render_template(
        "admin/account.html",
        user=user,
        role_form=RoleForm(data={"role": user.role}),
        action_form=AccountActionForm(),
    )


def account_change(user_id: int, change) -> Any:
    """Run one account change behind a POST button; a refusal comes back as a message."""
    user = load_account(user_id)
    db = get_session()
    try:
        result = change(db, user)
    except accounts.AccountRefused as refused:
        db.rollback()
        flash(_(refused.message, **refused.params), "error")
        return redirect(url_for(".account", user_id=user_id))
    db.commit()
    return result


@bp.post("/accounts/<int:user_id>/role")
def change_role(user_id: int):
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)

    def change(db, user):
        accounts.set_role(db, actor_id=actor_id(), user=user, role=form.role.data)
        flash(_("%(name)s is now: %(role)s.", name=user.username, role=ROLE_LABELS[user.role]))
        return redirect(url_for(".account", user_id=user.id))

    return account_change(user_id, change)


def activation(user_id: int, active: bool):
    if not AccountActionForm().validate_on_submit():
        abort(400)

    def change(db, user):
        accounts.set_active(db, actor_id=actor_id(), user=user, active=active)
        if active:
            flash(_("%(name)s can sign in again.", name=user.username))
        else:
            flash(_("%(name)s can no longer sign in.", name=user.username))
        return redirect(url_for(".account", user_id=user.id))

    return account_change(user_id, change)


@bp.post("/accounts/<int:user_id>/deactivate")
def deactivate_account(user_id: int):
    return activation(user_id, False)


@bp.post("/accounts/<int:user_id>/reactivate")
def reactivate_account(user_id: int):
    return activation(user_id, True)


@bp.post("/accounts/<int:user_id>/password")
def reset_password(user_id: int):
    if not AccountActionForm().validate_on_submit():
        abort(400)

    def change(db, user):
        password = accounts.reset_password(db, actor_id=actor_id(), user=user)
        return render_template("admin/password_reset.html", user=user, password=password)

    return account_change(user_id, change)


# --- audit log -----------------------------------------------------------------------------


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
