"""Load benchmark: a full workshop of phones answering at once, then a check of the database.

Starts the app under gunicorn on loopback, creates a workshop, and lets N simulated participants
(default 250) join by link and answer every question as fast as a phone would, with bounded
concurrency and a time limit. Reports p50/p95/p99 latency per route and answers per second, then
checks in the database that exactly N x questions answers are stored: none lost, none twice,
every attempt finished. The same number of requests against /healthz on the same server gives the
framework's floor, and our throughput is printed as a share of it.

    .venv/bin/python bench/load.py                                  # SQLite, 250 participants
    .venv/bin/python bench/load.py --database-url postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/load.py --database-url postgresql://... --servers 2

It sends traffic only to 127.0.0.1, and stops by itself at --time-limit.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scratch_database import scratch_database  # noqa: E402
from sqlalchemy import func, make_url, select  # noqa: E402

from tipquiz.db import make_engine  # noqa: E402

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CHOICE = re.compile(r'name="choice" value="([^"]+)"')
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


@dataclass
class Timings:
    by_route: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, route: str, seconds: float) -> None:
        with self.lock:
            self.by_route[route].append(seconds)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


class Phone:
    """One participant's browser: a keep-alive connection and a cookie jar."""

    def __init__(self, host: str, port: int, timings: Timings, deadline: float):
        self.host, self.port = host, port
        self.timings, self.deadline = timings, deadline
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(self, route: str, method: str, path: str, form: dict | None = None):
        if time.monotonic() > self.deadline:
            raise TimeoutError("time limit reached")
        body = None
        headers = {"Accept-Language": "vi-VN,vi;q=0.9", "User-Agent": "load-benchmark-phone"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(3):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                started = time.perf_counter()
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                payload = response.read().decode("utf-8", "replace")
                self.timings.add(route, time.perf_counter() - started)
                break
            except (ConnectionError, http.client.HTTPException, OSError):
                # A dropped connection: a phone simply sends the same request again.
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location"), payload

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def take_workshop(port: int, code: str, timings: Timings, deadline: float, think: float) -> int:
    """Join by link and answer every question; return the number of answers acknowledged."""
    phone = Phone("127.0.0.1", port, timings, deadline)
    rng = random.Random()
    answered = 0
    try:
        status, _, page = phone.request("GET /j/CODE", "GET", f"/j/{code}")
        token = TOKEN.search(page).group(1)
        status, location, _ = phone.request(
            "POST /j/CODE", "POST", f"/j/{code}", {"csrf_token": token}
        )
        if status != 302:
            raise RuntimeError(f"join answered {status}")
        position = 1
        while True:
            status, location, page = phone.request("GET /quiz/N", "GET", f"/quiz/{position}")
            choices = CHOICE.findall(page)
            token = TOKEN.search(page).group(1)
            if think:
                time.sleep(rng.uniform(0, think))
            status, location, _ = phone.request(
                "POST /quiz/N (answer)",
                "POST",
                f"/quiz/{position}",
                {"csrf_token": token, "choice": [rng.choice(choices)]},
            )
            if status != 302:
                raise RuntimeError(f"answer {position} answered {status}")
            answered += 1
            status, _, page = phone.request("GET /quiz/N (feedback)", "GET", f"/quiz/{position}")
            if "/quiz/results" in page and f'href="/quiz/{position + 1}"' not in page:
                break
            position += 1
        status, _, _ = phone.request("GET /quiz/results", "GET", "/quiz/results")
        if status != 200:
            raise RuntimeError(f"results answered {status}")
    except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
        timings.error(f"{type(exc).__name__}: {exc}")
    finally:
        phone.close()
    return answered


def hit_floor(port: int, requests: int, timings: Timings, deadline: float) -> None:
    phone = Phone("127.0.0.1", port, timings, deadline)
    try:
        for _ in range(requests):
            phone.request("GET /healthz (floor)", "GET", "/healthz")
    except Exception as exc:  # noqa: BLE001
        timings.error(f"floor: {exc}")
    finally:
        phone.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
        finally:
            conn.close()
    raise RuntimeError(f"server on port {port} did not start")


def flask(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "tipquiz", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def create_workshop(url: str, questions: int) -> str:
    """A workshop over every topic, made straight in the database as a facilitator would."""
    from sqlalchemy.orm import Session

    from tipquiz import attempts
    from tipquiz.models import User, Workshop, WorkshopQuestion
    from tipquiz.quiz import build_quiz

    engine = make_engine(url)
    with Session(engine) as session:
        user = User(username=f"bench-{secrets.token_hex(4)}", role="facilitator")
        user.password_hash = "!"
        session.add(user)
        session.flush()
        pool = attempts.published_pool(session)
        chosen = build_quiz(pool, questions, random.Random(1))
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        session.add(
            Workshop(
                code=code,
                title="Load benchmark",
                locale="vi",
                owner_id=user.id,
                topic_keys=sorted(pool),
                question_count=len(chosen),
                questions=[
                    WorkshopQuestion(position=i, question_id=q) for i, q in enumerate(chosen, 1)
                ],
            )
        )
        session.commit()
    engine.dispose()
    return code


def check_database(url: str, code: str, participants: int, questions: int) -> dict:
    from tipquiz.models import Answer, Attempt, Workshop

    engine = make_engine(url)
    with engine.connect() as conn:
        workshop_id = conn.execute(select(Workshop.id).where(Workshop.code == code)).scalar_one()
        in_workshop = select(Attempt.id).where(Attempt.workshop_id == workshop_id)
        attempts_made = conn.execute(
            select(func.count()).select_from(Attempt).where(Attempt.workshop_id == workshop_id)
        ).scalar_one()
        finished = conn.execute(
            select(func.count())
            .select_from(Attempt)
            .where(Attempt.workshop_id == workshop_id, Attempt.finished_at.is_not(None))
        ).scalar_one()
        answers = conn.execute(
            select(func.count(Answer.id)).where(Answer.attempt_id.in_(in_workshop))
        ).scalar_one()
        distinct_items = conn.execute(
            select(func.count(func.distinct(Answer.item_id))).where(
                Answer.attempt_id.in_(in_workshop)
            )
        ).scalar_one()
    engine.dispose()
    return {
        "attempts": attempts_made,
        "finished": finished,
        "answers": answers,
        "distinct_answered_questions": distinct_items,
        "expected_answers": participants * questions,
        "ok": attempts_made == finished == participants
        and answers == distinct_items == participants * questions,
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


def run(
    participants: int = 250,
    questions: int = 12,
    database_url: str | None = None,
    servers: int = 1,
    workers: int = 2,
    threads: int = 4,
    concurrency: int = 50,
    time_limit: float = 300,
    think: float = 0.0,
    floor: bool = True,
    log_file: Path | None = None,
) -> dict:
    """Run the benchmark and return its figures and the database check."""
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url, drop_database = scratch_database(database_url, workdir, "load")
        env = dict(os.environ)
        env.update(
            TIPQUIZ_DATABASE_URL=url,
            TIPQUIZ_SECRET_KEY=secrets.token_urlsafe(32),
            TIPQUIZ_RATELIMIT_ANSWERS="1000 per minute",
            # The same kind of shared store make run uses, but counts of this run only.
            TIPQUIZ_RATELIMIT_STORAGE_URL=f"sqlite:///{workdir / 'ratelimits.sqlite'}",
            PYTHONPATH=str(ROOT),
        )
        processes = []
        log = open(log_file or workdir / "server.log", "w")  # noqa: SIM115
        try:
            flask(env, "db", "upgrade")
            flask(env, "bank", "import")
            code = create_workshop(url, questions)
            ports = [free_port() for _ in range(servers)]
            for port in ports:
                processes.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "gunicorn",
                            "--workers",
                            str(workers),
                            "--threads",
                            str(threads),
                            "--bind",
                            f"127.0.0.1:{port}",
                            "--access-logfile",
                            "-",
                            "--access-logformat",
                            '%(t)s "%(r)s" %(s)s %(b)s %(M)sms',
                            "tipquiz:create_app()",
                        ],
                        cwd=ROOT,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
            for port in ports:
                wait_for(port)

            timings = Timings()
            deadline = time.monotonic() + time_limit
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=concurrency) as pool:
                answered = list(
                    pool.map(
                        lambda i: take_workshop(ports[i % servers], code, timings, deadline, think),
                        range(participants),
                    )
                )
            elapsed = time.perf_counter() - started
            requests = sum(len(v) for v in timings.by_route.values())

            floor_rate = None
            if floor:
                floor_timings = Timings()
                per_phone = max(1, requests // participants)
                floor_started = time.perf_counter()
                with ThreadPoolExecutor(max_workers=concurrency) as pool:
                    list(
                        pool.map(
                            lambda i: hit_floor(
                                ports[i % servers], per_phone, floor_timings, deadline + 60
                            ),
                            range(participants),
                        )
                    )
                floor_elapsed = time.perf_counter() - floor_started
                floor_requests = len(floor_timings.by_route["GET /healthz (floor)"])
                floor_rate = floor_requests / floor_elapsed
                timings.by_route.update(floor_timings.by_route)
                timings.errors += floor_timings.errors

            database = check_database(url, code, participants, questions)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
            log.close()
            drop_database()

    routes = {
        route: {
            "count": len(values),
            "p50_ms": round(percentile(values, 0.50) * 1000, 1),
            "p95_ms": round(percentile(values, 0.95) * 1000, 1),
            "p99_ms": round(percentile(values, 0.99) * 1000, 1),
            "mean_ms": round(statistics.fmean(values) * 1000, 1),
        }
        for route, values in sorted(timings.by_route.items())
    }
    request_rate = requests / elapsed
    return {
        "participants": participants,
        "questions": questions,
        "database": make_url(url).get_backend_name(),
        "servers": servers,
        "workers": workers,
        "threads": threads,
        "concurrency": concurrency,
        "elapsed_s": round(elapsed, 2),
        "answers_acknowledged": sum(answered),
        "answers_per_s": round(sum(answered) / elapsed, 1),
        "requests_per_s": round(request_rate, 1),
        "floor_requests_per_s": round(floor_rate, 1) if floor_rate else None,
        "share_of_floor": round(request_rate / floor_rate, 3) if floor_rate else None,
        "routes": routes,
        "errors": timings.errors[:20],
        "error_count": len(timings.errors),
        "database_check": database,
    }


def report(result: dict) -> str:
    lines = [
        f"{result['participants']} participants x {result['questions']} questions on "
        f"{result['database']}, {result['servers']} server(s) x {result['workers']} workers x "
        f"{result['threads']} threads, {result['concurrency']} at once, "
        f"{os.cpu_count()} cores",
        f"elapsed {result['elapsed_s']} s; {result['answers_per_s']} answers/s; "
        f"{result['requests_per_s']} requests/s",
    ]
    if result["floor_requests_per_s"]:
        lines.append(
            f"floor (/healthz on the same server): {result['floor_requests_per_s']} requests/s; "
            f"ours is {result['share_of_floor']:.0%} of it"
        )
    lines.append(f"{'route':28} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for route, figures in result["routes"].items():
        lines.append(
            f"{route:28} {figures['count']:>6} {figures['p50_ms']:>8} "
            f"{figures['p95_ms']:>8} {figures['p99_ms']:>8}"
        )
    check = result["database_check"]
    lines.append(
        f"database: {check['attempts']} attempts, {check['finished']} finished, "
        f"{check['answers']} answers stored of {check['expected_answers']} expected, "
        f"{check['distinct_answered_questions']} distinct -> {'OK' if check['ok'] else 'FAILED'}"
    )
    if result["error_count"]:
        lines.append(f"{result['error_count']} participant errors, first: {result['errors'][:3]}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=250)
    parser.add_argument("--questions", type=int, default=12)
    parser.add_argument("--database-url", default=os.environ.get("TIPQUIZ_BENCH_DATABASE_URL"))
    parser.add_argument("--servers", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--time-limit", type=float, default=300)
    parser.add_argument("--think", type=float, default=0.0, help="max seconds before answering")
    parser.add_argument("--no-floor", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    result = run(
        participants=args.participants,
        questions=args.questions,
        database_url=args.database_url,
        servers=args.servers,
        workers=args.workers,
        threads=args.threads,
        concurrency=args.concurrency,
        time_limit=args.time_limit,
        think=args.think,
        floor=not args.no_floor,
    )
    print(report(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))
    return 0 if result["database_check"]["ok"] and not result["error_count"] else 1


if __name__ == "__main__":
    sys.exit(main())
