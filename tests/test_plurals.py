"""Plural forms and the Flemish overlay: every count reads right for 0, 1 and 2 in every language,
no "dag(en)"-style shortcuts remain anywhere, and nl-BE only ever differs in words, never in slots."""

from __future__ import annotations

import re

import pytest

from prompts.catalog import (
    BASE_LANGUAGES,
    LANGUAGES,
    Catalog,
    CatalogError,
    Msg,
    Plural,
    default_catalog,
    normalize_language,
    plural_tags,
)

# Written-out plural shortcuts a teacher should never read, as in the review (language.md).
FORBIDDEN = [
    re.compile(r"\w\((?:s|en|ën|'s|e|n)\)"),          # dag(en), idee(ën), collega('s), ronde(s) …
    re.compile(r"\b(?:vraag/vragen|question/questions|idee/ideeën)\b"),
    re.compile(r"\(1 dagen\)"),
    re.compile(r"er zijn er nog 1\b"),
]
# With every number set to 1, no plural noun may follow the 1.
ONE_PLURAL = {
    "nl": re.compile(r"(?<![\d,./])\b1 (?:dagen|weken|maanden|minuten|vragen|collega's|ideeën|parels|"
                     r"antwoorden|rondes|agendapunten|punten|berichten|overleggen|leden|bronnen|scans|"
                     r"peilingen|afspraken|schoolvakanties|"
                     r"deelnemers|hypothesen|teams)\b"),
    "en": re.compile(r"(?<![\d,./])\b1 (?:days|weeks|months|minutes|hours|questions|colleagues|ideas|pearls|"
                     r"answers|rounds|agenda items|items|messages|meetings|members|sources|scans|polls|"
                     r"events|school holidays|"
                     r"hypotheses|teams)\b"),
}
ONE_PLURAL["nl-BE"] = ONE_PLURAL["nl"]
# Numbers that are never 1, so a plural noun after them is always right (why, per key).
NEVER_ONE = {
    "cycle.missing.too_many_hypotheses": "only said when there are more than the maximum (at least 2)",
    "digest.flag.cancelled_in_a_row": "a run is at least 2 cancelled meetings",
    "momentum.cancelled": "a run is at least 2 cancelled meetings",
    "momentum.quiet": "LEERTEAM_QUIET_MEETINGS is at least 2",
    "meet.every_n_weeks": "every week uses meet.every_week",
    "meet.rhythm_line": "a meeting lasts 10 to 480 minutes",
    "meet.extra_added": "a meeting lasts 10 to 480 minutes",
    "reminder.head": "a meeting lasts 10 to 480 minutes",
    "value.minutes_range": "the upper bound of a range",
    "poll.bad_duration": "fixed bounds of a range",
    "poll.bad_scan_weeks": "the upper bound of a range",
    "privacy.retention_range": "the upper bound of a range",
    "meet.holiday_too_long": "a fixed maximum of many days",
    "agenda.full": "a fixed maximum of several items",
    "poll.withheld_head": "the threshold is at least 3",
    "poll.anonymous_note": "the threshold is at least 3",
    "poll.anonymous_line": "the threshold is at least 3",
    "poll.settings_line": "the threshold is at least 3",
    "poll.minimum_set": "the threshold is at least 3",
}


def _plural_keys(cat: Catalog, lang: str) -> set[str]:
    return {k for k, v in cat.messages[lang].items() if isinstance(v, Plural)}


def _every_text(cat: Catalog, lang: str) -> dict[str, list[str]]:
    """Each key rendered once per placeholder, that one set to 1 and the others to 7 (so a count of
    1 takes its singular form while other numbers stay plural)."""
    out: dict[str, list[str]] = {}
    for key in cat.messages[lang] | cat.messages[lang.split("-")[0]]:
        found = cat.template(lang, key)
        names = sorted(found.placeholders() if isinstance(found, Plural) else re.findall(r"{(\w+)}", found))
        out[key] = [str(cat.render(Msg(key, **{n: 1 if n == one else 7 for n in names}), lang))
                    for one in names or [None]]
    return out


def test_both_languages_have_the_same_plural_keys():
    cat = default_catalog()
    assert _plural_keys(cat, "nl") == _plural_keys(cat, "en")
    assert len(_plural_keys(cat, "nl")) >= 30  # the counts really are plural messages


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_plural_key_renders_for_zero_one_and_two(lang: str):
    cat = default_catalog()
    checked = 0
    for key in sorted(_plural_keys(cat, "nl")):
        found = cat.template(lang, key)
        assert isinstance(found, Plural)
        assert set(found.forms) == plural_tags(lang), f"{lang}:{key} has forms {sorted(found.forms)}"
        rendered = {}
        for n in (0, 1, 2):
            params = {name: n if name == found.count else "x" for name in found.placeholders()}
            rendered[n] = str(cat.render(Msg(key, **params), lang))
            assert "{" not in rendered[n] and rendered[n].strip(), f"{lang}:{key} for {n}: {rendered[n]!r}"
        zero_as_two = rendered[2].replace("2", "0", 1)
        assert rendered[0] == zero_as_two or "2" not in rendered[2], (lang, key, rendered)  # 0 is "other"
        assert rendered[1] != rendered[2] or found.forms["one"] == found.forms["other"], (lang, key)
        assert not ONE_PLURAL[lang].search(rendered[1]), f"{lang}:{key} with 1: {rendered[1]!r}"
        checked += 1
    assert checked == len(_plural_keys(cat, "nl"))


def test_singular_and_plural_are_chosen_by_cldr_rules():
    cat = default_catalog()
    one = cat.render(Msg("cycle.status.phase", phase=1, name="Probleem", since="1 mei", days=1), "nl")
    two = cat.render(Msg("cycle.status.phase", phase=1, name="Probleem", since="1 mei", days=2), "nl")
    none = cat.render(Msg("cycle.status.phase", phase=1, name="Probleem", since="1 mei", days=0), "en")
    assert str(one).endswith("(1 dag)") and str(two).endswith("(2 dagen)") and str(none).endswith("(0 days)")
    flemish = cat.render(Msg("poll.withheld", answers=2, threshold=3, need=1), "nl-BE")
    assert str(flemish).startswith("Nog 1 antwoord nodig")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_plural_shortcuts_anywhere(lang: str):
    cat = default_catalog()
    for key, texts in _every_text(cat, lang).items():
        for text in texts:
            for pattern in FORBIDDEN:
                assert not pattern.search(text), f"{lang}:{key}: {text!r} ({pattern.pattern})"
            if key not in NEVER_ONE:
                assert not ONE_PLURAL[lang].search(text), f"{lang}:{key} with 1: {text!r}"


def test_the_shortcut_check_would_catch_the_old_texts():
    for old in ("3 korte vraag/vragen", "nog 1 dag(en)", "2 collega('s)", "1 idee(ën)", "2 ronde(s)",
                "Fase 1 (1 dagen)", "er zijn er nog 1 nodig"):
        assert any(p.search(old) for p in FORBIDDEN), old
    assert ONE_PLURAL["nl"].search("al 1 dagen in deze fase") and ONE_PLURAL["en"].search("1 days")


def test_a_plural_message_needs_the_same_shape_in_every_language():
    broken = {lang: dict(m) for lang, m in Catalog.load().messages.items()}
    broken["en"]["cycle.status.phase"] = "Phase {phase} of 4: *{name}*, since {since} ({days} days)"
    with pytest.raises(CatalogError, match="plural forms in every language"):
        Catalog(broken)


# --- Flemish (nl-BE) ---------------------------------------------------------------------------
def test_flemish_overlay_only_refines_dutch():
    cat = default_catalog()
    overlay = cat.messages["nl-BE"]
    assert len(overlay) >= 20
    for key, text in overlay.items():
        assert key in cat.messages["nl"], f"nl-BE:{key} is not an nl key"
        assert not (key.startswith("cmd.") and key.endswith(".name")), key
        dutch = cat.messages["nl"][key]
        assert type(text) is type(dutch), key
        assert text != dutch, f"nl-BE:{key} is the same as nl; leave it out"


def test_flemish_words_and_dutch_fallback():
    cat = default_catalog()
    assert "directeur" in cat.raw("nl-BE", "access.need_leader")
    assert "schoolleider" in cat.raw("nl", "access.need_leader")
    assert cat.raw("nl-BE", "common.failed") == cat.raw("nl", "common.failed")  # not in the overlay: Dutch
    assert "leerjaar" in cat.raw("nl-BE", "cycle.phase1.q.q1.help")
    assert "advies" not in cat.raw("nl-BE", "meet.region_added_flanders")


def test_an_overlay_key_with_other_slots_or_an_unknown_key_is_refused():
    good = Catalog.load().messages
    broken = {lang: dict(m) for lang, m in good.items()}
    broken["nl-BE"]["team.created"] = "Team {naam} is er"
    broken["nl-BE"]["team.invented"] = "Nieuw"
    with pytest.raises(CatalogError) as err:
        Catalog(broken)
    assert "placeholders" in str(err.value) and "team.invented is not in nl" in str(err.value)
    renamed = {lang: dict(m) for lang, m in good.items()}
    renamed["nl-BE"]["cmd.help.name"] = "help"
    with pytest.raises(CatalogError, match="keeps the commands"):
        Catalog(renamed)


@pytest.mark.parametrize("code, lang", [
    ("nl-BE", "nl-BE"), ("nl_BE", "nl-BE"), ("NL-be", "nl-BE"), ("nl", "nl"), ("nl-NL", "nl"),
    ("en-GB", "en"), ("en", "en"), ("fr-BE", None), ("", None), (None, None),
])
def test_a_client_language_picks_the_variant_if_we_have_it_else_the_base(code, lang):
    assert normalize_language(code) == lang


def test_languages_list_the_variant():
    assert LANGUAGES == ("nl", "nl-BE", "en") and BASE_LANGUAGES == ("nl", "en")
