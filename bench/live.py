"""Live benchmark: 250 phones follow a facilitator-led session, then a check of the database.

Starts the app under gunicorn on loopback (one or more servers on one database), creates a
facilitator-led workshop and signs its facilitator in. N simulated phones (default 250, one
thread each) join by link and then behave as ``static/follow.js`` does: every 0.7-1.3 s they ask
``/follow/CODE/state`` (no cookie, If-None-Match), and when the state changes they load the room
page; on a new question they wait a moment, as a person reads, and answer. The facilitator
presses Start, then Reveal and Next through the same POST forms as the remote page, for every
question, and End.

Reported: p50/p95 of the time from the facilitator sending Start/Next to each phone having the
new question on screen; answer acknowledgement p50/p95; how many requests per second the
waiting phones send, and that rate as a share of the most the state endpoint can serve on the
same server; and a check in the database that every acknowledged answer is stored exactly once.

    .venv/bin/python bench/live.py                                  # SQLite, 250 phones
    .venv/bin/python bench/live.py --database-url postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/live.py --database-url postgresql://... --servers 2

It sends traffic only to 127.0.0.1 and stops by itself at --time-limit.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import CHOICE, TOKEN, flask, free_port, percentile, wait_for  # noqa: E402
from scratch_database import scratch_database  # noqa: E402
from sqlalchemy import func, make_url, select  # noqa: E402

from tipquiz.db import make_engine  # noqa: E402

STATE = re.compile(r'data-room-state="([^"]+)"')
ANSWER_ACTION = re.compile(r'action="(/follow/[A-Z0-9]+/answer/(\d+))"')
STEP_FORM = re.compile(r"<form[^>]*data-next-step[^>]*>(.*?)</form>", re.S)
HIDDEN = re.compile(r'name="(\w+)" value="([^"]*)"')
PASSWORD = "bench password long enough"


class Client:
    """One browser: a keep-alive connection, a cookie jar, and a way to send no cookie at all."""

    def __init__(self, port: int, deadline: float):
        self.port, self.deadline = port, deadline
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self,
        method: str,
        path: str,
        form: dict | None = None,
        headers: dict | None = None,
        cookies: bool = True,
    ) -> tuple[int, dict[str, str], str]:
        if time.monotonic() > self.deadline:
            raise TimeoutError("time limit reached")
        sent = {"Accept-Language": "vi-VN,vi;q=0.9", **(headers or {})}
        if cookies and self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(3):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                self.conn.request(method, path, body=body, headers=sent)
                response = self.conn.getresponse()
                payload = response.read().decode("utf-8", "replace")
                break
            except (ConnectionError, http.client.HTTPException, OSError):
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        if cookies:
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
        return response.status, {k.lower(): v for k, v in response.getheaders()}, payload

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


@dataclass
class Session:
    """What the facilitator did and when, and what every phone saw; shared by all threads."""

    code: str
    questions: int
    opened: dict[int, float] = field(default_factory=dict)
    ended: threading.Event = field(default_factory=threading.Event)
    follow: list[float] = field(default_factory=list)
    acks: list[float] = field(default_factory=list)
    polls: int = 0
    cpu_at_start: float = 0.0
    refused_late: int = 0
    acknowledged: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, value: float) -> None:
        with self.lock:
            getattr(self, name).append(value)

    def count(self, name: str) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + 1)


def phone(port: int, session: Session, deadline: float, think: float) -> None:
    """Join, then follow the room as follow.js does, answering every question shown."""
    client = Client(port, deadline)
    rng = random.Random()
    code = session.code
    try:
        status, _, page = client.request("GET", f"/j/{code}")
        token = TOKEN.search(page).group(1)
        status, headers, _ = client.request("POST", f"/j/{code}", {"csrf_token": token})
        if status != 302 or not headers.get("location", "").endswith(f"/follow/{code}"):
            raise RuntimeError(f"join answered {status}")
        status, _, page = client.request("GET", f"/follow/{code}")
        state = STATE.search(page).group(1)
        poller = Client(port, deadline)  # follow.js asks with credentials: "omit"
        try:
            while True:
                time.sleep(0.7 + rng.random() * 0.6)
                status, headers, body = poller.request(
                    "GET",
                    f"/follow/{code}/state",
                    headers={"If-None-Match": f'"{state}"', "Accept": "application/json"},
                    cookies=False,
                )
                session.count("polls")
                if status == 304:
                    continue
                if status != 200:
                    raise RuntimeError(f"state answered {status}")
                state = json.loads(body)["state"]
                status, _, page = client.request("GET", f"/follow/{code}")
                seen = time.perf_counter()
                if "get-help" in page:
                    return
                found = ANSWER_ACTION.search(page)
                if found is None:
                    continue
                position = int(found.group(2))
                if position in session.opened:
                    session.add("follow", seen - session.opened[position])
                if think:
                    time.sleep(rng.uniform(0, think))
                choices = CHOICE.findall(page)
                token = TOKEN.search(page).group(1)
                started = time.perf_counter()
                status, _, _ = client.request(
                    "POST", found.group(1), {"csrf_token": token, "choice": [rng.choice(choices)]}
                )
                if status == 302:
                    session.add("acks", time.perf_counter() - started)
                    session.count("acknowledged")
                elif status == 409:
                    session.count("refused_late")
                else:
                    raise RuntimeError(f"answer {position} answered {status}")
        finally:
            poller.close()
    except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
        with session.lock:
            session.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        client.close()


def facilitator(
    port: int,
    workshop_id: int,
    session: Session,
    deadline: float,
    open_s: float,
    reveal_s: float,
    cpu: Callable[[], float],
) -> None:
    """Sign in, then Start, and Reveal / Next for every question, then the results."""
    client = Client(port, deadline)
    try:
        _, _, page = client.request("GET", "/login")
        token = TOKEN.search(page).group(1)
        status, _, _ = client.request(
            "POST",
            "/login",
            {"csrf_token": token, "username": "bench-facilitator", "password": PASSWORD},
        )
        if status != 302:
            raise RuntimeError(f"login answered {status}")
        session.cpu_at_start = cpu()  # after the deliberately slow password check
        position = 0
        while True:
            _, _, page = client.request("GET", f"/lead/{workshop_id}/remote")
            form = STEP_FORM.search(page)
            if form is None:
                break
            fields = dict(HIDDEN.findall(form.group(1)))
            if fields["action"] in ("start", "next") and position < session.questions:
                position += 1
                session.opened[position] = time.perf_counter()
            status, _, _ = client.request("POST", f"/lead/{workshop_id}/step", fields)
            if status != 302:
                raise RuntimeError(f"step {fields['action']} answered {status}")
            time.sleep(open_s if fields["action"] in ("start", "next") else reveal_s)
    except Exception as exc:  # noqa: BLE001
        with session.lock:
            session.errors.append(f"facilitator: {type(exc).__name__}: {exc}")
    finally:
        session.ended.set()
        client.close()


def state_floor(port: int, code: str, requests: int, deadline: float) -> int:
    client = Client(port, deadline)
    done = 0
    try:
        for _ in range(requests):
            client.request("GET", f"/follow/{code}/state", cookies=False)
            done += 1
    finally:
        client.close()
    return done


def create_workshop(url: str, questions: int) -> tuple[int, str]:
    """A led workshop over every topic and its facilitator, made straight in the database."""
    from sqlalchemy.orm import Session as DbSession
    from werkzeug.security import generate_password_hash

    from tipquiz import attempts
    from tipquiz.models import User
    from tipquiz.workshops import create_workshop as create

    engine = make_engine(url)
    with DbSession(engine, expire_on_commit=False) as db:
        user = User(username="bench-facilitator", role="facilitator")
        user.password_hash = generate_password_hash(PASSWORD)
        db.add(user)
        db.commit()
        workshop = create(
            db,
            owner=user,
            title="Live benchmark",
            locale="vi",
            topic_keys=list(attempts.published_pool(db)),
            question_count=questions,
            mode="led",
        )
        found = workshop.id, workshop.code
    engine.dispose()
    return found


def check_database(url: str, workshop_id: int, acknowledged: int) -> dict:
    from tipquiz.models import Answer, Attempt

    engine = make_engine(url)
    with engine.connect() as conn:
        in_workshop = select(Attempt.id).where(Attempt.workshop_id == workshop_id)
        stored = conn.execute(
            select(func.count(Answer.id)).where(Answer.attempt_id.in_(in_workshop))
        ).scalar_one()
        distinct = conn.execute(
            select(func.count(func.distinct(Answer.item_id))).where(
                Answer.attempt_id.in_(in_workshop)
            )
        ).scalar_one()
        joined = conn.execute(
            select(func.count()).select_from(Attempt).where(Attempt.workshop_id == workshop_id)
        ).scalar_one()
    engine.dispose()
    return {
        "attempts": joined,
        "answers_stored": stored,
        "distinct_answered_questions": distinct,
        "acknowledged": acknowledged,
        "ok": stored == distinct == acknowledged,
    }


def gunicorn(port: int, env: dict, log, workers: int, threads: int) -> subprocess.Popen:
    return subprocess.Popen(
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


def cpu_seconds(root_pids: list[int]) -> float:
    """CPU time (user + system) used so far by these processes and their children (Linux).

    On a machine shared with other work, latencies say more about the neighbours than about the
    app; the CPU the servers spent does not, so it is reported too.
    """
    tick = os.sysconf("SC_CLK_TCK")
    wanted = set(root_pids)
    parents: dict[int, int] = {}
    times: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = int(fields[11]) + int(fields[12])
    total = 0
    for pid, used in times.items():
        if pid in wanted or parents.get(pid) in wanted:
            total += used
    return total / tick


def figures(values: list[float]) -> dict:
    if not values:
        return {"count": 0}
    return {
        "count": len(values),
        "p50_ms": round(percentile(values, 0.50) * 1000, 1),
        "p95_ms": round(percentile(values, 0.95) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
    }


def run(
    phones: int = 250,
    questions: int = 12,
    database_url: str | None = None,
    servers: int = 1,
    workers: int = 2,
    threads: int = 4,
    open_s: float = 6.0,
    reveal_s: float = 2.0,
    think: float = 3.0,
    time_limit: float = 400,
) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url, drop_database = scratch_database(database_url, workdir, "live")
        env = dict(os.environ)
        env.update(
            TIPQUIZ_DATABASE_URL=url,
            TIPQUIZ_SECRET_KEY=secrets.token_urlsafe(32),
            TIPQUIZ_RATELIMIT_ANSWERS="1000 per minute",
            TIPQUIZ_RATELIMIT_LOGIN="1000 per minute",
            # The same kind of shared store make run uses, but counts of this run only.
            TIPQUIZ_RATELIMIT_STORAGE_URL=f"sqlite:///{workdir / 'ratelimits.sqlite'}",
            PYTHONPATH=str(ROOT),
        )
        processes = []
        log = open(workdir / "server.log", "w")  # noqa: SIM115
        try:
            flask(env, "db", "upgrade")
            flask(env, "bank", "import")
            workshop_id, code = create_workshop(url, questions)
            ports = [free_port() for _ in range(servers)]
            processes = [gunicorn(port, env, log, workers, threads) for port in ports]
            for port in ports:
                wait_for(port)
            session = Session(code=code, questions=questions)
            deadline = time.monotonic() + time_limit
            with ThreadPoolExecutor(max_workers=phones + 1) as pool:
                joined = [
                    pool.submit(phone, ports[i % servers], session, deadline, think)
                    for i in range(phones)
                ]
                # Everyone in the lobby first, as in a room, before the facilitator starts.
                time.sleep(min(30.0, 2 + phones * 0.04))
                started = time.perf_counter()
                polls_before = session.polls
                pool.submit(
                    facilitator,
                    ports[0],
                    workshop_id,
                    session,
                    deadline,
                    open_s,
                    reveal_s,
                    lambda: cpu_seconds([p.pid for p in processes]),
                )
                session.ended.wait(timeout=time_limit)
                elapsed = time.perf_counter() - started
                session_cpu = cpu_seconds([p.pid for p in processes]) - session.cpu_at_start
                polls = session.polls - polls_before
                for future in joined:
                    future.result()
            floor_started = time.perf_counter()
            floor_cpu = cpu_seconds([p.pid for p in processes])
            with ThreadPoolExecutor(max_workers=50) as pool:
                served = sum(
                    pool.map(
                        lambda i: state_floor(ports[i % servers], code, 100, deadline + 120),
                        range(50),
                    )
                )
            floor_rate = served / (time.perf_counter() - floor_started)
            poll_cpu_ms = (cpu_seconds([p.pid for p in processes]) - floor_cpu) / served * 1000
            database = check_database(url, workshop_id, session.acknowledged)
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
    poll_rate = polls / elapsed
    return {
        "phones": phones,
        "questions": questions,
        "database": make_url(url).get_backend_name(),
        "servers": servers,
        "workers": workers,
        "threads": threads,
        "session_s": round(elapsed, 1),
        "follow": figures(session.follow),
        "expected_follows": phones * questions,
        "answer_ack": figures(session.acks),
        "state_polls_per_s": round(poll_rate, 1),
        "state_floor_per_s": round(floor_rate, 1),
        "share_of_floor": round(poll_rate / floor_rate, 3),
        "server_cpu_s": round(session_cpu, 1),
        "server_cpu_per_question_s": round(session_cpu / questions, 2),
        "cpu_ms_per_state_poll": round(poll_cpu_ms, 2),
        "state_polls_cpu_share": round(poll_rate * poll_cpu_ms / 1000 / (os.cpu_count() or 1), 3),
        "load_average": os.getloadavg(),
        "refused_late": session.refused_late,
        "errors": session.errors[:10],
        "error_count": len(session.errors),
        "database_check": database,
    }


def report(result: dict) -> str:
    follow, ack = result["follow"], result["answer_ack"]
    check = result["database_check"]
    return "\n".join(
        [
            f"{result['phones']} phones x {result['questions']} questions, facilitator-led, on "
            f"{result['database']}, {result['servers']} server(s) x {result['workers']} workers x "
            f"{result['threads']} threads, {os.cpu_count()} cores; session {result['session_s']} s",
            f"follow Start/Next -> question on screen: p50 {follow.get('p50_ms')} ms, "
            f"p95 {follow.get('p95_ms')} ms, max {follow.get('max_ms')} ms "
            f"({follow['count']} of {result['expected_follows']} seen)",
            f"answer acknowledged: p50 {ack.get('p50_ms')} ms, p95 {ack.get('p95_ms')} ms "
            f"({ack['count']} answers); refused as late: {result['refused_late']}",
            f"waiting phones: {result['state_polls_per_s']} state requests/s; the state endpoint "
            f"serves up to {result['state_floor_per_s']}/s here ({result['share_of_floor']:.0%})",
            f"server CPU: {result['server_cpu_s']} s in the session, "
            f"{result['server_cpu_per_question_s']} s per question for all phones; "
            f"{result['cpu_ms_per_state_poll']} ms per state poll, so waiting phones use "
            f"{result['state_polls_cpu_share']:.0%} of the machine's cores",
            f"load average at the end (1, 5, 15 min): {result['load_average']}",
            f"database: {check['answers_stored']} answers stored, "
            f"{check['distinct_answered_questions']} distinct, {check['acknowledged']} "
            f"acknowledged -> {'OK' if check['ok'] else 'FAILED'}",
            f"errors: {result['error_count']} {result['errors'][:3] if result['errors'] else ''}",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=250)
    parser.add_argument("--questions", type=int, default=12)
    parser.add_argument("--database-url", default=os.environ.get("TIPQUIZ_BENCH_DATABASE_URL"))
    parser.add_argument("--servers", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--open-seconds", type=float, default=6.0, help="question open for")
    parser.add_argument("--reveal-seconds", type=float, default=2.0, help="reveal shown for")
    parser.add_argument("--think", type=float, default=3.0, help="max seconds before answering")
    parser.add_argument("--time-limit", type=float, default=400)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    result = run(
        phones=args.phones,
        questions=args.questions,
        database_url=args.database_url,
        servers=args.servers,
        workers=args.workers,
        threads=args.threads,
        open_s=args.open_seconds,
        reveal_s=args.reveal_seconds,
        think=args.think,
        time_limit=args.time_limit,
    )
    print(report(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))
    check = result["database_check"]
    good = check["ok"] and not result["error_count"]
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
