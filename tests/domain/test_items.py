"""The item bank's plain data: the fixed order a card or an export shows choices in."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from quiz.domain.items import fixed_shuffle


def test_the_fixed_order_depends_only_on_the_key():
    texts = ["Kyiv", "Lviv", "Odesa", "Kharkiv"]
    assert fixed_shuffle("capital", texts) == fixed_shuffle("capital", list(texts))
    assert len({fixed_shuffle(key, texts) for key in ("a", "b", "c", "d", "e")}) > 1


@given(
    key=st.text(max_size=20),
    texts=st.lists(st.text(max_size=5), min_size=2, max_size=8, unique=True),
)
def test_the_fixed_order_is_never_the_given_one_and_keeps_every_text(key, texts):
    shown = fixed_shuffle(key, texts)
    assert sorted(shown) == sorted(texts)
    assert list(shown) != texts


def test_one_text_or_none_stays_as_it_is():
    assert fixed_shuffle("k", ["only"]) == ("only",)
    assert fixed_shuffle("k", []) == ()
