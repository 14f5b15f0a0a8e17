"""Tests for the deterministic deck builder: item kinds, distractors, keys, mixed decks."""

from __future__ import annotations

import datetime
import re
from collections import Counter

import pytest

from quiz.domain.builder import build_deck_items
from quiz.domain.facts import (
    PARTIES,
    DatePrecision,
    EventFact,
    Fact,
    FactDate,
    PositionFact,
    QuoteFact,
)
from quiz.domain.items import ItemKind, ItemSpec


def event(key: str, when: str, what: str) -> EventFact:
    return EventFact(
        key=key,
        when=FactDate.parse(when),
        what=what,
        ask=f"When did this happen: {what}",
        explanation=f"Explanation of {key}.",
        source=f"History, paragraph {len(key) % 6 + 1}",
    )


def position(
    key: str,
    party: str,
    stance: str,
    also: tuple[str, ...] = (),
    unsettled: tuple[str, ...] = (),
) -> PositionFact:
    return PositionFact(
        key=key,
        party=party,
        also=also,
        unsettled=unsettled,
        stance=stance,
        explanation=f"Explanation of {key}.",
        source=f"{party}, paragraph {len(key) % 8 + 1}",
    )


def quote(key: str, speaker: str, role: str, text: str, context: str = "") -> QuoteFact:
    return QuoteFact(
        key=key,
        speaker=speaker,
        role=role,
        quote=text,
        context=context,
        explanation=f"Explanation of {key}.",
        source="Introduction, paragraph 2",
    )


EVENTS: tuple[EventFact, ...] = (
    event("independence-vote", "1991", "Ukraine voted for independence."),
    event("nato-bucharest", "2008", "NATO declared Ukraine would one day join."),
    event("maidan-protests", "2014", "Protests drove the president from office."),
    event("crimea-annexed", "2014-03", "Russia annexed Crimea."),
    event("full-invasion", "2022-02-24", "Russia launched a full-scale invasion."),
    event("helsinki-summit", "2018-07-16", "Trump and Putin met in Helsinki."),
    event("ceasefire-offer", "2025-03", "Ukraine agreed to a 30-day ceasefire proposal."),
    event("deadline-set", "2025-07", "Trump gave Putin a 50-day deadline."),
)

POSITIONS: tuple[PositionFact, ...] = (
    position("russia-no-nato", "Russia", "A pledge that Ukraine will never join NATO."),
    position("russia-cap-army", "Russia", "A cap on the size of Ukraine's armed forces."),
    position("russia-language", "Russia", "Russian as an official language of Ukraine."),
    position("russia-recognition", "Russia", "Recognition of its rule over occupied land."),
    position("russia-no-aid", "Russia", "An end to Western military aid to Ukraine."),
    position("russia-election", "Russia", "A quick election in Ukraine."),
    position(
        "ukraine-ceasefire-first",
        "Ukraine",
        "A ceasefire before any talks on a settlement.",
        also=("European leaders",),
    ),
    position("ukraine-withdrawal", "Ukraine", "Russia's full withdrawal from its territory."),
    position("ukraine-no-land", "Ukraine", "No surrender of any territory."),
    position("us-end-war", "The United States", "A deal that ends the war quickly."),
    position("europe-no-trust", "European leaders", "Not trusting Russia's promises."),
)

QUOTES: tuple[QuoteFact, ...] = (
    quote("tusk-trust", "Donald Tusk", "Prime Minister of Poland", "One can't trust Russia."),
    quote("bowman-sideline", "Bradley Bowman", "Think-tank director", "He wants to sideline."),
    quote("bowman-bad-peace", "Bradley Bowman", "Think-tank director", "A bad peace."),
    quote("lough-risk", "John Lough", "Associate fellow", "High risk.", "Before the summit."),
    quote("fried-dazzle", "Daniel Fried", "Former ambassador to Poland", "Dazzle him."),
    quote("sherman-time", "Wendy Sherman", "Former deputy secretary of state", "Buying time."),
)

POOL: tuple[Fact, ...] = EVENTS + POSITIONS + QUOTES
EVENT_BY_WHAT = {fact.what: fact for fact in EVENTS}
DATE_BY_TEXT = {fact.when.format(): fact.when for fact in EVENTS}


def holders_of(stance: str) -> set[str]:
    return {p for f in POSITIONS if f.stance == stance for p in f.holders}


def items_by_key(items: tuple[ItemSpec, ...]) -> dict[str, ItemSpec]:
    return {item.key: item for item in items}


@pytest.fixture(scope="module")
def full_deck() -> tuple[ItemSpec, ...]:
    return build_deck_items(POOL, POOL)


def right_texts(item: ItemSpec) -> list[str]:
    return [choice.text for choice in item.choices if choice.correct]


def wrong_texts(item: ItemSpec) -> list[str]:
    return [choice.text for choice in item.choices if not choice.correct]


def test_building_twice_gives_identical_items(full_deck: tuple[ItemSpec, ...]) -> None:
    assert build_deck_items(POOL, POOL) == full_deck


def test_pool_order_does_not_change_the_items(full_deck: tuple[ItemSpec, ...]) -> None:
    assert build_deck_items(POOL, tuple(reversed(POOL))) == full_deck


def test_item_keys_are_unique(full_deck: tuple[ItemSpec, ...]) -> None:
    counts = Counter(item.key for item in full_deck)
    assert [key for key, n in counts.items() if n > 1] == []


def test_no_item_has_duplicate_choice_texts(full_deck: tuple[ItemSpec, ...]) -> None:
    for item in full_deck:
        texts = [choice.text.casefold() for choice in item.choices]
        assert len(texts) == len(set(texts)), item.key


def test_single_items_have_four_choices_with_the_right_one_first(
    full_deck: tuple[ItemSpec, ...],
) -> None:
    singles = [item for item in full_deck if item.kind is ItemKind.SINGLE]
    assert singles
    for item in singles:
        assert len(item.choices) == 4, item.key
        assert [choice.correct for choice in item.choices] == [True, False, False, False]


def test_every_item_carries_an_explanation_and_a_source(full_deck: tuple[ItemSpec, ...]) -> None:
    for item in full_deck:
        assert item.explanation.strip(), item.key
        assert item.source.strip(), item.key


def test_every_fact_gets_a_quiz_item_and_a_flashcard(full_deck: tuple[ItemSpec, ...]) -> None:
    keys = {item.key for item in full_deck}
    cards = {item.key for item in full_deck if item.kind is ItemKind.FLASHCARD}
    for fact in POOL:
        assert f"{fact.key}--card" in cards
        quiz_keys = {k for k in keys - cards if k.startswith(f"{fact.key}--")}
        assert quiz_keys, fact.key


def shown_date(text: str) -> FactDate:
    """A date read back from a choice: "1991", "March 2025" or "16 July 2018"."""
    parts = text.split()
    months = {datetime.date(2000, m, 1).strftime("%B"): m for m in range(1, 13)}
    if len(parts) == 1:
        return FactDate(int(parts[0]))
    if len(parts) == 2:
        return FactDate(int(parts[1]), months[parts[0]])
    return FactDate(int(parts[2]), months[parts[1]], int(parts[0]))


def test_event_to_date_choices_share_one_form_and_none_overlaps_another(
    full_deck: tuple[ItemSpec, ...],
) -> None:
    for fact in EVENTS:
        item = items_by_key(full_deck)[f"{fact.key}--when"]
        assert item.prompt == fact.ask
        (right,) = right_texts(item)
        assert shown_date(right) in (fact.when, FactDate(fact.when.year))
        dates = [shown_date(choice.text) for choice in item.choices]
        assert len({date.precision for date in dates}) == 1, (fact.key, dates)
        for n, date in enumerate(dates):
            assert not any(date.overlaps(other) for other in dates[n + 1 :]), (fact.key, dates)


def test_a_date_question_keeps_the_answers_precision_when_enough_dates_share_it() -> None:
    months = EVENTS + (event("memorandum", "2025-06", "The Kremlin set out two options."),)
    item = items_by_key(build_deck_items(months, months))["ceasefire-offer--when"]
    assert right_texts(item) == ["March 2025"]
    assert all(shown_date(text).precision == DatePrecision.MONTH for text in wrong_texts(item))


def test_a_date_question_asks_for_the_year_when_too_few_dates_share_the_answers_precision() -> None:
    # Only one other event is known to the day: "24 February 2022" beside bare years
    # would give the answer away by its form, so every choice is a year.
    item = items_by_key(build_deck_items(EVENTS, EVENTS))["helsinki-summit--when"]
    assert right_texts(item) == ["2018"]
    assert all(text.isdigit() and text != "2018" for text in wrong_texts(item))
    assert len(set(wrong_texts(item))) == 3
    more_days = EVENTS + (
        event("minsk-one", "2014-09-05", "A first ceasefire was signed in Minsk."),
        event("minsk-two", "2015-02-12", "A second ceasefire was signed in Minsk."),
    )
    item = items_by_key(build_deck_items(more_days, more_days))["helsinki-summit--when"]
    assert right_texts(item) == ["16 July 2018"]  # ... but not when days suffice


def test_date_to_event_distractors_happened_in_another_year(
    full_deck: tuple[ItemSpec, ...],
) -> None:
    for fact in EVENTS:
        item = items_by_key(full_deck)[f"{fact.key}--which-event"]
        assert fact.when.format() in item.prompt
        assert right_texts(item) == [fact.what]
        for text in wrong_texts(item):
            assert EVENT_BY_WHAT[text].when.year != fact.when.year, (fact.key, text)


def test_stance_to_party_offers_the_four_parties(full_deck: tuple[ItemSpec, ...]) -> None:
    item = items_by_key(full_deck)["russia-cap-army--party"]
    assert item.kind is ItemKind.SINGLE
    assert sorted(c.text for c in item.choices) == sorted(PARTIES)
    assert right_texts(item) == ["Russia"]
    assert "wants a cap on the size" in item.prompt


def test_a_shared_position_becomes_a_multiple_item_with_every_holder_right(
    full_deck: tuple[ItemSpec, ...],
) -> None:
    item = items_by_key(full_deck)["ukraine-ceasefire-first--party"]
    assert item.kind is ItemKind.MULTIPLE
    assert set(right_texts(item)) == {"Ukraine", "European leaders"}
    assert set(wrong_texts(item)) == {"Russia", "The United States"}


def test_the_same_stance_written_for_two_parties_is_not_a_single_answer() -> None:
    twins = (
        position("us-ceasefire", "The United States", "A ceasefire now."),
        position("europe-ceasefire", "European leaders", "A ceasefire now."),
    )
    pool = POSITIONS + twins
    item = items_by_key(build_deck_items(twins, pool))["us-ceasefire--party"]
    assert item.kind is ItemKind.MULTIPLE
    assert set(right_texts(item)) == {"The United States", "European leaders"}


def test_a_stance_ends_the_question_in_its_words_without_quotation_marks(
    full_deck: tuple[ItemSpec, ...],
) -> None:
    # A stance is the decks' paraphrase: in quotation marks it would read as the party's
    # own words. Its own full stop goes (the question mark ends the sentence), and an
    # ordinary first word takes a small letter.
    by_key = items_by_key(full_deck)
    assert by_key["russia-cap-army--party"].prompt == (
        "Which party wants a cap on the size of Ukraine's armed forces?"
    )
    assert by_key["russia-cap-army--card"].prompt == (
        "Who wants a cap on the size of Ukraine's armed forces?"
    )


def test_a_shared_positions_question_says_no_more_than_the_quiz_page_or_a_card_needs(
    full_deck: tuple[ItemSpec, ...],
) -> None:
    # The quiz page says to choose every right answer, and a flashcard has no choices:
    # the prompt is a question alone, and does not tell how many parties are right.
    item = items_by_key(full_deck)["ukraine-ceasefire-first--party"]
    assert item.kind is ItemKind.MULTIPLE
    assert item.prompt == (
        "Which party or parties want a ceasefire before any talks on a settlement?"
    )


def test_no_built_prompt_tells_the_learner_how_to_choose(full_deck: tuple[ItemSpec, ...]) -> None:
    for item in full_deck:
        assert not re.search(r"all that apply|select all|choose all", item.prompt, re.I), item.key


def test_words_quoted_in_a_stance_stay_quoted_in_the_question() -> None:
    threat = position(
        "us-threat",
        "The United States",
        'Russia\'s agreement, on pain of "very severe consequences"',
    )
    pool = (*POSITIONS, threat)
    card = items_by_key(build_deck_items((threat,), pool))["us-threat--card"]
    assert card.prompt == ("Who wants Russia's agreement, on pain of “very severe consequences”?")


@pytest.mark.parametrize(
    ("stance", "set_off"),
    [
        ("An end to the war.", "an end to the war"),
        (
            "Ukraine to stop receiving aid from the U.S.",
            "Ukraine to stop receiving aid from the U.S.",
        ),
        ("No more than a pause...", "no more than a pause..."),
    ],
)
def test_a_stance_loses_its_full_stop_but_not_an_abbreviations(stance, set_off) -> None:
    fact = position("us-stance", "The United States", stance)
    card = items_by_key(build_deck_items((fact,), (*POSITIONS, fact)))["us-stance--card"]
    assert card.prompt == f"Who wants {set_off}?"


def test_party_to_stance_distractors_are_never_held_by_that_party(
    full_deck: tuple[ItemSpec, ...],
) -> None:
    for fact in POSITIONS:
        item = items_by_key(full_deck).get(f"{fact.key}--position")
        assert item is not None, fact.key
        assert right_texts(item) == [fact.stance]
        for text in wrong_texts(item):
            assert fact.party not in holders_of(text), (fact.key, text)


def test_the_united_states_and_european_leaders_read_grammatically(
    full_deck: tuple[ItemSpec, ...],
) -> None:
    by_key = items_by_key(full_deck)
    assert by_key["us-end-war--position"].prompt == "Which of these does the United States want?"
    assert by_key["europe-no-trust--position"].prompt == "Which of these do European leaders want?"


def test_not_items_have_three_held_stances_and_one_outsider_as_the_answer(
    full_deck: tuple[ItemSpec, ...],
) -> None:
    not_items = [item for item in full_deck if item.key.startswith("not-")]
    # Russia holds six stances (two groups of three), Ukraine three, the rest fewer.
    assert sorted(item.key for item in not_items) == [
        "not-russia-1",
        "not-russia-2",
        "not-ukraine-1",
    ]
    for item in not_items:
        party = "Russia" if "russia" in item.key else "Ukraine"
        assert item.prompt == f"Which of these is NOT something {party} wants?"
        assert len(item.choices) == 4
        (answer,) = right_texts(item)
        assert party not in holders_of(answer)
        for text in wrong_texts(item):
            assert party in holders_of(text)
        assert len(item.source.split("; ")) == len(set(item.source.split("; ")))


def test_not_items_for_one_party_use_different_stances(full_deck: tuple[ItemSpec, ...]) -> None:
    by_key = items_by_key(full_deck)
    first = set(wrong_texts(by_key["not-russia-1"]))
    second = set(wrong_texts(by_key["not-russia-2"]))
    assert not first & second
    assert right_texts(by_key["not-russia-1"]) != right_texts(by_key["not-russia-2"])


def test_quote_to_speaker_distractors_are_other_distinct_speakers(
    full_deck: tuple[ItemSpec, ...],
) -> None:
    for fact in QUOTES:
        item = items_by_key(full_deck)[f"{fact.key}--speaker"]
        assert f"“{fact.quote}”" in item.prompt
        assert right_texts(item) == [fact.speaker]
        assert fact.speaker not in wrong_texts(item)
        assert len(set(wrong_texts(item))) == 3


def test_speaker_role_is_asked_once_per_speaker(full_deck: tuple[ItemSpec, ...]) -> None:
    role_items = [item for item in full_deck if item.key.endswith("--role")]
    speakers = {fact.speaker for fact in QUOTES}
    assert len(role_items) == len(speakers)
    assert "bowman-sideline--role" in {item.key for item in role_items}
    assert "bowman-bad-peace--role" not in {item.key for item in role_items}
    item = items_by_key(full_deck)["tusk-trust--role"]
    assert right_texts(item) == ["Prime Minister of Poland"]
    assert "Donald Tusk" in item.prompt


def test_ordering_items_list_four_events_in_strictly_ascending_date_order(
    full_deck: tuple[ItemSpec, ...],
) -> None:
    orderings = [item for item in full_deck if item.kind is ItemKind.ORDERING]
    assert orderings
    assert [item.key for item in orderings] == [f"order-{n}" for n in range(1, len(orderings) + 1)]
    for item in orderings:
        assert len(item.choices) == 4
        assert all(choice.correct for choice in item.choices)
        dates = [EVENT_BY_WHAT[choice.text].when for choice in item.choices]
        for earlier, later in zip(dates, dates[1:], strict=False):
            assert earlier < later and not earlier.overlaps(later), item.key
        for date in dates:
            assert date.format() in item.explanation


def test_ordering_items_cover_every_event(full_deck: tuple[ItemSpec, ...]) -> None:
    ordered = {
        choice.text
        for item in full_deck
        if item.kind is ItemKind.ORDERING
        for choice in item.choices
    }
    assert ordered == set(EVENT_BY_WHAT)


def test_no_ordering_item_without_four_clearly_different_dates() -> None:
    few = (
        event("a", "2014", "A happened."),
        event("b", "2014-03", "B happened."),
        event("c", "2015", "C happened."),
        event("d", "2016", "D happened."),
    )
    assert not [item for item in build_deck_items(few, few) if item.kind is ItemKind.ORDERING]


def test_no_item_is_built_without_three_distractors() -> None:
    lonely = (
        event("a", "2001", "A happened."),
        event("b", "2002", "B happened."),
        event("c", "2003", "C happened."),
    )
    items = build_deck_items(lonely, lonely)
    assert {item.kind for item in items} == {ItemKind.FLASHCARD}


def test_a_party_the_source_leaves_unsettled_is_neither_a_right_nor_a_wrong_answer() -> None:
    borders = position(
        "no-border-rights",
        "European leaders",
        "No recognition of a Russian right to draw its neighbours' borders.",
        unsettled=("Ukraine",),
    )
    pool = POOL + (borders,)
    items = items_by_key(build_deck_items(pool, pool))
    party = items["no-border-rights--party"]
    assert right_texts(party) == ["European leaders"]
    assert sorted(wrong_texts(party)) == ["Russia", "The United States"]
    # Nor is it offered as something Ukraine does not want.
    for item in items.values():
        if "Ukraine" in item.prompt and item.kind is ItemKind.SINGLE:
            assert borders.stance not in [c.text for c in item.choices], item.key
    assert items["no-border-rights--card"].back == "European leaders"


def test_no_party_question_is_built_when_only_two_parties_can_be_offered() -> None:
    # The United States against Russia alone, for a threat made to Russia: a giveaway.
    threat = position(
        "us-threat",
        "The United States",
        "Russia's agreement to end the war, on pain of severe consequences.",
        unsettled=("Ukraine", "European leaders"),
    )
    pool = POOL + (threat,)
    items = items_by_key(build_deck_items((threat,), pool))
    assert "us-threat--party" not in items
    assert "us-threat--position" in items and "us-threat--card" in items


def test_a_quotes_speaker_question_offers_no_one_the_quote_names() -> None:
    own = (
        quote(
            "zelenskyy-thanks",
            "Volodymyr Zelenskyy",
            "President of Ukraine",
            "We supported the efforts of U.S. President Donald Trump to end the war.",
        ),
        quote("trump-table", "Donald Trump", "President of the United States", "Set the table."),
        quote("bowman-trump", "Bradley Bowman", "Think-tank director", "Gain Trump's support."),
    )
    # Trump's quote is in the deck itself, so he would be the first distractor chosen.
    items = items_by_key(build_deck_items(own, QUOTES + own))
    for key, speaker in [
        ("zelenskyy-thanks", "Volodymyr Zelenskyy"),
        ("bowman-trump", "Bradley Bowman"),
    ]:
        item = items[f"{key}--speaker"]
        assert right_texts(item) == [speaker]
        assert "Donald Trump" not in wrong_texts(item), key
        assert len(wrong_texts(item)) == 3


def test_flashcards_carry_the_answer_on_the_back(full_deck: tuple[ItemSpec, ...]) -> None:
    by_key = items_by_key(full_deck)
    card = by_key["crimea-annexed--card"]
    assert card.kind is ItemKind.FLASHCARD and card.choices == ()
    assert card.back == "March 2014: Russia annexed Crimea."
    assert by_key["ukraine-ceasefire-first--card"].back == "Ukraine and European leaders"
    shared = position("peace", "Ukraine", "Peace.", also=("The United States", "European leaders"))
    card = items_by_key(build_deck_items((shared,), POOL + (shared,)))["peace--card"]
    assert card.back == "Ukraine, the United States and European leaders"
    lough = by_key["lough-risk--card"]
    assert "High risk." in lough.prompt
    assert lough.back == "John Lough. Associate fellow. Before the summit."
    assert lough.explanation == "Explanation of lough-risk."
    assert lough.source == "Introduction, paragraph 2"


def test_a_party_deck_takes_its_distractors_from_the_other_parties() -> None:
    russia = tuple(f for f in POSITIONS if f.party == "Russia")
    item = items_by_key(build_deck_items(russia, POOL))["russia-no-nato--position"]
    assert all("Russia" not in holders_of(text) for text in wrong_texts(item))


def test_distractors_prefer_the_decks_own_facts() -> None:
    other_subject = tuple(
        event(f"chemistry-{n}", str(1800 + n), f"Element {n} was discovered.") for n in range(20)
    )
    deck = EVENTS
    items = build_deck_items(deck, deck + other_subject)
    for item in items:
        if item.key.endswith("--which-event"):
            assert all(text in EVENT_BY_WHAT for text in wrong_texts(item)), item.key


MIXED_OWN = (event("own-event", "1954", "Crimea was transferred to Ukraine."),)


@pytest.fixture(scope="module")
def mixed_items() -> tuple[ItemSpec, ...]:
    return build_deck_items(MIXED_OWN, MIXED_OWN + POOL, mixed=True, included=POOL)


class TestMixedDeck:
    own = MIXED_OWN
    included = POOL

    @pytest.fixture
    def items(self, mixed_items: tuple[ItemSpec, ...]) -> tuple[ItemSpec, ...]:
        return mixed_items

    def test_one_quiz_item_per_included_fact_and_no_flashcards(
        self, items: tuple[ItemSpec, ...]
    ) -> None:
        for fact in self.included:
            mine = [item for item in items if item.key.startswith(f"{fact.key}--")]
            assert len(mine) == 1, fact.key
            assert mine[0].kind is not ItemKind.FLASHCARD

    def test_own_facts_still_get_the_full_set(self, items: tuple[ItemSpec, ...]) -> None:
        keys = {item.key for item in items}
        assert {"own-event--when", "own-event--which-event", "own-event--card"} <= keys

    def test_included_facts_add_no_not_or_ordering_items(self, items: tuple[ItemSpec, ...]) -> None:
        assert not [i for i in items if i.key.startswith(("not-", "order-"))]

    def test_the_kinds_are_mixed(self, items: tuple[ItemSpec, ...]) -> None:
        suffixes = {item.key.split("--")[1] for item in items if "--" in item.key}
        assert {"when", "which-event", "party", "position", "speaker"} <= suffixes

    def test_mixed_building_is_deterministic(self, items: tuple[ItemSpec, ...]) -> None:
        again = build_deck_items(self.own, self.own + POOL, mixed=True, included=self.included)
        assert again == items

    def test_without_mixed_included_facts_get_the_full_set(self) -> None:
        items = build_deck_items(self.own, POOL, included=EVENTS)
        assert {f"{fact.key}--card" for fact in EVENTS} <= {item.key for item in items}


@pytest.mark.parametrize(
    ("speaker", "text", "named"),
    [
        ("Donald Trump", "the efforts of U.S. President Donald Trump", True),
        ("Donald Trump", "to gain Trump's support", True),
        ("Donald Trump", "to gain Trump’s support", True),
        ("Theresa May", "a deal may come in May", True),
        ("Theresa May", "a deal may come", False),  # a common word is no name
        ("Andrea Kendall-Taylor", "as Kendall-Taylor said", True),
        ("John Lough", "Loughborough", False),
    ],
)
def test_a_quote_names_a_speaker_by_their_surname_as_a_word(speaker, text, named) -> None:
    from quiz.domain.builder import _named_in

    assert _named_in(speaker, text) is named


EXPERTS_VIEW = PositionFact(
    key="russia-buy-time",
    party="Russia",
    also=(),
    stance="More time, rather than an end to the war.",
    explanation="Explanation of russia-buy-time.",
    source="Russia, paragraph 18",
    according_to="experts",
)


@pytest.fixture(scope="module")
def with_experts_view() -> tuple[ItemSpec, ...]:
    pool = (*POOL, EXPERTS_VIEW)
    return build_deck_items(pool, pool)


def test_what_experts_say_a_party_wants_is_asked_as_their_view(
    with_experts_view: tuple[ItemSpec, ...],
) -> None:
    by_key = items_by_key(with_experts_view)
    stance = "more time, rather than an end to the war"
    assert by_key["russia-buy-time--party"].prompt == (
        f"According to experts, which party wants {stance}?"
    )
    assert by_key["russia-buy-time--position"].prompt == (
        "According to experts, which of these does Russia want?"
    )
    assert by_key["russia-buy-time--card"].prompt == (f"According to experts, who wants {stance}?")
    # The party's own demands are asked as before.
    assert by_key["russia-no-nato--position"].prompt == "Which of these does Russia want?"


def test_not_items_never_count_what_experts_say_among_a_partys_own_demands(
    with_experts_view: tuple[ItemSpec, ...],
) -> None:
    russia = [item for item in with_experts_view if item.key.startswith("not-russia")]
    assert len(russia) == 2  # its six own demands, as without the experts' view
    for item in russia:
        assert EXPERTS_VIEW.stance not in wrong_texts(item)


def test_a_not_items_odd_one_out_that_experts_attribute_says_so() -> None:
    ukraine = tuple(f for f in POSITIONS if "Ukraine" in f.holders)
    pool = (*ukraine, position("ukraine-more", "Ukraine", "More aid."), EXPERTS_VIEW)
    (item,) = [i for i in build_deck_items(pool, pool) if i.key.startswith("not-")]
    assert item.key == "not-ukraine-1" and right_texts(item) == [EXPERTS_VIEW.stance]
    assert item.explanation.startswith(
        "Only this one is not a position of Ukraine: experts say Russia wants it."
    )
