"""A question set printed as a paper test, with its answer key."""

from __future__ import annotations

from quiz.domain.items import ChoiceSpec, ItemKind, ItemSpec
from quiz.domain.paper import paper_test, printed_order
from tests.factories import single


def _ordering(key: str, *entries: str) -> ItemSpec:
    return ItemSpec(
        key=key,
        kind=ItemKind.ORDERING,
        prompt="Put these in order.",
        choices=tuple(ChoiceSpec(e, True) for e in entries),
    )


def _multiple(key: str) -> ItemSpec:
    return ItemSpec(
        key=key,
        kind=ItemKind.MULTIPLE,
        prompt="Which are capitals?",
        choices=(
            ChoiceSpec("Kyiv", True),
            ChoiceSpec("Lviv"),
            ChoiceSpec("Warsaw", True),
            ChoiceSpec("Odesa"),
        ),
    )


FLASHCARD = ItemSpec(key="f", kind=ItemKind.FLASHCARD, prompt="Front", back="Back")
TRUE_FALSE = ItemSpec(
    key="tf",
    kind=ItemKind.TRUE_FALSE,
    prompt="Kyiv is the capital.",
    choices=(ChoiceSpec("True", True), ChoiceSpec("False")),
)


def test_the_key_names_the_letters_of_the_right_choices_as_printed():
    items = [single(f"q{n}", f"Question {n}", "Right", "Wrong 1", "Wrong 2") for n in range(20)]
    items.append(_multiple("m"))
    test = paper_test(items)
    for question in test.questions:
        printed = {c.letter: c.text for c in question.choices}
        right = {"Right"} if question.kind == ItemKind.SINGLE else {"Kyiv", "Warsaw"}
        assert {printed[letter] for letter in question.key} == right
        assert list(question.key) == sorted(question.key)
        assert [c.letter for c in question.choices] == list("ABCD"[: len(question.choices)])
    # Shuffled: the right answer is not always the first choice.
    assert {q.key for q in test.questions[:20]} != {("A",)}


def test_every_printing_letters_the_choices_alike():
    items = [single("q", "Question", "Right", "W1", "W2", "W3"), _multiple("m")]
    assert paper_test(items) == paper_test(list(items))
    # Pinned: the order rests on the key alone, the same in every process and version.
    assert printed_order("capital-france", ItemKind.SINGLE, 4) == [3, 1, 0, 2]
    assert printed_order("m", ItemKind.MULTIPLE, 4) == [0, 2, 1, 3]


def test_an_ordering_question_is_never_printed_in_its_right_order():
    for n in range(30):
        question = paper_test([_ordering(f"o{n}", "First", "Second", "Third")]).questions[0]
        printed = [c.text for c in question.choices]
        assert printed != ["First", "Second", "Third"]
        assert question.key_texts == ("First", "Second", "Third")
        places = dict(question.places)
        assert [places[c.letter] for c in question.choices] == [
            ("First", "Second", "Third").index(c.text) + 1 for c in question.choices
        ]


def test_true_false_keeps_true_first_and_flashcards_are_left_out():
    test = paper_test([FLASHCARD, TRUE_FALSE, FLASHCARD])
    assert test.flashcards_left_out == 2
    (question,) = test.questions
    assert [c.text for c in question.choices] == ["True", "False"]
    assert question.key == ("A",)
