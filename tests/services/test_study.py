"""Studying with FSRS: the queue order, the daily limit, learning steps, idempotent ratings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from quiz.domain.items import ChoiceSpec, DeckSpec, ItemKind, ItemSpec
from quiz.domain.scheduling import Rating
from quiz.extensions import db
from quiz.models import Card, ReviewLog, User, utcnow
from quiz.services import NotFound, ServiceError, quizzes, study
from quiz.services.decks import get_published_deck, load_builtin_decks
from tests.factories import make_user, sample_deck

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _flashcards(slug: str = "cards", n: int = 5) -> DeckSpec:
    items = tuple(
        ItemSpec(
            key=f"card-{i}",
            kind=ItemKind.FLASHCARD,
            prompt=f"Front {i}",
            back=f"Back {i}",
            explanation="",
            source="s",
        )
        for i in range(1, n + 1)
    )
    return DeckSpec(slug, slug.title(), "", items)


def _load(spec: DeckSpec):
    load_builtin_decks([spec])
    return get_published_deck(spec.slug)


def _rate(user, deck, rating: Rating, now: datetime):
    nxt = study.next_card(user, deck, now)
    assert nxt is not None
    assert study.rate_card(user, nxt.item.id, rating, study.card_token(nxt.card), now)
    return nxt.item


def test_new_cards_come_in_deck_order_and_stop_at_the_daily_limit(app):
    deck = _load(_flashcards(n=5))
    user = make_user()
    user.daily_new_limit = 2
    db.session.commit()
    first = _rate(user, deck, Rating.EASY, NOW)
    second = _rate(user, deck, Rating.EASY, NOW)
    assert (first.prompt, second.prompt) == ("Front 1", "Front 2")
    assert study.next_card(user, deck, NOW) is None
    assert study.queue_counts(user, deck, NOW).new == 0
    # The next local day the limit starts again.
    assert study.next_card(user, deck, NOW + timedelta(days=1)).item.prompt == "Front 3"


def test_a_rating_schedules_the_card_by_the_learners_desired_retention(app):
    deck = _load(_flashcards(n=1))
    usual, keen = make_user(), make_user()
    keen.desired_retention = 0.97
    db.session.commit()
    dues = {}
    for user in (usual, keen):
        item = _rate(user, deck, Rating.GOOD, NOW)  # the first learning step: 10 minutes
        card = db.session.execute(
            db.select(Card).where(Card.user_id == user.id, Card.item_id == item.id)
        ).scalar_one()
        _rate(user, deck, Rating.GOOD, card.due)  # graduates: days, by the retention
        db.session.refresh(card)
        dues[user.id] = card.due - card.last_review
        back = study.card_back(user, item.id, deck, card.due).face
        dues[user.id, "easy"] = back.intervals[Rating.EASY]
    assert dues[keen.id] < dues[usual.id]
    assert dues[keen.id, "easy"] != dues[usual.id, "easy"]  # the buttons tell the same


def test_settings_refuse_a_desired_retention_not_offered(app):
    user = make_user()
    with pytest.raises(ServiceError, match="Choose how much to remember from the list."):
        study.update_settings(user, "UTC", 20, desired_retention=0.99)
    study.update_settings(user, "UTC", 20, desired_retention=0.95)
    db.session.expire_all()
    assert db.session.get(User, user.id).desired_retention == 0.95


def test_the_daily_limit_follows_the_learners_time_zone(app):
    deck = _load(_flashcards(n=3))
    user = make_user()
    user.daily_new_limit, user.timezone = 1, "Pacific/Auckland"  # UTC+13 in March
    db.session.commit()
    late_evening_utc = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)  # 23:30 in Auckland
    _rate(user, deck, Rating.EASY, late_evening_utc)
    assert study.next_card(user, deck, late_evening_utc) is None
    an_hour_later = late_evening_utc + timedelta(hours=1)  # a new day in Auckland
    assert study.next_card(user, deck, an_hour_later).item.prompt == "Front 2"


def test_due_cards_come_first_oldest_due_first(app):
    deck = _load(_flashcards(n=3))
    user = make_user()
    items = [_rate(user, deck, Rating.GOOD, NOW) for _ in range(3)]  # each due in 10 min
    later = NOW + timedelta(hours=1)
    # Make card 3 the most overdue.
    card3 = db.session.execute(db.select(Card).where(Card.item_id == items[2].id)).scalar_one()
    card3.due = NOW - timedelta(days=1)
    db.session.commit()
    order = []
    for _ in range(3):
        nxt = study.next_card(user, deck, later)
        order.append(nxt.item.prompt)
        study.rate_card(user, nxt.item.id, Rating.EASY, study.card_token(nxt.card), later)
    assert order == ["Front 3", "Front 1", "Front 2"]


def test_learning_steps_bring_a_card_back_within_the_session(app):
    deck = _load(_flashcards(n=1))
    user = make_user()
    item = _rate(user, deck, Rating.AGAIN, NOW)
    card = db.session.execute(db.select(Card)).scalar_one()
    assert card.due == NOW + timedelta(minutes=1)
    # Nothing else is left, so the learning card is shown before its minute is up.
    nxt = study.next_card(user, deck, NOW + timedelta(seconds=5))
    assert nxt.item.id == item.id
    assert study.queue_counts(user, deck, NOW + timedelta(seconds=5)).learning_soon == 1
    study.rate_card(
        user, item.id, Rating.GOOD, study.card_token(nxt.card), NOW + timedelta(minutes=1)
    )
    study.rate_card(
        user,
        item.id,
        Rating.GOOD,
        study.card_token(db.session.execute(db.select(Card)).scalar_one()),
        NOW + timedelta(minutes=11),
    )
    card = db.session.execute(db.select(Card)).scalar_one()
    assert card.state == 2  # graduated to review
    assert study.next_card(user, deck, NOW + timedelta(minutes=12)) is None
    assert study.next_due_after(user, deck, NOW + timedelta(minutes=12)) == card.due


def test_the_same_rating_posted_twice_is_recorded_once(app):
    deck = _load(_flashcards(n=1))
    user = make_user()
    nxt = study.next_card(user, deck, NOW)
    token = study.card_token(nxt.card)
    assert study.rate_card(user, nxt.item.id, Rating.GOOD, token, NOW) is True
    assert study.rate_card(user, nxt.item.id, Rating.GOOD, token, NOW) is False
    card = db.session.execute(db.select(Card)).scalar_one()
    token = study.card_token(card)
    later = NOW + timedelta(minutes=10)
    assert study.rate_card(user, card.item_id, Rating.GOOD, token, later) is True
    assert study.rate_card(user, card.item_id, Rating.GOOD, token, later) is False
    assert db.session.execute(db.select(db.func.count(ReviewLog.id))).scalar_one() == 2


def test_a_review_log_keeps_rating_time_and_duration(app):
    deck = _load(_flashcards(n=1))
    user = make_user()
    nxt = study.next_card(user, deck, NOW)
    study.rate_card(user, nxt.item.id, Rating.HARD, "new", NOW, duration_ms=4200)
    log = db.session.execute(db.select(ReviewLog)).scalar_one()
    assert (log.rating, log.reviewed_at, log.duration_ms) == (2, NOW, 4200)


def test_a_wrong_quiz_answer_puts_the_question_in_the_queue_due_now(app):
    deck = _load(sample_deck(n=2))
    user = make_user()
    user.daily_new_limit = 0  # so only the mistake can be shown
    db.session.commit()
    attempt = quizzes.start_attempt(user, deck)
    page = quizzes.question_page(attempt, 1)
    item = next(i for i in deck.items if i.id == page.item_id)
    wrong = next(c.id for c in item.choices if not c.correct)
    right_page = quizzes.question_page(attempt, 2)
    other = next(i for i in deck.items if i.id == right_page.item_id)
    quizzes.record_response(attempt, 1, [wrong])
    quizzes.record_response(attempt, 2, [next(c.id for c in other.choices if c.correct)])
    quizzes.submit_attempt(attempt)
    cards = db.session.execute(db.select(Card)).scalars().all()
    assert [c.item_id for c in cards] == [item.id]
    assert cards[0].introduced_at is None  # a mistake is not a "new card" of the day
    nxt = study.next_card(user, deck, datetime.now(UTC))
    assert nxt is not None and nxt.item.id == item.id


def test_a_mistake_already_in_the_queue_is_left_as_it_is(app):
    deck = _load(sample_deck(n=1))
    user = make_user()
    item = deck.items[0]
    study.rate_card(user, item.id, Rating.EASY, "new", NOW)
    before = db.session.execute(db.select(Card.due)).scalar_one()
    attempt = quizzes.start_attempt(user, deck)
    quizzes.record_response(attempt, 1, [next(c.id for c in item.choices if not c.correct)])
    quizzes.submit_attempt(attempt)
    assert db.session.execute(db.select(Card.due)).scalar_one() == before


def test_the_back_of_a_multiple_choice_card_is_its_right_answer(app):
    spec = DeckSpec(
        "mc",
        "MC",
        "",
        (
            ItemSpec(
                "q",
                ItemKind.MULTIPLE,
                "Pick two",
                (ChoiceSpec("a", True), ChoiceSpec("b"), ChoiceSpec("c", True)),
                "because",
                "src",
            ),
        ),
    )
    deck = _load(spec)
    face = study.card_face(deck.items[0], None, NOW, make_user())
    assert face.back_lines == ("a", "c") and face.explanation == "because"
    assert face.intervals[Rating.AGAIN] == "1 min" and face.intervals[Rating.GOOD] == "10 min"


def test_cards_of_unpublished_decks_cannot_be_studied(app):
    deck = _load(_flashcards(n=1))
    deck.status = "draft"
    db.session.commit()
    user = make_user()
    assert study.next_card(user, None, NOW) is None
    with pytest.raises(NotFound):
        study.rate_card(user, deck.items[0].id, Rating.GOOD, "new", NOW)


@pytest.mark.parametrize("cards", [1, 40])
def test_the_queue_takes_a_fixed_number_of_queries(app, count_queries, cards):
    deck = _load(_flashcards(n=cards))
    user = make_user()
    user.daily_new_limit = 500
    db.session.commit()
    for _ in range(cards):
        _rate(user, deck, Rating.GOOD, NOW)
    later = NOW + timedelta(days=30)
    db.session.expire_all()
    with count_queries() as counter:
        nxt = study.next_card(user, None, later)  # user row, due card, its item, its choices
        study.queue_counts(user, None, later)  # all four counts in one
    assert nxt is not None
    assert counter.count == 5


def test_the_back_of_a_card_and_its_rating_take_a_fixed_number_of_queries(app, count_queries):
    deck = _load(_flashcards(n=3))
    user = make_user()
    item_id = _rate(user, deck, Rating.GOOD, NOW).id
    later = NOW + timedelta(minutes=10)
    db.session.expire_all()
    db.session.refresh(user)
    with count_queries() as counter:
        back = study.card_back(user, item_id, None, later)
    assert counter.count == 1  # the item, its choices, the card and the queue counts
    assert back.face.back_lines == ("Back 1",) and not back.face.is_new
    assert (back.counts.due, back.counts.new, back.counts.learning_soon) == (1, 2, 0)
    with count_queries() as counter:
        assert study.rate_card(user, item_id, Rating.GOOD, back.face.seen, later)
    assert counter.count == 3  # the card, its compare-and-set, the review log
    with pytest.raises(NotFound):
        study.card_back(user, 999_999, None, later)


# --- undo ------------------------------------------------------------------------------


def _card(user, item) -> Card | None:
    return db.session.execute(
        db.select(Card).where(Card.user_id == user.id, Card.item_id == item.id)
    ).scalar_one_or_none()


def _state(card: Card) -> tuple:
    return (card.state, card.step, card.stability, card.difficulty, card.due, card.last_review)


def _logs() -> int:
    return db.session.execute(db.select(db.func.count(ReviewLog.id))).scalar_one()


def test_undoing_a_review_puts_the_card_back_exactly_as_it_was_one_step_at_a_time(app):
    deck = _load(_flashcards(n=1))
    user = make_user()
    item = _rate(user, deck, Rating.GOOD, NOW)
    before = _state(_card(user, item))
    later = NOW + timedelta(minutes=10)  # due again: the learning step
    assert study.next_card(user, deck, later).item.id == item.id
    _rate(user, deck, Rating.AGAIN, later)
    assert _state(_card(user, item)) != before and _logs() == 2

    last = study.last_undoable_review(user, later)
    assert (last.front, last.rating) == ("Front 1", Rating.AGAIN)
    assert study.undo_review(user, last.review_id, later)
    db.session.expire_all()
    assert _state(_card(user, item)) == before and _logs() == 1
    # Then the rating before it is the last one, and may be undone in turn.
    previous = study.last_undoable_review(user, later)
    assert previous.rating == Rating.GOOD and previous.review_id != last.review_id
    assert study.undo_review(user, previous.review_id, later)
    assert _card(user, item) is None and _logs() == 0


def test_undoing_a_new_cards_first_review_makes_it_new_again(app):
    deck = _load(_flashcards(n=2))
    user = make_user()
    user.daily_new_limit = 1
    db.session.commit()
    item = _rate(user, deck, Rating.EASY, NOW)
    assert study.next_card(user, deck, NOW) is None  # the day's one new card is used
    assert study.undo_review(user, study.last_undoable_review(user, NOW).review_id, NOW)
    assert _card(user, item) is None and _logs() == 0
    # It is new again, and counts against the limit no more.
    assert study.next_card(user, deck, NOW).item.id == item.id


def test_a_review_can_be_undone_once_soon_and_only_by_its_learner(app):
    deck = _load(_flashcards(n=1))
    user, other = make_user(), make_user()
    _rate(user, deck, Rating.GOOD, NOW)
    review_id = study.last_undoable_review(user, NOW).review_id
    assert study.last_undoable_review(other, NOW) is None
    assert not study.undo_review(other, review_id, NOW)
    too_late = NOW + study.UNDO_WINDOW + timedelta(seconds=1)
    assert study.last_undoable_review(user, too_late) is None
    assert not study.undo_review(user, review_id, too_late)
    assert study.undo_review(user, review_id, NOW)
    assert not study.undo_review(user, review_id, NOW)  # a second undo changes nothing
    assert _logs() == 0


def test_a_review_logged_before_undo_existed_cannot_be_undone(app):
    deck = _load(_flashcards(n=1))
    user = make_user()
    _rate(user, deck, Rating.GOOD, NOW)
    log = db.session.execute(db.select(ReviewLog)).scalar_one()
    log.card_created = False  # as the migration leaves older rows
    db.session.commit()
    assert study.last_undoable_review(user, NOW) is None
    assert not study.undo_review(user, log.id, NOW) and _logs() == 1


def test_an_undo_refuses_a_card_rated_again_since_it_was_read(app, monkeypatch):
    deck = _load(_flashcards(n=1))
    user = make_user()
    item = _rate(user, deck, Rating.GOOD, NOW)
    later = NOW + timedelta(minutes=10)
    _rate(user, deck, Rating.GOOD, later)
    review_id = study.last_undoable_review(user, later).review_id
    read = study._last_review

    def another_tab_rates_in_between(user_id, now):
        row = read(user_id, now)
        card = _card(user, item)
        assert study.rate_card(user, item.id, Rating.EASY, study.card_token(card), now)
        return row

    monkeypatch.setattr(study, "_last_review", another_tab_rates_in_between)
    assert not study.undo_review(user, review_id, later + timedelta(minutes=1))
    assert _logs() == 3


def test_only_a_rating_of_the_deck_studied_is_offered_for_undo(app):
    alpha, beta = _load(_flashcards("alpha", n=1)), _load(_flashcards("beta", n=1))
    user = make_user()
    _rate(user, alpha, Rating.GOOD, NOW)
    assert study.last_undoable_review(user, NOW, beta) is None
    assert study.last_undoable_review(user, NOW, alpha).deck_id == alpha.id
    assert study.last_undoable_review(user, NOW).deck_id == alpha.id  # studying every deck


def test_a_rating_of_a_retired_card_or_of_an_earlier_day_cannot_be_undone(app):
    deck = _load(_flashcards(n=1))
    user = make_user()
    user.timezone = "Europe/Kyiv"  # UTC+2 in March
    db.session.commit()
    late = datetime(2026, 3, 2, 21, 50, tzinfo=UTC)  # 23:50 in Kyiv
    item = _rate(user, deck, Rating.GOOD, late)
    assert study.last_undoable_review(user, late + timedelta(minutes=5)) is not None
    next_day = late + timedelta(minutes=20)  # 00:10 in Kyiv: a new day
    assert study.last_undoable_review(user, next_day) is None
    db.session.get(type(item), item.id).retired = True
    db.session.commit()
    assert study.last_undoable_review(user, late + timedelta(minutes=5)) is None


def test_undoing_a_first_rating_keeps_a_quiz_mistake_made_since_in_the_queue(app):
    deck = _load(sample_deck(n=1))
    user = make_user()
    rated = utcnow() - timedelta(minutes=2)
    item = _rate(user, deck, Rating.EASY, rated)  # its card: due in days
    attempt = quizzes.start_attempt(user, deck)
    right = {c.id for c in item.choices if c.correct}
    wrong = next(c.id for c in quizzes.question_page(attempt, 1).choices if c.id not in right)
    quizzes.record_response(attempt, 1, [wrong])
    quizzes.submit_attempt(attempt)  # the card was there: nothing new was queued
    review_id = study.last_undoable_review(user, utcnow()).review_id
    assert study.undo_review(user, review_id, utcnow())
    card = _card(user, item)
    assert card is not None and card.last_review is None and card.introduced_at is None
    assert card.due <= utcnow()  # due now, as a quiz mistake is


def _item(deck, prompt: str):
    return next(item for item in deck.items if item.prompt == prompt)


def test_a_suspended_card_is_never_due_until_brought_back_with_its_schedule(app):
    from quiz.services.dashboard import build_dashboard

    deck = _load(_flashcards(n=2))
    user = make_user()
    first = _rate(user, deck, Rating.GOOD, NOW)  # learning: due again in 10 minutes
    later = NOW + timedelta(hours=1)
    assert study.queue_counts(user, deck, later).due == 1
    assert study.suspend_card(user, first.id, later)
    assert not study.suspend_card(user, first.id, later)  # already
    assert study.queue_counts(user, deck, later).due == 0
    assert study.next_card(user, deck, later).item.prompt == "Front 2"  # new, not Front 1
    assert study.next_due_after(user, deck, later) is None
    assert study.count_ahead(user, deck, NOW) == 0
    assert build_dashboard(user, later).due_today == 0
    assert [c.prompt for c in study.suspended_cards(user, deck)] == ["Front 1"]

    assert study.unsuspend_card(user, first.id)
    assert not study.unsuspend_card(user, first.id)  # not suspended any more
    assert study.queue_counts(user, deck, later).due == 1
    assert study.next_card(user, deck, later).item.prompt == "Front 1"
    card = db.session.execute(db.select(Card).where(Card.item_id == first.id)).scalar_one()
    assert card.last_review == NOW and card.stability is not None  # its memory kept
    assert study.suspended_cards(user, deck) == []


def test_a_card_never_studied_can_be_suspended_and_comes_back_new(app):
    deck = _load(_flashcards(n=2))
    user = make_user()
    user.daily_new_limit = 1
    db.session.commit()
    front_1 = _item(deck, "Front 1")
    assert study.suspend_card(user, front_1.id, NOW)
    counts = study.queue_counts(user, deck, NOW)
    assert (counts.due, counts.new) == (0, 1)  # Front 2 only; today's new card still free
    assert study.next_card(user, deck, NOW).item.prompt == "Front 2"
    assert study.unsuspend_card(user, front_1.id)
    assert db.session.execute(db.select(db.func.count(Card.id))).scalar_one() == 0
    assert study.next_card(user, deck, NOW).item.prompt == "Front 1"  # new again


def test_a_rating_of_a_card_suspended_meanwhile_writes_nothing(app):
    deck = _load(_flashcards(n=1))
    user = make_user()
    item = _rate(user, deck, Rating.GOOD, NOW)
    card = db.session.execute(db.select(Card).where(Card.item_id == item.id)).scalar_one()
    seen = study.card_token(card)
    study.suspend_card(user, item.id, NOW)
    assert not study.rate_card(user, item.id, Rating.EASY, seen, NOW + timedelta(minutes=10))
    assert db.session.execute(db.select(db.func.count(ReviewLog.id))).scalar_one() == 1
    with pytest.raises(NotFound):
        study.suspend_card(user, 10**9, NOW)


def test_a_card_queued_by_a_quiz_mistake_stays_due_when_suspended_and_brought_back(app):
    from quiz.services import unit_of_work

    deck = _load(_flashcards(n=1))
    user = make_user()
    user.daily_new_limit = 0  # nothing new today: only a due card can come up
    db.session.commit()
    item = deck.items[0]
    with unit_of_work() as session:
        study.queue_mistakes(session, user.id, [item.id], NOW)
    assert study.queue_counts(user, deck, NOW).due == 1
    study.suspend_card(user, item.id, NOW)
    assert study.queue_counts(user, deck, NOW).due == 0
    study.unsuspend_card(user, item.id)
    assert study.queue_counts(user, deck, NOW).due == 1  # still due, not new
    assert study.next_card(user, deck, NOW).item.id == item.id


def test_a_rating_cannot_be_undone_once_its_card_is_suspended(app):
    deck = _load(_flashcards(n=1))
    user = make_user()
    item = _rate(user, deck, Rating.GOOD, NOW)  # the card's first rating
    review = study.last_undoable_review(user, NOW)
    assert review is not None
    study.suspend_card(user, item.id, NOW)
    assert study.last_undoable_review(user, NOW) is None  # no undo offered
    assert not study.undo_review(user, review.review_id, NOW)
    assert [c.prompt for c in study.suspended_cards(user, deck)] == ["Front 1"]


def test_a_card_never_studied_and_suspended_is_not_counted_as_studied(app):
    from quiz.services.dashboard import build_dashboard

    deck = _load(_flashcards(n=2))
    user = make_user()
    study.suspend_card(user, deck.items[0].id, NOW)
    (row,) = build_dashboard(user, NOW).decks
    assert (row.cards, row.studied) == (2, 0)
