"""A participant on a cheap phone and a slow network, step by step through a 12-question quiz.

Drives Debian's Chromium through Playwright at 390x844 with the slow-3G profile of the issue:
2 s round trip, 50 KB/s down and up (CDP ``Network.emulateNetworkConditions``), CPU slowed 4x
(``Emulation.setCPUThrottlingRate``). It starts the app under gunicorn on loopback with a
database of its own, then times, from the tap to the new content painted:

- home: the home page, first visit (nothing cached) and second visit (stylesheet cached);
- start -> question: tapping "Start the quiz" until question 1 is painted;
- answer -> feedback: tapping "Check my answer" until the feedback is painted;
- next -> question: tapping "Next question" until the next question is painted (the last one
  goes to the results page).

A step ends at the first contentful paint of the new page (Paint Timing), or, when a
script put the new page in place without a navigation, at the ``page-swapped`` mark it leaves.
The whole quiz's waiting is the sum of the start, answer and next steps. It also counts the
requests each step made. Goal: every step painted within 2.5 s, the whole quiz under 30 s.

    .venv/bin/python bench/slow_phone.py
    .venv/bin/python bench/slow_phone.py --project /path/to/another/checkout   # compare
    .venv/bin/python bench/slow_phone.py --no-throttle                          # sanity check

It talks only to 127.0.0.1 and gives up after --time-limit seconds.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
SLOW_3G = {
    "offline": False,
    "latency": 2000,
    "downloadThroughput": 50 * 1024,
    "uploadThroughput": 50 * 1024,
}
GOAL_STEP = 2.5
GOAL_QUIZ = 30.0

# Taps an element and notes when, in epoch milliseconds, in storage that outlives the page.
TAP = """(element) => {
  sessionStorage.setItem("bench-tap", String(performance.timeOrigin + performance.now()));
  element.click();
}"""

# The paint that ended the step: the new document's first paint, or the script's swap mark.
PAINTED = """(origin) => {
  const tap = Number(sessionStorage.getItem("bench-tap"));
  if (performance.timeOrigin !== origin) {
    const paints = performance.getEntriesByName("first-contentful-paint");
    return paints.length ? [tap, performance.timeOrigin + paints[0].startTime, "navigation"] : null;
  }
  const marks = performance.getEntriesByName("page-swapped");
  if (!marks.length) return null;
  const swapped = performance.timeOrigin + marks[marks.length - 1].startTime;
  return swapped > tap ? [tap, swapped, "swap"] : null;
}"""


@dataclass
class Step:
    name: str
    seconds: float
    requests: int
    kilobytes: float
    how: str


@dataclass
class Run:
    steps: list[Step] = field(default_factory=list)

    def of(self, name: str) -> list[Step]:
        return [s for s in self.steps if s.name == name]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, timeout: float = 60) -> None:
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


def start_server(project: Path, workdir: Path, port: int) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        TIPQUIZ_DATABASE_URL=f"sqlite:///{workdir / 'slow.sqlite'}",
        TIPQUIZ_SECRET_KEY=secrets.token_urlsafe(32),
        PYTHONPATH=str(project),
    )
    for args in (["db", "upgrade"], ["bank", "import"]):
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "tipquiz", *args],
            cwd=project,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4"]
        + ["--bind", f"127.0.0.1:{port}", "tipquiz:create_app()"],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(port)
    return server


class Phone:
    """One Chromium tab on a slow network, tapping like a participant and timing each step."""

    def __init__(self, page, cdp, run: Run):
        self.page, self.cdp, self.run = page, cdp, run
        self.requests = 0
        self.bytes = 0
        cdp.on("Network.loadingFinished", self._received)
        cdp.on("Network.requestWillBeSent", self._redirected)

    def _redirected(self, event) -> None:
        """A redirect is a round trip of its own, though no body arrives."""
        if "redirectResponse" in event:
            self.requests += 1

    def _received(self, event) -> None:
        """A response that came over the network (one from the cache has no bytes)."""
        if event.get("encodedDataLength", 0) > 0:
            self.requests += 1
            self.bytes += event["encodedDataLength"]

    def step(self, name: str, seconds: float, counts: tuple[int, int], how: str) -> Step:
        requests, received = self.requests - counts[0], (self.bytes - counts[1]) / 1024
        step = Step(name, seconds, requests, received, how)
        self.run.steps.append(step)
        return step

    def open(self, name: str, url: str) -> Step:
        counts = (self.requests, self.bytes)
        started = time.time() * 1000
        self.page.goto(url, wait_until="commit")
        painted = self.poll(
            """() => {
              const paints = performance.getEntriesByName("first-contentful-paint");
              return paints.length && performance.timeOrigin + paints[0].startTime;
            }"""
        )
        self.page.wait_for_load_state("load")
        return self.step(name, (painted - started) / 1000, counts, "navigation")

    def poll(self, expression: str, arg=None, timeout: float = 60):
        """Evaluate until truthy, polling from here: with JavaScript off the page cannot poll."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                value = self.page.evaluate(expression, arg)
            except Exception:  # noqa: BLE001 - the page is being replaced: try again
                value = None
            if value:
                return value
            time.sleep(0.02)
        raise TimeoutError("nothing painted in time")

    def tap(self, name: str, selector: str) -> Step:
        """Tap and wait until the new content is painted."""
        origin = self.page.evaluate("() => performance.timeOrigin")
        counts = (self.requests, self.bytes)
        self.page.locator(selector).first.evaluate(TAP)
        try:
            tap, painted, how = self.poll(PAINTED, origin)
        except Exception:
            print(f"no paint after {name} (step {len(self.run.steps) + 1}) at {self.page.url}")
            raise
        self.page.wait_for_load_state("load")
        return self.step(name, (painted - tap) / 1000, counts, how)


def take_quiz(base: str, throttle: bool, reading: float, javascript: bool = True) -> Run:
    from playwright.sync_api import sync_playwright

    run = Run()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="vi-VN",
            java_script_enabled=javascript,
        )
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        if throttle:
            cdp.send("Network.emulateNetworkConditions", SLOW_3G)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
        phone = Phone(page, cdp, run)
        phone.open("home (first visit)", base + "/")
        phone.open("home (stylesheet cached)", base + "/")
        phone.tap("start -> question", "form.start button[type=submit]")
        page.wait_for_timeout(reading * 1000)
        for position in range(1, 13):
            page.locator("form.question input[name=choice]").first.check()
            phone.tap("answer -> feedback", "form.question button[type=submit]")
            assert page.locator("#feedback").count() == 1, f"no feedback for {position}"
            page.wait_for_timeout(reading * 1000)
            phone.tap("next -> question", "#feedback a.button-primary")
        assert "/quiz/results" in page.url, page.url
        browser.close()
    return run


def report(run: Run) -> bool:
    print(f"{'step':<28}{'n':>3}{'median s':>10}{'max s':>8}{'requests':>10}{'KB':>7}  how")
    ok = True
    names = list(dict.fromkeys(s.name for s in run.steps))
    for name in names:
        steps = run.of(name)
        seconds = [s.seconds for s in steps]
        hows = "/".join(sorted({s.how for s in steps}))
        requests = statistics.median(s.requests for s in steps)
        kilobytes = statistics.median(s.kilobytes for s in steps)
        print(
            f"{name:<28}{len(steps):>3}{statistics.median(seconds):>10.2f}{max(seconds):>8.2f}"
            f"{requests:>10.0f}{kilobytes:>7.1f}  {hows}"
        )
        if not name.startswith("home (first") and max(seconds) > GOAL_STEP:
            ok = False
    quiz = [s for s in run.steps if not s.name.startswith("home")]
    waiting = sum(s.seconds for s in quiz)
    print(f"whole quiz: {len(quiz)} steps, {waiting:.1f} s of waiting (goal under {GOAL_QUIZ} s)")
    worst = max(s.seconds for s in quiz)
    print(f"slowest quiz step: {worst:.2f} s (goal within {GOAL_STEP} s)")
    return ok and waiting < GOAL_QUIZ


def give_up(_signum, _frame) -> None:
    raise TimeoutError("time limit reached")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=ROOT, help="checkout to serve")
    parser.add_argument("--no-throttle", action="store_true")
    parser.add_argument("--no-javascript", action="store_true", help="a phone with JS off")
    parser.add_argument(
        "--read", type=float, default=0, help="seconds spent reading each page before tapping"
    )
    parser.add_argument("--time-limit", type=float, default=600)
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(int(args.time_limit))
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        server = start_server(args.project.resolve(), Path(tmp), port)
        try:
            run = take_quiz(
                f"http://127.0.0.1:{port}", not args.no_throttle, args.read, not args.no_javascript
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    met = report(run)
    print("goal met" if met else "goal NOT met")


if __name__ == "__main__":
    main()
