"""Loads and checks the message catalogs (``nl/*.toml``, ``en/*.toml``, overlay ``nl-BE/*.toml``).

Every sentence a user sees comes from here. The catalogs are validated as a pair when the bot
starts, so a missing translation, a placeholder that exists in one language only, or a broken
marker is a start-up error rather than a surprise in a teacher's chat.

Two refinements keep the texts natural:

* **Plural forms.** A message that takes a count is a table of CLDR plural forms,
  ``key = { one = "1 dag", other = "{days} dagen", count = "days" }``; ``count`` names the
  argument that chooses the form (default ``count``). The form is chosen with Babel's CLDR rules,
  loaded on the first plural message only (Babel's locale data costs ~75 ms; start-up does not pay it).
* **Regional variants.** ``nl-BE`` (Flemish) is an overlay: its folder holds only the sentences whose
  words differ in Flanders (directeur, leerjaar, vergadering …); every other key falls back to ``nl``.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import string
import sys
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from prompts.markup import Markup, MarkupError, escape, parse

LANGUAGES = ("nl", "nl-BE", "en")
BASE_LANGUAGES = ("nl", "en")  # complete catalogs; a variant "xx-YY" falls back to "xx"
DEFAULT_LANGUAGE = "nl"
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
CATALOG_DIR = Path(__file__).parent
COMMAND_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


class CatalogError(Exception):
    pass


def base_language(lang: str) -> str:
    """``nl-BE`` → ``nl``: the complete catalog a regional variant falls back to."""
    return lang.split("-")[0]


def normalize_language(code: str | None) -> str | None:
    """A language code as people and clients write it (``nl_BE``, ``NL-be``, ``en-GB``, ``vlaams``)
    → the catalog's language: the exact variant if the catalog has it, else the base language,
    else None."""
    text = (code or "").strip().replace("_", "-")
    if not text:
        return None
    by_lower = {lang.lower(): lang for lang in LANGUAGES}
    if text.lower() in by_lower:
        return by_lower[text.lower()]
    base = text.split("-")[0].lower()
    return base if base in BASE_LANGUAGES else None


@dataclass(frozen=True)
class Plural:
    """One message in its CLDR plural forms; ``count`` names the argument that picks the form."""

    forms: Mapping[str, str]
    count: str = "count"

    def placeholders(self) -> set[str]:
        return set().union(*(_placeholders(t) for t in self.forms.values())) | {self.count}

    def choose(self, lang: str, params: Mapping[str, Any]) -> str:
        value = params.get(self.count)
        try:
            number: int | float | None = value if isinstance(value, (int, float)) else float(str(value))
        except ValueError:
            number = None
        category = plural_category(lang, number) if number is not None else "other"
        return self.forms.get(category, self.forms["other"])


@cache
def _plural_rule(lang: str) -> Any:
    from babel import Locale  # lazy: CLDR data is loaded on the first count, not at start-up

    return Locale.parse(lang.replace("-", "_")).plural_form


def plural_category(lang: str, number: int | float) -> str:
    """The CLDR plural category (``one``, ``other`` …) of a number in a language."""
    return str(_plural_rule(lang)(abs(number)))


def plural_tags(lang: str) -> set[str]:
    """Every plural category a language uses (always including ``other``)."""
    return set(_plural_rule(lang).tags) | {"other"}


Template = str | Plural


@dataclass(frozen=True)
class Msg:
    """A sentence to say, by catalog key, rendered late in the recipient's language."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, key: str, /, **params: Any) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "params", params)


@dataclass(frozen=True)
class Join:
    """Several pieces of text shown as one (one line each by default)."""

    items: tuple[Any, ...]
    sep: str = "\n"

    def __init__(self, items: Iterable[Any], sep: str = "\n") -> None:
        object.__setattr__(self, "items", tuple(items))
        object.__setattr__(self, "sep", sep)


def _flatten(prefix: str, table: Mapping[str, Any], out: dict[str, Template]) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and isinstance(value.get("other"), str):
            out[full] = _plural(full, value)
        elif isinstance(value, dict):
            _flatten(full, value, out)
        elif isinstance(value, str):
            out[full] = value
        else:
            raise CatalogError(f"{full}: expected text, found {type(value).__name__}")


def _plural(full: str, value: Mapping[str, Any]) -> Plural:
    count = value.get("count", "count")
    forms = {k: v for k, v in value.items() if k != "count"}
    wrong = sorted(k for k, v in forms.items() if k not in PLURAL_CATEGORIES or not isinstance(v, str))
    if wrong or not isinstance(count, str):
        raise CatalogError(f"{full}: a plural message has only {', '.join(PLURAL_CATEGORIES)} "
                           f"and count = \"<argument>\"; found {', '.join(wrong) or repr(count)}")
    return Plural(forms, count)


def _parse(sources: Iterable[tuple[str, Path, bytes]]) -> dict[str, dict[str, Template]]:
    messages: dict[str, dict[str, Template]] = {lang: {} for lang in LANGUAGES}
    for lang, path, raw in sources:
        flat = messages[lang]
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise CatalogError(f"{path}: {exc}") from exc
        part: dict[str, Template] = {}
        _flatten("", data, part)
        twice = sorted(set(part) & set(flat))
        if twice:
            raise CatalogError(f"{path}: keys defined in another file too: {', '.join(twice)}")
        flat.update(part)
    return messages


def _code_digest() -> bytes | None:
    """A hash of the code that parses and checks a catalog (this module and the markup parser) and
    of the Python version, taken when this module is imported — the code that will do the checking
    — not later, when a deploy in place may have changed the files. None when the sources cannot
    be read (compiled files only): then no catalog is kept."""
    digest = hashlib.sha256(sys.version.encode())
    try:
        for module in (Path(__file__), Path(__file__).with_name("markup.py")):
            digest.update(module.read_bytes())
    except OSError:
        return None
    return digest.digest()


_CODE_DIGEST = _code_digest()


def _fingerprint(sources: Iterable[tuple[str, Path, bytes]]) -> str | None:
    """A hash of what decides the checked catalog: every file (its language, name and bytes) and
    the code that checks it (:func:`_code_digest`); None when there is no such code hash."""
    if _CODE_DIGEST is None:
        return None
    digest = hashlib.sha256(_CODE_DIGEST)
    for lang, path, raw in sources:
        digest.update(f"\0{lang}/{path.name}\0{len(raw)}\0".encode())
        digest.update(raw)
    return digest.hexdigest()[:24]


def _read_checked(cache: Path) -> dict[str, dict[str, Template]] | None:
    try:
        stored = marshal.loads(cache.read_bytes())
        return {lang: {key: value if isinstance(value, str) else Plural(value[1], value[0])
                       for key, value in messages.items()} for lang, messages in stored.items()}
    except (OSError, EOFError, ValueError, TypeError, IndexError, AttributeError):
        return None  # no cache yet, or one that cannot be read: parse and check the files


def _write_checked(cache: Path, messages: Mapping[str, Mapping[str, Template]]) -> None:
    """Keep a checked catalog for the next start; a folder that cannot be written only costs
    the next start its 60 ms. Older catalogs' files are removed, and half-written ones a crash left."""
    stored = {lang: {key: value if isinstance(value, str) else (value.count, dict(value.forms))
                     for key, value in msgs.items()} for lang, msgs in messages.items()}
    try:
        cache.parent.mkdir(exist_ok=True)
        for old in (*cache.parent.glob("catalog.*.marshal"), *cache.parent.glob("catalog.*.tmp")):
            old.unlink(missing_ok=True)
        partial = cache.with_suffix(f".{os.urandom(6).hex()}.tmp")  # unique, also across containers
        partial.write_bytes(marshal.dumps(stored))
        os.replace(partial, cache)
    except OSError:
        pass


def _placeholders(template: Template) -> set[str]:
    if isinstance(template, Plural):
        return template.placeholders()
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _texts(template: Template) -> list[str]:
    return list(template.forms.values()) if isinstance(template, Plural) else [template]


class Catalog:
    """All languages' messages, checked against each other."""

    def __init__(self, messages: Mapping[str, Mapping[str, Template]], checked: bool = False) -> None:
        """``checked``: these exact messages passed ``validate`` before (the start-up cache)."""
        self.messages = {lang: dict(m) for lang, m in messages.items()}
        if not checked:
            self.validate()

    @classmethod
    def load(cls, directory: Path = CATALOG_DIR, write_cache: bool | None = None) -> Catalog:
        """Each language is a folder of TOML files (one per capability), merged into one catalog;
        a variant's folder (``nl-BE``) holds only the keys that differ from its base language.

        Parsing and checking every file costs some 60 ms of each start; a catalog that passed the
        checks is kept in ``__pycache__`` under a hash of every file's bytes and of the code that
        checks it (as Python keeps compiled modules), so a start whose files and checks are
        unchanged reads it back in ~2 ms. Any change to a file misses the cache and is checked
        again. ``write_cache``: None writes it unless Python itself keeps no compiled files
        (``PYTHONDONTWRITEBYTECODE``)."""
        files = {lang: sorted((directory / lang).glob("*.toml")) for lang in LANGUAGES}
        sources: list[tuple[str, Path, bytes]] = []
        for lang, paths in files.items():
            if not paths:
                raise CatalogError(f"{directory / lang}: no catalog files")
            for path in paths:
                try:
                    sources.append((lang, path, path.read_bytes()))
                except OSError as exc:
                    raise CatalogError(f"{path}: {exc}") from exc
        fingerprint = _fingerprint(sources)
        cache = directory / "__pycache__" / f"catalog.{fingerprint}.marshal" if fingerprint else None
        kept = _read_checked(cache) if cache is not None else None
        if kept is not None:
            return cls(kept, checked=True)
        catalog = cls(_parse(sources))
        if cache is not None and (write_cache if write_cache is not None else not sys.dont_write_bytecode):
            _write_checked(cache, catalog.messages)
        return catalog

    def validate(self) -> None:
        problems: list[str] = []
        reference = self.messages[DEFAULT_LANGUAGE]
        for lang, msgs in self.messages.items():
            base = self.messages.get(base_language(lang), reference)
            if lang in BASE_LANGUAGES:
                for key in sorted(set(reference) - set(msgs)):
                    problems.append(f"{lang}: missing key {key}")
            for key in sorted(set(msgs) - set(base)):
                problems.append(f"{lang}: key {key} is not in {base_language(lang)}")
            for key, template in msgs.items():
                problems += self._check(lang, key, template, reference.get(key))
                if lang not in BASE_LANGUAGES and key.startswith("cmd.") and key.endswith(".name"):
                    problems.append(f"{lang}: {key}: a regional variant keeps the commands of "
                                    f"{base_language(lang)}")
        if problems:
            raise CatalogError("; ".join(problems))

    @staticmethod
    def _check(lang: str, key: str, template: Template, ref: Template | None) -> list[str]:
        problems: list[str] = []
        # platform and role words differ per language ("het kanaal", "the channel"; "voorzitter", "chair")
        words = set(PLATFORM_WORDS) | set(ROLE_WORDS)
        if ref is not None and _placeholders(template) - words != _placeholders(ref) - words:
            problems.append(
                f"{lang}: {key} uses placeholders {sorted(_placeholders(template))}, "
                f"{DEFAULT_LANGUAGE} uses {sorted(_placeholders(ref))}"
            )
        if ref is not None and isinstance(template, Plural) != isinstance(ref, Plural):
            problems.append(f"{lang}: {key} must have plural forms in every language or in none")
        if isinstance(template, Plural) and template.count not in {"count"} | _placeholders(ref or template):
            problems.append(f"{lang}: {key}: count argument {template.count} is not a placeholder")
        for text in _texts(template):
            try:
                dummy = {name: "x" for name in _placeholders(template)}
                parse(text.format_map(dummy))
            except (MarkupError, ValueError, KeyError, IndexError) as exc:
                problems.append(f"{lang}: {key}: {exc}")
        if key.startswith("cmd.") and key.endswith(".name"):
            if not isinstance(template, str) or not COMMAND_NAME.match(template):
                problems.append(f"{lang}: {key}: {template!r} is not a valid command name")
        return problems

    def has(self, key: str) -> bool:
        return key in self.messages[DEFAULT_LANGUAGE]

    def template(self, lang: str, key: str) -> Template:
        """The message in a language: the variant's own text, else its base language's."""
        lang = self.language(lang)
        own = self.messages.get(lang, {})
        if key in own:
            return own[key]
        return self.messages[base_language(lang)][key]

    def raw(self, lang: str, key: str) -> str:
        """The text of a key (a plural message gives its ``other`` form; render a Msg to count)."""
        found = self.template(lang, key)
        return found.forms["other"] if isinstance(found, Plural) else found

    @staticmethod
    def language(lang: str | None) -> str:
        return lang if lang in LANGUAGES else DEFAULT_LANGUAGE

    def render(self, body: Any, lang: str, platform: str | None = None, role: str | None = None) -> Markup:
        """Render a Msg, Join, Markup or plain value; plain strings are user text and escaped.
        ``platform`` fills the platform words ({chat}, {this_chat}, ...: "groep" on Telegram,
        "kanaal" on Slack and Teams) that any message may use without its caller passing them;
        ``role`` (the school's name for the team's chair, ``School.role_name``) fills the role words
        ({role}, {Role}, {roles}, {Roles}) the same way."""
        if isinstance(body, Markup):
            return body
        if isinstance(body, Msg):
            found = self.template(lang, body.key)
            template = found.choose(base_language(self.language(lang)), body.params) \
                if isinstance(found, Plural) else found
            params = _Params(self, lang, platform, role)
            params.update({k: self.render(v, lang, platform, role) for k, v in body.params.items()})
            return Markup(template.format_map(params))
        if isinstance(body, Join):
            return Markup(body.sep.join(self.render(item, lang, platform, role) for item in body.items))
        if body is None:
            return Markup("")
        return escape(str(body))


PLATFORM_WORDS = ("chat", "this_chat", "This_chat", "the_chat")
"""Placeholders every message may use; filled from ``words.<word>.<platform>`` (console if unknown)."""


ROLE_WORDS = ("role", "Role", "roles", "Roles")
"""Placeholders every message may use for the team's chair, in the school's own word: filled from
``role_words.<role>.<word>`` (voorzitter, procesbegeleider, PLG-begeleider …; DEFAULT_ROLE if unknown)."""
ROLES = ("voorzitter", "procesbegeleider", "plg_begeleider", "leerteamcoordinator")
DEFAULT_ROLE = "voorzitter"


class _Params(dict[str, Any]):
    """A message's parameters, with the platform and role words supplied when the caller did not pass them."""

    def __init__(self, catalog: Catalog, lang: str, platform: str | None, role: str | None = None) -> None:
        super().__init__()
        self.catalog, self.lang, self.platform = catalog, lang, platform
        self.role = role if role in ROLES else DEFAULT_ROLE

    def __missing__(self, key: str) -> Any:
        if key in ROLE_WORDS:
            return self.catalog.render(Msg(f"role_words.{self.role}.{key}"), self.lang)
        if key not in PLATFORM_WORDS:
            raise KeyError(key)
        word = f"words.{key}.{self.platform}"
        if not self.catalog.has(word):
            word = f"words.{key}.console"
        return self.catalog.render(Msg(word), self.lang)


@cache
def default_catalog() -> Catalog:
    return Catalog.load()
