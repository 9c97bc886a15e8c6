"""Rate limits hold when the app runs as ``make run`` starts it: gunicorn, several workers.

The server command is taken from the Makefile itself (``make -n run``), so this tests what a
user actually starts. Requests only go to 127.0.0.1 and every wait is bounded.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from helpers import _password_hash

from tipquiz.db import make_engine
from tipquiz.models import Base, User

ROOT = Path(__file__).resolve().parent.parent
ATTEMPTS = 25
LIMIT = 10  # failed sign-ins per name and address per minute, the default


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_run_server_command(port: int) -> list[str]:
    """The gunicorn command ``make run`` would run, read from ``make -n``."""
    planned = subprocess.run(
        ["make", "-n", "run", f"PORT={port}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout.replace("\\\n", " ")
    line = next(line for line in planned.splitlines() if "gunicorn" in line)
    command = shlex.split(line)
    assert f"127.0.0.1:{port}" in command
    return command


def wait_until_serving(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server stopped"
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5).close()
            return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    raise AssertionError("the server did not answer in time")


def sign_in_attempts(port: int, count: int) -> list[int]:
    """Wrong passwords for one name from one browser; each on a fresh connection."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    with opener.open(f"{base}/login", timeout=10) as response:
        html = response.read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    statuses = []
    for n in range(count):
        body = urllib.parse.urlencode(
            {"csrf_token": token, "username": "lan", "password": f"wrong {n}"}
        ).encode()
        try:
            with opener.open(f"{base}/login", data=body, timeout=10) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
            error.close()
    return statuses


@pytest.mark.slow
@pytest.mark.parametrize("storage", ["default", "redis"])
def test_make_run_holds_the_sign_in_limit_across_its_workers(tmp_path, storage, request):
    database = tmp_path / "served.sqlite"
    engine = make_engine(f"sqlite:///{database}")
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            User.__table__.insert().values(
                username="lan", password_hash=_password_hash(), role="facilitator", active=True
            )
        )
    engine.dispose()
    port = free_port()
    env = {
        **os.environ,
        "TIPQUIZ_DATABASE_URL": f"sqlite:///{database}",
        "TIPQUIZ_SECRET_KEY": "served test secret",
        # Counts of this run only, whatever else shares the store.
        "TIPQUIZ_RATELIMIT_KEY_PREFIX": f"test-{secrets.token_hex(8)}",
    }
    env.pop("TIPQUIZ_RATELIMIT_STORAGE_URL", None)
    if storage == "redis":
        env["TIPQUIZ_RATELIMIT_STORAGE_URL"] = request.getfixturevalue("redis_url")
    command = make_run_server_command(port)
    assert "--workers" in command and int(command[command.index("--workers") + 1]) >= 2
    with (tmp_path / "server.log").open("w") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )
        try:
            wait_until_serving(port, process)
            statuses = sign_in_attempts(port, ATTEMPTS)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
    assert set(statuses) <= {200, 429}, statuses
    assert statuses.count(200) == LIMIT, statuses
