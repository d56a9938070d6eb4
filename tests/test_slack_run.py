"""``run_slack`` as ``python -m bot`` starts it: the HTTP Events API server and Socket Mode,
each against the local stand-in for Slack (127.0.0.1 only), stopped by cancelling."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qsl

from aiohttp import ClientSession

from bot.core.config import Settings
from bot.transports.slack import run_slack
from tests.harness import free_port, wait_until_serving
from tests.slack_fake import SECRET, FakeSlackAPI, SlackSender, wait_until


async def _stop(task: asyncio.Task) -> None:
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass


async def test_http_mode_serves_the_events_api(app, database_url, capsys):
    api = await FakeSlackAPI().start()
    api.add_user("U0ANNA", "anna")
    port = free_port()
    settings = Settings(DATABASE_URL=database_url, SLACK_BOT_TOKEN="xoxb-test", SLACK_SIGNING_SECRET=SECRET,
                        SLACK_APP_TOKEN=None, SLACK_API_URL=api.api_url, LEERTEAM_HOST="127.0.0.1", PORT=port,
                        _env_file=None)
    task = asyncio.create_task(run_slack(app, settings))
    base = f"http://127.0.0.1:{port}"
    sender = SlackSender(f"{base}/slack/events", api)
    try:
        async with ClientSession() as http:
            await wait_until_serving(http, f"{base}/healthz")
        assert f"op 127.0.0.1:{port}/slack/events" in capsys.readouterr().out
        status, text = await sender.post(json.dumps({"type": "url_verification", "challenge": "c-123"}),
                                         "application/json")
        assert status == 200 and "c-123" in text
        status, _ = await sender.command("hulp", user="U0ANNA", channel="D0ANNA")
        assert status == 200
        await wait_until(lambda: api.of("chat.postMessage"), what="the help reply")
        assert "Wat ik kan" in api.of("chat.postMessage")[0].all_text
        status, _ = await sender.command("hulp", user="U0ANNA", channel="D0ANNA", secret="wrong")
        assert status == 401
    finally:
        await _stop(task)
        await sender.close()
        await api.stop()


async def test_socket_mode_receives_over_the_websocket_and_acknowledges(app, database_url, capsys):
    api = await FakeSlackAPI().start()
    api.add_user("U0ANNA", "anna")
    settings = Settings(DATABASE_URL=database_url, SLACK_BOT_TOKEN="xoxb-test", SLACK_APP_TOKEN="xapp-test",
                        SLACK_SIGNING_SECRET=None, SLACK_API_URL=api.api_url, _env_file=None)
    task = asyncio.create_task(run_slack(app, settings))
    try:
        await wait_until(lambda: api.of("apps.connections.open"), what="apps.connections.open")
        sender = SlackSender("unused", api)
        command = sender.command_body("nieuweschool De Regenboog", user="U0ANNA", channel="D0ANNA")
        await sender.close()
        await api.socket_send({"envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": True,
                               "payload": dict(parse_qsl(command))})
        await wait_until(lambda: any(m.get("envelope_id") == "env-1" for m in api.socket_sent), what="the ack")
        await wait_until(lambda: api.of("chat.postMessage"), what="the reply")
        assert "School *De Regenboog* is gestart" in api.of("chat.postMessage")[0]["text"]
        assert "Socket Mode" in capsys.readouterr().out
        # the same envelope delivered again (a reconnect) is acknowledged but not handled twice
        await api.socket_send({"envelope_id": "env-2", "type": "slash_commands", "accepts_response_payload": True,
                               "retry_attempt": 1, "payload": dict(parse_qsl(command))})
        await wait_until(lambda: any(m.get("envelope_id") == "env-2" for m in api.socket_sent), what="the 2nd ack")
        await asyncio.sleep(0)  # (the lazy work is tracked; stopping below waits for it)
    finally:
        await _stop(task)
        await api.stop()
    assert len(api.of("chat.postMessage")) == 1


async def test_python_m_bot_runs_slack_in_socket_mode_and_stops_cleanly_on_sigterm(database_url, tmp_path):
    """The program as an installer starts it: settings from the environment pick Socket Mode."""
    import os
    import signal
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    api = await FakeSlackAPI().start()
    api.add_user("U0ANNA", "anna")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TELEGRAM_", "LEERTEAM_"))}
    env.update({"PYTHONPATH": str(root), "DATABASE_URL": database_url, "SLACK_BOT_TOKEN": "xoxb-test",
                "SLACK_APP_TOKEN": "xapp-test", "SLACK_API_URL": api.api_url, "PYTHONUNBUFFERED": "1"})
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", cwd=tmp_path, env=env,
                                                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
        assert "verbonden met Slack (Socket Mode)" in line.decode(), line
        sender = SlackSender("unused", api)
        command = sender.command_body("hulp", user="U0ANNA", channel="D0ANNA")
        await sender.close()
        await api.socket_send({"envelope_id": "env-9", "type": "slash_commands", "accepts_response_payload": True,
                               "payload": dict(parse_qsl(command))})
        await wait_until(lambda: api.of("chat.postMessage"), timeout=30, what="the reply from the program")
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), timeout=30)
        stderr = (await proc.stderr.read()).decode()
        assert code == 0, stderr
        assert "Traceback" not in stderr
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await api.stop()
