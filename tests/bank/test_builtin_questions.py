"""The built-in decks in questions/: valid, complete, and free of spinner artefacts."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from quiz.bank.deck_yaml import read_bank
from quiz.domain.items import ItemKind

QUESTIONS = Path(__file__).resolve().parents[2] / "questions"

# Words the synonym spinner put into our copy of the article (../shared/source/README.md
# names the first two); none may reach a learner.
SPINNER_ARTEFACTS = [
    r"White Home",
    r"\b[Ii]n Could\b",
    r"\bCould,",
    r"Chatham Home",
    r"Basis for Protection",
    r"Middle on Navy",
    r"Political Energy",
    r"Eurasia Middle",
    r"affiliate fellow",
    r"particular envoy",
    r"previous president",
    r"worldwide (recognition|army)",
    r"\bjapanese\b",
    r"affiliation settlement",
    r"from workplace",
    r"separatist rebel\b",
    r"entrance strains",
    r"in depth partnership",
    r"sooner or later sooner or later",
    r"sat throughout",
    r"faux provide",
    r"amazing final result",
    r"deep data",
    r"cellphone",
    r"press name",
    r"marketing campaign",
    r"a whole lot of",
    r"elevate martial",
    r"martial regulation",
    r"army support",
    r"\bSpecialists\b",
    r"met nearly",
    r"\bwarfare\b",
    r"his or her",
    r"\b4 areas\b",
    r"structure doesn.t",
    r"monetary assist",
    r"features largely stagnated",
]
SECTIONS = {
    "Introduction": 10,
    "What Russia wants": 18,
    "What Ukraine wants": 8,
    "Ukraine and Russia's troubled history": 6,
}
# The photo opens the Introduction; the map sits in "What Russia wants".
CAPTIONS = {"photo caption": "Introduction", "map caption": "What Russia wants"}
SOURCE_RE = re.compile(
    r"^(?P<section>.+?), (?:paragraph (?P<n>\d+)|(?P<caption>photo caption|map caption))$"
)


def _bank():
    decks, errors = read_bank(QUESTIONS)
    assert errors == []
    return decks


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def test_every_deck_file_is_valid():
    assert len(_bank()) >= 6


def test_the_decks_cover_every_mode_with_at_least_120_items():
    decks = {d.slug: d for d in _bank()}
    assert {
        "ukraine-russia-history",
        "what-russia-wants",
        "what-ukraine-wants",
        "united-states-and-europe",
        "who-said-it",
        "mixed-review",
    } <= set(decks)
    assert sum(len(d.items) for d in decks.values()) >= 120
    kinds = Counter(item.kind for d in decks.values() for item in d.items)
    for kind in (ItemKind.SINGLE, ItemKind.MULTIPLE, ItemKind.ORDERING, ItemKind.FLASHCARD):
        assert kinds[kind] > 0, kind


def test_the_history_deck_has_at_least_15_hand_written_multiple_choice_questions():
    data = yaml.safe_load((QUESTIONS / "ukraine-russia-history.yaml").read_text())
    single = [q for q in data["questions"] if q["kind"] == "single"]
    assert len(single) >= 15


@pytest.mark.parametrize("path", sorted(QUESTIONS.glob("*.yaml")), ids=lambda p: p.name)
def test_no_spinner_artefact_appears_in_a_deck(path):
    text = "\n".join(_strings(yaml.safe_load(path.read_text())))
    found = [pattern for pattern in SPINNER_ARTEFACTS if re.search(pattern, text)]
    assert found == []


def test_every_item_names_a_real_section_and_paragraph_of_the_article():
    for deck in _bank():
        for item in deck.items:
            assert item.explanation.strip(), item.key
            for ref in item.source.split("; "):
                match = SOURCE_RE.match(ref)
                assert match, f"{deck.slug}/{item.key}: {ref!r}"
                assert match["section"] in SECTIONS, ref
                if match["n"]:
                    assert 1 <= int(match["n"]) <= SECTIONS[match["section"]], ref
                else:
                    assert CAPTIONS[match["caption"]] == match["section"], ref


def test_every_section_of_the_article_is_used():
    used = {
        SOURCE_RE.match(ref)["section"]
        for deck in _bank()
        for item in deck.items
        for ref in item.source.split("; ")
    }
    assert used == set(SECTIONS)


def test_no_multiple_choice_item_repeats_a_choice():
    for deck in _bank():
        for item in deck.items:
            texts = [c.text for c in item.choices]
            assert len(texts) == len(set(texts)), f"{deck.slug}/{item.key}"


def _built(key: str):
    return next(item for deck in _bank() for item in deck.items if item.key == key)


def _texts(item, correct=None):
    return [c.text for c in item.choices if correct is None or c.correct == correct]


@pytest.mark.parametrize(
    ("key", "not_offered"),
    [
        # Ukraine refuses to cede land; whether it shares Tusk's general words is open.
        ("europe-no-border-rights--party", "Ukraine"),
        # Tusk's words are about borders in general, not about Ukraine's land.
        ("ukraine-no-land-to-russia--party", "European leaders"),
        # Lough: "to a degree, President Trump".
        ("ukraine-ceasefire-first--party", "The United States"),
    ],
)
def test_a_party_the_article_leaves_open_is_never_marked_right_or_wrong(key, not_offered):
    assert not_offered not in _texts(_built(key))


def test_the_helsinki_date_question_does_not_give_its_answer_away_by_its_form():
    item = _built("hist-helsinki-meeting--when")
    assert _texts(item, correct=True) == ["2018"]
    assert all(text.isdigit() for text in _texts(item))


def test_no_speaker_question_offers_someone_the_quote_names():
    for key, named in [
        ("quote-zelenskyy-supported-efforts--speaker", "Donald Trump"),
        ("quote-tusk-cannot-trust-russia--speaker", "Donald Trump"),
    ]:
        assert named not in _texts(_built(key)), key


def test_the_occupied_land_russia_wants_recognized_is_some_of_it_as_the_article_says():
    for deck in _bank():
        for item in deck.items:
            for text in (item.prompt, item.explanation, item.back, *_texts(item)):
                assert "over occupied" not in text and "over Ukrainian land" not in text, item.key


def test_every_one_answer_question_offers_at_least_three_choices():
    # Two choices, one of them the obvious one, would give the answer away.
    for deck in _bank():
        for item in deck.items:
            if item.kind is ItemKind.SINGLE:
                assert len(item.choices) >= 3, f"{deck.slug}/{item.key}"


def test_no_prompt_tells_the_learner_how_to_choose():
    # The quiz page says "Choose every answer that is right" under a question with
    # several right answers, and the same prompt is the front of a flashcard, which has
    # no choices: a prompt that says it as well reads twice on the one, wrongly on the other.
    for deck in _bank():
        for item in deck.items:
            assert not re.search(
                r"all that apply|(select|choose|pick|tick) (all|every)", item.prompt, re.I
            ), f"{deck.slug}/{item.key}: {item.prompt}"


def _position_keys() -> set[str]:
    return {
        fact["key"]
        for path in QUESTIONS.glob("*.yaml")
        for fact in yaml.safe_load(path.read_text()).get("facts", [])
        if fact["type"] == "position"
    }


#: The names a built-in stance may start with, which keep their capital in a question.
STANCE_NAMES = {"Ukraine", "Russia's", "Putin's", "Europe", "Russian", "Trump's"}


def test_every_question_about_a_stance_ends_with_it_in_its_words_without_quotation_marks():
    # A stance is the decks' paraphrase: only the words a party did say are quoted.
    question = re.compile(
        r"^(According to [^,]+, )?"
        r"([Ww]hich party wants|[Ww]hich party or parties want|[Ww]ho wants) "
        r"(?P<first>\S+)[^“”\"]*(“[^“”\"]+”[^“”\"]*)?\?$"
    )
    keys = _position_keys()
    asked = [
        item
        for deck in _bank()
        for item in deck.items
        if item.key.rsplit("--", 1)[0] in keys and item.key.endswith(("--party", "--card"))
    ]
    assert len(asked) > len(keys)  # every card, and most party questions
    for item in asked:
        match = question.match(item.prompt)
        assert match, f"{item.key}: {item.prompt}"
        # An ordinary word takes a small letter; a capital is for a name
        # (quiz.domain.builder.ORDINARY_FIRST_WORDS lists the ordinary words).
        first = match["first"]
        assert first[0].islower() or first in STANCE_NAMES, f"{item.key}: {item.prompt}"
    assert _built("ukraine-end-russian-assault--party").prompt == (
        "Which party or parties want an end to Russia's assault on Ukraine?"
    )


def test_the_language_russia_wants_made_official_does_not_read_as_russian_made():
    # The article: Russia wants "for Russian to become an official language in Ukraine".
    for deck in _bank():
        for item in deck.items:
            for text in (item.prompt, item.explanation, item.back, *_texts(item)):
                assert not re.search(r"Russian[ -]made", text), item.key
    assert "wants Russian to become an official language in Ukraine?" in (
        _built("russia-treaty-russian-language--party").prompt
    )
