"""Teams rendering and reading, without a server: user text never becomes formatting, a link or a
mention; activities become the right core events."""

from __future__ import annotations

import base64
import re
from datetime import datetime, timezone

from hypothesis import given
from hypothesis import strategies as st

from bot.core.delivery import Address, Outgoing
from bot.core.events import AnswerEvent, ChoiceEvent, CommandEvent, MessageEvent
from bot.core.replies import Ask, Choices, Document, Edit, Image, Option, Text
from bot.transports.teams.activity import chat_key, read_text, strip_mentions, to_event, workspace_of
from bot.transports.teams.render import CARD_TYPE, Renderer, chunks, plain_label, to_markdown
from prompts.catalog import default_catalog
from prompts.markup import Markup, escape
from tests.teams_fake import BOT_ID, TENANT, visible

NOW = datetime(2026, 9, 7, 8, tzinfo=timezone.utc)
NAMES = frozenset({"hulp", "help", "aansluiten", "nieuwteam", "vragen"})
HOSTILE = "*Groep_3* <at>Iedereen</at> [klik](https://evil.example) `x` # ~weg~ \\ & <b>vet</b>"


def out(reply, question_id=None) -> Outgoing:
    return Outgoing(Address("teams", "19:c@thread.tacv2"), "nl", reply, question_id)


def test_user_text_is_escaped_in_messages():
    md = to_markdown(Markup(f"Team *{escape(HOSTILE)}* is klaar"))
    assert "<at>" not in md and "<b>" not in md and not re.search(r"(?<!\\)\]\(", md)  # no link made
    assert "&lt;at&gt;Iedereen&lt;/at&gt;" in md
    for marker in ("\\*Groep\\_3\\*", "\\[klik\\]", "\\`x\\`", "\\#", "\\~weg\\~", "\\\\"):
        assert marker in md, marker
    assert visible(md) == f"Team {HOSTILE} is klaar"  # the reader sees exactly what was typed


def test_catalog_formatting_and_safe_links_only():
    md = to_markdown(Markup("*vet* _schuin_ `code` [NRO](https://www.nro.nl) [x](javascript:alert(1))"))
    assert md.startswith("**vet** _schuin_ `code` [NRO](https://www.nro.nl)")
    assert "](javascript" not in md
    assert to_markdown(Markup("regel 1\nregel 2")) == "regel 1\n\nregel 2"
    assert to_markdown(escape("- geen lijst\n1. geen nummer")) == "\\- geen lijst\n\n\\1. geen nummer"


@given(st.text(max_size=200))
def test_any_user_text_reads_back_unchanged_and_never_mentions(text):
    md = to_markdown(escape(text))
    assert "<" not in md and ">" not in md
    assert (
        visible(md).strip() == "\n".join(line for line in text.split("\n") if line.strip()).strip()
        or not text.strip()
    )


def test_cards_use_lookalikes_and_carry_only_the_value():
    renderer = Renderer(default_catalog())
    reply = Choices(
        Markup(f"Kies, {escape(HOSTILE)}"),
        (Option(escape("<at>A</at> *één*"), "teams"), Option(Markup("twee"), "help")),
    )
    [activity] = renderer.render(out(reply))
    card = activity["attachments"][0]
    assert card["contentType"] == CARD_TYPE and card["content"]["version"] == "1.5"
    text = card["content"]["body"][0]["text"]
    assert "<" not in text and "*" not in text and "[" not in text and "_" not in text
    assert [a["data"] for a in card["content"]["actions"]] == [{"leerteam": "teams"}, {"leerteam": "help"}]
    assert card["content"]["actions"][0]["title"] == "<at>A</at> *één*"  # titles are plain text
    ask = renderer.render(out(Ask(Markup("Wat zie je?"), "cycle_answer"), question_id="17"))[0]
    content = ask["attachments"][0]["content"]
    assert content["body"][-1]["type"] == "Input.Text"
    assert content["actions"][0]["data"] == {"leerteam_answer": "17"}
    assert content["actions"][0]["title"] == "Versturen"


def test_images_documents_edits_and_long_texts():
    renderer = Renderer(default_catalog())
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 20
    [img] = renderer.render(
        out(Image(png, "chart.png", caption=Markup("Uitslag"), alt_text=Markup("3 ja, 1 nee")))
    )
    assert img["attachments"][0]["contentUrl"] == "data:image/png;base64," + base64.b64encode(png).decode()
    assert visible(img["text"]) == "Uitslag\n3 ja, 1 nee"
    [doc] = renderer.render(out(Document(b"# Kaart\n<at>x</at>", "kaart.md", caption=Markup("De kaart"))))
    assert "kaart.md" in doc["text"] and "&lt;at&gt;" in doc["text"] and "<at>" not in doc["text"]
    [ics] = renderer.render(out(Document(b"BEGIN:VCALENDAR", "a.ics", mime="text/calendar")))
    assert "```\nBEGIN:VCALENDAR\n```" in ics["text"]
    [binary] = renderer.render(out(Document(b"\xff\xfe", "a.bin", mime="application/octet-stream")))
    assert "kan ik in Teams niet meesturen" in visible(binary["text"])
    [edit] = renderer.render(out(Edit("menu", Text(Markup("Nieuw")))))
    assert edit["text"] == "Nieuw"
    long = renderer.render(out(Text(escape(("woord " * 50 + "\n") * 200))))
    assert len(long) > 1 and all(len(a["text"]) <= 20000 for a in long)
    assert all(len(c) <= 100 for c in chunks("x" * 250 + "\\*", 100))
    assert plain_label(Markup("*Heel* " + "lang " * 40)).endswith("…")


def _activity(text=None, *, channel=True, mention=True, value=None, aad="aad-1", **extra):
    data = {
        "type": "message",
        "id": "act-1",
        "serviceUrl": "https://smba.example/emea/",
        "from": {"id": "29:u", "name": "Anna", "aadObjectId": aad},
        "recipient": {"id": BOT_ID},
        "locale": "nl-BE",
        "text": text,
        "value": value,
        **extra,
    }
    if channel:
        data["conversation"] = {
            "id": "19:c@thread.tacv2;messageid=5",
            "conversationType": "channel",
            "tenantId": TENANT,
        }
        data["channelData"] = {"team": {"id": "19:t@thread.tacv2"}, "channel": {"id": "19:c@thread.tacv2"}}
        if mention:
            data["text"] = f"<at>Leerteam</at> {text}"
            data["entities"] = [{"type": "mention", "text": "<at>Leerteam</at>", "mentioned": {"id": BOT_ID}}]
    else:
        data["conversation"] = {"id": "a:1" + "x" * 200, "conversationType": "personal", "tenantId": TENANT}
    return data


def test_activities_become_core_events():
    ev = to_event(_activity("/nieuwteam Groep 5"), NOW, NAMES)
    assert isinstance(ev, CommandEvent) and (ev.name, ev.args) == ("nieuwteam", "Groep 5")
    assert ev.chat.chat_id == "19:c@thread.tacv2" and not ev.chat.is_private
    assert (
        ev.chat.workspace_id == workspace_of(TENANT, "19:t@thread.tacv2") and len(ev.chat.workspace_id) <= 64
    )
    assert ev.user.user_id == "aad-1" and ev.user.locale == "nl-BE" and ev.event_id == "act-1"
    bare = to_event(_activity("aansluiten"), NOW, NAMES)
    assert isinstance(bare, CommandEvent) and bare.name == "aansluiten"
    # not addressed to the bot in a channel: never a command, at most an answer
    assert isinstance(to_event(_activity("/aansluiten", mention=False), NOW, NAMES), MessageEvent)
    # a private chat: the person's own id, whatever the long conversation id
    private = to_event(_activity("hulp bij rekenen", channel=False), NOW, NAMES)
    assert isinstance(private, CommandEvent) and private.chat.chat_id == "aad-1" and private.chat.is_private
    answer = to_event(_activity("hulp bij rekenen", channel=False), NOW, NAMES, lambda user, private: True)
    assert isinstance(answer, MessageEvent) and answer.text == "hulp bij rekenen"  # waited for: an answer
    choice = to_event(_activity(None, channel=False, value={"leerteam": "teams"}), NOW, NAMES)
    assert isinstance(choice, ChoiceEvent) and choice.value == "teams"
    typed = to_event(
        _activity(None, channel=False, value={"leerteam_answer": "4", "answer": " ja "}), NOW, NAMES
    )
    assert isinstance(typed, AnswerEvent) and (typed.question_id, typed.text) == ("4", "ja")
    assert to_event(_activity("hoi", channel=False, aad=None, **{"from": {"id": BOT_ID}}), NOW, NAMES) is None
    assert to_event({**_activity("x"), "type": "typing"}, NOW, NAMES) is None


def test_mentions_commands_and_chat_keys():
    bram = {
        "type": "mention",
        "text": "<at>Bram Jansen</at>",
        "mentioned": {"id": "29:b", "name": "Bram Jansen"},
    }
    bot = {"type": "mention", "text": "<at>Leerteam</at>", "mentioned": {"id": BOT_ID}}
    text = "<at>Leerteam</at> /voorzitter <at>Bram Jansen</at> Groep 5&nbsp;&amp; co"
    assert strip_mentions(text, [bot, bram], BOT_ID) == "/voorzitter @BramJansen Groep 5 & co"
    assert strip_mentions("<p><at>Iemand</at> hallo</p>") == "hallo"
    assert read_text("/Hulp\nmeer", NAMES, False) == ("hulp", "meer")
    assert read_text("Hulp bij rekenen", NAMES, False) == ("hulp", "bij rekenen")
    assert read_text("Hulp bij rekenen", NAMES, True) is None
    assert read_text("goedemorgen allemaal", NAMES, False) is None
    assert chat_key("19:short@thread.tacv2") == "19:short@thread.tacv2"
    long = chat_key("19:" + "m" * 100 + "@thread.v2")
    assert long.startswith("h:") and len(long) <= 64 and long == chat_key("19:" + "m" * 100 + "@thread.v2")
