"""Command line: ``flask --app tipquiz db|bank|users ...``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from . import accounts, migrate
from .accounts import USERNAME_PATTERN
from .bank import BankInvalid, read_bank, write_bank
from .bank_store import export_bank, import_bank
from .db import get_engine, get_session
from .models import ROLES, User

db_cli = AppGroup("db", help="Create, upgrade and back up the database.")
bank_cli = AppGroup("bank", help="Check, import and export the question bank files.")
users_cli = AppGroup("users", help="Facilitator and admin accounts.")


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Create the database or bring it to the newest schema, keeping its data."""
    migrate.upgrade(get_engine())
    click.echo(f"Database at revision {migrate.current_revision(get_engine())}.")


@db_cli.command("create")
def db_create() -> None:
    """Same as upgrade: a new database is an empty one brought to the newest schema."""
    db_upgrade.callback()


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Write a new migration for changes made to the models (for developers)."""
    migrate.make_revision(get_engine(), message)


@db_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(path: Path) -> None:
    """Copy a live SQLite database consistently, even while people are answering."""
    url = get_engine().url
    if url.get_backend_name() != "sqlite" or not url.database:
        raise click.ClickException("backup works on SQLite; for PostgreSQL use pg_dump.")
    if path.exists():
        raise click.ClickException(f"{path} exists already; choose a new file.")
    path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(url.database, timeout=30)
    target = sqlite3.connect(path)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()
    click.echo(f"Backed up to {path}.")


def _bank_dir(directory: Path | None) -> Path:
    return directory or Path(current_app.config["QUESTION_BANK_DIR"])


def _report_errors(exc: BankInvalid) -> None:
    for error in exc.errors:
        click.echo(str(error), err=True)
    raise click.ClickException(f"{len(exc.errors)} errors; nothing was changed.")


@bank_cli.command("check")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path))
def bank_check(directory: Path | None) -> None:
    """Check every bank file and print each error with its file and line."""
    try:
        bank = read_bank(_bank_dir(directory))
    except BankInvalid as exc:
        _report_errors(exc)
    questions = sum(len(t.questions) for t in bank.topics)
    click.echo(
        f"OK: {len(bank.topics)} topics, {questions} questions, {len(bank.sources)} sources."
    )


@bank_cli.command("import")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path))
def bank_import(directory: Path | None) -> None:
    """Load the bank into the database, all or nothing; safe to run again."""
    try:
        bank = read_bank(_bank_dir(directory))
    except BankInvalid as exc:
        _report_errors(exc)
    session = get_session()
    report = import_bank(session, bank)
    session.commit()
    click.echo(f"Imported: {report.summary()}.")


@bank_cli.command("export")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path))
def bank_export(directory: Path | None) -> None:
    """Write the bank from the database back to YAML files."""
    target = _bank_dir(directory)
    target.mkdir(parents=True, exist_ok=True)
    files = write_bank(export_bank(get_session()))
    for name, text in files.items():
        (target / name).write_text(text, encoding="utf-8")
    click.echo(f"Exported {len(files)} files to {target}.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="facilitator", show_default=True)
@click.option("--password", help="Omit to have a strong one made up and printed once.")
def users_create(username: str, role: str, password: str | None) -> None:
    """Create an account."""
    session = get_session()
    try:
        user, password = accounts.create_account(
            session, actor_id=None, username=username, role=role, password=password
        )
    except accounts.AccountRefused as exc:
        raise click.ClickException(str(exc)) from None
    session.commit()
    click.echo(f"Created {user.role} {user.username!r} with password: {password}")


@users_cli.command("ensure-admin")
@click.option(
    "--username",
    default="admin",
    show_default=True,
    help="Name of the first admin; `ADMIN=name make run` passes it on.",
)
def users_ensure_admin(username: str) -> None:
    """On first start, when there is no account at all, create an admin and print its password.

    A name of one's own is one less thing for someone guessing at sign-in to know.
    """
    if not USERNAME_PATTERN.match(username):
        raise click.BadParameter(
            "use 2 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.",
            param_hint="--username",
        )
    session = get_session()
    if session.scalar(select(func.count(User.id))):
        return
    _user, password = accounts.create_account(
        session, actor_id=None, username=username, role="admin", password=None
    )
    session.commit()
    click.echo("=" * 60)
    click.echo("First start: an admin account was created. It is shown only now.")
    click.echo(f"  username: {username}")
    click.echo(f"  password: {password}")
    click.echo("Sign in at /login and change it under 'Change password'.")
    click.echo("=" * 60)


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(bank_cli)
    app.cli.add_command(users_cli)
