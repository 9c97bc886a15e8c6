"""Dashboard benchmark: a facilitator's live results over a database of 1,000,000 answers.

Fills a fresh database through the real migrations and the real question bank, then with bulk
inserts: one big workshop (before and after rounds, some phones still answering), many small
workshops, and quizzes taken alone, 1,000,000 answers in all. Then it times the dashboard's work
on the server, several runs each: the aggregate queries alone, the results page, its JSON for
the live update, a projector slide, and the admin's overview with totals over every answer.
It prints median and max in milliseconds against the 300 ms budget of DESIGN.md.

    .venv/bin/python bench/dashboard.py                          # SQLite in a temporary folder
    .venv/bin/python bench/dashboard.py --answers 200000 --runs 5
    .venv/bin/python bench/dashboard.py --database-url postgresql://postgres@127.0.0.1:5432/test

On PostgreSQL it creates a database of its own beside the named one
(``<name>_dashboard_bench_<pid>``) and drops it at the end, so the named database is never
touched. Timings are wall-clock on this machine in one process, with a fresh database session
per run, so no run reuses another's rows.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scratch_database import scratch_database  # noqa: E402
from sqlalchemy import Engine, select, text  # noqa: E402

from tipquiz import create_app, dashboard, migrate  # noqa: E402
from tipquiz.bank import read_bank  # noqa: E402
from tipquiz.bank_store import import_bank  # noqa: E402
from tipquiz.db import get_engine, get_session  # noqa: E402
from tipquiz.models import Question, QuestionRevision, User, Workshop  # noqa: E402
from tipquiz.workshops import CODE_ALPHABET, create_workshop  # noqa: E402

BUDGET_MS = 300
CHUNK = 50_000
START = datetime(2026, 7, 30, 8, 0, 0)


@dataclass(frozen=True)
class Revision:
    """What an answer needs to know about a question: its revision and choices."""

    question_id: int
    revision_id: int
    type: str
    choices: list[tuple[int, str, bool]]  # (choice id, key, correct)
    difficulty: float  # chance of a correct answer


@dataclass(frozen=True)
class Plan:
    """How the answers are spread out."""

    answers: int
    big_participants: int
    big_questions: int
    small_workshops: int
    small_participants: int
    small_questions: int
    solo_questions: int = 12


# Filling ------------------------------------------------------------------------------------


class Writer:
    """Fast bulk inserts: ``executemany`` on SQLite, ``COPY`` on PostgreSQL."""

    COLUMNS = {
        "workshops": (
            "id code title locale owner_id topic_keys question_count current_round is_open "
            "created_at"
        ),
        "workshop_questions": "id workshop_id position question_id",
        "attempts": "id token workshop_id round locale question_count started_at finished_at",
        "attempt_questions": "id attempt_id position revision_id choice_order",
        "answers": "id item_id attempt_id revision_id correct answered_at",
        "answer_choices": "answer_id choice_id",
    }

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"
        self.rows: dict[str, list[tuple]] = {name: [] for name in self.COLUMNS}
        self.written = dict.fromkeys(self.COLUMNS, 0)
        self.raw = engine.raw_connection()

    def add(self, table: str, row: tuple) -> None:
        rows = self.rows[table]
        rows.append(row)
        if len(rows) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        """Write every buffer, parents before children, so foreign keys always hold."""
        cursor = self.raw.cursor()
        for table, columns in self.COLUMNS.items():
            rows = self.rows[table]
            if not rows:
                continue
            names = columns.split()
            if self.sqlite:
                marks = ", ".join("?" for _ in names)
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", rows
                )
            else:
                with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            self.written[table] += len(rows)
            rows.clear()
        self.raw.commit()
        cursor.close()

    def finish(self) -> None:
        self.flush()
        cursor = self.raw.cursor()
        if not self.sqlite:
            for table in self.COLUMNS:
                if table != "answer_choices":
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
        self.raw.commit()
        cursor.close()
        self.raw.close()

    def time(self, value: datetime) -> Any:
        return value.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else value

    def flag(self, value: bool) -> Any:
        return int(value) if self.sqlite else value


class Filler:
    """Makes attempts and answers that look like a real room: some questions are hard."""

    def __init__(self, writer: Writer, revisions: dict[int, Revision], seed: int = 30) -> None:
        self.writer = writer
        self.revisions = revisions
        self.rng = random.Random(seed)
        self.next_id = dict.fromkeys(
            ("workshops", "workshop_questions", "attempts", "attempt_questions", "answers"), 1
        )
        self.answers = 0

    def new_id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def workshop(self, owner_id: int, question_ids: list[int], code: str) -> int:
        workshop_id = self.new_id("workshops")
        self.writer.add(
            "workshops",
            (
                workshop_id,
                code,
                f"Workshop {workshop_id}",
                self.rng.choice(["vi", "en"]),
                owner_id,
                json.dumps([]),
                len(question_ids),
                "before",
                self.writer.flag(False),
                self.writer.time(START),
            ),
        )
        return workshop_id

    def attempt(
        self,
        question_ids: list[int],
        *,
        workshop_id: int | None = None,
        round_: str | None = None,
        answered: int | None = None,
    ) -> None:
        """One participant: every question shown, the first ``answered`` of them answered."""
        writer, rng = self.writer, self.rng
        answered = len(question_ids) if answered is None else answered
        attempt_id = self.new_id("attempts")
        started = START + timedelta(seconds=rng.randrange(86_400 * 90))
        finished = started + timedelta(minutes=8) if answered == len(question_ids) else None
        writer.add(
            "attempts",
            (
                attempt_id,
                f"bench-{attempt_id}",
                workshop_id,
                round_,
                "vi",
                len(question_ids),
                writer.time(started),
                writer.time(finished) if finished else None,
            ),
        )
        order = rng.sample(question_ids, len(question_ids))
        for position, question_id in enumerate(order, start=1):
            revision = self.revisions[question_id]
            item_id = self.new_id("attempt_questions")
            keys = [key for _id, key, _correct in revision.choices]
            writer.add(
                "attempt_questions",
                (item_id, attempt_id, position, revision.revision_id, json.dumps(keys)),
            )
            if position > answered:
                continue
            correct, picked = self.choose(revision, round_)
            answer_id = self.new_id("answers")
            writer.add(
                "answers",
                (
                    answer_id,
                    item_id,
                    attempt_id,
                    revision.revision_id,
                    writer.flag(correct),
                    writer.time(started + timedelta(seconds=20 * position)),
                ),
            )
            for choice_id in picked:
                writer.add("answer_choices", (answer_id, choice_id))
            self.answers += 1

    def choose(self, revision: Revision, round_: str | None) -> tuple[bool, list[int]]:
        """A right answer with the question's difficulty, else a plausible wrong one."""
        rng = self.rng
        chance = min(0.95, revision.difficulty + (0.2 if round_ == "after" else 0))
        right = [cid for cid, _key, correct in revision.choices if correct]
        wrong = [cid for cid, _key, correct in revision.choices if not correct]
        if rng.random() < chance or not wrong:
            return True, right
        if revision.type == "multiple":
            picked = set(rng.sample(right, max(1, len(right) - 1)))
            picked.add(rng.choice(wrong))
            return False, sorted(picked)
        # The first wrong choice is the tempting one: it is picked more often than the others.
        weights = [3] + [1] * (len(wrong) - 1)
        return False, [rng.choices(wrong, weights)[0]]


def question_revisions(session, rng: random.Random) -> dict[int, Revision]:
    revisions = session.scalars(
        select(QuestionRevision)
        .join(Question, Question.id == QuestionRevision.question_id)
        .where(QuestionRevision.number == Question.revision_number, Question.status == "published")
    )
    return {
        r.question_id: Revision(
            r.question_id,
            r.id,
            r.type,
            [(c.id, c.key, c.correct) for c in r.choices],
            rng.uniform(0.35, 0.9),
        )
        for r in revisions
    }


def fill(engine: Engine, app, plan: Plan, settle: Callable[[], None]) -> dict[str, Any]:
    """The bank, two accounts and the big workshop made the real way, then bulk answers.

    Everything else is stored first and ``settle`` runs (VACUUM ANALYZE on PostgreSQL, what
    autovacuum does to a database as it grows); today's big workshop comes last, so its answers
    are as fresh as they are while the facilitator watches.
    """
    with app.app_context():
        session = get_session()
        import_bank(session, read_bank(ROOT / "questions"))
        owner = User(username="facilitator", role="facilitator", password="bench password 1")
        admin = User(username="admin", role="admin", password="bench password 1")
        session.add_all([owner, admin])
        session.commit()
        rng = random.Random(7)
        revisions = question_revisions(session, rng)
        topic_keys = sorted({q.topic.key for q in session.scalars(select(Question))})
        big = create_workshop(
            session,
            owner=owner,
            title="Big workshop",
            locale="vi",
            topic_keys=topic_keys,
            question_count=plan.big_questions,
            rng=rng,
        )
        big.current_round = "after"
        session.commit()
        big_questions = [wq.question_id for wq in big.questions]
        ids = {"big": big.id, "owner": owner.id, "admin": admin.id}
        last_ids = {
            "workshops": big.id + 1,
            "workshop_questions": max(wq.id for wq in big.questions) + 1,
        }

    writer = Writer(engine)
    filler = Filler(writer, revisions)
    filler.next_id.update(last_ids)
    fill_background(filler, plan, ids["owner"], plan.answers - big_workshop_answers(plan))
    writer.flush()
    settle()
    for _ in range(plan.big_participants):
        filler.attempt(big_questions, workshop_id=ids["big"], round_="before")
    for n in range(plan.big_participants):
        answered = plan.big_questions // 2 if still_answering(n) else None
        filler.attempt(big_questions, workshop_id=ids["big"], round_="after", answered=answered)
    writer.finish()
    return {"ids": ids, "rows": writer.written, "answers": filler.answers}


def still_answering(participant: int) -> bool:
    """One phone in ten of the big workshop's after round is still at its halfway point."""
    return participant % 10 == 0


def big_workshop_answers(plan: Plan) -> int:
    halfway = sum(still_answering(n) for n in range(plan.big_participants))
    full = 2 * plan.big_participants - halfway
    return full * plan.big_questions + halfway * (plan.big_questions // 2)


def fill_background(filler: Filler, plan: Plan, owner_id: int, answers: int) -> None:
    """Many small workshops with both rounds, then quizzes taken alone, up to ``answers``."""
    pool = list(filler.revisions)
    codes: set[str] = set()
    for _ in range(plan.small_workshops):
        code = "".join(filler.rng.choice(CODE_ALPHABET) for _ in range(6))
        if code in codes:
            continue
        codes.add(code)
        questions = filler.rng.sample(pool, plan.small_questions)
        workshop_id = filler.workshop(owner_id, questions, code)
        for position, question_id in enumerate(questions, start=1):
            filler.writer.add(
                "workshop_questions",
                (filler.new_id("workshop_questions"), workshop_id, position, question_id),
            )
        for round_ in ("before", "after"):
            for _ in range(plan.small_participants):
                filler.attempt(questions, workshop_id=workshop_id, round_=round_)
    while filler.answers < answers:
        count = min(plan.solo_questions, answers - filler.answers)
        filler.attempt(filler.rng.sample(pool, plan.solo_questions), answered=count)


# Timing -------------------------------------------------------------------------------------


def measure(runs: int, work: Callable[[], Any]) -> list[float]:
    """Milliseconds per run, after one warm-up run that fills the database's page cache."""
    work()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return times


def signed_in(app, user_id: int):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    return client


def get_ok(client, url: str) -> Callable[[], None]:
    def work() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")

    return work


def fresh_session(app, work: Callable[[Any], Any]) -> Callable[[], None]:
    def run() -> None:
        with app.app_context():
            work(get_session())

    return run


def timings(app, ids: dict[str, int], runs: int) -> dict[str, list[float]]:
    facilitator = signed_in(app, ids["owner"])
    admin = signed_in(app, ids["admin"])
    base = f"/facilitator/workshops/{ids['big']}"

    def results(session) -> None:
        dashboard.workshop_results(session, session.get(Workshop, ids["big"]))

    return {
        "aggregates (workshop_results)": measure(runs, fresh_session(app, results)),
        "results page": measure(runs, get_ok(facilitator, f"{base}/results")),
        "live update JSON (all parts)": measure(runs, get_ok(facilitator, f"{base}/results.json")),
        "projector slide": measure(runs, get_ok(facilitator, f"{base}/present/3")),
        "admin totals (admin_totals)": measure(runs, fresh_session(app, dashboard.admin_totals)),
        "admin overview page": measure(runs, get_ok(admin, "/facilitator/")),
    }


def report(figures: dict[str, list[float]]) -> bool:
    """Print median and max of each measurement; True when every run kept to the budget."""
    within = True
    print(f"\n{'what':<32} {'median ms':>10} {'max ms':>10}  budget {BUDGET_MS} ms")
    for name, values in figures.items():
        median, worst = statistics.median(values), max(values)
        ok = worst <= BUDGET_MS
        within = within and ok
        print(f"{name:<32} {median:>10.1f} {worst:>10.1f}  {'ok' if ok else 'OVER'}")
    return within


# Databases ----------------------------------------------------------------------------------


def settle(engine: Engine) -> None:
    """On PostgreSQL, what autovacuum does as a database grows: visibility map and statistics.

    SQLite has no such housekeeping and needs none here: its plans do not depend on statistics.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


def run(plan: Plan, runs: int, url: str | None, vacuum: bool = True) -> bool:
    with tempfile.TemporaryDirectory() as folder:
        database_url, drop = scratch_database(url, Path(folder), "dashboard_bench")
        try:
            app = create_app(
                {
                    "DATABASE_URL": database_url,
                    "SECRET_KEY": "dashboard benchmark",
                    "RATELIMIT_STORAGE_URL": "memory://",
                }
            )
            engine = get_engine(app)
            print(f"Database: {engine.url.render_as_string(hide_password=True)}")
            migrate.upgrade(engine)
            started = time.perf_counter()
            filled = fill(engine, app, plan, lambda: settle(engine) if vacuum else None)
            print(
                f"Filled in {time.perf_counter() - started:.0f} s: "
                f"{filled['answers']:,} answers; rows {filled['rows']}"
            )
            with app.app_context():
                big = get_session().get(Workshop, filled["ids"]["big"])
                counts = dashboard.round_counts(get_session(), big.id)
                print(
                    f"Big workshop: {big.question_count} questions, "
                    + ", ".join(
                        f"{r} {c.joined} joined/{c.finished} finished" for r, c in counts.items()
                    )
                )
            within = report(timings(app, filled["ids"], runs))
            engine.dispose()
        finally:
            drop()
    return within


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--big-participants", type=int, default=500)
    parser.add_argument("--big-questions", type=int, default=30)
    parser.add_argument("--small-workshops", type=int, default=300)
    parser.add_argument(
        "--no-vacuum",
        action="store_true",
        help="on PostgreSQL, time the data as bulk-loaded, before any VACUUM ANALYZE",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TIPQUIZ_DATABASE_URL"),
        help="PostgreSQL server to use (a new database is made on it); SQLite when absent",
    )
    args = parser.parse_args(argv)
    plan = Plan(
        answers=args.answers,
        big_participants=args.big_participants,
        big_questions=args.big_questions,
        small_workshops=args.small_workshops,
        small_participants=30,
        small_questions=15,
    )
    within = run(plan, args.runs, args.database_url, vacuum=not args.no_vacuum)
    print("\nWithin budget." if within else "\nOver budget.")
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
