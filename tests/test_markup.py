"""The small markup: user text can never become formatting."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prompts.markup import MarkupError, Span, escape, parse, plain


@given(st.text())
def test_escaped_text_parses_back_to_itself(text):
    spans = parse(escape(text))
    assert "".join(s.text for s in spans) == text
    assert not any(s.bold or s.italic or s.code or s.link for s in spans)


def test_formatting():
    assert parse("*vet* en _schuin_ en `code`") == [
        Span("vet", bold=True), Span(" en "), Span("schuin", italic=True), Span(" en "), Span("code", code=True)]
    assert parse("[NRO](https://www.nro.nl)") == [Span("NRO", link="https://www.nro.nl")]


def test_markers_inside_words_and_lone_brackets_are_text():
    assert plain("DATABASE_URL and snake_case_name") == "DATABASE_URL and snake_case_name"
    assert plain("2 * 3 = 6, [team] - en _ zo") == "2 * 3 = 6, [team] - en _ zo"


def test_unbalanced_markers_are_an_error():
    with pytest.raises(MarkupError):
        parse("*half vet")


def test_plain_keeps_link_targets():
    assert plain("zie [NRO](https://www.nro.nl)") == "zie NRO (https://www.nro.nl)"
