"""The Slack transport's pure parts: mrkdwn and Block Kit rendering, reading Slack's payloads,
the Slack settings and the app manifest. No network, no database."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.core.config import Settings, SettingsError, load_settings
from bot.transports.slack.inbound import answer_value, is_direct, readable, request_key, split_command
from bot.transports.slack.render import MAX_SECTION, Renderer
from prompts.catalog import default_catalog
from prompts.markup import escape, plain

ROOT = Path(__file__).resolve().parent.parent
R = Renderer("/leerteam", ["hulp", "help", "teams", "aansluiten", "nieuwe_fase"])


# --- mrkdwn ----------------------------------------------------------------------------------
def test_core_markup_becomes_mrkdwn():
    assert R.mrkdwn("*vet* en _schuin_ en `code` en [NRO](https://www.nro.nl/a?b=1&c=2)") == (
        "*vet* en _schuin_ en `code` en <https://www.nro.nl/a?b=1&amp;c=2|NRO>")
    assert R.mrkdwn("*vet _en schuin_*") == "*vet* *_en schuin_*"
    assert R.mrkdwn("* los *") == "∗ los ∗"  # not at word edges: no formatting in the core either


def test_user_text_can_not_ping_link_or_format():
    hostile = "<!channel> <!here> <@U0ANNA> <https://evil.example|klik> *vet* _schuin_ ~door~ `code` & DATABASE_URL"
    out = R.mrkdwn(escape(hostile))
    assert out == ("&lt;!channel&gt; &lt;!here&gt; &lt;@U0ANNA&gt; &lt;https://evil.example|klik&gt; "
                   "∗vet∗ ˍschuinˍ ∼door∼ ˋcodeˋ &amp; DATABASEˍURL")
    assert not re.search(r"<[!@#h]", out) and not re.search(r"[*_~`]", out)


@given(st.text(max_size=200))
def test_any_user_text_stays_plain_in_mrkdwn(text):
    out = R.mrkdwn(escape(text))
    assert "<" not in out and ">" not in out
    assert not re.search(r"[*_~`]", out)
    assert re.sub(r"&(amp|lt|gt);", "", out).count("&") == 0  # every & is an entity


def test_only_safe_links_are_links():
    assert R.mrkdwn("[klik](javascript:alert)") == "klik"
    assert R.mrkdwn("[a|b](https://x.nl/p|q)") == "<https://x.nl/p%7Cq|a|b>"
    assert R.mrkdwn("[mail](mailto:ib@school.nl)") == "<mailto:ib@school.nl|mail>"


def test_code_spans_keep_their_text_but_cannot_be_closed_early():
    assert R.mrkdwn("`/hulp <opdracht> *x*`") == "`/leerteam hulp &lt;opdracht&gt; *x*`"
    assert R.mrkdwn("`a" + "\\`" + "b`") == "`aˋb`"


def test_command_names_become_subcommands():
    assert R.mrkdwn("Typ /hulp of /help, /teams.") == "Typ /leerteam hulp of /leerteam help, /leerteam teams."
    assert R.mrkdwn("Fase: /nieuwe\\_fase") == "Fase: /leerteam nieuwe_fase"
    assert R.mrkdwn("https://x.nl/teams en a/hulp en /onbekend en /hulpje") == (
        "https://x.nl/teams en a/hulp en /onbekend en /hulpje")
    assert R.plain("*Typ /aansluiten*") == "Typ /leerteam aansluiten"


# --- Block Kit -------------------------------------------------------------------------------
def test_bold_lines_are_headers_and_the_rest_sections():
    blocks = R.text_blocks("*Leerteams van De \\*Regenboog\\**\n*Groep 3-4* — 1 lid\n  - Bram\n\n*Schoolleiding*\n  - Anna")
    assert [b["type"] for b in blocks] == ["header", "section", "header", "section"]
    assert blocks[0]["text"] == {"type": "plain_text", "text": "Leerteams van De *Regenboog*", "emoji": True}
    assert blocks[1]["text"] == {"type": "mrkdwn", "text": "*Groep 3-4* — 1 lid\n  - Bram", "verbatim": True}


def test_long_text_is_split_into_sections_within_slacks_limits():
    body = "\n".join(escape(f"regel {i} " + "x&<" * 40) for i in range(400))
    blocks = R.text_blocks(body)
    assert 1 < len(blocks) <= 50
    assert all(len(b["text"]["text"]) <= MAX_SECTION for b in blocks)
    assert all(not re.search(r"&(?!amp;|lt;|gt;)", b["text"]["text"]) for b in blocks)  # no split entity
    one_line = escape("y" * 7000)
    assert [len(b["text"]["text"]) for b in R.text_blocks(one_line)] == [3000, 3000, 1000]
    many_headers = "\n".join(f"*Kop {i}*\ntekst {i}" for i in range(60))
    blocks = R.text_blocks(many_headers)
    assert len(blocks) <= 50 and all(b["type"] == "section" for b in blocks)
    assert R.fallback(body).endswith("…") and len(R.fallback(body)) <= 3000


def test_choices_are_buttons_carrying_only_their_value():
    blocks = R.choice_blocks("Kies:", [(escape(f"Optie <{i}>"), f"cmd {i}") for i in range(30)])
    actions = [b for b in blocks if b["type"] == "actions"]
    assert [len(a["elements"]) for a in actions] == [25, 5]
    first = actions[0]["elements"][0]
    assert first == {"type": "button", "action_id": "leerteam_choice_0",
                     "text": {"type": "plain_text", "text": "Optie <0>", "emoji": True}, "value": "cmd 0"}
    assert len({e["action_id"] for a in actions for e in a["elements"]}) == 30


def test_the_answer_modal_and_button_value_stay_within_limits():
    question = R.mrkdwn(escape("Waarom & hoe <precies>? " * 400))
    value = answer_value("17", "nl", True, question)
    data = json.loads(value)
    assert len(value) <= 2000 and data["q"] == "17" and data["l"] == "nl" and data["t"].endswith("…")
    assert not re.search(r"&(?!amp;|lt;|gt;)", data["t"][:-1])
    modal = R.answer_modal(title="Jouw antwoord op een hele lange vraag", submit="Versturen", close="Annuleren",
                           label="Jouw antwoord", question=data["t"], multiline=False, metadata={"q": "17", "c": "C1"})
    assert len(modal["title"]["text"]) <= 24 and modal["title"]["text"].endswith("…")
    assert modal["blocks"][-1]["element"] == {"type": "plain_text_input", "action_id": "text", "multiline": False,
                                              "max_length": 3000}
    assert json.loads(modal["private_metadata"]) == {"q": "17", "c": "C1"}


# --- reading Slack ---------------------------------------------------------------------------
def test_slash_command_text_with_mentions_channels_and_entities():
    name, args, mentions = split_command("Voorzitter <@U0BRAM|bram> Groep 3&amp;4 &lt;x&gt; <#C0A|groep-3-4>")
    assert (name, args) == ("voorzitter", "@bram Groep 3&4 <x> #groep-3-4")
    assert [(m.platform, m.user_id, m.display_name, m.handle) for m in mentions] == [("slack", "U0BRAM", "bram", "bram")]
    assert split_command("schoolleider <@U0CARLA>")[1:] == ("@U0CARLA", split_command("x <@U0CARLA>")[2])
    assert split_command("") == ("", "", ())
    assert split_command("  /hulp  teams ")[:2] == ("hulp", "teams")
    text, _ = readable("<!here> zie <https://nro.nl|NRO> en <https://x.nl>")
    assert text == "@here zie NRO en https://x.nl"


def test_places_and_keys():
    assert is_direct("D0ANNA") and is_direct("C0X", "directmessage") and not is_direct("C0GROEP") and not is_direct("G0X")
    body = {"trigger_id": "123.456.abc", "view": {"id": "V1"}, "event_id": "Ev1"}
    assert request_key("cmd", body, "trigger_id") == "cmd:123.456.abc"
    assert request_key("view", body, "view.id") == "view:V1"
    assert request_key("x", {"a": 1}, "trigger_id") == request_key("x", {"a": 1}, "trigger_id")
    assert request_key("x", {"a": 1}, "trigger_id") != request_key("x", {"a": 2}, "trigger_id")


# --- settings --------------------------------------------------------------------------------
@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_COMMAND", "LEERTEAM_LANGUAGE",
                 "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)

    def said(**values: str) -> str:
        for k, v in values.items():
            monkeypatch.setenv(k, v)
        with pytest.raises(SettingsError) as err:
            load_settings()
        return plain(default_catalog().render(err.value.message, err.value.lang))

    return said


def test_slack_settings_choose_the_mode(env, monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    s = load_settings()
    assert (s.transport, s.slack_mode, s.slack_command) == ("slack", "socket", "/leerteam")
    monkeypatch.setenv("SLACK_APP_TOKEN", "")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "abc")
    assert load_settings().slack_mode == "http"


def test_wrong_slack_settings_are_named(env):
    assert env(SLACK_BOT_TOKEN="xoxb-1") == (
        "SLACK_BOT_TOKEN is ingesteld, maar SLACK_APP_TOKEN (voor Socket Mode) en SLACK_SIGNING_SECRET (voor HTTP) "
        "ontbreken allebei. Stel er een van in.")
    text = env(SLACK_APP_TOKEN="xoxb-swapped", LEERTEAM_LANGUAGE="en")
    assert text.startswith("The setting SLACK_APP_TOKEN is wrong: a Slack token for this setting starts with xapp-.")
    assert "swapped" not in text  # a token is never echoed
    assert "SLACK_COMMAND" in env(SLACK_APP_TOKEN="xapp-1", SLACK_COMMAND="leerteam")


# --- the manifest ----------------------------------------------------------------------------
def test_the_manifest_declares_what_the_app_uses():
    manifest = yaml.safe_load((ROOT / "slack-manifest.yml").read_text(encoding="utf-8"))
    (cmd,) = manifest["features"]["slash_commands"]
    assert cmd["command"] == Settings(_env_file=None).slack_command and cmd["should_escape"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_read_only_enabled"] is False
    settings = manifest["settings"]
    assert settings["interactivity"]["is_enabled"] is True and settings["socket_mode_enabled"] is True
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_home_opened", "message.im", "channel_left", "group_left", "member_left_channel", "channel_archive",
        "group_archive", "app_mention"}
    used = set()
    for path in (ROOT / "bot" / "transports" / "slack").glob("*.py"):
        used |= set(re.findall(r"client\.(\w+)\(", path.read_text(encoding="utf-8")))
    assert used == {"auth_test", "users_info", "views_open", "views_publish", "chat_postMessage",
                    "chat_postEphemeral", "chat_update", "conversations_open", "files_upload_v2",
                    "conversations_info"}
    needs = {"users_info": "users:read", "chat_postMessage": "chat:write", "chat_postEphemeral": "chat:write",
             "chat_update": "chat:write", "conversations_open": "im:write", "files_upload_v2": "files:write",
             "conversations_info": "groups:read"}
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {needs[m] for m in used if m in needs} | {"commands", "im:history", "channels:read",
                                                     "app_mentions:read"} <= scopes


def test_the_procfile_slack_http_role_serves_http_even_with_an_app_token(env, monkeypatch):
    roles = dict(line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip())
    *assignments, program = roles["slack-http"].split()
    assert program == "leerteam"
    for name, value in (("SLACK_BOT_TOKEN", "xoxb-1"), ("SLACK_APP_TOKEN", "xapp-1"), ("SLACK_SIGNING_SECRET", "s")):
        monkeypatch.setenv(name, value)
    assert load_settings().slack_mode == "socket"
    for assignment in assignments:
        name, _, value = assignment.partition("=")
        monkeypatch.setenv(name, value)
    assert load_settings().slack_mode == "http"
