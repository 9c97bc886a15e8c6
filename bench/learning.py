"""Paired results and item statistics over a database of 1,000,000 answers.

Fills the database as ``bench/dashboard.py`` does (one big workshop in its after round, many
small workshops, quizzes taken alone), pairs the big workshop's before and after attempts one to
one, as phones taking both rounds would, then times on the server, several runs each:

- the paired statistics of the big workshop (``learning.paired_results``) and its results page,
  which shows them, against the facilitator dashboard's 300 ms budget of DESIGN.md;
- the admin's item statistics over every answer and over the big workshop
  (``item_statistics.item_statistics``), and the admin page that shows them. DESIGN.md sets no
  budget for this admin report; the figures are printed for the record.

    .venv/bin/python bench/learning.py                          # SQLite in a temporary folder
    .venv/bin/python bench/learning.py --answers 200000 --runs 5
    .venv/bin/python bench/learning.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dashboard import (  # noqa: E402
    Plan,
    fill,
    fresh_session,
    get_ok,
    measure,
    report,
    settle,
    signed_in,
)
from scratch_database import scratch_database  # noqa: E402
from sqlalchemy import Engine, select, update  # noqa: E402

from tipquiz import create_app, item_statistics, learning, migrate  # noqa: E402
from tipquiz.db import get_engine, get_session  # noqa: E402
from tipquiz.models import Attempt, Workshop  # noqa: E402


def pair_big_workshop(engine: Engine, app, workshop_id: int) -> int:
    """Pair the n-th before attempt with the n-th after attempt, as the same phones would."""
    with app.app_context():
        db = get_session()
        rounds = {
            r: db.scalars(
                select(Attempt.id)
                .where(Attempt.workshop_id == workshop_id, Attempt.round == r)
                .order_by(Attempt.id)
            ).all()
            for r in ("before", "after")
        }
        pairs = list(zip(rounds["before"], rounds["after"], strict=False))
        for before, after in pairs:
            db.execute(
                update(Attempt)
                .where(Attempt.id == after)
                .values(paired_attempt_id=before, paired_by="device")
            )
        db.commit()
        return len(pairs)


def timings(app, ids: dict[str, int], runs: int) -> dict[str, list[float]]:
    facilitator = signed_in(app, ids["owner"])
    admin = signed_in(app, ids["admin"])
    big = ids["big"]
    with app.app_context():
        code = get_session().get(Workshop, big).code

    def paired(session) -> None:
        learning.paired_results(session, session.get(Workshop, big))

    return {
        "paired_results (big workshop)": measure(runs, fresh_session(app, paired)),
        "results page with pairs": measure(
            runs, get_ok(facilitator, f"/facilitator/workshops/{big}/results")
        ),
        "item statistics, big workshop": measure(
            runs, fresh_session(app, lambda s: item_statistics.item_statistics(s, big))
        ),
        "item statistics page, workshop": measure(
            runs, get_ok(admin, f"/admin/statistics?workshop={code}")
        ),
        "item statistics, every answer": measure(
            runs, fresh_session(app, item_statistics.item_statistics)
        ),
        "item statistics page, all": measure(runs, get_ok(admin, "/admin/statistics")),
    }


def run(plan: Plan, runs: int, url: str | None) -> bool:
    with tempfile.TemporaryDirectory() as folder:
        database_url, drop = scratch_database(url, Path(folder), "learning_bench")
        try:
            app = create_app(
                {
                    "DATABASE_URL": database_url,
                    "SECRET_KEY": "learning benchmark",
                    "RATELIMIT_STORAGE_URL": "memory://",
                }
            )
            engine = get_engine(app)
            print(f"Database: {engine.url.render_as_string(hide_password=True)}")
            migrate.upgrade(engine)
            started = time.perf_counter()
            filled = fill(engine, app, plan, lambda: settle(engine))
            pairs = pair_big_workshop(engine, app, filled["ids"]["big"])
            settle(engine)
            print(
                f"Filled in {time.perf_counter() - started:.0f} s: "
                f"{filled['answers']:,} answers; {pairs} pairs in the big workshop"
            )
            within = report(timings(app, filled["ids"], runs))
            engine.dispose()
        finally:
            drop()
    return within


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--big-participants", type=int, default=250)
    parser.add_argument("--big-questions", type=int, default=30)
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
        small_workshops=300,
        small_participants=30,
        small_questions=15,
    )
    within = run(plan, args.runs, args.database_url)
    print("\nEvery figure within 300 ms." if within else "\nSome figures over 300 ms (see above).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
