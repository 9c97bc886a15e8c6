"""What a whole room costs the server: 250 phones joining in one second, then every answer.

Side by side in one run, under the same gunicorn settings (processes x threads), on loopback:

1. **Join**: 250 phones have the workshop page open; within one second (evenly spread) each taps
   "Start the quiz". Timed from the tap to the first question received: with the quiz script
   that is one response (``X-Swap``), otherwise the redirect and the question page.
2. **Answers**: the phones then answer their 12 questions as fast as the server takes them
   (``--concurrency`` at once, a plain form POST answered by a redirect, as without script):
   answers per second, and the CPU the gunicorn workers spent per answer.
3. **Hello world**: a Flask app whose only view answers a POST with "Hello, World!", under the
   same gunicorn settings, gets the same number of POSTs with the same concurrency: the floor.
4. **Database**: every answer stored exactly once, every attempt finished.

    .venv/bin/python bench/server_cost.py                          # SQLite, 2 workers x 4 threads
    .venv/bin/python bench/server_cost.py --shapes 2x4,4x1,1x8      # several shapes in turn
    .venv/bin/python bench/server_cost.py --database-url postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/server_cost.py --project /path/to/another/checkout   # compare

Only 127.0.0.1 is spoken to; the load generator runs on the same cores as the server, and the
run stops at --time-limit.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import os
import queue
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import check_database, create_workshop, free_port, percentile, wait_for  # noqa: E402
from scratch_database import scratch_database  # noqa: E402
from sqlalchemy import select  # noqa: E402

from tipquiz.db import make_engine  # noqa: E402

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
HELLO = """from flask import Flask

app = Flask(__name__)


@app.post("/")
def hello():
    return "Hello, World!"
"""


class Phone:
    """A keep-alive connection with a cookie jar."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.token = ""

    def request(self, method: str, path: str, form: dict | None = None, headers=None):
        sent = {"Accept-Language": "vi", "Accept-Encoding": "gzip", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(3):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                self.conn.request(method, path, body=body, headers=sent)
                response = self.conn.getresponse()
                payload = response.read()
                if response.getheader("Content-Encoding") == "gzip":
                    payload = gzip.decompress(payload)
                break
            except (ConnectionError, http.client.HTTPException, OSError):
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


def worker_cpu_seconds(master: int) -> float:
    """User and system CPU of gunicorn's workers so far, read from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return 0.0
    for child in children:
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def gunicorn(app: str, port: int, shape: tuple[int, int], cwd: Path, env: dict, log):
    workers, threads = shape
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads)]
        + ["--bind", f"127.0.0.1:{port}", "--backlog", "2048", app],
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process


def join_burst(port: int, code: str, phones: int, spread: float) -> tuple[list[Phone], list[float]]:
    """Every phone opens the workshop page, then they all tap Start within ``spread`` seconds."""
    ready = []
    for _ in range(phones):
        phone = Phone(port)
        status, _, page = phone.request("GET", f"/j/{code}")
        phone.token = TOKEN.search(page.decode()).group(1)
        ready.append(phone)
    waits: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start_at = time.perf_counter() + 0.5

    def tap(index: int, phone: Phone) -> None:
        time.sleep(max(0.0, start_at + spread * index / phones - time.perf_counter()))
        tapped = time.perf_counter()
        try:
            status, location, page = phone.request(
                "POST", f"/j/{code}", {"csrf_token": phone.token}, {"X-Swap": "1"}
            )
            if status in (302, 303):
                status, location, page = phone.request("GET", location)
            if status != 200:
                raise RuntimeError(f"join answered {status}")
            with lock:
                waits.append(time.perf_counter() - tapped)
        except Exception as exc:  # noqa: BLE001 - counted and reported
            with lock:
                errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=tap, args=(i, p)) for i, p in enumerate(ready)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        print(f"  join errors: {len(errors)}, first: {errors[:3]}")
    return ready, waits


def attempt_answers(url: str, secret: str, phones: list[Phone]) -> list[list[tuple[int, str]]]:
    """For each phone, (position, one of its choices) for every question of its attempt."""
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface

    from tipquiz.models import Attempt, AttemptQuestion

    signer = Flask("bench")
    signer.secret_key = secret
    serializer = SecureCookieSessionInterface().get_signing_serializer(signer)
    tokens = [serializer.loads(phone.cookies["tipquiz"])["attempt"] for phone in phones]
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(Attempt.token, AttemptQuestion.position, AttemptQuestion.choice_order)
            .join(AttemptQuestion, AttemptQuestion.attempt_id == Attempt.id)
            .where(Attempt.token.in_(tokens))
            .order_by(AttemptQuestion.position)
        ).all()
    engine.dispose()
    by_token: dict[str, list[tuple[int, str]]] = {}
    for token, position, order in rows:
        by_token.setdefault(token, []).append((position, random.choice(order)))
    return [by_token[token] for token in tokens]


def closed_loop(concurrency: int, jobs: list, send) -> tuple[float, int, list[float]]:
    """Run ``send(job)`` for every job with ``concurrency`` threads; elapsed, failures, times."""
    work: queue.Queue = queue.Queue()
    for job in jobs:
        work.put(job)
    times: list[float] = []
    failures = [0]
    lock = threading.Lock()

    def run() -> None:
        while True:
            try:
                job = work.get_nowait()
            except queue.Empty:
                return
            for item in job:
                started = time.perf_counter()
                ok = send(item)
                with lock:
                    times.append(time.perf_counter() - started)
                    failures[0] += 0 if ok else 1

    threads = [threading.Thread(target=run) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, failures[0], times


def measure(args, shape: tuple[int, int], workdir: Path) -> dict:
    url, drop_database = scratch_database(args.database_url, workdir, "cost")
    secret = secrets.token_urlsafe(32)
    env = dict(os.environ)
    env.update(
        TIPQUIZ_DATABASE_URL=url,
        TIPQUIZ_SECRET_KEY=secret,
        TIPQUIZ_RATELIMIT_ANSWERS="10000 per minute",
        # The same kind of shared store make run uses, but counts of this run only.
        TIPQUIZ_RATELIMIT_STORAGE_URL=f"sqlite:///{workdir / 'ratelimits.sqlite'}",
        PYTHONPATH=str(args.project),
    )
    (workdir / "hello.py").write_text(HELLO)
    log = open(workdir / "server.log", "a")  # noqa: SIM115
    processes = []
    try:
        for command in (["db", "upgrade"], ["bank", "import"]):
            subprocess.run(
                [sys.executable, "-m", "flask", "--app", "tipquiz", *command],
                cwd=args.project,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        code = create_workshop(url, args.questions)
        app_port, hello_port = free_port(), free_port()
        app = gunicorn("tipquiz:create_app()", app_port, shape, args.project, env, log)
        hello = gunicorn("hello:app", hello_port, shape, workdir, env, log)
        processes += [app, hello]
        wait_for(app_port)
        time.sleep(1)  # let every worker finish starting

        phones, waits = join_burst(app_port, code, args.phones, args.spread)
        jobs = []
        for phone, answers in zip(phones, attempt_answers(url, secret, phones), strict=True):
            jobs.append([(phone, position, choice) for position, choice in answers])

        def answer(item) -> bool:
            phone, position, choice = item
            status, _, _ = phone.request(
                "POST", f"/quiz/{position}", {"csrf_token": phone.token, "choice": [choice]}
            )
            return status in (302, 303)

        cpu_before = worker_cpu_seconds(app.pid)
        elapsed, failures, times = closed_loop(args.concurrency, jobs, answer)
        cpu = worker_cpu_seconds(app.pid) - cpu_before
        answers = sum(len(job) for job in jobs)
        for phone in phones:
            phone.close()

        hello_phones = [Phone(hello_port) for _ in range(args.phones)]

        def say_hello(phone: Phone) -> bool:
            status, _, _ = phone.request("POST", "/", {"csrf_token": "x", "choice": ["a"]})
            return status == 200

        hello_jobs = [[p] * len(job) for p, job in zip(hello_phones, jobs, strict=True)]
        hello_cpu_before = worker_cpu_seconds(hello.pid)
        hello_elapsed, hello_failures, hello_times = closed_loop(
            args.concurrency, hello_jobs, say_hello
        )
        hello_cpu = worker_cpu_seconds(hello.pid) - hello_cpu_before
        for phone in hello_phones:
            phone.close()
        database = check_database(url, code, args.phones, args.questions)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
        drop_database()
    rate = answers / elapsed
    hello_rate = answers / hello_elapsed
    return {
        "shape": f"{shape[0]}x{shape[1]}",
        "joined": len(waits),
        "join_p50": percentile(waits, 0.5) if waits else float("nan"),
        "join_p95": percentile(waits, 0.95) if waits else float("nan"),
        "join_max": max(waits) if waits else float("nan"),
        "answers": answers,
        "answer_failures": failures,
        "answers_per_s": rate,
        "answer_p95_ms": percentile(times, 0.95) * 1000,
        "answer_cpu_ms": cpu / answers * 1000,
        "hello_per_s": hello_rate,
        "hello_failures": hello_failures,
        "hello_cpu_ms": hello_cpu / answers * 1000,
        "share": rate / hello_rate,
        "database": database,
        "hello_p95_ms": percentile(hello_times, 0.95) * 1000,
    }


def report(database: str, result: dict) -> None:
    check = result["database"]
    print(
        f"{database} {result['shape']}: join p50 {result['join_p50']:.2f} s, "
        f"p95 {result['join_p95']:.2f} s, max {result['join_max']:.2f} s "
        f"({result['joined']} joined)"
    )
    print(
        f"  answers {result['answers_per_s']:.0f}/s (p95 {result['answer_p95_ms']:.0f} ms, "
        f"{result['answer_cpu_ms']:.2f} ms CPU each, {result['answer_failures']} failed); "
        f"hello world {result['hello_per_s']:.0f}/s ({result['hello_cpu_ms']:.2f} ms CPU); "
        f"share {result['share']:.0%}"
    )
    print(
        f"  database: {check['answers']} answers of {check['expected_answers']}, "
        f"{check['distinct_answered_questions']} distinct, {check['finished']} finished "
        f"-> {'OK' if check['ok'] else 'FAILED'}"
    )


def give_up(_signum, _frame) -> None:
    raise TimeoutError("time limit reached")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("TIPQUIZ_BENCH_DATABASE_URL"))
    parser.add_argument("--shapes", default="2x4", help="workers x threads, comma-separated")
    parser.add_argument("--phones", type=int, default=250)
    parser.add_argument("--questions", type=int, default=12)
    parser.add_argument("--spread", type=float, default=1.0, help="seconds the joins spread over")
    parser.add_argument("--concurrency", type=int, default=16, help="answers in flight at once")
    parser.add_argument("--project", type=Path, default=ROOT, help="checkout to serve")
    parser.add_argument("--time-limit", type=float, default=900)
    args = parser.parse_args()
    args.project = args.project.resolve()
    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(int(args.time_limit))
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    database = "postgresql" if (args.database_url or "").startswith("postgres") else "sqlite"
    ok = True
    for text in args.shapes.split(","):
        workers, threads = (int(n) for n in text.lower().split("x"))
        with tempfile.TemporaryDirectory() as tmp:
            result = measure(args, (workers, threads), Path(tmp))
        report(database, result)
        print(f"  load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        ok = ok and result["database"]["ok"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
