"""Build quiz items and flashcards from facts, deterministically, with safe distractors.

Every choice of distractor or grouping is ranked by a SHA-256 digest seeded with the
fact's key, so the same files always give the same items, and adding a fact elsewhere
changes a single-fact item only when the newcomer outranks one of its distractors.

Distractors come from sibling facts of the same type. Facts of the deck being built
(its own and included facts) are preferred to the rest of the pool, so a deck's
questions stay on its subject when enough siblings exist.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from quiz.domain.facts import (
    PARTIES,
    EventFact,
    Fact,
    FactDate,
    PositionFact,
    QuoteFact,
    join_names,
    party_in_sentence,
    party_is_plural,
    party_slug,
)
from quiz.domain.items import ChoiceSpec, ItemKind, ItemSpec

DISTRACTORS = 3
ORDERING_SIZE = 4
NOT_GROUP_SIZE = 3
MIN_PARTY_CHOICES = 3

T = TypeVar("T")


def digest(*parts: str) -> str:
    """A stable hex digest of ``parts`` (never Python's per-process ``hash()``)."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _norm(text: str) -> str:
    """Texts that differ only in case or spacing read as the same choice."""
    return " ".join(text.casefold().split())


def _same_text(a: str, b: str) -> bool:
    return _norm(a) == _norm(b)


def _rank(seed: str, facts: Iterable[T], key: Callable[[T], str]) -> list[T]:
    return sorted(facts, key=lambda fact: digest(seed, key(fact)))


def _join_sources(facts: Sequence[Fact]) -> str:
    sources: list[str] = []
    for fact in facts:
        if fact.source and fact.source not in sources:
            sources.append(fact.source)
    return "; ".join(sources)


def _single(
    key: str,
    prompt: str,
    right: str,
    wrong: Sequence[str],
    fact: Fact,
    explanation: str | None = None,
) -> ItemSpec:
    choices = (ChoiceSpec(right, True), *(ChoiceSpec(text) for text in wrong))
    return ItemSpec(
        key=key,
        kind=ItemKind.SINGLE,
        prompt=prompt,
        choices=choices,
        explanation=fact.explanation if explanation is None else explanation,
        source=fact.source,
    )


class _Context:
    """What every item builder needs to know about the deck and the whole pool."""

    def __init__(self, pool: tuple[Fact, ...], deck_keys: frozenset[str]) -> None:
        self.deck_keys = deck_keys
        self._events = [fact for fact in pool if isinstance(fact, EventFact)]
        self._positions = [fact for fact in pool if isinstance(fact, PositionFact)]
        self._quotes = [fact for fact in pool if isinstance(fact, QuoteFact)]
        self._held: dict[str, set[str]] = {party: set() for party in PARTIES}
        self._unsettled: dict[str, set[str]] = {party: set() for party in PARTIES}
        for fact in self._positions:
            for party in fact.holders:
                self._held.setdefault(party, set()).add(_norm(fact.stance))
            for party in fact.unsettled:
                self._unsettled.setdefault(party, set()).add(_norm(fact.stance))

    def events(self) -> list[EventFact]:
        return list(self._events)

    def positions(self) -> list[PositionFact]:
        return list(self._positions)

    def quotes(self) -> list[QuoteFact]:
        return list(self._quotes)

    def tier(self, fact: Fact) -> int:
        return 0 if fact.key in self.deck_keys else 1

    def holders_of_stance(self, stance: str) -> set[str]:
        """Every party holding this stance text, in any fact (guards against a stance
        written twice under different parties instead of with ``also``)."""
        holders: set[str] = set()
        for fact in self.positions():
            if _same_text(fact.stance, stance):
                holders.update(fact.holders)
        return holders

    def stances_held_by(self, party: str) -> set[str]:
        return self._held.get(party, set())

    def is_unsettled(self, party: str, stance: str) -> bool:
        """Whether the source leaves open if ``party`` holds this stance (in any fact):
        then it is neither a right nor a wrong answer about it."""
        return _norm(stance) in self._unsettled.get(party, set())

    def speakers_of_quote(self, quote: str) -> set[str]:
        return {_norm(f.speaker) for f in self.quotes() if _same_text(f.quote, quote)}

    def roles_of_speaker(self, speaker: str) -> set[str]:
        return {_norm(f.role) for f in self.quotes() if _same_text(f.speaker, speaker)}


# ---------------------------------------------------------------------------------------
# Events


def _event_when(fact: EventFact, ctx: _Context) -> ItemSpec | None:
    """Event → date. Every choice has the answer's precision, so none stands out by its
    form ("16 July 2018" among bare years); where too few other events have it, every
    choice is a year. No two choices overlap ("March 2014" is no distractor for "2014")."""
    ranked = sorted(
        (
            other
            for other in ctx.events()
            if other.key != fact.key and not _same_text(other.what, fact.what)
        ),
        key=lambda other: (ctx.tier(other), digest(fact.key, "when", other.key)),
    )
    answer = fact.when
    chosen = _dates_apart(
        answer, [other.when for other in ranked if other.when.precision == answer.precision]
    )
    if chosen is None:
        answer = FactDate(answer.year)
        chosen = _dates_apart(answer, [FactDate(other.when.year) for other in ranked])
    if chosen is None:
        return None
    return _single(
        f"{fact.key}--when", fact.ask, answer.format(), [date.format() for date in chosen], fact
    )


def _dates_apart(answer: FactDate, dates: Iterable[FactDate]) -> list[FactDate] | None:
    """The first DISTRACTORS of ``dates`` that overlap neither the answer nor each other;
    None when there are not enough."""
    chosen: list[FactDate] = []
    for date in dates:
        if not date.overlaps(answer) and all(not date.overlaps(other) for other in chosen):
            chosen.append(date)
            if len(chosen) == DISTRACTORS:
                return chosen
    return None


def _event_which(fact: EventFact, ctx: _Context) -> ItemSpec | None:
    """Date → event. Distractors happened in another year, so none is also right."""
    candidates = [
        other
        for other in ctx.events()
        if other.key != fact.key
        and other.when.year != fact.when.year
        and not _same_text(other.what, fact.what)
    ]
    candidates.sort(key=lambda other: (ctx.tier(other), digest(fact.key, "which", other.key)))
    chosen = _distinct_texts(candidates, lambda other: other.what, exclude=[fact.what])
    if chosen is None:
        return None
    date = fact.when
    prompt = f"Which of these happened {date.preposition()} {date.format()}?"
    return _single(f"{fact.key}--which-event", prompt, fact.what, chosen, fact)


def _event_card(fact: EventFact) -> ItemSpec:
    return ItemSpec(
        key=f"{fact.key}--card",
        kind=ItemKind.FLASHCARD,
        prompt=fact.ask,
        back=f"{fact.when.format()}: {fact.what}",
        explanation=fact.explanation,
        source=fact.source,
    )


def _orderable(group: Sequence[EventFact], candidate: EventFact) -> bool:
    return all(not candidate.when.overlaps(member.when) for member in group)


def _ordering_items(events: Sequence[EventFact]) -> list[ItemSpec]:
    """Groups of four events with clearly different dates, together covering every event
    that can be placed in such a group."""
    ranked = _rank("order", events, lambda event: event.key)
    covered: set[str] = set()
    items: list[ItemSpec] = []
    for start in ranked:
        if start.key in covered:
            continue
        group = [start]
        # Prefer events not yet in any group, then fill up with ones already used.
        for pool in (
            [e for e in ranked if e.key not in covered],
            _rank(
                f"order-fill-{start.key}",
                [e for e in ranked if e.key in covered],
                lambda event: event.key,
            ),
        ):
            for candidate in pool:
                if len(group) == ORDERING_SIZE:
                    break
                if (
                    candidate.key != start.key
                    and candidate not in group
                    and _orderable(group, candidate)
                ):
                    group.append(candidate)
        if len(group) < ORDERING_SIZE:
            continue
        covered.update(event.key for event in group)
        group.sort(key=lambda event: event.when)
        items.append(
            ItemSpec(
                key=f"order-{len(items) + 1}",
                kind=ItemKind.ORDERING,
                prompt="Put these events in the order they happened, earliest first.",
                choices=tuple(ChoiceSpec(event.what, True) for event in group),
                explanation=" ".join(f"{e.when.format()}: {e.what}" for e in group),
                source=_join_sources(group),
            )
        )
    return items


# ---------------------------------------------------------------------------------------
# Positions


def _position_party(fact: PositionFact, ctx: _Context) -> ItemSpec | None:
    """Stance → party; a stance held by several parties becomes a MULTIPLE item. None
    when fewer than three parties can be offered (the others being unsettled): a choice
    of two, one of them the party the stance is about, gives the answer away."""
    holders = ctx.holders_of_stance(fact.stance)
    right = [party for party in PARTIES if party in holders]
    wrong = [
        party
        for party in PARTIES
        if party not in holders and not ctx.is_unsettled(party, fact.stance)
    ]
    if not wrong or len(right) + len(wrong) < MIN_PARTY_CHOICES:
        return None
    if len(right) == 1:
        prompt = _asked(fact, f"Which party wants {_in_question(fact.stance)}?")
        return _single(f"{fact.key}--party", prompt, right[0], wrong, fact)
    # No "select all that apply": the quiz page says so under a question with several
    # right answers, and the same prompt is the front of a flashcard, which has no
    # choices to select. "Party or parties" does not tell how many are right.
    return ItemSpec(
        key=f"{fact.key}--party",
        kind=ItemKind.MULTIPLE,
        prompt=_asked(fact, f"Which party or parties want {_in_question(fact.stance)}?"),
        choices=(
            *(ChoiceSpec(party, True) for party in right),
            *(ChoiceSpec(party) for party in wrong),
        ),
        explanation=fact.explanation,
        source=fact.source,
    )


#: Words a stance may start with that are ordinary words, not names: in a question they
#: take a small letter ("Which party wants a cap on ..."). Any other first word keeps its
#: capital ("Which party wants Ukraine to ..."); tests/bank/test_builtin_questions.py
#: checks that no built-in stance starts with an ordinary word missing here.
ORDINARY_FIRST_WORDS = frozenset(
    {"a", "an", "all", "any", "international", "more", "no", "respect", "the"}
)


def _in_question(stance: str) -> str:
    """A stance as the end of a question about who wants it, in the question's own words:
    no quotation marks, which would say the party used these words (a stance is the
    decks' paraphrase; words a party did say are quoted inside it), a small first letter
    for an ordinary word, and no full stop (the question mark ends the sentence)."""
    # Not the dot of an ellipsis or of an abbreviation such as "U.S.".
    text = re.sub(r"(?<!\.)(?<!\.[A-Za-z])\.$", "", stance.strip())
    text = re.sub(r'"([^"]*)"', r"“\1”", text)
    first = text.split(maxsplit=1)[0] if text else ""
    if first.casefold() in ORDINARY_FIRST_WORDS:
        text = text[0].lower() + text[1:]
    return text


def _asked(fact: PositionFact, question: str) -> str:
    """The question, asked of what someone else says the party wants when the party did
    not say so itself ("According to experts, which party wants more time ...?")."""
    if not fact.according_to:
        return question
    return f"According to {fact.according_to}, {question[0].lower()}{question[1:]}"


def _not_held_by(party: str, ctx: _Context) -> list[PositionFact]:
    """Positions the source shows ``party`` does not hold (not merely does not mention)."""
    held = ctx.stances_held_by(party)
    return [
        fact
        for fact in ctx.positions()
        if party not in fact.holders
        and _norm(fact.stance) not in held
        and not ctx.is_unsettled(party, fact.stance)
    ]


def _does(party: str) -> str:
    return "do" if party_is_plural(party) else "does"


def _wants(party: str) -> str:
    return "want" if party_is_plural(party) else "wants"


def _position_stance(fact: PositionFact, ctx: _Context) -> ItemSpec | None:
    """Party → stance; distractors are stances the party does not hold."""
    candidates = _not_held_by(fact.party, ctx)
    candidates.sort(key=lambda other: (ctx.tier(other), digest(fact.key, "position", other.key)))
    chosen = _distinct_texts(candidates, lambda other: other.stance, exclude=[fact.stance])
    if chosen is None:
        return None
    prompt = _asked(
        fact, f"Which of these {_does(fact.party)} {party_in_sentence(fact.party)} want?"
    )
    return _single(f"{fact.key}--position", prompt, fact.stance, chosen, fact)


def _position_card(fact: PositionFact, ctx: _Context) -> ItemSpec:
    holders = [party for party in PARTIES if party in ctx.holders_of_stance(fact.stance)]
    # "Ukraine, the United States and European leaders": "The" only opens the answer.
    holders = holders[:1] + [party_in_sentence(party) for party in holders[1:]]
    return ItemSpec(
        key=f"{fact.key}--card",
        kind=ItemKind.FLASHCARD,
        prompt=_asked(fact, f"Who wants {_in_question(fact.stance)}?"),
        back=join_names(holders),
        explanation=fact.explanation,
        source=fact.source,
    )


def _not_items(own_positions: Sequence[PositionFact], ctx: _Context) -> list[ItemSpec]:
    """NOT items ("Which of these is NOT something Russia wants?"): three of the party's
    stances and one it does not hold, which is the right answer; one item per three of
    the party's stances, each with a different odd one out where the pool allows. Only
    the party's own demands are among the three: not what others say it wants."""
    items: list[ItemSpec] = []
    for party in PARTIES:
        held = _unique_stances(
            [f for f in own_positions if party in f.holders and not f.according_to]
        )
        ranked = _rank(f"not-{party}", held, lambda fact: fact.key)
        outsiders = _not_held_by(party, ctx)
        used: set[str] = set()
        slug = party_slug(party)
        for index in range(len(ranked) // NOT_GROUP_SIZE):
            group = ranked[index * NOT_GROUP_SIZE : (index + 1) * NOT_GROUP_SIZE]
            key = f"not-{slug}-{index + 1}"
            odd = min(
                outsiders,
                key=lambda other: (ctx.tier(other), other.key in used, digest(key, other.key)),
                default=None,
            )
            if odd is None:
                break
            used.add(odd.key)
            holders = [p for p in PARTIES if p in ctx.holders_of_stance(odd.stance)]
            names = join_names([party_in_sentence(p) for p in holders])
            if odd.according_to:
                wants = _wants(holders[0]) if len(holders) == 1 else "want"
                whose = f"{odd.according_to} say {names} {wants} it"
            else:
                whose = f"it is a position of {names}"
            explanation = (
                f"Only this one is not a position of {party_in_sentence(party)}: {whose}. "
                f"{odd.explanation}"
            )
            items.append(
                ItemSpec(
                    key=key,
                    kind=ItemKind.SINGLE,
                    prompt=(
                        f"Which of these is NOT something {party_in_sentence(party)} "
                        f"{_wants(party)}?"
                    ),
                    choices=(
                        ChoiceSpec(odd.stance, True),
                        *(ChoiceSpec(fact.stance) for fact in group),
                    ),
                    explanation=explanation,
                    source=_join_sources([odd, *group]),
                )
            )
    return items


def _unique_stances(facts: Sequence[PositionFact]) -> list[PositionFact]:
    unique: list[PositionFact] = []
    for fact in facts:
        if all(not _same_text(fact.stance, other.stance) for other in unique):
            unique.append(fact)
    return unique


# ---------------------------------------------------------------------------------------
# Quotes


def _named_in(speaker: str, quote: str) -> bool:
    """Whether the quote names the speaker (by surname): "…the efforts of U.S. President
    Donald Trump…" was not said by Trump, so he would be a giveaway distractor."""
    surname = speaker.split()[-1]
    # As a capitalised word of its own: "Trump's" names Trump; "it may end" names no May.
    return re.search(rf"(?<![\w-]){re.escape(surname)}(?![\w-])", quote) is not None


def _quote_speaker(fact: QuoteFact, ctx: _Context) -> ItemSpec | None:
    said_it = ctx.speakers_of_quote(fact.quote)
    candidates = [
        other
        for other in ctx.quotes()
        if _norm(other.speaker) not in said_it and not _named_in(other.speaker, fact.quote)
    ]
    candidates.sort(key=lambda other: (ctx.tier(other), digest(fact.key, "speaker", other.key)))
    chosen = _distinct_texts(candidates, lambda other: other.speaker, exclude=[fact.speaker])
    if chosen is None:
        return None
    return _single(
        f"{fact.key}--speaker", f"Who said this? “{fact.quote}”", fact.speaker, chosen, fact
    )


def _speaker_role(fact: QuoteFact, ctx: _Context) -> ItemSpec | None:
    roles = ctx.roles_of_speaker(fact.speaker)
    candidates = [
        other
        for other in ctx.quotes()
        if not _same_text(other.speaker, fact.speaker) and _norm(other.role) not in roles
    ]
    candidates.sort(key=lambda other: (ctx.tier(other), digest(fact.key, "role", other.key)))
    chosen = _distinct_texts(candidates, lambda other: other.role, exclude=[fact.role])
    if chosen is None:
        return None
    return _single(
        f"{fact.key}--role",
        f"What was {fact.speaker}'s role when quoted?",
        fact.role,
        chosen,
        fact,
        explanation=f"{fact.speaker}'s role when quoted: {fact.role}. {fact.explanation}",
    )


def _quote_card(fact: QuoteFact) -> ItemSpec:
    # The role opens its own sentence: "Dmitri Medvedev. Former president of Russia."
    back = f"{fact.speaker}. {fact.role}."
    if fact.context:
        back = f"{back} {fact.context}"
    return ItemSpec(
        key=f"{fact.key}--card",
        kind=ItemKind.FLASHCARD,
        prompt=f"Who said this? “{fact.quote}”",
        back=back,
        explanation=fact.explanation,
        source=fact.source,
    )


# ---------------------------------------------------------------------------------------
# Shared


def _distinct_texts(
    ranked: Sequence[T], text: Callable[[T], str], *, exclude: Sequence[str]
) -> list[str] | None:
    """The first DISTRACTORS texts of ``ranked`` that differ from each other and from
    ``exclude``; None when there are not enough."""
    seen = {_norm(t) for t in exclude}
    chosen: list[str] = []
    for candidate in ranked:
        value = text(candidate)
        if _norm(value) in seen:
            continue
        seen.add(_norm(value))
        chosen.append(value)
        if len(chosen) == DISTRACTORS:
            return chosen
    return None


def _quiz_items(fact: Fact, ctx: _Context, *, first_quote_of_speaker: bool) -> list[ItemSpec]:
    """Every quiz item that can be built from one fact, in a fixed order."""
    built: list[ItemSpec | None]
    if isinstance(fact, EventFact):
        built = [_event_when(fact, ctx), _event_which(fact, ctx)]
    elif isinstance(fact, PositionFact):
        built = [_position_party(fact, ctx), _position_stance(fact, ctx)]
    else:
        built = [_quote_speaker(fact, ctx)]
        if first_quote_of_speaker:
            built.append(_speaker_role(fact, ctx))
    return [item for item in built if item is not None]


def _card(fact: Fact, ctx: _Context) -> ItemSpec:
    if isinstance(fact, EventFact):
        return _event_card(fact)
    if isinstance(fact, PositionFact):
        return _position_card(fact, ctx)
    return _quote_card(fact)


def _first_quotes(facts: Sequence[Fact]) -> set[str]:
    """Keys of the first quote of each speaker: the speaker → role item is built once."""
    seen: set[str] = set()
    first: set[str] = set()
    for fact in facts:
        if isinstance(fact, QuoteFact) and _norm(fact.speaker) not in seen:
            seen.add(_norm(fact.speaker))
            first.add(fact.key)
    return first


def _merge(*groups: Iterable[Fact]) -> tuple[Fact, ...]:
    merged: dict[str, Fact] = {}
    for group in groups:
        for fact in group:
            merged.setdefault(fact.key, fact)
    return tuple(merged.values())


def build_deck_items(
    own_facts: Sequence[Fact],
    pool: Sequence[Fact],
    *,
    mixed: bool = False,
    included: Sequence[Fact] = (),
) -> tuple[ItemSpec, ...]:
    """Build a deck's items from its facts.

    ``own_facts`` get every item kind and a flashcard each; ``pool`` is every fact of
    every deck (where distractors come from). ``included`` are facts of other decks that
    this deck includes: with ``mixed=True`` each gets exactly one quiz item (of a kind
    chosen by its key) and no flashcard; with ``mixed=False`` they are treated like own
    facts.
    """
    own_keys = {fact.key for fact in own_facts}
    included = [fact for fact in included if fact.key not in own_keys]
    if not mixed:
        own_facts = [*own_facts, *included]
        included = []
    ctx = _Context(
        pool=_merge(own_facts, included, pool),
        deck_keys=frozenset(fact.key for fact in (*own_facts, *included)),
    )

    items: list[ItemSpec] = []
    first_quotes = _first_quotes(own_facts)
    for fact in own_facts:
        items.extend(_quiz_items(fact, ctx, first_quote_of_speaker=fact.key in first_quotes))
        items.append(_card(fact, ctx))
    items.extend(_not_items([f for f in own_facts if isinstance(f, PositionFact)], ctx))
    items.extend(_ordering_items([f for f in own_facts if isinstance(f, EventFact)]))

    first_included_quotes = _first_quotes(included)
    for fact in included:
        options = _quiz_items(fact, ctx, first_quote_of_speaker=fact.key in first_included_quotes)
        if options:
            items.append(options[int(digest(fact.key, "mixed"), 16) % len(options)])
    return tuple(items)
