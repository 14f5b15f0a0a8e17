"""A learner's scores per deck: the light summary the deck list and dashboard use."""

from __future__ import annotations

from datetime import timedelta

from quiz.extensions import db
from quiz.models import Attempt, utcnow
from quiz.services.scores import deck_summaries, learner_history
from tests.factories import load_sample_deck, make_user


def _attempt(user, deck, correct, total, submitted_minutes_ago):
    now = utcnow()
    submitted = (
        None if submitted_minutes_ago is None else now - timedelta(minutes=submitted_minutes_ago)
    )
    attempt = Attempt(
        user_id=user.id,
        deck_id=deck.id,
        item_ids=[],
        choice_order={},
        started_at=now - timedelta(hours=2),
        submitted_at=submitted,
        correct_count=correct,
        total=total,
    )
    db.session.add(attempt)
    db.session.commit()
    return attempt


def test_summary_gives_count_best_and_the_most_recently_submitted_score(app):
    user, deck = make_user(), load_sample_deck()
    _attempt(user, deck, 1, 4, submitted_minutes_ago=30)
    _attempt(user, deck, 4, 4, submitted_minutes_ago=20)  # best
    _attempt(user, deck, 2, 4, submitted_minutes_ago=5)  # latest
    _attempt(user, deck, 3, 4, submitted_minutes_ago=None)  # not submitted: ignored
    summary = deck_summaries(user)[deck.id]
    assert (summary.attempts, summary.best, summary.latest) == (3, 1.0, 0.5)


def test_summary_agrees_with_the_full_history_and_sees_only_the_learners_attempts(app):
    user, other = make_user(), make_user()
    first, second = load_sample_deck("one"), load_sample_deck("two")
    _attempt(user, first, 2, 3, 50)
    _attempt(user, first, 0, 3, 40)
    _attempt(user, second, 3, 3, 10)
    _attempt(user, second, 0, 0, 5)  # an empty quiz scores 0
    _attempt(other, first, 3, 3, 1)
    summaries = deck_summaries(user)
    assert summaries == {h.deck.id: h.summary for h in learner_history(user)}
    assert summaries[second.id].latest == 0.0
    assert summaries[first.id].best == 2 / 3
    assert deck_summaries(make_user()) == {}
