"""Forms of the admin pages: the bank editor, import, accounts and the list filters.

Every bilingual text is a pair of fields, Vietnamese and English, shown side by side. Lists
inside a form (choices, key facts, actions) are edited without JavaScript: their buttons
(``add_choice``, ``remove_choice-2``, ``move_up_fact-1``...) post the form back and the page
comes back with the row added, removed or moved, nothing saved yet.

The rules are the bank files' rules: shape checks here use the bank's own patterns and
``choice_rule_errors``; everything that depends on the rest of the bank (duplicate prompts,
figures without a source) comes from running the bank checker on the bank as it would be
after the edit, and ``attach_bank_errors`` puts each message next to its field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileRequired, MultipleFileField
from sqlalchemy import select
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from .. import accounts
from ..bank import (
    BANDS,
    DATE_PATTERN,
    KEY_PATTERN,
    MAX_CHOICES,
    MAX_PHRASES,
    MESSAGE_KINDS,
    BankError,
    ChoiceEntry,
    FactEntry,
    MessageEntry,
    MessagePart,
    QuestionEntry,
    SourceEntry,
    TopicEntry,
    choice_rule_errors,
    true_false_choices,
)
from ..config import LANGUAGE_NAMES
from ..db import get_session
from ..forms import FlaskForm, Form
from ..i18n import translate_text
from ..models import ROLES, Question, Source, Topic, User


def sentence(text: str) -> str:
    """Bank messages are lower-case fragments; on a page they read as sentences."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def bank_message(error: BankError | str, **params: Any) -> str:
    """A bank checker message in the user's language, as a sentence."""
    if isinstance(error, BankError):
        return sentence(_(error.message, **dict(error.params)))
    return sentence(_(error, **params))


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str | None) -> str | None:
    """Browsers send line breaks as CRLF; the bank stores plain newlines and no outer spaces.

    Control characters pasted from other programs go too: YAML and PostgreSQL refuse some.
    """
    if value is None:
        return None
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL_CHARACTERS.sub("", value).strip()


def bilingual(label: Any, *, multiline: bool = False, required: bool = True, rows: int = 3):
    """A Vietnamese and English pair of fields, shown as one group under ``label``."""
    field_class = TextAreaField if multiline else StringField
    missing = {"vi": _l("Vietnamese text is missing."), "en": _l("English text is missing.")}

    def one(lang: str):
        checks = [DataRequired(message=missing[lang])] if required else [Optional()]
        render: dict[str, Any] = {"lang": lang}
        if multiline:
            render["rows"] = rows
        return field_class(
            LANGUAGE_NAMES[lang], validators=checks, filters=[clean_text], render_kw=render
        )

    class Bilingual(Form):
        vi = one("vi")
        en = one("en")

    return FormField(Bilingual, label=label)


def empty_text() -> dict[str, str]:
    return {"vi": "", "en": ""}


# --- rows edited without JavaScript --------------------------------------------------------

ROW_BUTTON = re.compile(r"^(add|remove|move_up|move_down)_(choice|fact|action|part)(?:-(\d+))?$")
ROW_LISTS = {"choice": "choices", "fact": "facts", "action": "actions", "part": "parts"}


@dataclass(frozen=True)
class RowAction:
    op: str
    list_name: str
    index: int | None


def row_action(formdata: Mapping[str, Any]) -> RowAction | None:
    """Which row button, if any, sent the form."""
    for name in formdata:
        match = ROW_BUTTON.match(name)
        if match:
            index = int(match.group(3)) if match.group(3) is not None else None
            return RowAction(match.group(1), ROW_LISTS[match.group(2)], index)
    return None


def apply_row_action(rows: list[Any], action: RowAction, blank: Any) -> list[Any]:
    """The rows after the button's change; an index out of range changes nothing."""
    rows = list(rows)
    i = action.index
    if action.op == "add":
        rows.append(blank)
    elif i is None or not 0 <= i < len(rows):
        return rows
    elif action.op == "remove":
        del rows[i]
    elif action.op == "move_up" and i > 0:
        rows[i - 1], rows[i] = rows[i], rows[i - 1]
    elif action.op == "move_down" and i < len(rows) - 1:
        rows[i], rows[i + 1] = rows[i + 1], rows[i]
    return rows


def next_choice_key(used: Iterable[str]) -> str:
    """A choice key never used by any revision of the question, so an old answer's choice
    can never be mistaken for a new one."""
    taken = set(used)
    for round_ in range(1, 100):
        for letter in "abcdefghijklmnopqrstuvwxyz":
            key = letter if round_ == 1 else f"{letter}{round_}"
            if key not in taken:
                return key
    raise ValueError("no free choice key")


# --- fields that name sources ----------------------------------------------------------------


def options(pairs: Iterable[tuple[str, Any]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def source_choices() -> list[SelectChoice]:
    rows = get_session().execute(
        select(Source.key, Source.publisher, Source.title).order_by(Source.position, Source.key)
    )
    return options((key, f"{publisher}: {title}") for key, publisher, title in rows)


def topic_choices(topics: Iterable[Topic]) -> list[SelectChoice]:
    return options((t.key, translate_text(t.title)) for t in topics)


class SourceKeysField(SelectMultipleField):
    """Sources as a list of checkboxes; an unknown key gets a message that names it."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: Any) -> None:
        known = {choice.value for choice in self.choices or []}
        for key in self.data or []:
            if key not in known:
                raise StopValidation(_("Source %(key)s does not exist.", key=key))


class SourceKeyField(SelectField):
    def pre_validate(self, form: Any) -> None:
        known = {choice.value for choice in self.choices or []}
        if self.data not in known:
            raise StopValidation(_("Source %(key)s does not exist.", key=self.data or "-"))


KEY_MESSAGE = _l("Use only a-z, 0-9 and '-', starting with a letter or digit.")


def key_field(label: Any) -> StringField:
    return StringField(
        label,
        validators=[
            DataRequired(),
            Length(max=80),
            Regexp(KEY_PATTERN, message=KEY_MESSAGE),
        ],
        filters=[clean_text],
        description=_l("Stable forever: it cannot be changed later."),
    )


# --- questions -----------------------------------------------------------------------------

TYPE_LABELS = {
    "single": _l("Single choice"),
    "multiple": _l("Select all that apply"),
    "true_false": _l("True or false"),
    "message": _l("Message: tap the red flags"),
}
MESSAGE_KIND_LABELS = {
    "post": _l("A social media post"),
    "chat": _l("A chat between two people"),
    "sms": _l("A text message (SMS)"),
    "flyer": _l("A flyer"),
}
SIDE_LABELS = {"them": _l("The other person"), "me": _l("The participant")}


def choice_limit(kind: str | None) -> int:
    """A message may place more phrases than a question has choices."""
    return MAX_PHRASES if kind == "message" else MAX_CHOICES


STATUS_LABELS = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "archived": _l("Archived"),
}

# What the audit log calls the fields it shows.
FIELD_LABELS = {
    "username": _l("Username"),
    "role": _l("Role"),
    "active": _l("Active"),
    "topic": _l("Topic"),
    "revision": _l("Revision"),
    "type": _l("Type"),
    "status": _l("Status"),
    "scenario": _l("Scenario"),
    "prompt": _l("Question"),
    "choices": _l("Choices"),
    "answer": _l("Answer"),
    "explanation": _l("Explanation"),
    "sources": _l("Sources"),
    "position": _l("Position"),
    "title": _l("Title"),
    "summary": _l("Summary"),
    "facts": _l("Key facts"),
    "actions": _l("What you can do"),
    "feedback": _l("Feedback"),
    "publisher": _l("Publisher"),
    "date": _l("Date"),
    "url": _l("Link"),
    "notes": _l("Notes"),
    "files": _l("Files"),
}

# Bank checker messages that belong next to a field of the question form.
# The question form's fields that show the bank checker's errors about them, next to them.
QUESTION_ERROR_FIELDS = ("prompt", "explanation", "sources")


class ChoiceForm(Form):
    key = HiddenField()
    # Required only for types that have choices: QuestionForm.validate checks it.
    text = bilingual(_l("Text"), multiline=True, required=False, rows=2)
    correct = BooleanField(_l("Correct"))
    # Message questions only: why the phrase is, or is not, a red flag.
    why = bilingual(_l("Why (message questions)"), multiline=True, required=False, rows=2)


class PartForm(Form):
    """One paragraph of a message, or one chat bubble with who sends it."""

    side = SelectField(_l("From"), choices=options(SIDE_LABELS.items()))
    text = bilingual(_l("Text"), multiline=True, required=False, rows=3)


class QuestionForm(FlaskForm):
    topic = SelectField(_l("Topic"))
    type = SelectField(_l("Type"), choices=options(TYPE_LABELS.items()))
    status = SelectField(
        _l("Status"),
        choices=options(STATUS_LABELS.items()),
        description=_l("Only published questions are drawn into quizzes."),
    )
    scenario = bilingual(_l("Scenario (optional)"), multiline=True, required=False)
    prompt = bilingual(_l("Prompt"), multiline=True, rows=2)
    choices = FieldList(FormField(ChoiceForm))
    answer = RadioField(
        _l("The statement is"),
        choices=options([("true", _l("True")), ("false", _l("False"))]),
        validators=[Optional()],
    )
    message_kind = SelectField(
        _l("The message looks like"), choices=options(MESSAGE_KIND_LABELS.items())
    )
    message_sender = bilingual(_l("Sender, page or phone number shown"), required=False)
    message_detail = bilingual(_l("Line under the sender (optional)"), required=False)
    parts = FieldList(FormField(PartForm))
    explanation = bilingual(_l("Explanation"), multiline=True, rows=5)
    sources = SourceKeysField(_l("Sources"))
    save = SubmitField(_l("Save"))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        session = get_session()
        self.topic.choices = topic_choices(
            session.scalars(select(Topic).order_by(Topic.position, Topic.key))
        )
        self.sources.choices = source_choices()
        self.choice_errors: list[str] = []
        self.group_errors: dict[str, list[str]] = {}
        self.bank_errors: list[BankError] = []

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if not self.sources.errors and not self.sources.data:
            self.sources.errors.append(bank_message("a question needs at least one source"))
            ok = False
        if self.type.data == "true_false":
            if self.answer.data not in ("true", "false"):
                self.answer.errors.append(_("Choose whether the statement is true or false."))
                ok = False
        elif self.type.data in TYPE_LABELS:
            ok = self._validate_choices() and ok
        if self.type.data == "message":
            ok = self._validate_message() and ok
        scenario = self.scenario.data
        if any(scenario.values()) and not all(scenario.values()):
            self.group_errors.setdefault("scenario", []).append(
                _("Write the scenario in both languages, or leave both empty.")
            )
            ok = False
        return ok

    def _validate_choices(self) -> bool:
        ok = True
        rows = [row.form for row in self.choices]
        missing = {"vi": _("Vietnamese text is missing."), "en": _("English text is missing.")}
        for row in rows:
            for lang in ("vi", "en"):
                field = row.text.form[lang]
                if not field.data:
                    field.errors.append(missing[lang])
                    ok = False
        keys = [row.key.data or "" for row in rows]
        if len(set(keys)) != len(keys) or not all(KEY_PATTERN.match(k) for k in keys):
            self.choice_errors.append(_("The choices were damaged on the way; reload the page."))
            return False
        if self.type.data == "message":
            if not 2 <= len(rows) <= MAX_PHRASES:
                self.choice_errors.append(bank_message("a message question needs 2 to 10 phrases"))
                ok = False
        elif not 2 <= len(rows) <= MAX_CHOICES:
            self.choice_errors.append(bank_message("a question needs 2 to 6 choices"))
            ok = False
        for message in choice_rule_errors(self.type.data, [bool(r.correct.data) for r in rows]):
            self.choice_errors.append(bank_message(message))
            ok = False
        return ok

    def _validate_message(self) -> bool:
        """Every phrase says why in both languages; the message has a sender and parts.

        Whether each phrase is placed once in each language is the bank checker's rule; its
        messages are shown with the parts (``attach_bank_errors``).
        """
        ok = True
        missing = {"vi": _("Vietnamese text is missing."), "en": _("English text is missing.")}
        for group in [self.message_sender, *(row.form.text for row in self.parts)]:
            for lang in ("vi", "en"):
                field = group.form[lang]
                if not field.data:
                    field.errors.append(missing[lang])
                    ok = False
        for row in self.choices:
            for lang in ("vi", "en"):
                field = row.form.why.form[lang]
                if not field.data:
                    field.errors.append(missing[lang])
                    ok = False
        detail = self.message_detail.data
        if any(detail.values()) and not all(detail.values()):
            self.group_errors.setdefault("message_detail", []).append(
                _("Write this line in both languages, or leave both empty.")
            )
            ok = False
        if not self.parts:
            self.group_errors.setdefault("parts", []).append(
                bank_message("a message needs at least one part")
            )
            ok = False
        return ok

    def message_entry(self) -> MessageEntry:
        kind = self.message_kind.data
        detail = dict(self.message_detail.data) if all(self.message_detail.data.values()) else None
        parts = [
            MessagePart(dict(row.form.text.data), row.form.side.data if kind == "chat" else None)
            for row in self.parts
        ]
        return MessageEntry(kind, dict(self.message_sender.data), parts, detail)

    def entry(self, key: str) -> QuestionEntry:
        """The question as the bank files would hold it."""
        kind = self.type.data
        message = self.message_entry() if kind == "message" else None
        if kind == "true_false":
            choices = true_false_choices(self.answer.data == "true")
        else:
            choices = [
                ChoiceEntry(
                    row.form.key.data,
                    dict(row.form.text.data),
                    bool(row.form.correct.data),
                    dict(row.form.why.data) if kind == "message" else None,
                )
                for row in self.choices
            ]
        scenario = dict(self.scenario.data) if all(self.scenario.data.values()) else None
        return QuestionEntry(
            key=key,
            type=kind,
            prompt=dict(self.prompt.data),
            explanation=dict(self.explanation.data),
            choices=choices,
            sources=list(self.sources.data),
            status=self.status.data,
            scenario=scenario,
            message=message,
        )

    def attach_bank_errors(self, errors: list[BankError], key: str) -> bool:
        """Put each checker error next to its field; True when there was any."""
        for error in errors:
            params = dict(error.params)
            about_this = key in (params.get("key"), params.get("question"), params.get("other"))
            if error.about == "parts":
                # Only the question being edited can have these: the rest of the bank passed.
                self.group_errors.setdefault("parts", []).append(bank_message(error))
            elif error.about in QUESTION_ERROR_FIELDS and about_this:
                self.group_errors.setdefault(error.about, []).append(bank_message(error))
            else:
                self.bank_errors.append(error)
        return bool(errors)


class NewQuestionForm(QuestionForm):
    key = key_field(_l("Key"))

    def validate_key(self, field: StringField) -> None:
        taken = get_session().scalar(select(Question.id).where(Question.key == field.data))
        if taken is not None:
            raise ValidationError(
                _("Another question already uses the key %(key)s.", key=field.data)
            )


def question_form_data(entry: QuestionEntry, topic_key: str) -> dict[str, Any]:
    """Form data for a stored question. True/false questions get two blank choice rows, so
    that switching the type to one with choices starts from something."""
    if entry.type == "true_false":
        rows = [blank_choice("a"), blank_choice("b")]
        answer = "true" if "true" in entry.correct_keys else "false"
    else:
        rows = [
            {
                "key": c.key,
                "text": dict(c.text),
                "correct": c.correct,
                "why": dict(c.why) if c.why else empty_text(),
            }
            for c in entry.choices
        ]
        answer = None
    return {
        **message_form_data(entry.message),
        "topic": topic_key,
        "type": entry.type,
        "status": entry.status,
        "scenario": dict(entry.scenario) if entry.scenario else empty_text(),
        "prompt": dict(entry.prompt),
        "choices": rows,
        "answer": answer,
        "explanation": dict(entry.explanation),
        "sources": list(entry.sources),
    }


def blank_choice(key: str) -> dict[str, Any]:
    return {"key": key, "text": empty_text(), "correct": False, "why": empty_text()}


def blank_part() -> dict[str, Any]:
    return {"side": "them", "text": empty_text()}


def message_form_data(message: MessageEntry | None) -> dict[str, Any]:
    """The message fields of the form; a question of another type gets a blank message, so
    that switching its type to message starts from something."""
    if message is None:
        return {
            "message_kind": MESSAGE_KINDS[0],
            "message_sender": empty_text(),
            "message_detail": empty_text(),
            "parts": [blank_part()],
        }
    return {
        "message_kind": message.kind,
        "message_sender": dict(message.sender),
        "message_detail": dict(message.detail) if message.detail else empty_text(),
        "parts": [{"side": p.side or "them", "text": dict(p.text)} for p in message.parts],
    }


class PreviewForm(FlaskForm):
    """The preview's answer buttons: only the CSRF token, like the participant's form."""


# --- topics --------------------------------------------------------------------------------

BAND_LABELS = {
    "low": _l("Feedback for a low score (under 50 %)"),
    "mid": _l("Feedback for a middle score (50 % to under 80 %)"),
    "high": _l("Feedback for a high score (80 % and over)"),
}


class FactForm(Form):
    text = bilingual(_l("Fact"), multiline=True, rows=3)
    source = SourceKeyField(_l("Source"))


class ActionForm(Form):
    text = bilingual(_l("Action"))


class TopicForm(FlaskForm):
    position = IntegerField(
        _l("Position"),
        validators=[InputRequired(), NumberRange(min=0, max=10000)],
        description=_l("Topics are listed from the lowest position up."),
    )
    title = bilingual(_l("Title"))
    summary = bilingual(
        _l("Learn page summary"),
        multiline=True,
        rows=12,
    )
    facts = FieldList(FormField(FactForm))
    actions = FieldList(FormField(ActionForm))
    feedback_low = bilingual(BAND_LABELS["low"], multiline=True)
    feedback_mid = bilingual(BAND_LABELS["mid"], multiline=True)
    feedback_high = bilingual(BAND_LABELS["high"], multiline=True)
    save = SubmitField(_l("Save"))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = source_choices()
        for row in self.facts:
            row.form.source.choices = choices
        self.bank_errors: list[BankError] = []

    def entry(self, key: str) -> TopicEntry:
        return TopicEntry(
            key=key,
            position=self.position.data,
            title=dict(self.title.data),
            summary=dict(self.summary.data),
            facts=[FactEntry(dict(r.form.text.data), r.form.source.data) for r in self.facts],
            actions=[dict(r.form.text.data) for r in self.actions],
            feedback={band: dict(self[f"feedback_{band}"].data) for band in BANDS},
            questions=[],
        )


class NewTopicForm(TopicForm):
    key = key_field(_l("Key"))

    def validate_key(self, field: StringField) -> None:
        if get_session().scalar(select(Topic.id).where(Topic.key == field.data)) is not None:
            raise ValidationError(_("Another topic already uses the key %(key)s.", key=field.data))


def topic_form_data(entry: TopicEntry) -> dict[str, Any]:
    data: dict[str, Any] = {
        "position": entry.position,
        "title": dict(entry.title),
        "summary": dict(entry.summary),
        "facts": [{"text": dict(f.text), "source": f.source} for f in entry.facts],
        "actions": [{"text": dict(a)} for a in entry.actions],
    }
    for band in BANDS:
        data[f"feedback_{band}"] = dict(entry.feedback.get(band) or empty_text())
    return data


def blank_fact() -> dict[str, Any]:
    return {"text": empty_text(), "source": ""}


def blank_action() -> dict[str, Any]:
    return {"text": empty_text()}


# --- sources -------------------------------------------------------------------------------


class SourceForm(FlaskForm):
    title = StringField(
        _l("Title, as published"),
        validators=[DataRequired(), Length(max=400)],
        filters=[clean_text],
    )
    language = SelectField(
        _l("Language of the title"),
        choices=options([("en", "English"), ("vi", "Tiếng Việt")]),
        default="en",
        description=_l("Pages mark the title with this language, for screen readers."),
    )
    publisher = StringField(
        _l("Publisher"), validators=[DataRequired(), Length(max=200)], filters=[clean_text]
    )
    date = StringField(
        _l("Date"),
        validators=[
            Optional(),
            Regexp(DATE_PATTERN, message=_l("Write the date as YYYY, YYYY-MM or YYYY-MM-DD.")),
        ],
        filters=[clean_text],
        description=_l("YYYY, YYYY-MM or YYYY-MM-DD; leave empty when unknown."),
    )
    url = URLField(
        _l("Web address"),
        validators=[DataRequired(), Length(max=1000)],
        filters=[clean_text],
    )
    notes = TextAreaField(
        _l("Notes"),
        filters=[clean_text],
        render_kw={"rows": 6},
        description=_l(
            "The facts and figures taken from it, one per line. A figure in an explanation "
            "must appear here or in a key fact of its topic."
        ),
    )
    save = SubmitField(_l("Save"))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.bank_errors: list[BankError] = []

    def entry(self, key: str) -> SourceEntry:
        notes = [line.strip() for line in (self.notes.data or "").split("\n") if line.strip()]
        return SourceEntry(
            key,
            self.title.data,
            self.publisher.data,
            self.url.data,
            self.date.data or None,
            notes,
            self.language.data,
        )

    def attach_bank_errors(self, errors: list[BankError], entry: SourceEntry) -> bool:
        for error in errors:
            field = error.about
            if field == "url" and dict(error.params).get(field) == getattr(entry, field):
                self[field].errors.append(bank_message(error))
            else:
                self.bank_errors.append(error)
        return bool(errors)


class NewSourceForm(SourceForm):
    key = key_field(_l("Key"))

    def validate_key(self, field: StringField) -> None:
        if get_session().scalar(select(Source.id).where(Source.key == field.data)) is not None:
            raise ValidationError(_("Another source already uses the key %(key)s.", key=field.data))


def source_form_data(entry: SourceEntry) -> dict[str, Any]:
    return {
        "title": entry.title,
        "language": entry.language,
        "publisher": entry.publisher,
        "date": entry.date or "",
        "url": entry.url,
        "notes": "\n".join(entry.notes),
    }


class DeleteForm(FlaskForm):
    confirm = SubmitField(_l("Delete"))


class ArchiveForm(FlaskForm):
    confirm = SubmitField(_l("Archive"))


# --- import --------------------------------------------------------------------------------


class ImportForm(FlaskForm):
    files = MultipleFileField(
        _l("Bank files"),
        validators=[FileRequired(message=_l("Choose at least one file."))],
        description=_l("One or more .yaml files of the bank, or a .zip of them."),
        render_kw={"accept": ".yaml,.zip"},
    )
    whole = BooleanField(
        _l(
            "These files are the whole bank: topics and questions they leave out are archived "
            "or deleted"
        )
    )
    submit = SubmitField(_l("Check and import"))


# --- accounts ------------------------------------------------------------------------------

ROLE_LABELS = {"facilitator": _l("Facilitator"), "admin": _l("Admin")}


class NewAccountForm(FlaskForm):
    username = StringField(
        _l("Username"), validators=[DataRequired(), Length(max=64)], filters=[clean_text]
    )
    role = SelectField(_l("Role"), choices=options((r, ROLE_LABELS[r]) for r in ROLES))
    password = PasswordField(
        _l("Password"),
        validators=[
            Optional(),
            Length(min=accounts.MIN_PASSWORD, max=200, message=_l("Use at least 10 characters.")),
        ],
        description=_l("Leave empty to have a strong one made up and shown once."),
    )
    submit = SubmitField(_l("Create account"))

    def validate_username(self, field: StringField) -> None:
        try:
            accounts.check_username(get_session(), field.data)
        except accounts.AccountRefused as refused:
            raise ValidationError(_(refused.message, **refused.params)) from None


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=options((r, ROLE_LABELS[r]) for r in ROLES))
    submit = SubmitField(_l("Change role"))


# --- filters on list pages (GET, no CSRF) ----------------------------------------------------


class QuestionSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Search in either language"), filters=[clean_text])
    topic = SelectField(_l("Topic"))
    type = SelectField(_l("Type"))
    status = SelectField(_l("Status"))
    missing = SelectField(_l("Missing language"))

    def __init__(self, formdata: Any, topics: list[Topic]):
        super().__init__(formdata=formdata)
        anything = options([("", _("Any"))])
        self.topic.choices = anything + topic_choices(topics)
        self.type.choices = anything + options(TYPE_LABELS.items())
        self.status.choices = anything + options(STATUS_LABELS.items())
        self.missing.choices = anything + options(LANGUAGE_NAMES.items())


ENTITY_LABELS = {
    "question": _l("Questions"),
    "topic": _l("Topics"),
    "source": _l("Sources"),
    "bank": _l("Imports"),
    "account": _l("Accounts"),
}


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    entity = SelectField(_l("Kind of change"))
    user = SelectField(_l("Made by"))

    def __init__(self, formdata: Any, entities: list[str], users: list[User]):
        super().__init__(formdata=formdata)
        everyone = options([("", _("Any"))])
        self.entity.choices = everyone + options((e, ENTITY_LABELS.get(e, e)) for e in entities)
        self.user.choices = everyone + options((str(u.id), u.username) for u in users)
