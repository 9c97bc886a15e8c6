"""Admins: questions, their editor, preview and archiving."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from .. import bank_edits, bank_store
from ..bank import LANGUAGES
from ..bank_store import QuestionFilter
from ..config import LOCALES
from ..db import get_session
from ..i18n import current_locale
from ..models import QUESTION_TYPES, STATUSES, Question
from ..participant import invalid_answer_message
from ..quiz import InvalidAnswer, grade_answer
from .blueprint import actor_id, bp, chosen, ordered_topics, render
from .forms import (
    ArchiveForm,
    DeleteForm,
    NewQuestionForm,
    PreviewForm,
    QuestionForm,
    QuestionSearchForm,
    apply_row_action,
    blank_choice,
    blank_part,
    choice_limit,
    message_form_data,
    next_choice_key,
    question_form_data,
    row_action,
)


def load_question(key: str) -> Question:
    question = get_session().scalar(select(Question).where(Question.key == key))
    if question is None:
        abort(404)
    return question


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
    try:
        saved = bank_edits.save_question(
            db,
            actor_id=actor_id(),
            question=question,
            topic_key=form.topic.data,
            entry=form.entry(key),
        )
    except bank_edits.EditRefused as refused:
        form.attach_bank_errors(refused.errors, key)
        return question_page(form, question, 422)
    revised = saved.revised
    db.commit()
    if revised:
        flash(
            _(
                "Question %(key)s saved. What counts as correct changed, so it now has revision "
                "%(number)d; answers already given keep their score.",
                key=key,
                number=saved.question.revision_number,
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
    has_answers = bank_store.question_in_use(db, question)
    if has_answers and question.status == "archived":
        form = None
    else:
        form = ArchiveForm() if has_answers else DeleteForm()
    if form is not None and form.validate_on_submit():
        archived = bank_edits.remove_question(db, actor_id=actor_id(), question=question)
        db.commit()
        if archived:
            flash(_("Question %(key)s is archived: it is no longer drawn.", key=key))
            return redirect(url_for(".edit_question", key=key))
        flash(_("Question %(key)s is deleted.", key=key))
        return redirect(url_for(".questions"))
    return render_template(
        "admin/delete_question.html", question=question, has_answers=has_answers, form=form
    )
