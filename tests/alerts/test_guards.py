"""The words' guards (alerts/guards.py): the rule that picks the tokens a clause needs one of.
Whether the guards change any answer is the agreement tests' question
(tests/alerts/test_saved_searches_agreement.py); these hold the rule itself."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from alerts.guards import ALL, ANY, Token, _kind, _needed

tokens = st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=5).map(
    lambda texts: tuple(Token(text, position, 1) for position, text in enumerate(texts))
)


@given(tokens)
def test_a_clause_needing_every_token_needs_its_longest_and_one_needing_any_keeps_all(
    analysed: tuple[Token, ...],
) -> None:
    (needed,) = _needed(analysed, ALL)
    assert needed in {token.text for token in analysed}
    assert len(needed) == max(len(token.text) for token in analysed)
    assert _needed(analysed, ANY) == [token.text for token in analysed]


def test_tokens_sharing_a_position_are_alternatives_and_only_a_token_alone_is_needed() -> None:
    # a synonym ("digger" read as "excavator" too) beside a word alone at its place
    synonym = (Token("digger", 0, 1), Token("excavator", 0, 1), Token("komatsu", 1, 1))
    # a synonym of two words over a word of its own ("wheel loader" also "loader shovel")
    spanning = (Token("used", 0, 1), Token("wheel", 1, 1), Token("loadershovel", 1, 2), Token("loader", 2, 1))
    # nothing alone: one of them, whichever path
    alternatives = (Token("wheel", 0, 1), Token("loader", 1, 1), Token("wheelloader", 0, 2))

    assert _needed(synonym, ALL) == ["komatsu"]
    assert _needed(spanning, ALL) == ["used"]
    assert _needed(alternatives, ALL) == ["wheel", "loader", "wheelloader"]
    assert _needed((), ALL) == []


def test_a_field_is_named_without_its_language() -> None:
    assert [_kind(f) for f in ("title.en", "title.ja.ngram", "maker.names.de", "spelling", "maker.name")] == [
        "title", "title.ngram", "maker.names", "spelling", "maker.name"]  # fmt: skip
