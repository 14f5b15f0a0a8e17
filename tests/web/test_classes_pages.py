"""Classes in the browser: create, join, assign, gradebook, item analysis, access rules."""

from __future__ import annotations

import csv
import io
import random
import re
from datetime import UTC, datetime

from quiz.extensions import db
from quiz.models import Assignment, Enrolment, Item
from quiz.services import classes as cs
from quiz.services import quizzes
from quiz.services.decks import get_published_deck, load_builtin_decks
from tests.conftest import csrf_from
from tests.factories import make_user, sample_deck
from tests.services.test_classes import _attempt
from tests.web.test_student_path import login

NOW = datetime.now(UTC)


def _logout(client):
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/decks").get_data(as_text=True))}
    )


def test_a_teacher_creates_a_class_and_a_student_joins_with_its_code(client, app):
    load_builtin_decks([sample_deck()])
    teacher = make_user(role="teacher")
    login(client, teacher.email)
    page = client.get("/teach/classes/").get_data(as_text=True)
    response = client.post(
        "/teach/classes/", data={"csrf_token": csrf_from(page), "name": "Year 10"}
    )
    assert response.status_code == 302
    klass = db.session.execute(db.select(cs.SchoolClass)).scalar_one()
    page = client.get(response.location).get_data(as_text=True)
    assert klass.join_code in page and f"/join/{klass.join_code}" in page
    deck = get_published_deck("capitals")
    client.post(
        f"/teach/classes/{klass.id}/assign",
        data={
            "csrf_token": csrf_from(page),
            "deck": str(deck.id),
            "due_at": "2030-01-31T17:00",
            "grading_method": "highest",
        },
    )
    assert db.session.execute(db.select(Assignment)).scalar_one().deck_id == deck.id
    _logout(client)

    student = make_user()
    login(client, student.email)
    link = client.get(f"/join/{klass.join_code}")
    assert link.status_code == 200 and "Year 10" in link.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(Enrolment.id))).scalar_one() == 0
    joined = client.post(
        "/join",
        data={
            "csrf_token": csrf_from(link.get_data(as_text=True)),
            "code": klass.join_code.lower(),
        },
    )
    assert joined.status_code == 302
    decks = client.get("/decks").get_data(as_text=True)
    assert "Your assignments" in decks and "Not started" in decks and "Year 10" in decks


def _class_to_assign_to(client):
    """A teacher's class with a student (a gradebook lists students' grades), the teacher
    logged in, and the class page's form to assign the capitals deck by highest grade."""
    load_builtin_decks([sample_deck()])
    teacher = make_user(role="teacher")
    klass = cs.create_class(teacher, "Year 10")
    cs.join_class(make_user(), klass.join_code)
    login(client, teacher.email)
    page = client.get(f"/teach/classes/{klass.id}").get_data(as_text=True)
    form = {
        "csrf_token": csrf_from(page),
        "deck": str(get_published_deck("capitals").id),
        "grading_method": "highest",
    }
    return teacher, klass, form


def test_a_due_date_in_the_past_is_taken_with_a_word_and_the_gradebook_gives_its_year(client, app):
    _, klass, form = _class_to_assign_to(client)
    done = client.post(
        f"/teach/classes/{klass.id}/assign",
        data={**form, "due_at": "2020-01-01T09:00"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Deck assigned." in done and "due date has already passed" in done
    assert "due 01 Jan 2020" in client.get(f"/teach/classes/{klass.id}/gradebook").get_data(
        as_text=True
    )
    regraded = client.post(
        f"/teach/classes/{klass.id}/assign",
        data={**form, "due_at": "2020-01-01T09:00", "grading_method": "latest", "change": "1"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Changes saved" in regraded and "already passed" not in regraded  # said once
    later = client.post(
        f"/teach/classes/{klass.id}/assign",
        data={**form, "due_at": "2031-01-01T09:00", "change": "1"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Changes saved" in later and "already passed" not in later


def test_the_gradebook_columns_follow_a_changed_assignment_and_time_zone(client, app):
    # The columns are written once and kept (teach/_gradebook_head.html): each change
    # they show must still reach the page at once.
    from quiz.models import User

    teacher, klass, form = _class_to_assign_to(client)
    form["due_at"] = "2031-01-01T23:30"
    client.post(f"/teach/classes/{klass.id}/assign", data=form)
    book = f"/teach/classes/{klass.id}/gradebook"
    first = client.get(book).get_data(as_text=True)
    assert "by highest" in first and "due 01 Jan 2031" in first
    db.session.get(User, teacher.id).timezone = "Asia/Tokyo"  # 9 hours ahead of UTC
    db.session.commit()
    assert "due 02 Jan 2031" in client.get(book).get_data(as_text=True)
    client.post(
        f"/teach/classes/{klass.id}/assign",
        data={**form, "grading_method": "latest", "change": "1"},
    )
    assert "by latest" in client.get(book).get_data(as_text=True)


def test_a_join_link_with_a_code_of_no_class_says_so_at_once(client, app):
    login(client, make_user().email)
    response = client.get("/join/NOPE1234")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "No class has that code" in page and "about to join" not in page


def _open_join_link_then_join(client, klass) -> tuple[str, str]:
    """The class's join link as the logged-in student sees it, then the page that sending
    its code leads to."""
    page = client.get(f"/join/{klass.join_code}").get_data(as_text=True)
    again = client.post(
        "/join",
        data={"csrf_token": csrf_from(page), "code": klass.join_code},
        follow_redirects=True,
    ).get_data(as_text=True)
    return page, again


def test_a_join_link_of_a_class_the_student_is_in_says_so_and_joining_again_changes_nothing(
    client, app
):
    klass = cs.create_class(make_user(role="teacher"), "Year 11")
    student = make_user()
    cs.join_class(student, klass.join_code)
    login(client, student.email)
    page, again = _open_join_link_then_join(client, klass)
    assert "You are already in <strong>Year 11</strong>" in page and "about to join" not in page
    assert "You are already in Year 11: nothing changed." in again and "You joined" not in again
    assert db.session.execute(db.select(db.func.count(Enrolment.id))).scalar_one() == 1


def test_a_join_link_of_an_archived_class_says_it_takes_no_new_students(client, app):
    klass = cs.create_class(make_user(role="teacher"), "Year 9")
    cs.set_archived(klass, True)
    login(client, make_user().email)
    response = client.get(f"/join/{klass.join_code}")
    assert response.status_code == 404
    assert "archived and takes no new students" in response.get_data(as_text=True)


def test_a_wrong_code_says_so(client, app):
    login(client, make_user().email)
    page = client.get("/join").get_data(as_text=True)
    response = client.post("/join", data={"csrf_token": csrf_from(page), "code": "ZZZZ9999"})
    assert response.status_code == 422 and "No class has that code" in response.get_data(
        as_text=True
    )


def _class_with_results():
    load_builtin_decks([sample_deck()])
    deck = get_published_deck("capitals")
    teacher = make_user(role="teacher")
    klass = cs.create_class(teacher, "Year 11")
    student = make_user()
    cs.join_class(student, klass.join_code)
    cs.assign_deck(teacher, klass, deck.id, None)
    attempt = _attempt(student, deck, 2, NOW)
    return teacher, klass, student, deck, attempt


def test_the_gradebook_and_the_item_analysis_say_what_their_figures_mean(client, app):
    from quiz.domain.scheduling import MASTERED_STABILITY_DAYS

    teacher, klass, _, deck, _ = _class_with_results()
    login(client, teacher.email)
    book = client.get(f"/teach/classes/{klass.id}/gradebook").get_data(as_text=True)
    assert "<em>mastery</em>, the share of the deck's questions" in book
    assert f"more than {round(MASTERED_STABILITY_DAYS)} days" in book
    analysis = client.get(f"/teach/classes/{klass.id}/decks/{deck.id}/analysis").get_data(
        as_text=True
    )
    assert "Cronbach's alpha (at most 1) is how consistently" in analysis
    assert "A question's SD is how much its marks vary" in analysis
    assert "at −0.30 or below (from 10 attempts)" in analysis


def test_the_gradebook_shows_grades_and_links_to_a_students_answers(client, app):
    teacher, klass, student, deck, attempt = _class_with_results()
    login(client, teacher.email)
    book = client.get(f"/teach/classes/{klass.id}/gradebook").get_data(as_text=True)
    assert student.name in book and "67%" in book and "<svg" in book
    detail = client.get(f"/teach/classes/{klass.id}/students/{student.id}").get_data(as_text=True)
    assert "2/3" in detail
    answers = client.get(f"/teach/classes/{klass.id}/students/{student.id}/attempts/{attempt.id}")
    text = answers.get_data(as_text=True)
    assert answers.status_code == 200 and "right answer" in text
    # The teacher reads the student's answers under their name, not as "your answer".
    assert "<h2>Question by question</h2>" in text
    assert f"{student.name}&#39;s answer</strong>" in text and "your answer" not in text
    csv_response = client.get(f"/teach/classes/{klass.id}/gradebook.csv")
    assert csv_response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert student.email in csv_response.get_data(as_text=True)
    sorted_page = client.get(f"/teach/classes/{klass.id}/gradebook?sort=name&dir=desc")
    assert sorted_page.status_code == 200
    analysis = client.get(f"/teach/classes/{klass.id}/decks/{deck.id}/analysis?attempts=all")
    text = analysis.get_data(as_text=True)
    assert analysis.status_code == 200 and "Facility" in text and "What is the capital" in text


def test_the_gradebook_marks_late_and_missing_work_and_the_student_sees_theirs_late(client, app):
    from datetime import timedelta

    from quiz.models import utcnow

    load_builtin_decks([sample_deck()])
    deck = get_published_deck("capitals")
    teacher = make_user(role="teacher")
    klass = cs.create_class(teacher, "Year 11")
    late, absent = make_user(), make_user()
    for student in (late, absent):
        cs.join_class(student, klass.join_code)
    db.session.execute(db.update(Enrolment).values(joined_at=utcnow() - timedelta(days=9)))
    db.session.commit()
    cs.assign_deck(teacher, klass, deck.id, utcnow() - timedelta(days=1))
    _attempt(late, deck, 2, utcnow() - timedelta(hours=1))
    login(client, teacher.email)
    book = client.get(f"/teach/classes/{klass.id}/gradebook").get_data(as_text=True)
    rows = dict(
        re.findall(r'<tr>\s*<th scope="row"><a [^>]*>([^<]*)</a></th>(.*?)</tr>', book, re.S)
    )
    assert '<span class="badge badge-late">late</span>' in rows[late.name]
    assert "67%" in rows[late.name]
    assert '<span class="badge badge-missing">missing</span>' in rows[absent.name]
    assert "<em>missing</em>: the due date has passed without one" in book
    _logout(client)
    login(client, late.email)
    decks = client.get("/decks").get_data(as_text=True)
    assert '<span class="badge status-badge">Done, late</span>' in decks


def test_class_pages_are_closed_to_students_and_other_teachers_but_open_to_admins(client, app):
    teacher, klass, student, deck, attempt = _class_with_results()
    pages = [
        f"/teach/classes/{klass.id}",
        f"/teach/classes/{klass.id}/gradebook",
        f"/teach/classes/{klass.id}/gradebook.csv",
        f"/teach/classes/{klass.id}/students/{student.id}",
        f"/teach/classes/{klass.id}/students/{student.id}/attempts/{attempt.id}",
        f"/teach/classes/{klass.id}/decks/{deck.id}/analysis",
    ]
    login(client, student.email)
    assert all(client.get(p).status_code == 403 for p in pages)
    _logout(client)
    login(client, make_user(role="teacher").email)
    assert all(client.get(p).status_code == 404 for p in pages)
    token = csrf_from(client.get("/teach/classes/").get_data(as_text=True))
    for action in ("code", "archive", f"students/{student.id}/remove", "assign"):
        assert (
            client.post(
                f"/teach/classes/{klass.id}/{action}", data={"csrf_token": token}
            ).status_code
            == 404
        )
    assert cs.class_students(klass)[0].id == student.id
    _logout(client)
    login(client, make_user(role="admin").email)
    assert all(client.get(p).status_code == 200 for p in pages)


def test_a_student_not_in_the_class_is_a_404_for_its_teacher(client, app):
    teacher, klass, _, _, _ = _class_with_results()
    stranger = make_user()
    login(client, teacher.email)
    assert client.get(f"/teach/classes/{klass.id}/students/{stranger.id}").status_code == 404


def _big_class(monkeypatch, n_students=5):
    """A class of n students named Student 1.. and a per-page of 2 (so 3 pages for 5)."""
    monkeypatch.setattr(cs, "PER_PAGE", 2)
    teacher, klass, student, deck, _ = _class_with_results()
    student.display_name = "Student 1"
    others = []
    for n in range(2, n_students + 1):
        other = make_user()
        other.display_name = f"Student {n}"
        others.append(other)
    db.session.commit()
    for other in others:
        cs.join_class(other, klass.join_code)
    return teacher, klass, deck, [student, *others]


def test_the_gradebook_pages_keep_the_sort_and_link_back_and_forth(client, app, monkeypatch):
    teacher, klass, deck, students = _big_class(monkeypatch)
    login(client, teacher.email)
    url = f"/teach/classes/{klass.id}/gradebook"
    first = client.get(url).get_data(as_text=True)
    assert "Student 1" in first and "Student 2" in first and "Student 3" not in first
    assert "Page 1 of 3" in first and 'rel="prev"' not in first
    assert f'href="{url}?sort=name&amp;page=2" rel="next"' in first
    assert 'aria-label="Pages of the gradebook"' in first and 'for="page">Go to page' in first

    second = client.get(f"{url}?sort=name&dir=desc&page=2").get_data(as_text=True)
    assert "Student 3" in second and "Student 2" in second and "Student 4" not in second
    assert f'href="{url}?sort=name&amp;dir=desc&amp;page=1" rel="prev"' in second
    assert f'href="{url}?sort=name&amp;dir=desc&amp;page=3" rel="next"' in second

    assignment = db.session.execute(db.select(Assignment)).scalar_one()
    by_grade = client.get(f"{url}?sort={assignment.id}&dir=desc").get_data(as_text=True)
    assert "Student 1" in by_grade  # the only one with a grade comes first
    assert f"?sort={assignment.id}&amp;dir=desc&amp;page=2" in by_grade
    # The summaries are over the whole class whatever the page.
    assert "Over all 5 students of the class." in second


def test_a_page_out_of_range_or_not_a_number_is_a_clear_error(client, app, monkeypatch):
    teacher, klass, _, _ = _big_class(monkeypatch)
    login(client, teacher.email)
    url = f"/teach/classes/{klass.id}/gradebook"
    missing = client.get(f"{url}?page=9&sort=name&dir=desc")
    text = missing.get_data(as_text=True)
    assert missing.status_code == 404
    assert "There is no page 9: the gradebook has 3 pages." in text
    assert f'href="{url}?sort=name&amp;dir=desc&amp;page=3"' in text
    assert client.get(f"{url}?page=").status_code == 200  # an empty "Go to page": page 1
    for bad in ("abc", "-1", "1.5", "²", "1e3", "9" * 5000):
        response = client.get(f"{url}?page={bad}")
        assert response.status_code == 400, bad
        assert "Pages are numbered 1, 2, 3" in response.get_data(as_text=True)
    zero = client.get(f"{url}?page=0&sort=<script>")
    assert zero.status_code == 404 and "<script>" not in zero.get_data(as_text=True)
    assert client.get(f"{url}?page=3&sort=99999").status_code == 200  # unknown sort: by name
    assert client.get(f"{url}?sort={'9' * 5000}").status_code == 200


def test_the_csv_has_every_student_while_the_page_has_some(client, app, monkeypatch):
    teacher, klass, _, students = _big_class(monkeypatch)
    login(client, teacher.email)
    text = client.get(f"/teach/classes/{klass.id}/gradebook.csv").get_data(as_text=True)
    assert all(s.email in text for s in students) and len(text.strip().splitlines()) == 6


def test_the_gradebook_and_analysis_show_a_new_attempt_on_the_next_request(client, app):
    teacher, klass, student, deck, _ = _class_with_results()  # one attempt, 2 of 3 right
    login(client, teacher.email)
    book = f"/teach/classes/{klass.id}/gradebook"
    analysis = f"/teach/classes/{klass.id}/decks/{deck.id}/analysis?attempts=all"
    assert "1 attempt<" in client.get(book).get_data(as_text=True)
    assert "<dt>Attempts</dt><dd>1</dd>" in client.get(analysis).get_data(as_text=True)
    _attempt(student, deck, 3, NOW)
    page = client.get(book).get_data(as_text=True)
    assert "2 attempts" in page and "100%" in page
    assert "<dt>Attempts</dt><dd>2</dd>" in client.get(analysis).get_data(as_text=True)


def test_gradebook_cells_read_as_score_badge_and_percent_would_write_them():
    from quiz.domain.grading import percent
    from quiz.markup import score_badge
    from quiz.teach.classes import _grade_cells

    def pct(value):
        return "–" if value is None else f"{percent(value)}%"

    values = sorted({k / n for n in range(1, 31) for k in range(n + 1)} | {0.005, 0.795})
    for n, value in enumerate(values):
        attempts = n % 3
        grade = value if attempts else None
        mastery = None if n % 5 == 0 else values[-n]
        hand_in = ("", "on time", "late", "missing")[n % 4]
        cell = cs.Cell(attempts, grade, values[n // 2], grade, mastery, n % 4, hand_in)
        marked = {
            "late": ' <span class="badge badge-late">late</span>',
            "missing": ' <span class="badge badge-missing">missing</span>',
        }.get(hand_in, "")  # on time is the rule, and not marked
        detail = ""
        if attempts:
            plural = "s" if attempts != 1 else ""
            detail = (
                f"best {pct(grade)} · last {pct(values[n // 2])} · {attempts} attempt{plural}<br>"
            )
        due = f" · {n % 4} due" if n % 4 else ""
        expected = (
            f'<td>{score_badge(grade)}{marked}<div class="muted small">{detail}'
            f"mastery {pct(mastery)}{due}</div></td>"
        )
        assert _grade_cells((cell,)) == expected


def test_the_analysis_estimates_alpha_when_quizzes_drew_random_questions(client, app):
    """Quizzes of 2 of the deck's 3 questions: no attempt holds every question, and the
    page gives alpha for a 2-question quiz, saying how it was found."""
    load_builtin_decks([sample_deck()])
    deck = get_published_deck("capitals")
    teacher = make_user(role="teacher")
    klass = cs.create_class(teacher, "Year 11")
    cs.assign_deck(teacher, klass, deck.id, None)
    for n in range(8):
        student = make_user()
        cs.join_class(student, klass.join_code)
        attempt = quizzes.start_attempt(student, deck, length=2, rng=random.Random(n))
        for number, item_id in enumerate(attempt.item_ids, start=1):
            item = db.session.get(Item, item_id)
            # Half the students know everything and half nothing: the questions agree.
            choice = next(c for c in item.choices if c.correct == (n % 2 == 0))
            quizzes.record_response(attempt, number, [choice.id])
        quizzes.submit_attempt(attempt)
    login(client, teacher.email)
    analysis = f"/teach/classes/{klass.id}/decks/{deck.id}/analysis?attempts=all"
    page = client.get(analysis).get_data(as_text=True)
    assert "<dt>Attempts</dt><dd>8</dd>" in page
    assert re.search(r"<dt>Cronbach's alpha</dt><dd>\d\.\d\d</dd>", page)
    assert "attempts contains all 3 items (most held 2), so alpha is estimated" in page


def test_a_teacher_starts_at_their_classes_and_a_student_at_the_decks(client, app):
    teacher, student = make_user(role="teacher"), make_user()
    assert login(client, teacher.email).location == "/teach/classes/"
    assert client.get("/").location == "/teach/classes/"
    assert client.get("/login").location == "/teach/classes/"
    _logout(client)
    assert login(client, student.email).location == "/decks"
    assert client.get("/").location == "/decks"


def test_removing_a_student_or_an_assignment_asks_first_and_keeps_the_scores(client, app):
    teacher, klass, student, deck, attempt = _class_with_results()
    login(client, teacher.email)
    page = client.get(f"/teach/classes/{klass.id}").get_data(as_text=True)
    # Each destructive button only opens a confirmation that says what happens.
    assert page.count('<details class="confirm">') == 4  # new code, archive, 2 removals
    assert f"{student.name} leaves the class and its gradebook. Their attempts are kept" in page
    assert "Students keep their attempts and scores, but the deck leaves" in page
    assert f">Remove {student.name}</button>" in page and f">Remove {deck.title}</button>" in page

    assignment = db.session.execute(db.select(Assignment)).scalar_one()
    token = csrf_from(page)
    client.post(
        f"/teach/classes/{klass.id}/students/{student.id}/remove", data={"csrf_token": token}
    )
    client.post(
        f"/teach/classes/{klass.id}/assignments/{assignment.id}/remove", data={"csrf_token": token}
    )
    assert cs.class_students(klass) == [] and cs.assigned_decks(klass) == []
    assert db.session.get(type(attempt), attempt.id).correct_count == 2


def test_a_member_of_an_archived_class_is_told_they_are_in_it_not_that_it_is_closed(client, app):
    klass = cs.create_class(make_user(role="teacher"), "Year 9")
    student = make_user()
    cs.join_class(student, klass.join_code)
    cs.set_archived(klass, True)
    login(client, student.email)
    page, again = _open_join_link_then_join(client, klass)
    assert "which your teacher has archived" in page and "takes no new students" not in page
    assert "You are already in Year 9: nothing changed." in again


def test_an_empty_archived_class_does_not_ask_for_its_join_code_to_be_given_out(client, app):
    teacher = make_user(role="teacher")
    klass = cs.create_class(teacher, "Old club")
    login(client, teacher.email)
    assert "Give them the join code" in client.get(f"/teach/classes/{klass.id}").get_data(
        as_text=True
    )
    cs.set_archived(klass, True)
    page = client.get(f"/teach/classes/{klass.id}").get_data(as_text=True)
    assert "Give them the join code" not in page and "archived before anyone joined" in page


def test_an_archived_class_offers_no_new_code_or_assignment_and_refuses_one(client, app):
    teacher, klass, student, deck, attempt = _class_with_results()
    login(client, teacher.email)
    token = csrf_from(client.get(f"/teach/classes/{klass.id}").get_data(as_text=True))
    client.post(f"/teach/classes/{klass.id}/archive", data={"csrf_token": token, "archive": "1"})
    page = client.get(f"/teach/classes/{klass.id}").get_data(as_text=True)
    assert (
        "Restore the class to assign decks to it." in page and "Restore the class</button>" in page
    )
    assert "New code" not in page and ">Assign</button>" not in page

    load_builtin_decks([sample_deck("rivers", n=2)])
    response = client.post(
        f"/teach/classes/{klass.id}/assign",
        data={
            "csrf_token": token,
            "deck": str(get_published_deck("rivers").id),
            "due_at": "",
            "grading_method": "latest",
        },
    )
    assert response.status_code == 422
    assert "This class is archived: restore it to assign decks." in response.get_data(as_text=True)
    assert [a.deck_id for a in cs.assigned_decks(klass)] == [deck.id]


def test_the_class_page_names_the_grading_method_as_the_form_does(client, app):
    teacher, klass, student, deck, attempt = _class_with_results()
    cs.assign_deck(teacher, klass, deck.id, None, "average")
    login(client, teacher.email)
    page = client.get(f"/teach/classes/{klass.id}").get_data(as_text=True)
    assert "No due date · graded by average of attempts" in page


def test_item_analysis_flags_questions_only_once_they_have_enough_attempts(client, app):
    teacher, klass, student, deck, attempt = _class_with_results()
    url = f"/teach/classes/{klass.id}/decks/{deck.id}/analysis"
    login(client, teacher.email)
    page = client.get(url).get_data(as_text=True)
    assert "A question is flagged only once it has 5 attempts" in page
    assert 'class="badge badge-low"' not in page and 'class="badge badge-mid"' not in page

    for _ in range(4):  # five attempts in all, every answer right but the last one's
        other = make_user()
        cs.join_class(other, klass.join_code)
        _attempt(other, deck, 3, NOW)
    page = client.get(url).get_data(as_text=True)
    # The first two questions: five right of five, and no wrong choice ever picked.
    assert page.count('<span class="badge badge-low">too easy</span>') == 2
    assert page.count("3 unused distractors</span>") == 2
    assert page.count('<span class="badge badge-mid">never chosen</span>') == 6 + 2


def test_item_analysis_shows_the_strongest_and_weakest_choices_from_ten_attempts(client, app):
    teacher, klass, student, deck, attempt = _class_with_results()
    url = f"/teach/classes/{klass.id}/decks/{deck.id}/analysis"
    login(client, teacher.email)
    assert "· strongest " not in client.get(url).get_data(as_text=True)
    for n in range(9):  # ten attempts in all, with 0 to 3 answers right
        other = make_user()
        cs.join_class(other, klass.join_code)
        _attempt(other, deck, n % 4, NOW)
    page = client.get(url).get_data(as_text=True)
    # Each question's choices: 3 wrong and 1 right, each with both groups' shares.
    assert page.count("· strongest ") == 3 * 4
    assert "what share of the strongest and of the weakest 27% of attempts picked it" in page


def test_a_student_sees_their_classes_on_the_join_page_and_leaves_one(client, app):
    load_builtin_decks([sample_deck()])
    teacher = make_user(role="teacher")
    klass = cs.create_class(teacher, "Year 10")
    cs.assign_deck(teacher, klass, get_published_deck("capitals").id, None)
    student = make_user()
    cs.join_class(student, klass.join_code)
    login(client, student.email)
    assert "Year 10" in client.get("/decks").get_data(as_text=True)  # its assignment

    page = client.get("/join").get_data(as_text=True)
    assert "Your classes" in page and f"Taught by {teacher.name}" in page
    assert f'action="/classes/{klass.id}/leave"' in page
    left = client.post(f"/classes/{klass.id}/leave", data={"csrf_token": csrf_from(page)})

    assert left.location.endswith("/join")
    after = client.get(left.location).get_data(as_text=True)
    assert "You left Year 10" in after and "join again with its code" in after
    assert "Your classes" not in after
    assert "Year 10" not in client.get("/decks").get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(Enrolment.id))).scalar_one() == 0


def test_an_archived_class_is_listed_without_a_leave_button_and_cannot_be_left(client, app):
    teacher = make_user(role="teacher")
    klass = cs.create_class(teacher, "Year 9, last year")
    student = make_user()
    cs.join_class(student, klass.join_code)
    cs.set_archived(klass, True)
    login(client, student.email)

    page = client.get("/join").get_data(as_text=True)
    assert "Year 9, last year" in page and "kept as a record" in page
    assert f'action="/classes/{klass.id}/leave"' not in page
    refused = client.post(f"/classes/{klass.id}/leave", data={"csrf_token": csrf_from(page)})
    assert refused.location.endswith("/join")
    assert "is archived" in client.get("/join").get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(Enrolment.id))).scalar_one() == 1


def test_the_csv_starts_with_a_byte_order_mark_so_excel_reads_names_as_utf8(client, app):
    teacher, klass, student, _, _ = _class_with_results()
    student.display_name = "Олена Коваль"
    db.session.commit()
    login(client, teacher.email)
    body = client.get(f"/teach/classes/{klass.id}/gradebook.csv").get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "Student" and any(row[0] == "Олена Коваль" for row in rows)


def test_the_class_page_says_how_many_students_took_each_assignment(client, app):
    teacher, klass, student, deck, _ = _class_with_results()
    login(client, teacher.email)
    page = client.get(f"/teach/classes/{klass.id}").get_data(as_text=True)
    total = db.session.execute(
        db.select(db.func.count(Enrolment.id)).where(Enrolment.class_id == klass.id)
    ).scalar_one()
    assert f"taken by 1 of {total} student" in page


def test_the_analysis_links_each_question_to_its_editor_for_the_sets_owner_only(client, app):
    from tests.services.test_regrading import WRONG_KEY, _published_set, _take

    teacher, own, (capital,) = _published_set(WRONG_KEY)
    _take(make_user(), own, {capital.id: ["Paris"]})
    login(client, teacher.email)
    page = client.get(f"/teach/sets/{own.id}/analysis").get_data(as_text=True)
    assert f'href="/teach/sets/{own.id}/items/{capital.id}/edit">Edit' in page
    assert "marks the earlier answers to the question again" in page
    assert 'Edit<span class="visually-hidden"> the question “Capital of France?”' in page
    # A built-in deck in a class is not the teacher's to edit: no link.
    other, klass, _, deck, _ = _class_with_results()
    colleague = app.test_client()
    login(colleague, other.email)
    analysis = colleague.get(f"/teach/classes/{klass.id}/decks/{deck.id}/analysis")
    assert analysis.status_code == 200 and "/edit" not in analysis.get_data(as_text=True)


def test_the_analysis_table_is_written_once_until_an_attempt_changes_it(client, app):
    from flask import template_rendered

    teacher, klass, student, deck, _ = _class_with_results()  # one attempt, 2 of 3 right
    login(client, teacher.email)
    url = f"/teach/classes/{klass.id}/decks/{deck.id}/analysis?attempts=all"
    written = []

    def record(sender, template, context, **extra):
        written.append(template.name)

    client.get("/", follow_redirects=True)  # shows the log-in's welcome, once
    with template_rendered.connected_to(record, app):
        first = client.get(url).get_data(as_text=True)
        again = client.get(url).get_data(as_text=True)
        assert written.count("teach/_analysis_rows.html") == 1
        assert again == first and "<td>1</td>" in first  # each question: 1 attempt
        _attempt(student, deck, 3, NOW)
        later = client.get(url).get_data(as_text=True)
    assert written.count("teach/_analysis_rows.html") == 2
    assert "<td>2</td>" in later and "<td>1</td>" not in later


def test_the_gradebook_page_shows_a_students_cards_falling_due_and_reviewed(client, app):
    from datetime import timedelta

    from quiz.models import Card

    teacher, klass, student, deck, _ = _class_with_results()
    item = min(deck.items, key=lambda i: i.position)
    card = Card(
        user_id=student.id,
        item_id=item.id,
        state=2,
        stability=30.0,
        difficulty=5.0,
        due=datetime.now(UTC) + timedelta(days=1),
    )
    db.session.add(card)
    db.session.commit()
    login(client, teacher.email)
    book = f"/teach/classes/{klass.id}/gradebook"
    page = client.get(book).get_data(as_text=True)
    assert "mastery 33%</div>" in page  # 1 of the 3 questions, none due
    card.due = datetime.now(UTC) - timedelta(minutes=1)  # as a review's undo would
    db.session.commit()
    assert "mastery 33% · 1 due</div>" in client.get(book).get_data(as_text=True)
    db.session.delete(card)
    db.session.commit()
    assert "mastery 0%</div>" in client.get(book).get_data(as_text=True)
