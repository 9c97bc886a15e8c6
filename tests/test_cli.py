"""The command line: database, bank and accounts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from helpers import submit
from sqlalchemy import func, select

from tipquiz.db import get_session
from tipquiz.models import AuditEntry, Question, User


def test_bank_check_reports_ok_for_the_real_bank(runner, bank):
    result = runner.invoke(args=["bank", "check"])
    assert result.exit_code == 0, result.output
    questions = sum(len(t.questions) for t in bank.topics)
    assert f"{len(bank.topics)} topics, {questions} questions" in result.output


def test_bank_check_lists_errors_with_file_and_line(runner, tmp_path):
    (tmp_path / "sources.yaml").write_text("sources:\n  - key: Bad Key\n    title: x\n")
    (tmp_path / "t.yaml").write_text("key: t\ntitle: {en: T}\n")
    result = runner.invoke(args=["bank", "check", "--dir", str(tmp_path)])
    assert result.exit_code != 0
    assert "sources.yaml:2: key 'Bad Key' may use only a-z" in result.output
    assert "t.yaml:2: title: missing translation 'vi'" in result.output
    assert "nothing was changed" in result.output


def test_bank_import_with_errors_changes_nothing(app, runner, tmp_path):
    with app.app_context():
        before = get_session().scalar(select(func.count(Question.id)))
    (tmp_path / "sources.yaml").write_text("sources: []\n")
    (tmp_path / "t.yaml").write_text("key: t\n")
    result = runner.invoke(args=["bank", "import", "--dir", str(tmp_path)])
    assert result.exit_code != 0
    with app.app_context():
        assert get_session().scalar(select(func.count(Question.id))) == before


def test_bank_import_then_export_round_trips(runner, tmp_path):
    assert runner.invoke(args=["bank", "import"]).exit_code == 0
    out = tmp_path / "out"
    result = runner.invoke(args=["bank", "export", "--dir", str(out)])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["bank", "import", "--dir", str(out)])
    assert "0 questions created" in again.output
    assert "0 given a new revision" in again.output
    out2 = tmp_path / "out2"
    runner.invoke(args=["bank", "export", "--dir", str(out2)])
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(p.name for p in out2.iterdir())
    for name in names:
        assert (out / name).read_bytes() == (out2 / name).read_bytes()


def test_users_create_and_sign_in(app, runner):
    result = runner.invoke(args=["users", "create", "thu", "--role", "facilitator"])
    assert result.exit_code == 0, result.output
    password = result.output.strip().rsplit(": ", 1)[1]
    duplicate = runner.invoke(args=["users", "create", "THU"])
    assert duplicate.exit_code != 0
    assert "exists already" in duplicate.output
    # The same rules as the admin pages: the name's form, the password's length, the audit log.
    bad_name = runner.invoke(args=["users", "create", "a b"])
    short = runner.invoke(args=["users", "create", "minh", "--password", "short"])
    assert bad_name.exit_code != 0 and "letters, digits" in bad_name.output
    assert short.exit_code != 0 and "at least 10 characters" in short.output
    with app.app_context():
        logged = get_session().scalars(select(AuditEntry.entity_key)).all()
    assert logged == ["thu"]
    client = app.test_client()
    response = submit(client, "/login", {"username": "thu", "password": password})
    # The terminal showed the made-up password: its owner chooses their own first.
    assert response.status_code == 302
    assert response.location.endswith("/account/password")


def test_ensure_admin_only_on_first_start(app, runner):
    first = runner.invoke(args=["users", "ensure-admin"])
    assert "username: admin" in first.output
    second = runner.invoke(args=["users", "ensure-admin"])
    assert second.output == ""
    with app.app_context():
        admins = get_session().scalars(select(User)).all()
    assert [(u.username, u.role) for u in admins] == [("admin", "admin")]


def test_backup_copies_a_live_sqlite_database(tmp_path: Path):
    from tipquiz import create_app

    database = tmp_path / "live.sqlite"
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "x"})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["bank", "import"]).exit_code == 0
    target = tmp_path / "backup" / "copy.sqlite"
    result = runner.invoke(args=["db", "backup", str(target)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(target) as copy:
        copied = copy.execute("SELECT count(*) FROM questions").fetchone()[0]
    with sqlite3.connect(database) as live:
        assert copied == live.execute("SELECT count(*) FROM questions").fetchone()[0] > 0
    again = runner.invoke(args=["db", "backup", str(target)])
    assert again.exit_code != 0
    assert "exists already" in again.output


def test_ensure_admin_takes_the_first_admins_name(app, runner):
    refused = runner.invoke(args=["users", "ensure-admin", "--username", "no spaces"])
    assert refused.exit_code != 0
    result = runner.invoke(args=["users", "ensure-admin", "--username", "mai.anh"])
    assert result.exit_code == 0, result.output
    assert "username: mai.anh" in result.output
    with app.app_context():
        admins = get_session().scalars(select(User)).all()
    assert [(u.username, u.role) for u in admins] == [("mai.anh", "admin")]


def test_make_run_passes_the_admin_name_on():
    """``ADMIN=name make run`` names the first account; without it the account is ``admin``."""
    import subprocess

    root = Path(__file__).resolve().parent.parent

    def planned(*args: str) -> str:
        found = subprocess.run(
            ["make", "-n", "run", *args], cwd=root, capture_output=True, text=True, check=True
        )
        return next(line for line in found.stdout.splitlines() if "ensure-admin" in line)

    assert planned("ADMIN=mai.anh").endswith("users ensure-admin --username mai.anh")
    assert planned().endswith("users ensure-admin --username admin")
