"""Random and hostile input at every form and the bank reader: never a 500, no half writes."""

from __future__ import annotations

import yaml
from helpers import add_user, login, page
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from test_bank import SOURCES, TOPIC
from test_security import build

from tipquiz.bank import Bank, BankInvalid, read_bank_files
from tipquiz.db import get_session
from tipquiz.models import Answer, AuditEntry, Question, Source, Topic, User, Workshop
from tipquiz.quiz import grade_answer

FIXTURES_OK = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

hostile_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\x00\x01\x02",
            "../../etc/passwd",
            "{{ 7*7 }}",
            "%s%s%n",
            "🙂" * 50,
            "a" * 5000,
            "-1",
            "99999999999999999999",
            "",
        ]
    ),
)

yaml_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), hostile_text),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.sampled_from(["key", "en", "vi", "type", "choices", "x"]), children, max_size=4
        ),
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=400))
def test_any_text_as_a_topic_file_is_read_or_refused(text):
    try:
        result = read_bank_files({"sources.yaml": SOURCES, "signs.yaml": text})
    except BankInvalid as exc:
        assert exc.errors
        assert all(e.file in ("sources.yaml", "signs.yaml") and e.line >= 1 for e in exc.errors)
    else:
        assert isinstance(result, Bank)


@settings(max_examples=150, deadline=None)
@given(data=yaml_values)
def test_any_yaml_structure_is_read_or_refused(data):
    text = yaml.safe_dump(data, allow_unicode=True)
    for name in ("signs.yaml", "sources.yaml"):
        files = {"sources.yaml": SOURCES, "signs.yaml": TOPIC, name: text}
        try:
            read_bank_files(files)
        except BankInvalid as exc:
            assert all(str(e) for e in exc.errors)


@settings(max_examples=150, deadline=None)
@given(line=st.integers(min_value=0, max_value=200), action=st.sampled_from(["drop", "dup", "cut"]))
def test_a_damaged_valid_file_is_read_or_refused_with_a_line(line, action):
    lines = TOPIC.splitlines(keepends=True)
    index = line % len(lines)
    if action == "drop":
        del lines[index]
    elif action == "dup":
        lines.insert(index, lines[index])
    else:
        lines[index] = lines[index][: len(lines[index]) // 2] + "\n"
    try:
        read_bank_files({"sources.yaml": SOURCES, "signs.yaml": "".join(lines)})
    except BankInvalid as exc:
        assert all(1 <= e.line <= len(lines) + 1 for e in exc.errors)


def database_counts(app) -> tuple[int, ...]:
    with app.app_context():
        db = get_session()
        return tuple(
            db.scalar(select(func.count()).select_from(model))
            for model in (Answer, Question, Source, Topic, User, Workshop, AuditEntry)
        )


def test_every_form_survives_hostile_input(app):
    """Signed in as an admin, send random values to every POST route with a valid token."""
    add_user(app, "root", "admin")
    client = app.test_client()
    login(client, "root")
    token = page(client.get("/")).find("input", attrs={"name": "csrf_token"})["value"]
    posts = [
        r
        for r in app.url_map.iter_rules()
        if "POST" in r.methods and r.endpoint not in ("auth.logout",)
    ]

    @FIXTURES_OK
    @given(
        rule=st.sampled_from(posts),
        values=st.dictionaries(
            st.one_of(
                st.sampled_from(
                    [
                        "choice",
                        "title",
                        "code",
                        "username",
                        "password",
                        "prompt-en",
                        "status",
                        "type",
                        "locale",
                        "question_count",
                        "topics",
                        "role",
                        "file",
                        "key",
                    ]
                ),
                st.text(max_size=20),
            ),
            st.one_of(hostile_text, st.lists(hostile_text, max_size=3)),
            max_size=6,
        ),
    )
    def send(rule, values):
        values = {k: v for k, v in values.items() if k != "csrf_token"}
        response = client.post(build(rule), data={"csrf_token": token, **values})
        assert response.status_code < 500, (rule.rule, values, response.status_code)

    send()


def test_random_answers_store_at_most_one_answer_and_never_fail(app):
    client = app.test_client()
    client.get("/lang/en")
    start = page(client.get("/")).find("form", action="/start")
    token = start.find("input", attrs={"name": "csrf_token"})["value"]
    client.post("/start", data={"csrf_token": token})

    @FIXTURES_OK
    @given(choices=st.lists(hostile_text, max_size=5), position=st.integers(-5, 20))
    def answer(choices, position):
        response = client.post(
            f"/quiz/{position}" if position >= 0 else f"/quiz/{position}x",
            data={"csrf_token": token, "choice": choices},
        )
        assert response.status_code < 500

    answer()
    # And one answer as a person gives it, so there is always something stored to check.
    resumed = client.get("/quiz")
    if resumed.location and "/quiz/" in resumed.location and "results" not in resumed.location:
        form = page(client.get(resumed.location)).find("form", class_="question")
        choice = form.find("input", attrs={"name": "choice"})["value"]
        client.post(resumed.location, data={"csrf_token": token, "choice": [choice]})
    # Whatever was sent, every stored answer holds only choices of its own question and is
    # graded as the rules grade those choices.
    with app.app_context():
        stored_answers = get_session().scalars(select(Answer)).all()
        assert stored_answers
        for stored in stored_answers:
            revision = stored.item.revision
            keys = [c.key for c in stored.choices]
            assert {c.revision_id for c in stored.choices} <= {revision.id}
            grade = grade_answer(
                revision.type, revision.correct_keys, [c.key for c in revision.choices], keys
            )
            assert stored.correct == grade.correct


def test_refused_import_writes_nothing(app, runner, tmp_path):
    before = database_counts(app)

    @FIXTURES_OK
    @given(text=st.text(max_size=200))
    def import_broken(text):
        folder = tmp_path / "bank"
        folder.mkdir(exist_ok=True)
        (folder / "sources.yaml").write_text(SOURCES, encoding="utf-8")
        (folder / "signs.yaml").write_text(TOPIC + "\n" + text + "\n  - ]", encoding="utf-8")
        result = runner.invoke(args=["bank", "import", "--dir", str(folder)])
        assert result.exit_code != 0
        assert database_counts(app) == before

    import_broken()


# Input the database cannot hold: NUL bytes and integers beyond 32 bits -------------------------


def heading(response) -> str:
    return page(response).find("h1").get_text(strip=True)


def csrf_token(client) -> str:
    return page(client.get("/")).find("input", attrs={"name": "csrf_token"})["value"]


NOT_FOUND_URLS = [
    "/learn/a%00b",
    "/admin/questions/a%00b",
    "/admin/topics/a%00b",
    "/admin/sources/a%00b",
    "/j/AB%00CDE",
    "/lang/e%00n",
    "/quiz/2147483648",
    "/quiz/99999999999999999999",
    "/facilitator/workshops/2147483648",
    "/facilitator/workshops/99999999999999999999/results",
    "/admin/accounts/2147483648",
]


def test_nul_bytes_and_huge_numbers_in_addresses_are_not_found(app):
    add_user(app, "root", "admin")
    client = app.test_client()
    client.get("/lang/en")
    login(client, "root")
    token = csrf_token(client)
    client.post("/start", data={"csrf_token": token})
    for url in NOT_FOUND_URLS:
        response = client.get(url)
        assert response.status_code == 404, (url, response.status_code)
        assert heading(response) == "Page not found", url
    for url in [
        "/quiz/99999999999999999999",
        "/quiz/2147483648",
        "/admin/accounts/2147483648/role",
    ]:
        response = client.post(url, data={"csrf_token": token, "choice": "a"})
        assert response.status_code == 404, (url, response.status_code)


def test_nul_bytes_in_forms_get_a_message_and_change_nothing(app):
    add_user(app, "root", "admin")
    client = app.test_client()
    client.get("/lang/en")
    response = login(client, "ro\x00ot")
    assert response.status_code == 422
    assert "cannot contain" in page(response).get_text()
    assert client.get("/admin/").status_code == 302
    login(client, "root")
    before = database_counts(app)
    token = csrf_token(client)
    response = client.post(
        "/facilitator/workshops/new",
        data={
            "csrf_token": token,
            "title": "Class\x00 10A",
            "language": "en",
            "topics": "warning-signs",
            "question_count": "4",
        },
    )
    assert response.status_code == 422
    assert heading(response) == "Something was wrong with that request"
    response = client.get("/admin/questions?q=a%00b")
    assert response.status_code == 422
    assert database_counts(app) == before


# YAML the parser chokes on, reported like any other bank error --------------------------------

CHOKING_YAML = {
    "deep nesting": "key: x\nquestions:\n  - " + "[" * 50_000 + "\n",
    "deep mappings": "key: x\n" + "".join("  " * i + "a:\n" for i in range(600)),
    "a list as a key": "key: x\n? [a]\n: b\n",
    "a mapping as a key": "key: x\n? {a: 1}\n: b\n",
}


def test_yaml_that_chokes_the_parser_is_reported_with_file_and_line():
    for what, text in CHOKING_YAML.items():
        try:
            read_bank_files({"sources.yaml": SOURCES, "signs.yaml": text})
        except BankInvalid as exc:
            assert exc.errors, what
            assert [e.file for e in exc.errors] == ["signs.yaml"], what
            assert all(e.line >= 2 for e in exc.errors), (what, [str(e) for e in exc.errors])
        else:
            raise AssertionError(f"{what} was accepted")


def test_flask_bank_check_reports_choking_yaml_without_a_traceback(runner, tmp_path):
    for number, text in enumerate(CHOKING_YAML.values()):
        folder = tmp_path / str(number)
        folder.mkdir()
        (folder / "sources.yaml").write_text(SOURCES, encoding="utf-8")
        (folder / "signs.yaml").write_text(text, encoding="utf-8")
        result = runner.invoke(args=["bank", "check", "--dir", str(folder)])
        assert result.exit_code == 1, result.output
        assert isinstance(result.exception, SystemExit), repr(result.exception)
        assert "signs.yaml:" in result.output
        assert "Traceback" not in result.output


def test_the_web_import_reports_choking_yaml_and_changes_nothing(app):
    from test_admin_bank import upload

    add_user(app, "root", "admin")
    client = app.test_client()
    client.get("/lang/en")
    login(client, "root")
    before = database_counts(app)
    for text in CHOKING_YAML.values():
        response = upload(client, [("signs.yaml", text.encode("utf-8"))])
        assert response.status_code == 422
        assert "signs.yaml" in page(response).get_text()
    assert database_counts(app) == before


def test_the_file_cap_counts_plain_yaml_parts_of_one_upload(app):
    from test_admin_bank import upload

    add_user(app, "root", "admin")
    client = app.test_client()
    client.get("/lang/en")
    login(client, "root")
    before = database_counts(app)
    parts = [(f"topic-{n}.yaml", b"key: x\n") for n in range(101)]
    response = upload(client, parts)
    assert response.status_code == 422
    assert "more than 100 files" in page(response).get_text()
    assert database_counts(app) == before


def test_every_route_refuses_what_the_database_cannot_hold(app):
    """Text and number parts of every address, present and future, use the safe converters."""
    from werkzeug.routing import IntegerConverter, UnicodeConverter

    from tipquiz.security import DatabaseIntConverter, TextConverter

    checked = 0
    for rule in app.url_map.iter_rules():
        for name, converter in rule._converters.items():
            if type(converter) in (IntegerConverter, UnicodeConverter):
                raise AssertionError(f"{rule.rule}: <{name}> uses a plain converter")
            checked += isinstance(converter, DatabaseIntConverter | TextConverter)
    assert checked >= 10
