"""The role's name is the school's choice (issue 16 part 5, seed 001's "PLG-begeleider"): one school
setting (/rolnaam), filled into every text that names the role, on every platform and language."""

from __future__ import annotations

import re

import pytest

from handlers.school.role_name import role_of
from prompts.catalog import ROLES, Msg, Plural, default_catalog
from storage.models import School
from tests.harness import TEAM, Chat, setup_team

# the texts that may spell the role out: the role words themselves, the command that names them,
# command names (/voorzitter stays) and the texts that list the four choices
ALLOWED = re.compile(r"^(role_words\.|cmd\.[a-z_]+\.name$|cmd\.role_name\.help$)")
WORDS = {"nl": re.compile(r"(?i)(?<![{\w])voorzitter"), "nl-BE": re.compile(r"(?i)(?<![{\w])voorzitter"),
         "en": re.compile(r"(?i)(?<![{\w])chair(s|person)?(?![\w}])")}


@pytest.mark.parametrize("lang", ["nl", "nl-BE", "en"])
def test_no_text_names_the_role_itself(lang: str):
    cat = default_catalog()
    found = []
    for key, template in cat.messages[lang].items():
        texts = template.forms.values() if isinstance(template, Plural) else [template]
        if not ALLOWED.match(key) and any(WORDS[lang].search(t) for t in texts):
            found.append(key)
    assert found == []


@pytest.mark.parametrize("role, nl, en", [
    ("voorzitter", "Alleen de voorzitter van *X*", "Only the chair of *X*"),
    ("procesbegeleider", "Alleen de procesbegeleider van *X*", "Only the process facilitator of *X*"),
    ("plg_begeleider", "Alleen de PLG-begeleider van *X*", "Only the PLC facilitator of *X*"),
    ("leerteamcoordinator", "Alleen de leerteamcoördinator van *X*", "Only the learning-team coordinator of *X*"),
    (None, "Alleen de voorzitter van *X*", "Only the chair of *X*"),
])
def test_the_catalog_fills_the_role_word(role, nl, en):
    cat = default_catalog()
    assert str(cat.render(Msg("access.need_chair", team="X"), "nl", "slack", role)).startswith(nl)
    assert str(cat.render(Msg("access.need_chair", team="X"), "en", "telegram", role)).startswith(en)
    assert "de directeur" in str(cat.render(Msg("access.need_chair", team="X"), "nl-BE", None, role))


def test_plural_and_capitalised_role_words():
    cat = default_catalog()
    assert [str(cat.render(Msg(f"role_words.plg_begeleider.{w}"), "nl")) for w in ("role", "roles")] == \
        ["PLG-begeleider", "PLG-begeleiders"]
    assert str(cat.render(Msg("cmd.poll_close.help"), "en", None, "procesbegeleider")).endswith(
        "Process facilitator.")


@pytest.mark.parametrize("typed, role", [
    ("voorzitter", "voorzitter"), ("Procesbegeleider", "procesbegeleider"), ("PLG-begeleider", "plg_begeleider"),
    ("plg begeleider", "plg_begeleider"), ("leerteamcoördinator", "leerteamcoordinator"),
    ("Leerteamcoordinator", "leerteamcoordinator"), ("chair", "voorzitter"),
    ("process facilitator", "procesbegeleider"), ("PLC facilitator", "plg_begeleider"),
    ("learning-team coordinator", "leerteamcoordinator"), ("directeur", None), ("", None),
])
def test_typed_roles(typed, role):
    assert role_of(typed) == role
    assert role is None or role in ROLES


async def test_the_leader_sets_the_word_and_every_text_uses_it(app, chat: Chat):
    await setup_team(chat)
    assert "begeleidt: voorzitter." in (await chat.say("/rolnaam", as_="carla")).text
    refused = await chat.say("/rolnaam procesbegeleider", as_="carla")
    assert "Alleen een schoolleider" in refused.text
    unknown = await chat.say("/rolnaam directeur", as_="anna")
    assert "'directeur' ken ik niet" in unknown.text and "PLG-begeleider" in unknown.text
    done = await chat.say("/rolnaam PLG-begeleider", as_="anna")
    assert "vanaf nu: PLG-begeleider." in done.text and "/voorzitter blijft" in done.text
    async with app.sessions() as s:
        assert (await s.get(School, 1)).role_name == "plg_begeleider"
    # a refusal to a member, the chair's own message and the team's overview all say the school's word
    assert "Alleen de PLG-begeleider van Groep 5" in (await chat.say("/ritme dinsdag 15:30 60", as_="carla",
                                                                          in_=TEAM)).text
    made = await chat.say("/voorzitter carla Groep 5", as_="anna")
    assert "is nu PLG-begeleider van team Groep 5" in made.text
    told = [o for o in chat.last_sent if o.address.user_id == "carla"]
    assert told and all("voorzitter" not in str(o.reply.body) for o in told)
    assert any("je PLG-begeleider gemaakt" in str(o.reply.body) for o in told)
    # English and Flemish readers get the English/Flemish word for the same choice
    await chat.say("/taal en", as_="dirk")
    assert "Only the PLC facilitator of Groep 5" in (await chat.say("/ritme tuesday 15:30 60", as_="dirk",
                                                                        in_=TEAM)).text


@pytest.mark.parametrize("platform, workspace, chat_id", [("telegram", None, "-100123"), ("slack", "T1", "C1")])
async def test_telegram_and_slack_say_the_schools_word(app, platform, workspace, chat_id):
    chat = Chat(app, platform=platform, workspace=workspace)
    await chat.say("/nieuweschool De Regenboog", as_="anna")
    await chat.say("/nieuwteam Groep 5", as_="anna", in_=chat_id)
    await chat.say("/aansluiten Groep 5", as_="bram")
    await chat.say("/schooltaal en", as_="anna")
    await chat.say("/rolename learning-team coordinator", as_="anna")
    refused = await chat.say("/rhythm tuesday 15:30 60", as_="bram", in_=chat_id)
    assert "Only the learning-team coordinator of Groep 5" in refused.text
    await chat.say("/schoollanguage vlaams", as_="anna")
    await chat.say("/taal nl-BE", as_="bram")
    refused = await chat.say("/ritme dinsdag 15:30 60", as_="bram", in_=chat_id)
    assert "Alleen de leerteamcoördinator van Groep 5, de directeur" in refused.text
