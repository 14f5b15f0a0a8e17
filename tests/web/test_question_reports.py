"""Reporting a problem with a question in the browser, and the author's side of it."""

from __future__ import annotations

import re

from quiz.models import utcnow
from quiz.services import reports, study
from tests.conftest import csrf_from
from tests.factories import make_user
from tests.services.test_regrading import FIXED_KEY, OTHER, _published_set, _take
from tests.web.test_student_path import login


def _reported(client, app):
    """A student who took a quiz on a teacher's set and opened the report form of its
    first question from the result page."""
    teacher, deck, (capital, river) = _published_set(FIXED_KEY, OTHER)
    student = make_user()
    attempt = _take(student, deck, {capital.id: ["Paris"], river.id: ["Seine"]})
    login(client, student.email)
    result = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    links = re.findall(r'href="(/questions/(\d+)/report\?next=[^"]+)"', result)
    return teacher, deck, capital, attempt, result, dict((int(i), url) for url, i in links)


def test_every_question_of_a_result_offers_a_report_that_returns_to_the_result(client, app):
    _, _, capital, attempt, result, links = _reported(client, app)
    assert len(links) == 2 and "Report a problem" in result
    form = client.get(links[capital.id].replace("&amp;", "&"))
    page = form.get_data(as_text=True)
    assert form.status_code == 200 and "Capital of France?" in page and "without your name" in page
    sent = client.post(
        f"/questions/{capital.id}/report",
        data={
            "csrf_token": csrf_from(page),
            "reason": "wrong_key",
            "comment": "",
            "next": f"/attempts/{attempt.id}/result",
        },
        follow_redirects=True,
    )
    assert sent.request.path == f"/attempts/{attempt.id}/result"
    assert "Thank you: the author of the deck will see your report." in sent.get_data(as_text=True)
    again = client.get(f"/questions/{capital.id}/report").get_data(as_text=True)
    assert "You have already reported this question" in again and 'name="reason"' not in again


def test_a_report_without_a_reason_is_refused_and_keeps_the_comment(client, app):
    _, deck, capital, _, _, links = _reported(client, app)
    page = client.get(links[capital.id].replace("&amp;", "&")).get_data(as_text=True)
    response = client.post(
        f"/questions/{capital.id}/report",
        data={"csrf_token": csrf_from(page), "comment": "Paris is right, I think", "next": "/"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choose what is wrong with the question." in html
    assert "Paris is right, I think" in html
    assert reports.open_reports(deck) == []


def test_the_return_address_must_be_on_this_site(client, app):
    _, _, capital, _, _, _ = _reported(client, app)
    page = client.get(f"/questions/{capital.id}/report?next=https://evil.example/").get_data(
        as_text=True
    )
    assert "evil.example" not in page
    response = client.post(
        f"/questions/{capital.id}/report",
        data={"csrf_token": csrf_from(page), "reason": "typo", "next": "//evil.example/"},
    )
    assert response.status_code == 303 and response.location == "/decks"


def test_the_author_reads_the_report_escaped_and_marks_it_dealt_with(client, app):
    teacher, deck, capital, _, _, links = _reported(client, app)
    page = client.get(links[capital.id].replace("&amp;", "&")).get_data(as_text=True)
    client.post(
        f"/questions/{capital.id}/report",
        data={"csrf_token": csrf_from(page), "reason": "other", "comment": "<script>x()</script>"},
    )
    author = app.test_client()
    login(author, teacher.email)
    listing = author.get("/teach/").get_data(as_text=True)
    assert f'href="/teach/sets/{deck.id}#reports">1 report' in listing
    set_page = author.get(f"/teach/sets/{deck.id}").get_data(as_text=True)
    assert "Reports from learners" in set_page and "Something else" in set_page
    assert "&lt;script&gt;x()&lt;/script&gt;" in set_page and "<script>x()" not in set_page
    assert f'href="/teach/sets/{deck.id}/items/{capital.id}/edit">Edit the question' in set_page
    (report,) = reports.open_reports(deck)
    done = author.post(
        f"/teach/sets/{deck.id}/reports/{report.id}/resolve",
        data={"csrf_token": csrf_from(set_page)},
        follow_redirects=True,
    )
    assert "Report marked dealt with." in done.get_data(as_text=True)
    assert "Reports from learners" not in done.get_data(as_text=True)


def test_the_authors_start_page_tells_them_of_open_reports_until_they_are_dealt_with(client, app):
    teacher, deck, capital, _, _, links = _reported(client, app)
    author = app.test_client()
    login(author, teacher.email)
    notice = "Learners have reported 1 possible problem with questions in your sets."
    assert notice not in author.get("/teach/classes/").get_data(as_text=True)
    page = client.get(links[capital.id].replace("&amp;", "&")).get_data(as_text=True)
    client.post(
        f"/questions/{capital.id}/report",
        data={"csrf_token": csrf_from(page), "reason": "typo", "comment": ""},
    )
    start = author.get("/teach/classes/").get_data(as_text=True)
    assert notice in start and 'href="/teach/">Read it in your sets</a>' in start
    # Another teacher's start page says nothing of it.
    colleague = app.test_client()
    login(colleague, make_user(role="teacher").email)
    assert "Learners have reported" not in colleague.get("/teach/classes/").get_data(as_text=True)
    (report,) = reports.open_reports(deck)
    reports.resolve_report(deck, report.id)
    assert "Learners have reported" not in author.get("/teach/classes/").get_data(as_text=True)


def test_the_back_of_a_flashcard_offers_a_report(client, app):
    _, deck, (capital,) = _published_set(FIXED_KEY)
    student = make_user()
    login(client, student.email)
    card = study.next_card(student, None, utcnow())
    page = client.get(f"/study/cards/{card.item.id}").get_data(as_text=True)
    assert f'href="/questions/{card.item.id}/report?next=' in page
    assert "Report a problem with this card" in page


def test_a_question_removed_from_its_set_offers_no_report(client, app):
    from quiz.services import authoring

    _, deck, capital, attempt, _, links = _reported(client, app)
    assert authoring.delete_item(deck, capital.id) == "retired"
    result = client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert f"/questions/{capital.id}/report" not in result
    assert len(re.findall(r'href="/questions/\d+/report', result)) == len(links) - 1
