"""Admins: topics, with their learn page, key facts and score feedback."""

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
from sqlalchemy import func, select

from .. import bank_edits, bank_store
from ..db import get_session
from ..models import Topic
from .blueprint import actor_id, bp, ordered_topics, render
from .forms import (
    DeleteForm,
    NewTopicForm,
    TopicForm,
    apply_row_action,
    blank_action,
    blank_fact,
    row_action,
    topic_form_data,
)


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
    try:
        bank_edits.save_topic(db, actor_id=actor_id(), topic=topic, entry=form.entry(key))
    except bank_edits.EditRefused as refused:
        form.bank_errors = refused.errors
        return topic_page(form, topic, 422)
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
        bank_edits.delete_topic(db, actor_id=actor_id(), topic=topic)
        db.commit()
        flash(_("Topic %(key)s is deleted.", key=key))
        return redirect(url_for(".topics"))
    return render_template("admin/delete_topic.html", topic=topic, form=form)
