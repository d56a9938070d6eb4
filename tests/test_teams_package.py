"""The Teams app package: the zip an admin uploads, built from the catalogs."""

from __future__ import annotations

import io
import json
import zipfile

from PIL import Image

from bot.transports.teams.package import main
from prompts.catalog import default_catalog

APP_ID = "0b7f5a4e-1c2d-4e3f-9a8b-7c6d5e4f3a2b"


def test_the_package_has_the_app_id_icons_and_both_command_menus(tmp_path, capsys):
    target = tmp_path / "leerteam-teams.zip"
    assert (
        main(["--app-id", APP_ID, "--version", "1.2.0", "--host", "leerteam.example.org", "-o", str(target)])
        == 0
    )
    with zipfile.ZipFile(target) as zf:
        assert sorted(zf.namelist()) == ["color.png", "en-us.json", "manifest.json", "outline.png"]
        manifest = json.loads(zf.read("manifest.json"))
        english = json.loads(zf.read("en-us.json"))
        color = Image.open(io.BytesIO(zf.read("color.png")))
        outline = Image.open(io.BytesIO(zf.read("outline.png")))
    assert manifest["manifestVersion"] == "1.22" and manifest["$schema"].endswith(
        "/v1.22/MicrosoftTeams.schema.json"
    )
    assert manifest["id"] == manifest["bots"][0]["botId"] == APP_ID and manifest["version"] == "1.2.0"
    assert manifest["validDomains"] == ["leerteam.example.org"]
    assert set(manifest["bots"][0]["scopes"]) == {"personal", "team", "groupChat"}
    assert color.size == (192, 192) and outline.size == (32, 32)
    assert outline.mode == "RGBA"
    raw = outline.tobytes()
    pixels = [tuple(raw[i : i + 4]) for i in range(0, len(raw), 4)]
    assert {p[:3] for p in pixels if p[3]} == {(255, 255, 255)} and any(
        p[3] == 0 for p in pixels
    )  # white on clear
    catalog = default_catalog()
    nl_names = {
        catalog.raw("nl", key)
        for key in catalog.messages["nl"]
        if key.startswith("cmd.") and key.endswith(".name")
    }
    lists = manifest["bots"][0]["commandLists"]
    assert [sorted(x["scopes"]) for x in lists] == [["groupChat", "team"], ["personal"]]
    for n, command_list in enumerate(lists):
        assert 0 < len(command_list["commands"]) <= 10
        for i, command in enumerate(command_list["commands"]):
            assert command["title"] in nl_names and len(command["title"]) <= 32
            assert 0 < len(command["description"]) <= 128
            assert (
                english[f"bots[0].commandLists[{n}].commands[{i}].title"] != ""
                and len(english[f"bots[0].commandLists[{n}].commands[{i}].description"]) <= 128
            )
    assert (
        lists[0]["commands"][0]["title"] == "hulp"
        and english["bots[0].commandLists[0].commands[0].title"] == "help"
    )


def test_a_wrong_app_id_is_refused(tmp_path, capsys):
    assert main(["--app-id", "my-bot", "-o", str(tmp_path / "x.zip")]) == 2
    assert "GUID" in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()
