"""Build the Teams app package an admin uploads: ``manifest.json`` with the bot's app id, the two
icons and the English translation, zipped.

    python -m bot.transports.teams.package --app-id <TEAMS_APP_ID> -o leerteam-teams.zip

The manifest's command menu (``commandLists``) is written from the catalogs, in Dutch (the
default language) and English (``en-us.json``), so it always names the commands the bot knows.
Teams shows at most ten commands per scope: the ones a team and a teacher need first.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

from prompts.catalog import Catalog, Msg, default_catalog
from prompts.markup import plain

HERE = Path(__file__).parent / "appPackage"
SCHEMA = "https://developer.microsoft.com/json-schemas/teams/v1.22/MicrosoftTeams.schema.json"
MANIFEST_VERSION = "1.22"
GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# command ids, in menu order (at most 10 per list: Teams' limit)
TEAM_COMMANDS = (
    "help",
    "team_create",
    "team_link",
    "team_join",
    "cycle_start",
    "cycle_status",
    "agenda",
    "meetings",
    "meeting_rhythm",
    "questions",
)
PERSONAL_COMMANDS = (
    "help",
    "school_start",
    "school_join",
    "teams",
    "questions",
    "answer",
    "agenda",
    "digest",
    "language",
    "privacy",
)
MAX_TITLE = 32
MAX_DESCRIPTION = 128


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def commands(catalog: Catalog, lang: str, ids: tuple[str, ...]) -> list[dict[str, str]]:
    return [
        {
            "title": _short(catalog.raw(lang, f"cmd.{c}.name"), MAX_TITLE),
            "description": _short(plain(catalog.render(Msg(f"cmd.{c}.help"), lang)), MAX_DESCRIPTION),
        }
        for c in ids
    ]


def manifest(
    app_id: str, catalog: Catalog, version: str = "1.0.0", host: str | None = None
) -> dict[str, Any]:
    template = json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))
    template["$schema"] = SCHEMA
    template["manifestVersion"] = MANIFEST_VERSION
    template["version"] = version
    template["id"] = app_id
    bot = template["bots"][0]
    bot["botId"] = app_id
    bot["commandLists"] = [
        {"scopes": ["team", "groupChat"], "commands": commands(catalog, "nl", TEAM_COMMANDS)},
        {"scopes": ["personal"], "commands": commands(catalog, "nl", PERSONAL_COMMANDS)},
    ]
    if host:
        template["validDomains"] = [host]
    return template


def english(template: dict[str, Any], catalog: Catalog) -> dict[str, Any]:
    """The localization file: the same manifest fields, in English."""
    en = json.loads((HERE / "en-us.json").read_text(encoding="utf-8"))
    for n, ids in enumerate((TEAM_COMMANDS, PERSONAL_COMMANDS)):
        for i, command in enumerate(commands(catalog, "en", ids)):
            en[f"bots[0].commandLists[{n}].commands[{i}].title"] = command["title"]
            en[f"bots[0].commandLists[{n}].commands[{i}].description"] = command["description"]
    return en


def build(
    app_id: str, *, version: str = "1.0.0", host: str | None = None, catalog: Catalog | None = None
) -> bytes:
    """The zip's bytes: manifest.json, en-us.json, color.png and outline.png at the top level."""
    if not GUID.fullmatch(app_id):
        raise ValueError("the app id is the bot's Microsoft Entra application (client) id, a GUID")
    catalog = catalog or default_catalog()
    data = manifest(app_id, catalog, version, host)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(data, ensure_ascii=False, indent=2))
        zf.writestr("en-us.json", json.dumps(english(data, catalog), ensure_ascii=False, indent=2))
        for icon in ("color.png", "outline.png"):
            zf.write(HERE / icon, icon)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.transports.teams.package",
        description="Build the Leerteam app package for Microsoft Teams.",
    )
    parser.add_argument(
        "--app-id", required=True, help="TEAMS_APP_ID: the bot's Entra application (client) id"
    )
    parser.add_argument(
        "--version", default="1.0.0", help="the package version (raise it for every new upload)"
    )
    parser.add_argument("--host", help="the bot's public host name, e.g. leerteam.example.org (optional)")
    parser.add_argument("-o", "--output", default="leerteam-teams.zip", help="where to write the zip")
    args = parser.parse_args(argv)
    try:
        data = build(args.app_id.strip(), version=args.version, host=args.host)
    except ValueError as exc:
        print(f"{parser.prog}: {exc}", file=sys.stderr)
        return 2
    Path(args.output).write_bytes(data)
    print(args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
