"""Studying flashcards in the browser without JavaScript, settings and the dashboard."""

from __future__ import annotations

import html
import re

from quiz.domain.builder import build_deck_items
from quiz.domain.facts import PositionFact
from quiz.domain.items import ChoiceSpec, DeckSpec, ItemKind, ItemSpec
from quiz.extensions import db
from quiz.models import Item, ReviewLog, User, utcnow
from quiz.services.decks import load_builtin_decks
from tests.conftest import csrf_from
from tests.factories import make_user
from tests.services.test_study import _flashcards
from tests.web.test_student_path import login


def _logged_in(client, email="s@example.com"):
    make_user(email=email)
    login(client, email)


def _show_answer_link(page: str) -> str:
    return html.unescape(re.search(r'id="show-answer"[^>]*?href="([^"]+)"', page).group(1))


def _set_daily_limit(n: int) -> None:
    user = db.session.execute(db.select(User)).scalar_one()
    user.daily_new_limit = n
    db.session.commit()


def _rate_the_next_card_easy(client) -> None:
    """Study the next card of the deck "cards" and rate it Easy (not due again today)."""
    front = client.get("/study/cards").get_data(as_text=True)
    back = client.get(_show_answer_link(front)).get_data(as_text=True)
    fields = dict(re.findall(r'name="(seen|shown_at|deck)" type="hidden" value="([^"]*)"', back))
    fields.update(csrf_token=csrf_from(back), rating="4")
    client.post(re.search(r'action="([^"]+/rate)"', back).group(1), data=fields)


def test_study_shows_the_front_then_the_back_then_the_next_card(client, app):
    load_builtin_decks([_flashcards(n=2)])
    _logged_in(client)
    front = client.get("/study/cards").get_data(as_text=True)
    assert "Front 1" in front and "Back 1" not in front
    assert "0 due" in front and "2 new" in front

    back = client.get(_show_answer_link(front)).get_data(as_text=True)
    assert "Back 1" in back
    for label in ("Again", "Hard", "Good", "Easy"):
        assert label in back
    assert "10 min" in back  # when Good would bring the card back

    fields = dict(re.findall(r'name="(seen|shown_at|deck)" type="hidden" value="([^"]*)"', back))
    fields.update(csrf_token=csrf_from(back), rating="3")
    rate_url = re.search(r'action="([^"]+/rate)"', back).group(1)
    response = client.post(rate_url, data=fields)
    assert response.status_code == 302 and response.location.endswith("/study/cards")
    assert "Front 2" in client.get("/study/cards").get_data(as_text=True)
    log = db.session.execute(db.select(ReviewLog)).scalar_one()
    assert log.rating == 3 and log.duration_ms is not None

    # The same rating posted again (a reload, a double key press) is recorded once.
    client.post(rate_url, data=fields)
    assert db.session.execute(db.select(db.func.count(ReviewLog.id))).scalar_one() == 1


def test_when_nothing_is_left_the_page_says_done_for_today(client, app):
    load_builtin_decks([_flashcards(n=1)])
    _logged_in(client)
    _set_daily_limit(0)
    page = client.get("/study/").get_data(as_text=True)
    assert "Done for today" in page
    assert "Your daily limit of new cards is 0, so no new cards come." in page


def test_done_for_today_says_when_the_daily_limit_holds_new_cards_back(client, app):
    load_builtin_decks([_flashcards(n=3)])
    _logged_in(client)
    _set_daily_limit(1)
    _rate_the_next_card_easy(client)

    page = client.get("/study/cards").get_data(as_text=True)
    assert "Done for today" in page
    assert (
        "This deck still has new cards, but you have started your 1 new card for today. "
        "The limit counts every deck."
    ) in page
    assert 'href="/settings"' in page
    # Studying one deck, the way back leads to that deck, not to the list of decks.
    assert 'href="/decks/cards">Back to Cards</a>' in page
    everything = client.get("/study/").get_data(as_text=True)
    assert "Your decks still have new cards" in everything and "Back to the decks" in everything


def test_done_for_today_with_every_card_seen_does_not_blame_the_limit(client, app):
    load_builtin_decks([_flashcards(n=1)])
    _logged_in(client)
    _rate_the_next_card_easy(client)
    page = client.get("/study/cards").get_data(as_text=True)
    assert "Done for today" in page and "The next card is due" in page
    assert "still has new cards" not in page and "limit of new cards is 0" not in page


def test_a_rating_without_its_csrf_token_changes_nothing(client, app):
    load_builtin_decks([_flashcards(n=1)])
    _logged_in(client)
    front = client.get("/study/cards").get_data(as_text=True)
    back = client.get(_show_answer_link(front)).get_data(as_text=True)
    fields = dict(re.findall(r'name="(seen|deck)" type="hidden" value="([^"]*)"', back))
    rate_url = re.search(r'action="([^"]+/rate)"', back).group(1)
    response = client.post(rate_url, data={**fields, "rating": "3"})
    assert response.status_code == 400
    assert db.session.execute(db.select(db.func.count(ReviewLog.id))).scalar_one() == 0


def test_an_unknown_deck_or_card_is_a_404(client, app):
    load_builtin_decks([_flashcards(n=1)])
    _logged_in(client)
    assert client.get("/study/nope").status_code == 404
    assert client.get("/study/cards/999999").status_code == 404


def test_settings_change_the_time_zone_and_daily_limit(client, app):
    _logged_in(client)
    db.session.execute(db.update(User).values(display_name="Olena"))
    db.session.commit()
    page = client.get("/settings").get_data(as_text=True)
    response = client.post(
        "/settings",
        data={"csrf_token": csrf_from(page), "timezone": "Europe/Kyiv", "daily_new_limit": "5"},
    )
    assert response.status_code == 302
    user = db.session.execute(db.select(User)).scalar_one()
    assert (user.timezone, user.daily_new_limit) == ("Europe/Kyiv", 5)
    assert user.display_name == "Olena"  # a form without the name field leaves it as it is


def test_settings_change_the_name_teachers_and_the_header_show(client, app):
    _logged_in(client)
    user = db.session.execute(db.select(User)).scalar_one()
    page = client.get("/settings").get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "timezone": "UTC", "daily_new_limit": "20"}
    response = client.post(
        "/settings", data={**form, "display_name": "  Olena   Petrenko "}, follow_redirects=True
    )
    assert "Your settings are saved." in response.get_data(as_text=True)
    assert 'Log out <span class="muted">(Olena Petrenko)</span>' in response.get_data(as_text=True)
    assert db.session.get(User, user.id).display_name == "Olena Petrenko"
    client.post("/settings", data={**form, "display_name": ""})
    assert db.session.get(User, user.id).name == user.email.split("@")[0]
    # A name of characters that show nothing is no name: not a blank in class lists.
    client.post("/settings", data={**form, "display_name": "\u200b\u200d\u200e "})
    assert db.session.get(User, user.id).display_name == ""
    # The length is checked after the spaces are tidied.
    client.post("/settings", data={**form, "display_name": "Olena" + " " * 90 + "Petrenko"})
    assert db.session.get(User, user.id).display_name == "Olena Petrenko"


def test_settings_refuse_a_name_too_long_and_change_nothing(client, app):
    _logged_in(client)
    user = db.session.execute(db.select(User)).scalar_one()
    before = user.display_name
    page = client.get("/settings").get_data(as_text=True)
    response = client.post(
        "/settings",
        data={
            "csrf_token": csrf_from(page),
            "timezone": "Europe/Kyiv",
            "daily_new_limit": "5",
            "display_name": "x" * 81,
        },
    )
    assert response.status_code == 422
    assert "Keep your name under 80 characters." in response.get_data(as_text=True)
    user = db.session.get(User, user.id)
    assert (user.display_name, user.timezone, user.daily_new_limit) == (before, "UTC", 20)


def test_settings_change_how_much_to_remember_and_refuse_a_value_not_offered(client, app):
    _logged_in(client)
    page = client.get("/settings").get_data(as_text=True)
    assert '<option selected value="0.9">90%: the usual balance</option>' in page
    form = {"csrf_token": csrf_from(page), "timezone": "UTC", "daily_new_limit": "20"}
    saved = client.post("/settings", data={**form, "desired_retention": "0.95"})
    assert saved.status_code == 302
    assert db.session.execute(db.select(User.desired_retention)).scalar_one() == 0.95
    page = client.get("/settings").get_data(as_text=True)
    assert '<option selected value="0.95">95%: many more reviews, before an exam</option>' in page
    for odd in ("0.99", "lots", "", "nan"):
        refused = client.post("/settings", data={**form, "desired_retention": odd})
        assert refused.status_code == 422, odd
        assert "Not a valid choice" in refused.get_data(as_text=True)
        assert db.session.execute(db.select(User.desired_retention)).scalar_one() == 0.95
    # A form sent without the field (a page opened before it existed) leaves it as it is.
    client.post("/settings", data=form)
    assert db.session.execute(db.select(User.desired_retention)).scalar_one() == 0.95
    board = client.get("/dashboard").get_data(as_text=True)
    assert "the scheduler aims at 95%" in board
    # A value outside the list (set by hand in the database) reads as the usual 90%,
    # as the scheduler takes it, and the form shows that.
    db.session.execute(db.update(User).values(desired_retention=0.92))
    db.session.commit()
    assert "the scheduler aims at 90%" in client.get("/dashboard").get_data(as_text=True)
    page = client.get("/settings").get_data(as_text=True)
    assert '<option selected value="0.9">90%: the usual balance</option>' in page


def test_settings_refuse_a_bad_limit_and_an_unknown_zone(client, app):
    _logged_in(client)
    page = client.get("/settings").get_data(as_text=True)
    response = client.post(
        "/settings",
        data={"csrf_token": csrf_from(page), "timezone": "Mars/Base", "daily_new_limit": "-3"},
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Not a valid choice" in text and "Choose from 0 to 500" in text
    user = db.session.execute(db.select(User)).scalar_one()
    assert (user.timezone, user.daily_new_limit) == ("UTC", 20)


def test_the_dashboard_and_deck_page_show_study_figures(client, app):
    load_builtin_decks([_flashcards(n=3)])
    _logged_in(client)
    board = client.get("/dashboard").get_data(as_text=True)
    assert "Due today" in board and "<svg" in board and "Cards" in board
    deck = client.get("/decks/cards").get_data(as_text=True)
    assert "3 new cards available today" in deck


def test_the_last_rating_can_be_undone_from_the_next_page(client, app):
    load_builtin_decks([_flashcards(n=2)])
    _logged_in(client)
    _rate_the_next_card_easy(client)
    front = client.get("/study/cards").get_data(as_text=True)
    assert "Front 2" in front and "Undo the last rating" in front
    assert '(Easy: <span class="undo-card">Front 1</span>)' in front
    review = re.search(r'name="review" value="(\d+)"', front).group(1)

    refused = client.post("/study/cards/undo", data={"review": review, "deck": "cards"})  # no token
    assert refused.status_code == 400
    assert db.session.execute(db.select(db.func.count(ReviewLog.id))).scalar_one() == 1

    token = csrf_from(front)
    undone = client.post(
        "/study/cards/undo", data={"csrf_token": token, "review": review, "deck": "cards"}
    )
    assert undone.location == "/study/cards"
    page = client.get("/study/cards").get_data(as_text=True)
    assert "Rating undone: the card is back as it was." in page
    assert "Front 1" in page and "Undo the last rating" not in page
    assert db.session.execute(db.select(db.func.count(ReviewLog.id))).scalar_one() == 0
    again = client.post("/study/cards/undo", data={"csrf_token": token, "review": review})
    assert again.location == "/study/"
    assert "That rating can no longer be undone." in client.get("/study/").get_data(as_text=True)


def test_done_for_today_offers_to_undo_the_rating_that_ended_it(client, app):
    load_builtin_decks([_flashcards(n=1)])
    _logged_in(client)
    _rate_the_next_card_easy(client)
    page = client.get("/study/cards").get_data(as_text=True)
    assert "Done for today" in page and "Undo the last rating" in page


def _due_in(days_by_front: dict[str, float]) -> None:
    """Move the learner's cards to be due so many days from now."""
    from datetime import timedelta

    from quiz.models import Card, Item, utcnow

    for card, front in db.session.execute(
        db.select(Card, Item.prompt).join(Item, Item.id == Card.item_id)
    ):
        card.due = utcnow() + timedelta(days=days_by_front[front])
    db.session.commit()


def test_a_learner_done_for_today_can_review_the_next_days_cards_ahead(client, app):
    from quiz.models import Card

    load_builtin_decks([_flashcards(n=3)])
    _logged_in(client)
    for _ in range(3):
        _rate_the_next_card_easy(client)
    _due_in({"Front 1": 3, "Front 2": 1, "Front 3": 10})  # the third beyond the week
    done = client.get("/study/cards").get_data(as_text=True)
    assert "Done for today" in done
    assert "2 cards are due in the next 7 days" in done
    assert 'href="/study/cards?ahead=1">Review ahead' in done

    front = client.get("/study/cards?ahead=1").get_data(as_text=True)
    assert "Front 2" in front  # the soonest first
    assert "Reviewing ahead: this card is not due yet." in front
    link = _show_answer_link(front)
    assert "ahead=1" in link
    back = client.get(link).get_data(as_text=True)
    assert "Reviewing ahead" in back
    fields = dict(
        re.findall(r'name="(seen|shown_at|deck|ahead)" type="hidden" value="([^"]*)"', back)
    )
    assert fields["ahead"] == "1"
    fields.update(csrf_token=csrf_from(back), rating="3")
    before = {c.item_id: c.due for c in db.session.execute(db.select(Card)).scalars()}
    response = client.post(re.search(r'action="([^"]+/rate)"', back).group(1), data=fields)
    assert response.location.endswith("/study/cards?ahead=1")  # on to the next card ahead
    db.session.expire_all()
    after = {c.item_id: c.due for c in db.session.execute(db.select(Card)).scalars()}
    assert sum(after[i] != before[i] for i in before) == 1  # the early review was recorded
    assert db.session.execute(db.select(db.func.count(ReviewLog.id))).scalar_one() == 4
    assert "Front 1" in client.get("/study/cards?ahead=1").get_data(as_text=True)


def test_review_ahead_with_nothing_in_the_week_says_so(client, app):
    load_builtin_decks([_flashcards(n=1)])
    _logged_in(client)
    _rate_the_next_card_easy(client)
    _due_in({"Front 1": 12})
    done = client.get("/study/cards").get_data(as_text=True)
    assert "Review ahead</a>" not in done and "due in the next 7 days" not in done
    page = client.get("/study/cards?ahead=1").get_data(as_text=True)
    assert "Nothing else is due in the next 7 days" in page


def _front_text(page: str) -> str:
    front = re.search(r'<h1 id="card-front" class="prompt">(.*?)</h1>', page, re.S).group(1)
    return html.unescape(front)


def test_a_quiz_question_studied_as_a_card_reads_as_a_question_on_its_front(client, app):
    # A stance two parties share becomes a question with several right answers; its
    # front asks it alone, with no instruction about choices the card does not show.
    shared = PositionFact(
        "peace", "Ukraine", ("European leaders",), "An end to Russia's assault on Ukraine", "e", "s"
    )
    others = tuple(
        PositionFact(f"other-{i}", party, (), f"Stance {i}", "e", "s")
        for i, party in enumerate(("Russia", "The United States"))
    )
    built = {item.key: item for item in build_deck_items((shared,), (shared, *others))}
    statement = ItemSpec(
        "tf",
        ItemKind.TRUE_FALSE,
        "NATO made Ukraine a member in 2008.",
        (ChoiceSpec("True"), ChoiceSpec("False", True)),
        "It did not.",
        "s",
    )
    load_builtin_decks([DeckSpec("cards", "Cards", "", (built["peace--party"], statement))])
    _logged_in(client)

    page = client.get("/study/cards").get_data(as_text=True)
    assert _front_text(page) == (
        "Which party or parties want an end to Russia's assault on Ukraine?"
    )
    assert "all that apply" not in page.lower() and "True or false?" not in page
    # ... and lists the parties to choose from, before the answer is shown.
    options = re.search(r'<ul class="card-options">(.*?)</ul>', page, re.S).group(1)
    assert sorted(re.findall(r"<li>(.*?)</li>", options)) == sorted(
        c.text for c in built["peace--party"].choices
    )
    assert "One or more of these:" in page
    back = client.get(_show_answer_link(page)).get_data(as_text=True)
    answer = re.search(r'<ul class="answer">(.*?)</ul>', back, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", answer) == ["Ukraine", "European leaders"]

    fields = dict(re.findall(r'name="(seen|shown_at|deck)" type="hidden" value="([^"]*)"', back))
    fields.update(csrf_token=csrf_from(back), rating="4")
    client.post(re.search(r'action="([^"]+/rate)"', back).group(1), data=fields)
    page = client.get("/study/cards").get_data(as_text=True)
    assert _front_text(page) == "NATO made Ukraine a member in 2008."
    assert '<p class="help">True or false?</p>' in page
    assert "card-options" not in page  # a statement has nothing to choose from


def test_a_learner_suspends_a_card_from_its_back_and_brings_it_back_from_the_deck_page(client, app):
    load_builtin_decks([_flashcards(n=2)])
    _logged_in(client)
    front = client.get("/study/cards").get_data(as_text=True)
    back = client.get(_show_answer_link(front)).get_data(as_text=True)
    assert "<summary>Suspend this card</summary>" in back
    assert 'href="/decks/cards">Cards</a>' in back  # where to bring it back
    suspend_url = re.search(r'action="(/study/cards/\d+/suspend)"', back).group(1)
    done = client.post(
        suspend_url, data={"csrf_token": csrf_from(back), "deck": "cards"}, follow_redirects=True
    )
    page = done.get_data(as_text=True)
    assert "Card suspended: it no longer comes up." in page
    assert "Front 2" in page and "Front 1" not in page  # the next card, not the suspended one

    deck_page = client.get("/decks/cards").get_data(as_text=True)
    assert "1 suspended card, which does not come up" in deck_page
    assert '<span class="muted small">(Back 1)</span>' in deck_page  # prompts may read alike
    unsuspend_url = re.search(r'action="(/study/cards/\d+/unsuspend)"', deck_page).group(1)
    assert unsuspend_url == suspend_url.replace("/suspend", "/unsuspend")
    back_again = client.post(
        unsuspend_url,
        data={"csrf_token": csrf_from(deck_page), "next": "/decks/cards"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "The card is back in your study." in back_again
    assert "suspended card" not in back_again
    assert "Front 1" in client.get("/study/cards").get_data(as_text=True)


def test_the_back_of_a_suspended_card_offers_to_bring_it_back_not_to_rate_it(client, app):
    from quiz.services import study

    load_builtin_decks([_flashcards(n=1)])
    _logged_in(client)
    user = db.session.execute(db.select(User)).scalar_one()
    item_id = db.session.execute(db.select(Item.id)).scalar_one()
    study.suspend_card(user, item_id, utcnow())
    back = client.get(f"/study/cards/{item_id}?deck=cards").get_data(as_text=True)
    assert "You suspended this card: it does not come up in your study." in back
    assert 'name="rating"' not in back and "Suspend this card" not in back
    brought = client.post(
        f"/study/cards/{item_id}/unsuspend",
        data={"csrf_token": csrf_from(back), "next": f"/study/cards/{item_id}?deck=cards"},
    )
    assert brought.location == f"/study/cards/{item_id}?deck=cards"
    assert 'name="rating"' in client.get(brought.location).get_data(as_text=True)


def test_bringing_back_a_card_never_follows_a_link_to_another_site(client, app):
    load_builtin_decks([_flashcards(n=1)])
    _logged_in(client)
    page = client.get("/study/cards").get_data(as_text=True)
    item_id = db.session.execute(db.select(Item.id)).scalar_one()
    answer = client.post(
        f"/study/cards/{item_id}/unsuspend",
        data={"csrf_token": csrf_from(page), "next": "//evil.example/"},
    )
    assert answer.location == "/study/"
    said = client.get(answer.location).get_data(as_text=True)
    assert "That card is not suspended: it is in your study already." in said
