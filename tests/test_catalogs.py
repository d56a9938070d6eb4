"""The catalogs: both languages complete and consistent, and every key the code uses exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bot.app import CAPABILITIES
from bot.core.capability import Registry
from bot.core.commands import SECTIONS, Access
from prompts.catalog import LANGUAGES, Catalog, CatalogError, Msg, Plural, default_catalog
from storage.models import TEAM_ROLES

ROOT = Path(__file__).resolve().parent.parent
CODE_DIRS = ("bot", "handlers", "storage", "prompts")
COMMANDS = Registry.build(CAPABILITIES).commands  # every command the app runs
CONSOLE_COMMANDS = {"as", "in", "dm", "stop", "clock", "klok", "again", "nogmaals"}


def test_both_languages_load_and_agree():
    cat = Catalog.load()
    assert set(cat.messages) == set(LANGUAGES)
    assert set(cat.messages["nl"]) == set(cat.messages["en"])
    assert set(cat.messages["nl-BE"]) < set(cat.messages["nl"])  # an overlay: only what differs


def test_a_missing_translation_is_refused(tmp_path):
    good = Catalog.load().messages
    broken = {lang: dict(m) for lang, m in good.items()}
    del broken["en"]["team.created"]
    with pytest.raises(CatalogError, match="en: missing key team.created"):
        Catalog(broken)


def test_a_placeholder_in_one_language_only_is_refused():
    broken = {lang: dict(m) for lang, m in Catalog.load().messages.items()}
    broken["en"]["team.created"] = "Team {name} created"
    with pytest.raises(CatalogError, match="placeholders"):
        Catalog(broken)


def test_broken_markup_or_command_name_is_refused():
    broken = {lang: dict(m) for lang, m in Catalog.load().messages.items()}
    broken["nl"]["team.created"] = "Team *{team} is er"
    broken["en"]["cmd.teams.name"] = "Teams!"
    with pytest.raises(CatalogError) as err:
        Catalog(broken)
    assert "unbalanced" in str(err.value) and "not a valid command name" in str(err.value)



def _catalog_copy(tmp_path: Path) -> Path:
    import shutil

    for lang in LANGUAGES:
        shutil.copytree(ROOT / "prompts" / lang, tmp_path / lang)
    return tmp_path


def test_a_checked_catalog_is_kept_and_read_back_without_checking_again(tmp_path, monkeypatch):
    folder = _catalog_copy(tmp_path)
    first = Catalog.load(folder, write_cache=True)
    kept = list((folder / "__pycache__").glob("catalog.*.marshal"))
    assert len(kept) == 1
    monkeypatch.setattr(Catalog, "validate", lambda self: pytest.fail("a kept catalog was checked again"))
    again = Catalog.load(folder, write_cache=True)
    assert again.messages == first.messages
    assert any(isinstance(t, Plural) for t in again.messages["nl"].values())
    said = Msg("team.created", team="4A")
    assert again.render(said, "nl-BE") == first.render(said, "nl-BE")


def test_a_changed_catalog_file_is_checked_again_despite_the_kept_one(tmp_path):
    folder = _catalog_copy(tmp_path)
    Catalog.load(folder, write_cache=True)
    target = folder / "en" / "core.toml"
    text = target.read_text(encoding="utf-8")
    assert 'created = "Team *{team}* has been created."' in text
    target.write_text(text.replace('created = "Team *{team}*', 'created = "Team *{name}*'), encoding="utf-8")
    with pytest.raises(CatalogError, match="placeholders"):
        Catalog.load(folder, write_cache=True)


def test_no_kept_catalog_when_not_wanted_and_a_damaged_one_is_ignored(tmp_path):
    folder = _catalog_copy(tmp_path)
    fresh = Catalog.load(folder, write_cache=False)
    assert not (folder / "__pycache__").exists()
    Catalog.load(folder, write_cache=True)
    (kept,) = (folder / "__pycache__").glob("catalog.*.marshal")
    kept.write_bytes(b"\x00not a catalog")
    assert Catalog.load(folder, write_cache=False).messages == fresh.messages



def test_other_checking_code_does_not_read_a_kept_catalog_and_no_code_hash_keeps_none(tmp_path, monkeypatch):
    import prompts.catalog as catalog_module

    folder = _catalog_copy(tmp_path)
    Catalog.load(folder, write_cache=True)
    (folder / "__pycache__" / "catalog.0123.99.tmp").write_bytes(b"half written by a crash")
    checked: list[int] = []
    real_validate = Catalog.validate

    def counted(self):
        checked.append(1)
        real_validate(self)

    monkeypatch.setattr(Catalog, "validate", counted)
    monkeypatch.setattr(catalog_module, "_CODE_DIGEST", b"the checks of another version")
    Catalog.load(folder, write_cache=True)
    assert checked == [1]  # a kept catalog is only as good as the code that checked it
    assert [p.suffix for p in (folder / "__pycache__").iterdir()] == [".marshal"]  # old and half-written gone
    monkeypatch.setattr(catalog_module, "_CODE_DIGEST", None)  # sources unreadable (compiled files only)
    for old in (folder / "__pycache__").iterdir():
        old.unlink()
    Catalog.load(folder, write_cache=True)
    Catalog.load(folder, write_cache=True)
    assert checked == [1, 1, 1] and not list((folder / "__pycache__").iterdir())

def _literal_keys() -> set[str]:
    """Every string literal passed as the first argument to Msg(...) in the product code."""
    keys: set[str] = set()
    for folder in CODE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Msg" and node.args
                        and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                    keys.add(node.args[0].value)
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    m = re.fullmatch(r"(setting\.[a-z_]+)\|", node.value)
                    if m:
                        keys.add(m.group(1))
    return keys


def test_every_key_used_in_code_exists():
    cat = default_catalog()
    keys = _literal_keys()
    assert len(keys) > 50  # the scan really found the code's keys
    missing = sorted(k for k in keys if not cat.has(k))
    assert missing == []


def test_every_dynamic_key_exists():
    cat = default_catalog()
    dynamic = [f"cmd.{c.id}.{part}" for c in COMMANDS.values() if not c.hidden for part in ("name", "args", "help")]
    dynamic += [f"help.access.{a.value}" for a in Access] + [f"help.section.{s}" for s in SECTIONS]
    dynamic += [f"teams.member_{role}" for role in TEAM_ROLES]
    assert [k for k in dynamic if not cat.has(k)] == []


def test_command_names_are_unique_across_languages():
    cat = default_catalog()
    owner: dict[str, str] = {}
    for cmd in COMMANDS.values():
        if cmd.hidden:
            continue
        for lang in LANGUAGES:
            name = cat.raw(lang, f"cmd.{cmd.id}.name")
            assert owner.setdefault(name, cmd.id) == cmd.id, f"/{name} means two commands"


def test_commands_mentioned_in_texts_exist_in_that_language():
    cat = default_catalog()
    for lang in LANGUAGES:
        names = {cat.raw(lang, f"cmd.{c.id}.name") for c in COMMANDS.values() if not c.hidden} | CONSOLE_COMMANDS
        for key, template in cat.messages[lang].items():
            text = " ".join(template.forms.values()) if isinstance(template, Plural) else template
            for word in re.findall(r"(?<![\w/])/([a-z]+)\b", text):
                assert word in names, f"{lang}:{key} mentions /{word}, which is not a {lang} command"
