"""The web pages in a real browser: Debian's Chromium, headless, driven by Playwright.

A school is built by replaying examples/cycle.txt through the console (plus a meeting rhythm,
an agenda point and a second cycle); then ``leerteam`` runs as a teacher would run it, on a
terminal, serving the pages on 127.0.0.1. The link comes from typing ``/web`` in that console.
The browser opens it, the school page, a team page, searches the library, opens a quality card
and downloads its PDF; each page is saved as a screenshot under tests/output/ (ignored by git,
kept by CI as an artifact).
"""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import unavailable
from tests.harness import free_port

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "tests" / "output"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PROMPT = re.compile(rb"[\w\-]+@(dm|#[\w\-]+)> ")
LINK = re.compile(rb"(http://127\.0\.0\.1:\d+/web/login/[A-Za-z0-9_\-]+)")
EXTRA = """/as bram
/in groep-5
/ritme dinsdag 15:30 60
/cyclus Rekenen: redactiesommen
/probleem Redactiesommen gaan mis door het lezen.
/nulmeting 55 | % goed | toets september
/as carla
/agendapunt Leesresultaten groep 5 bespreken | 20 | carla
/as anna
/in bovenbouw
/nieuwteam Bovenbouw
"""


def _env(workdir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEERTEAM_", "TELEGRAM_", "SLACK_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=f"sqlite:///{workdir / 'leerteam.db'}",
        LEERTEAM_WEB_PORT=str(port),
        LEERTEAM_TICK_SECONDS="0",
        LEERTEAM_IMAGE_DIR=str(workdir / "files"),
    )
    return env


class Terminal:
    """``python -m bot`` on a pseudo-terminal, as a teacher starts it."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=workdir,
            env=env,
            close_fds=True,
        )
        os.close(slave)
        self.seen = b""

    def wait_for(self, pattern: re.Pattern[bytes], timeout: float = 30) -> re.Match[bytes]:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            found = pattern.search(self.seen)
            if found:
                self.seen = self.seen[found.end() :]
                return found
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                self.seen += os.read(self.master, 65536)
        raise AssertionError(f"waited for {pattern.pattern!r}; the console wrote {self.seen[-800:]!r}")

    def type(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\n")
        self.wait_for(PROMPT)

    def close(self) -> None:
        try:
            os.write(self.master, b"/stop\n")
            self.proc.wait(timeout=15)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)


def test_a_teacher_logs_in_from_the_console_and_reads_the_pages(tmp_path):
    if not Path(CHROMIUM).exists():
        unavailable("Debian's chromium is not installed (.ci/run installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pip install -e '.[test]')")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = _env(tmp_path, port)
    script = (ROOT / "examples" / "cycle.txt").read_text(encoding="utf-8") + EXTRA
    seeded = subprocess.run(
        [sys.executable, "-m", "bot"],
        input=script,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=180,
    )
    assert seeded.returncode == 0 and "is afgerond" in seeded.stdout, seeded.stdout[-2000:] + seeded.stderr
    assert "Webpagina's" not in seeded.stdout  # a script gets no server and no new line

    console = Terminal(tmp_path, env)
    try:
        console.wait_for(re.compile(rb"Webpagina's: http://127\.0\.0\.1:" + str(port).encode() + rb"/web/"))
        console.wait_for(PROMPT)
        console.type("/as carla")
        os.write(console.master, b"/web\n")
        link = console.wait_for(LINK).group(1).decode()
        console.wait_for(PROMPT)
        _browse(sync_playwright, link, tmp_path)
    finally:
        console.close()


def _browse(sync_playwright, link: str, tmp_path: Path) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(accept_downloads=True, viewport={"width": 1200, "height": 800})
            deadline = time.monotonic() + 20  # the server starts a moment after the prompt
            while True:
                try:
                    page.goto(link)
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
            assert page.locator("html").get_attribute("lang") == "nl"
            assert page.locator("h1").inner_text() == "De Regenboog: alle teams"
            page.keyboard.press("Tab")  # the first key press reaches the skip link to the content
            assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
            assert "Rekenen: redactiesommen" in page.inner_text("table")
            page.screenshot(path=str(OUTPUT / "school.png"), full_page=True)

            page.get_by_role("link", name="Groep 5").click()
            assert page.locator("h1").inner_text() == "Team Groep 5"
            assert "Leesresultaten groep 5 bespreken" in page.inner_text("main")
            assert (page.locator("svg[role=img] desc").text_content() or "").startswith("Beginsituatie 55")
            page.screenshot(path=str(OUTPUT / "team.png"), full_page=True)

            page.get_by_role("link", name="Bibliotheek").click()
            page.get_by_label("Zoeken in kaarten en bronnen").fill("close reading")
            page.keyboard.press("Enter")  # the form works from the keyboard, without JavaScript
            page.wait_for_url(re.compile(r".*/library\?q=close\+reading"))
            main = page.inner_text("main")
            assert "Close reading in de klas" in main and "Hardop denken bij teksten" not in main
            page.screenshot(path=str(OUTPUT / "library.png"), full_page=True)

            page.goto(link.split("/web/")[0] + "/web/school/1/library")
            page.get_by_role("link", name=re.compile("Begrijpend lezen in groep 5")).click()
            assert page.locator("h1").inner_text().startswith("Kwaliteitskaart")
            page.screenshot(path=str(OUTPUT / "card.png"), full_page=True)
            with page.expect_download() as download:
                page.get_by_role("link", name="Download als pdf").click()
            pdf = tmp_path / download.value.suggested_filename
            download.value.save_as(pdf)
            assert pdf.suffix == ".pdf" and pdf.read_bytes().startswith(b"%PDF")
        finally:
            browser.close()
