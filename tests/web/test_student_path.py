"""The student's whole path through the browser, via the test client."""

from __future__ import annotations

import re

import pytest

from quiz.auth.access import is_safe_next
from quiz.extensions import db
from quiz.models import Attempt, Choice, Response, User
from quiz.services import quizzes
from tests.conftest import csrf_from
from tests.factories import PASSWORD, load_sample_deck, make_user, ordering

# A choice input as the page names it: by its place (1, 2, …).
CHOICE_RE = re.compile(r'name="choice" id="choice-(\d+)"')


def signup(client, email="new@example.com", password=PASSWORD, confirm=None):
    token = csrf_from(client.get("/signup").get_data(as_text=True))
    return client.post(
        "/signup",
        data={
            "csrf_token": token,
            "display_name": "Nina",
            "email": email,
            "password": password,
            "confirm": confirm or password,
        },
    )


def login(client, email, password=PASSWORD):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"csrf_token": token, "email": email, "password": password})


def start_quiz(client, slug="capitals", length="all"):
    page = client.get(f"/decks/{slug}").get_data(as_text=True)
    return client.post(f"/decks/{slug}", data={"csrf_token": csrf_from(page), "length": length})


def shown_choice_ids(location: str) -> list[int]:
    """The ids of the choices of the question at ``location`` (/attempts/<id>/<n>), in
    the order its page shows them; the page itself names them only by place."""
    attempt_id, number = (int(part) for part in location.rstrip("/").split("/")[-2:])
    attempt = db.session.get(Attempt, attempt_id)
    return list(attempt.choice_order[str(attempt.item_ids[number - 1])])


def answer(client, location: str, pick) -> object:
    """Answer the question at ``location`` with pick(choice ids in the order shown) →
    chosen ids, sent as the places the page gives them."""
    html = client.get(location).get_data(as_text=True)
    ids = shown_choice_ids(location)
    places = [int(x) for x in CHOICE_RE.findall(html)]
    assert places == list(range(1, len(ids) + 1))
    return client.post(
        location,
        data={"csrf_token": csrf_from(html), "choice": [str(ids.index(c) + 1) for c in pick(ids)]},
    )


def first_question(client, n: int) -> tuple[str, str]:
    """A new student's quiz over a sample deck of n questions: question 1's address and
    its page."""
    load_sample_deck(n=n)
    signup(client)
    location = start_quiz(client).location
    return location, client.get(location).get_data(as_text=True)


def right_choice_ids(ids):
    rights = set(db.session.execute(db.select(Choice.id).where(Choice.correct.is_(True))).scalars())
    return [i for i in ids if i in rights]


def test_sign_up_logs_the_student_in_and_shows_the_decks(client, app):
    load_sample_deck()
    response = signup(client)
    assert response.status_code == 302 and response.location.endswith("/decks")
    page = client.get("/decks").get_data(as_text=True)
    assert "Capitals" in page and "Log out" in page
    user = db.session.execute(db.select(User)).scalar_one()
    assert user.role == "student" and user.display_name == "Nina"


def test_sign_up_keeps_the_time_zone_chosen_and_refuses_an_unknown_one(client, app):
    page = client.get("/signup").get_data(as_text=True)
    assert '<option selected value="UTC">UTC</option>' in page  # until the browser says
    assert '<option value="Europe/Kyiv">Europe/Kyiv</option>' in page
    data = {
        "csrf_token": csrf_from(page),
        "display_name": "Nina",
        "email": "nina@example.com",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    refused = client.post("/signup", data={**data, "timezone": "Mars/Olympus_Mons"})
    assert refused.status_code == 422 and "Not a valid choice" in refused.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(User.id))).scalar_one() == 0
    client.post("/signup", data={**data, "timezone": "Europe/Kyiv"})
    assert db.session.execute(db.select(User.timezone)).scalar_one() == "Europe/Kyiv"


def test_sign_up_errors_are_shown_next_to_the_field_and_create_nothing(client, app):
    response = signup(client, email="nope", password="short")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Use 12 to 128 characters." in html
    assert db.session.execute(db.select(db.func.count(User.id))).scalar_one() == 0


def test_sign_up_with_a_taken_email_says_so(client, app):
    make_user(email="taken@example.com")
    html = signup(client, email="taken@example.com").get_data(as_text=True)
    assert "already exists" in html


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(client, app):
    response = client.post(
        "/signup",
        data={"email": "x@example.com", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert response.status_code == 400
    assert db.session.execute(db.select(db.func.count(User.id))).scalar_one() == 0


def test_an_answer_with_a_stale_token_is_refused_and_stores_nothing(client, app):
    location, page = first_question(client, 2)
    response = client.post(location, data={"csrf_token": "stale", "choice": "1"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(Response.id))).scalar_one() == 0
    answered = client.post(location, data={"csrf_token": csrf_from(page), "choice": "1"})
    assert answered.status_code == 302
    assert db.session.execute(db.select(db.func.count(Response.id))).scalar_one() == 1


def test_log_in_with_a_wrong_password_shows_one_message_for_both_mistakes(client, app):
    make_user(email="s@example.com")
    wrong = login(client, "s@example.com", "not the password").get_data(as_text=True)
    unknown = login(client, "who@example.com").get_data(as_text=True)
    message = "That email and password do not match an account."
    assert message in wrong and message in unknown


def test_log_in_then_log_out(client, app):
    make_user(email="s@example.com")
    assert login(client, "s@example.com").status_code == 302
    page = client.get("/decks").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": csrf_from(page)}).status_code == 302
    assert client.get("/decks").status_code == 302  # back to the log-in page


def test_log_in_ignores_a_next_address_on_another_site(client, app):
    make_user(email="s@example.com")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login?next=https://evil.example/",
        data={"csrf_token": token, "email": "s@example.com", "password": PASSWORD},
    )
    assert response.location.endswith("/decks")


@pytest.mark.parametrize(
    ("target", "followed"),
    [
        ("/decks/capitals?x=1", True),
        ("https://evil.example/", False),
        ("//evil.example/", False),
        ("///evil.example/", False),
        ("/\\evil.example/", False),
        ("/\t/evil.example/", False),
        ("/\n/evil.example/", False),
        ("decks", False),
        ("", False),
    ],
)
def test_only_a_path_on_this_site_is_followed_after_log_in(target, followed):
    assert is_safe_next(target) is followed


def test_pages_need_a_log_in(client, app):
    load_sample_deck()
    for path in ("/decks", "/decks/capitals", "/scores"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location


def test_a_whole_quiz_from_start_to_scores(client, app):
    load_sample_deck(n=3)
    signup(client)
    start = start_quiz(client)
    assert start.status_code == 302
    location = start.location
    first = client.get(location).get_data(as_text=True)
    assert "Question 1 of 3" in first

    answer(client, location, right_choice_ids)
    second = location[:-1] + "2"
    answer(client, second, lambda ids: [i for i in ids if i not in right_choice_ids(ids)][:1])
    last = answer(client, location[:-1] + "3", right_choice_ids)
    assert last.location and last.location.endswith("/review"), last.get_data(as_text=True)

    review = client.get(last.location).get_data(as_text=True)
    assert "answered <strong>3</strong> of 3" in review
    submit_url = re.search(r'action="([^"]+/submit)"', review).group(1)
    result = client.post(submit_url, data={"csrf_token": csrf_from(review)})
    html = client.get(result.location).get_data(as_text=True)
    assert "Your score: 67%" in html
    assert "2 of 3 right" in html
    assert html.count("right answer</strong>") == 3
    assert "Source: Test section, paragraph 1" in html
    assert "Because Paris." in html or "Because Rome." in html
    # The question missed went into the flashcards, and the result says where.
    assert "The 1 question you missed is now among your flashcards for this deck" in html
    assert 'href="/study/capitals">study it now</a>' in html

    scores = client.get("/scores").get_data(as_text=True)
    assert "Capitals" in scores and "2/3 (67%)" in scores and "<svg" in scores


def test_a_result_with_every_answer_right_sends_nobody_to_study_mistakes(client, app):
    load_sample_deck(n=2)
    signup(client)
    location = start_quiz(client).location
    answer(client, location, right_choice_ids)
    last = answer(client, location[:-1] + "2", right_choice_ids)
    review = client.get(last.location).get_data(as_text=True)
    submit_url = re.search(r'action="([^"]+/submit)"', review).group(1)
    result = client.post(submit_url, data={"csrf_token": csrf_from(review)})
    html = client.get(result.location).get_data(as_text=True)
    assert "Your score: 100%" in html
    assert "you missed" not in html and "/study/capitals" not in html


def test_the_question_page_does_not_reveal_the_right_answer(client, app):
    load_sample_deck(n=1)
    signup(client)
    html = client.get(start_quiz(client).location).get_data(as_text=True)
    assert "correct" not in html.lower()
    assert "right answer" not in html.lower()


def test_the_question_page_puts_the_keyboard_on_the_answer_not_the_menu(client, app):
    load_sample_deck(n=2)
    signup(client)
    location = start_quiz(client).location
    html = client.get(location).get_data(as_text=True)
    assert re.findall(r'id="choice-(\d+)"[^>]* autofocus', html) == ["1"]
    client.post(location, data={"csrf_token": csrf_from(html), "choice": "3"})
    again = client.get(location).get_data(as_text=True)
    assert re.findall(r'id="choice-(\d+)"[^>]* autofocus', again) == ["3"]  # the chosen one


def test_the_question_page_names_choices_by_place_so_ids_cannot_give_the_answer_away(client, app):
    # Choice ids follow the order the author wrote the choices in, often the right one
    # first: a page that showed them would let a learner pick the lowest and score.
    load_sample_deck(n=3)
    signup(client)
    location = start_quiz(client).location[:-1] + "2"
    html = client.get(location).get_data(as_text=True)
    values = re.findall(r'name="choice" id="choice-(\d+)" value="(\d+)"', html)
    ids = shown_choice_ids(location)
    assert values == [(str(n), str(n)) for n in range(1, len(ids) + 1)]

    # Place 2 is the second choice shown, whatever its id.
    client.post(location, data={"csrf_token": csrf_from(html), "choice": "2"})
    assert db.session.execute(db.select(Response.chosen)).scalar_one() == [ids[1]]


@pytest.mark.parametrize("sent", ["0", "5", "²", "1" * 40, "x", "-1"])
def test_a_choice_that_is_not_a_place_on_the_page_is_refused(client, app, sent):
    location, html = first_question(client, n=1)
    response = client.post(location, data={"csrf_token": csrf_from(html), "choice": sent})
    assert response.status_code == 422
    assert "That answer is not one of this question&#39;s choices." in response.get_data(
        as_text=True
    )
    assert db.session.execute(db.select(db.func.count(Response.id))).scalar_one() == 0


def test_an_answer_that_is_missing_is_asked_for_again(client, app):
    load_sample_deck(n=1)
    signup(client)
    location = start_quiz(client).location
    response = answer(client, location, lambda ids: [])
    assert response.status_code == 422
    assert "Choose an answer" in response.get_data(as_text=True)


def test_answering_a_question_reads_it_once(client, app, count_queries):
    location, html = first_question(client, n=2)
    first = CHOICE_RE.search(html).group(1)
    with count_queries() as counter:
        response = client.post(location, data={"csrf_token": csrf_from(html), "choice": first})
    assert response.status_code == 302 and response.location.endswith("/2")
    # The user, the attempt, the question with its choices, and the saved answer.
    assert counter.count == 4, counter.statements
    assert db.session.execute(db.select(db.func.count(Response.id))).scalar_one() == 1


def test_a_question_page_shows_the_earlier_answer_in_three_queries(client, app, count_queries):
    location, html = first_question(client, n=2)
    first = CHOICE_RE.search(html).group(1)
    client.post(location, data={"csrf_token": csrf_from(html), "choice": first})
    with count_queries() as counter:
        again = client.get(location).get_data(as_text=True)
    # The user, the attempt, and the question with its choices, the earlier answer to it
    # and the number answered.
    assert counter.count == 3, counter.statements
    assert re.search(rf'name="choice" id="choice-{first}"[^>]*checked', again)
    assert "Answered so far: 1 of 2." in again


def test_an_ordering_question_is_answered_with_places(client, app):
    deck = load_sample_deck(
        n=0, extra=(ordering("events", "Put in order.", "First", "Second", "Third"),)
    )
    signup(client)
    location = start_quiz(client, deck.slug).location
    html = client.get(location).get_data(as_text=True)
    # Each entry's select is named by the entry's place on the page, not by its id.
    texts = {
        int(shown): text
        for shown, text in re.findall(r'<label for="place-(\d+)">([^<]+)</label>', html)
    }
    assert sorted(texts) == [1, 2, 3]
    place = {"First": "1", "Second": "2", "Third": "3"}
    token = csrf_from(html)

    same_place = {f"place-{shown}": "1" for shown in texts}
    refused = client.post(location, data={"csrf_token": token, **same_place})
    assert refused.status_code == 422
    assert "each place once" in refused.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(Response.id))).scalar_one() == 0

    in_order = {f"place-{shown}": place[text] for shown, text in texts.items()}
    assert client.post(location, data={"csrf_token": token, **in_order}).status_code == 302
    saved = db.session.execute(db.select(Response)).scalar_one()
    assert saved.correct is True
    assert [db.session.get(Choice, cid).text for cid in saved.chosen] == [
        "First",
        "Second",
        "Third",
    ]


def test_submitting_twice_records_one_result(client, app):
    load_sample_deck(n=1)
    signup(client)
    location = start_quiz(client).location
    answer(client, location, right_choice_ids)
    review = client.get(location.rsplit("/", 1)[0] + "/review").get_data(as_text=True)
    submit_url = re.search(r'action="([^"]+/submit)"', review).group(1)
    token = csrf_from(review)
    first = client.post(submit_url, data={"csrf_token": token})
    again = client.post(submit_url, data={"csrf_token": token})
    assert first.location == again.location
    attempt = db.session.execute(db.select(Attempt)).scalar_one()
    assert attempt.correct_count == 1
    # Replaying an answer after submission changes nothing either.
    html_token = token
    replay = client.post(location, data={"csrf_token": html_token, "choice": ["1"]})
    assert replay.status_code == 302 and replay.location.endswith("/result")
    assert db.session.execute(db.select(db.func.count(Response.id))).scalar_one() == 1


def test_an_answer_sent_while_another_tab_submits_leads_to_the_result(client, app, monkeypatch):
    location, html = first_question(client, n=2)
    choice = CHOICE_RE.search(html).group(1)
    read_question = quizzes._question_at

    def question_then_submitted_elsewhere(attempt, number):
        question = read_question(attempt, number)
        quizzes.submit_attempt(attempt)  # the other tab, between reading and answering
        return question

    monkeypatch.setattr(quizzes, "_question_at", question_then_submitted_elsewhere)
    response = client.post(location, data={"csrf_token": csrf_from(html), "choice": [choice]})
    assert response.status_code == 302 and response.location.endswith("/result")
    result = client.get(response.location).get_data(as_text=True)
    assert "already been submitted; its answers are final" in result
    assert db.session.execute(db.select(db.func.count(Response.id))).scalar_one() == 0


@pytest.mark.parametrize("suffix", ["/1", "/review", "/result"])
def test_another_learner_cannot_see_an_attempt(client, app, suffix):
    load_sample_deck(n=1)
    make_user(email="owner@example.com")
    login(client, "owner@example.com")
    location = start_quiz(client).location
    attempt_url = location.rsplit("/", 1)[0]
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/decks").get_data(as_text=True))}
    )
    make_user(email="other@example.com")
    login(client, "other@example.com")
    assert client.get(attempt_url + suffix).status_code == 404


def test_another_learner_cannot_answer_or_submit_an_attempt(client, app):
    load_sample_deck(n=1)
    make_user(email="owner@example.com")
    login(client, "owner@example.com")
    attempt_url = start_quiz(client).location.rsplit("/", 1)[0]
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/decks").get_data(as_text=True))}
    )
    make_user(email="other@example.com")
    login(client, "other@example.com")
    token = csrf_from(client.get("/decks").get_data(as_text=True))
    assert (
        client.post(attempt_url + "/1", data={"csrf_token": token, "choice": ["1"]}).status_code
        == 404
    )
    assert client.post(attempt_url + "/submit", data={"csrf_token": token}).status_code == 404
    attempt = db.session.execute(db.select(Attempt)).scalar_one()
    assert attempt.submitted_at is None


def test_an_unknown_deck_or_question_number_is_a_404(client, app):
    load_sample_deck(n=1)
    signup(client)
    assert client.get("/decks/no-such-deck").status_code == 404
    location = start_quiz(client).location
    assert client.get(location[:-1] + "9").status_code == 404


def test_deck_page_shows_the_number_of_questions_and_scores(client, app):
    load_sample_deck(n=3)
    signup(client)
    html = client.get("/decks/capitals").get_data(as_text=True)
    assert "<strong>3</strong> questions" in html
    assert "You have not taken this quiz yet." in html


def test_the_deck_list_finds_decks_by_words_and_says_when_none_matches(client, app):
    load_sample_deck("capitals")
    load_sample_deck("rivers", n=2)
    login(client, make_user().email)

    found = client.get("/decks?q=+Capitals+").get_data(as_text=True)
    assert 'value="Capitals"' in found and "1 deck matches “Capitals”" in found
    assert "/decks/capitals" in found and "/decks/rivers" not in found

    none = client.get("/decks?q=volcanoes").get_data(as_text=True)
    assert "No deck matches “volcanoes”" in none and 'href="/decks">Show every deck' in none
    assert "/decks/capitals" not in none

    every = client.get("/decks").get_data(as_text=True)
    assert "/decks/capitals" in every and "/decks/rivers" in every
    assert "Show every deck" not in every


def test_an_answer_to_choices_that_changed_since_the_page_was_read_is_refused(client, app):
    location, html = first_question(client, n=1)
    shown = re.search(r'name="shown" value="([0-9a-f]+)"', html).group(1)
    # The author removes a choice meanwhile: place 2 may now name another choice.
    db.session.delete(db.session.get(Choice, shown_choice_ids(location)[0]))
    db.session.commit()
    sent = {"csrf_token": csrf_from(html), "shown": shown, "choice": "2"}
    response = client.post(location, data=sent)
    assert response.status_code == 422
    assert "The choices of this question changed while you were answering it" in (
        response.get_data(as_text=True)
    )
    assert db.session.execute(db.select(db.func.count(Response.id))).scalar_one() == 0
    # The page shown again carries the new choices' token: answering it works.
    fresh = response.get_data(as_text=True)
    again = {
        **sent,
        "csrf_token": csrf_from(fresh),
        "shown": re.search(r'name="shown" value="([0-9a-f]+)"', fresh).group(1),
    }
    assert client.post(location, data=again).status_code == 302


@pytest.mark.parametrize("shown", ["é", "0" * 20, ""])
def test_a_forged_list_of_shown_choices_is_refused_without_failing(client, app, shown):
    location, html = first_question(client, n=1)
    sent = {"csrf_token": csrf_from(html), "shown": shown, "choice": "1"}
    response = client.post(location, data=sent)
    assert response.status_code == 422
    assert db.session.execute(db.select(db.func.count(Response.id))).scalar_one() == 0


def test_an_answer_from_a_page_without_the_list_of_shown_choices_is_read_as_before(client, app):
    # A question page read before the list existed (an upgrade in the middle of a quiz).
    location, html = first_question(client, n=1)
    response = client.post(location, data={"csrf_token": csrf_from(html), "choice": "1"})
    assert response.status_code == 302
    assert db.session.execute(db.select(db.func.count(Response.id))).scalar_one() == 1
