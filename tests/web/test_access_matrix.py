"""Every route, checked for every kind of visitor; every state change needs CSRF.

A route added to the app without a row here fails test_every_route_is_in_the_matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from quiz.domain.items import ChoiceSpec, ItemKind, ItemSpec
from quiz.extensions import db
from quiz.models import Base, QuestionReport
from quiz.services import authoring, quizzes
from quiz.services import classes as cs
from quiz.services.accounts import reset_password
from quiz.services.decks import get_published_deck, load_builtin_decks
from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_user, sample_deck
from tests.web.test_student_path import login

ROLES = ("anon", "student", "other_student", "teacher", "other_teacher", "admin")
L = 302  # sent to the log-in page (or, for log-in pages, away from them)


def row(anon, student, other_student, teacher, other_teacher, admin):
    return dict(
        zip(ROLES, (anon, student, other_student, teacher, other_teacher, admin), strict=True)
    )


EVERYONE = row(200, 200, 200, 200, 200, 200)
LOGGED_IN = row(L, 200, 200, 200, 200, 200)
TEACHERS = row(L, 403, 403, 200, 200, 200)
OWNER_TEACHER = row(L, 403, 403, 200, 404, 200)
OWN_ATTEMPT = row(L, 200, 404, 404, 404, 404)

# endpoint -> (path template, expected GET status per role); None = not a GET route.
MATRIX: dict[str, tuple[str, dict | None]] = {
    "learn.home": ("/", row(200, L, L, L, L, L)),
    "learn.decks": ("/decks", LOGGED_IN),
    "learn.deck": ("/decks/{slug}", LOGGED_IN),
    "learn.question": ("/attempts/{open_attempt}/1", OWN_ATTEMPT),
    "learn.review": ("/attempts/{open_attempt}/review", OWN_ATTEMPT),
    "learn.result": ("/attempts/{done_attempt}/result", OWN_ATTEMPT),
    "learn.submit": ("/attempts/{open_attempt}/submit", None),
    "learn.scores": ("/scores", LOGGED_IN),
    "learn.dashboard": ("/dashboard", LOGGED_IN),
    "learn.settings": ("/settings", LOGGED_IN),
    "learn.join": ("/join", LOGGED_IN),
    "learn.join_link": ("/join/{code}", LOGGED_IN),
    "learn.report_question": ("/questions/{builtin_item}/report", LOGGED_IN),
    "learn.leave_class": ("/classes/{klass}/leave", None),
    "study.everything": ("/study/", LOGGED_IN),
    "study.session": ("/study/{slug}", LOGGED_IN),
    "study.back": ("/study/cards/{builtin_item}", LOGGED_IN),
    "study.rate": ("/study/cards/{builtin_item}/rate", None),
    "study.undo": ("/study/cards/undo", None),
    "study.suspend": ("/study/cards/{builtin_item}/suspend", None),
    "study.unsuspend": ("/study/cards/{builtin_item}/unsuspend", None),
    "auth.signup": ("/signup", row(200, L, L, L, L, L)),
    "auth.login": ("/login", row(200, L, L, L, L, L)),
    "auth.logout": ("/logout", None),
    "auth.password": ("/account/password", LOGGED_IN),
    "auth.email": ("/account/email", LOGGED_IN),
    "auth.account_data": ("/account/data", LOGGED_IN),
    "auth.delete_account": ("/account/delete", LOGGED_IN),
    "teach.index": ("/teach/", TEACHERS),
    "teach.new_set": ("/teach/sets/new", TEACHERS),
    "teach.import_file": ("/teach/import", TEACHERS),
    "teach.paste_cards": ("/teach/import/paste", None),
    "teach.show_set": ("/teach/sets/{set}", OWNER_TEACHER),
    "teach.edit_set": ("/teach/sets/{set}/edit", OWNER_TEACHER),
    "teach.delete_set": ("/teach/sets/{set}/delete", OWNER_TEACHER),
    "teach.new_item": ("/teach/sets/{set}/items/new", OWNER_TEACHER),
    "teach.edit_item": ("/teach/sets/{set}/items/{item}/edit", OWNER_TEACHER),
    "teach.preview_item": ("/teach/sets/{set}/items/{item}/preview", OWNER_TEACHER),
    "teach.export": ("/teach/sets/{set}/export/gift", OWNER_TEACHER),
    "teach.print_set": ("/teach/sets/{set}/print", OWNER_TEACHER),
    "teach.analysis": ("/teach/sets/{set}/analysis", OWNER_TEACHER),
    "teach.publish": ("/teach/sets/{set}/publish", None),
    # The set is a draft: its page, which says so, stands in for the question.
    "teach.unpublish": ("/teach/sets/{set}/unpublish", row(L, 403, 403, 302, 404, 302)),
    "teach.copy_set": ("/teach/decks/{set}/copy", None),  # a draft: only its owner copies it
    "teach.move_item": ("/teach/sets/{set}/items/{item}/move", None),
    "teach.delete_item": ("/teach/sets/{set}/items/{item}/delete", None),
    "teach.resolve_report": ("/teach/sets/{set}/reports/{report}/resolve", None),
    "classes.index": ("/teach/classes/", TEACHERS),
    "classes.show": ("/teach/classes/{klass}", OWNER_TEACHER),
    "classes.gradebook": ("/teach/classes/{klass}/gradebook", OWNER_TEACHER),
    "classes.gradebook_csv": ("/teach/classes/{klass}/gradebook.csv", OWNER_TEACHER),
    "classes.student": ("/teach/classes/{klass}/students/{student}", OWNER_TEACHER),
    "classes.add_students": ("/teach/classes/{klass}/students/new", OWNER_TEACHER),
    "classes.student_attempt": (
        "/teach/classes/{klass}/students/{student}/attempts/{done_attempt}",
        OWNER_TEACHER,
    ),
    "classes.analysis": ("/teach/classes/{klass}/decks/{deck}/analysis", OWNER_TEACHER),
    "classes.assign": ("/teach/classes/{klass}/assign", None),
    "classes.unassign": ("/teach/classes/{klass}/assignments/{assignment}/remove", None),
    "classes.regenerate": ("/teach/classes/{klass}/code", None),
    "classes.archive": ("/teach/classes/{klass}/archive", None),
    "classes.remove_student": ("/teach/classes/{klass}/students/{student}/remove", None),
    "classes.reset_password": ("/teach/classes/{klass}/students/{student}/password", None),
    "ops.healthz": ("/healthz", EVERYONE),
}
# What a POST by each role gets, for routes that change state (with a valid token).
POST_ACCESS = {
    "learn.submit": OWN_ATTEMPT | {"student": 302},
    "study.rate": row(L, 302, 302, 302, 302, 302),
    "study.undo": row(L, 302, 302, 302, 302, 302),  # nothing to undo: a message
    "study.unsuspend": row(L, 302, 302, 302, 302, 302),  # nothing suspended: no change
    "study.suspend": row(L, 302, 302, 302, 302, 302),  # each suspends their own card
    "teach.publish": OWNER_TEACHER | {"teacher": 302, "admin": 302},
    "teach.copy_set": OWNER_TEACHER | {"teacher": 302, "admin": 302},
    "teach.move_item": OWNER_TEACHER | {"teacher": 302, "admin": 302},
    # Before the deletion below, which takes the report with its question.
    "teach.resolve_report": OWNER_TEACHER | {"teacher": 303, "admin": 303},
    "teach.delete_item": OWNER_TEACHER | {"teacher": 302, "admin": 302},
    "classes.unassign": OWNER_TEACHER | {"teacher": 302, "admin": 302},
    "classes.regenerate": OWNER_TEACHER | {"teacher": 302, "admin": 302},
    "classes.archive": OWNER_TEACHER | {"teacher": 302, "admin": 302},
    # Before the removal below: the page with the student's temporary password.
    "classes.reset_password": OWNER_TEACHER,
    "classes.remove_student": OWNER_TEACHER | {"teacher": 302, "admin": 302},
    "classes.assign": OWNER_TEACHER | {"teacher": 422, "admin": 422},  # no deck chosen
    "teach.paste_cards": TEACHERS
    | {"teacher": 422, "other_teacher": 422, "admin": 422},  # no cards
    # Only a student in the class can leave it (after the class's rows above).
    "learn.leave_class": row(L, 302, 404, 404, 404, 404),
    # Last: it ends the session the rows above use.
    "auth.logout": row(L, 302, 302, 302, 302, 302),
}


@dataclass
class World:
    users: dict
    values: dict


@pytest.fixture
def world(app):
    load_builtin_decks([sample_deck()])
    deck = get_published_deck("capitals")
    users = {
        "student": make_user(email="student@example.com"),
        "other_student": make_user(email="other@example.com"),
        "teacher": make_user(role="teacher", email="teacher@example.com"),
        "other_teacher": make_user(role="teacher", email="teacher2@example.com"),
        "admin": make_user(role="admin", email="admin@example.com"),
    }
    own_set = authoring.create_set(users["teacher"], "Own set")
    item = authoring.save_item(
        own_set,
        ItemSpec("q", ItemKind.SINGLE, "Q?", (ChoiceSpec("a", True), ChoiceSpec("b"))),
    ).item
    klass = cs.create_class(users["teacher"], "Class")
    cs.join_class(users["student"], klass.join_code)
    assignment = cs.assign_deck(users["teacher"], klass, deck.id, None)
    report = QuestionReport(item_id=item.id, user_id=users["student"].id, reason="typo")
    db.session.add(report)
    db.session.commit()
    done = quizzes.start_attempt(users["student"], deck)
    quizzes.submit_attempt(done)
    open_attempt = quizzes.start_attempt(users["student"], deck)
    values = {
        "slug": deck.slug,
        "deck": deck.id,
        "builtin_item": deck.items[0].id,
        "open_attempt": open_attempt.id,
        "done_attempt": done.id,
        "set": own_set.id,
        "item": item.id,
        "klass": klass.id,
        "code": klass.join_code,
        "student": users["student"].id,
        "assignment": assignment.id,
        "report": report.id,
    }
    return World({k: u.email for k, u in users.items()}, values)


def _client_as(app, world, role):
    client = app.test_client()
    if role != "anon":
        login(client, world.users[role])
    return client


def _row_counts() -> dict[str, int]:
    return {
        t.name: db.session.execute(db.select(db.func.count()).select_from(t)).scalar_one()
        for t in Base.metadata.sorted_tables
        if t.name != "login_sessions"
    }


def test_every_route_is_in_the_matrix(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint != "static"}
    assert endpoints == set(MATRIX), "add new routes to MATRIX with their access rule"


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_the_matrix_says(app, world, role):
    client = _client_as(app, world, role)
    wrong = []
    for endpoint, (template, expected) in MATRIX.items():
        if expected is None:
            continue
        response = client.get(template.format(**world.values))
        if response.status_code != expected[role]:
            wrong.append((endpoint, response.status_code, expected[role]))
    assert wrong == []


def test_no_state_changing_route_answers_get(app, world):
    client = _client_as(app, world, "admin")
    for endpoint, (template, expected) in MATRIX.items():
        if expected is None:
            assert client.get(template.format(**world.values)).status_code == 405, endpoint


@pytest.mark.parametrize("role", ROLES)
def test_state_changing_routes_follow_the_access_rules(app, world, role):
    client = _client_as(app, world, role)
    token = csrf_from(
        client.get("/login" if role == "anon" else "/settings").get_data(as_text=True)
    )
    wrong = []
    for endpoint, expected in POST_ACCESS.items():
        template = MATRIX[endpoint][0]
        response = client.post(template.format(**world.values), data={"csrf_token": token})
        if response.status_code != expected[role]:
            wrong.append((endpoint, response.status_code, expected[role]))
    assert wrong == []


POSTABLE = sorted(
    endpoint
    for endpoint, (template, expected) in MATRIX.items()
    if expected is None
    or endpoint
    in {
        "learn.deck",
        "learn.question",
        "learn.settings",
        "learn.join",
        "learn.report_question",
        "auth.signup",
        "auth.login",
        "auth.password",
        "auth.email",
        "auth.delete_account",
        "teach.new_set",
        "teach.import_file",
        "teach.edit_set",
        "teach.delete_set",
        "teach.unpublish",
        "teach.new_item",
        "teach.edit_item",
        "classes.index",
        "classes.add_students",
    }
)


@pytest.mark.parametrize("token_kind", ["missing", "wrong", "another session's"])
def test_every_state_change_needs_this_sessions_csrf_token(app, world, token_kind):
    owner = _client_as(app, world, "teacher")
    student = _client_as(app, world, "student")
    stranger = _client_as(app, world, "other_student")
    foreign = csrf_from(stranger.get("/settings").get_data(as_text=True))
    tokens = {"missing": None, "wrong": "not-a-token", "another session's": foreign}
    before = _row_counts()
    for endpoint in POSTABLE:
        path = MATRIX[endpoint][0].format(**world.values)
        client = student if endpoint.startswith(("learn.", "study.")) else owner
        data = {"name": "x", "title": "x", "code": world.values["code"], "rating": "3"}
        if tokens[token_kind] is not None:
            data["csrf_token"] = tokens[token_kind]
        response = client.post(path, data=data)
        assert response.status_code == 400, (endpoint, response.status_code)
    assert _row_counts() == before


@pytest.mark.parametrize("role", ["student", "teacher"])
def test_a_draft_question_cannot_be_studied_or_rated_even_by_its_author(app, world, role):
    # Only published questions are study cards; a draft could still change or go.
    client = _client_as(app, world, role)
    before = _row_counts()
    assert client.get(f"/study/cards/{world.values['item']}").status_code == 404
    token = csrf_from(client.get("/settings").get_data(as_text=True))
    rated = client.post(
        f"/study/cards/{world.values['item']}/rate",
        data={"csrf_token": token, "rating": "3", "seen": "new"},
    )
    assert rated.status_code in (302, 404)
    assert _row_counts() == before


# Pages that are also forms: the POST goes through the same access rule as the GET.
FORM_PAGES = sorted(e for e in POSTABLE if MATRIX[e][1] is not None)


@pytest.mark.parametrize("role", ROLES)
def test_a_role_refused_a_form_page_is_refused_its_post_the_same_way(app, world, role):
    client = _client_as(app, world, role)
    token = csrf_from(
        client.get("/login" if role == "anon" else "/settings").get_data(as_text=True)
    )
    data = {"csrf_token": token, "name": "x", "title": "x", "prompt": "x", "rating": "3"}
    before = _row_counts()
    wrong = []
    for endpoint in FORM_PAGES:
        expected = MATRIX[endpoint][1][role]
        if expected in (403, 404) or (expected == L and role == "anon"):
            path = MATRIX[endpoint][0].format(**world.values)
            status = client.post(path, data=data).status_code
            if status != expected:
                wrong.append((endpoint, status, expected))
    assert wrong == []
    assert _row_counts() == before


def test_a_temporary_password_opens_nothing_but_the_password_form_and_log_out(app, world):
    """Every other route, by GET or by POST with a valid token, leads to the form."""
    reset_password(world.users["student"], PASSWORD, temporary=True)
    client = _client_as(app, world, "student")
    token = csrf_from(client.get("/account/password").get_data(as_text=True))
    before = _row_counts()
    open_to_them = {"auth.password", "auth.logout", "ops.healthz"}
    methods = {rule.endpoint: rule.methods & {"GET", "POST"} for rule in app.url_map.iter_rules()}
    wrong = []
    for endpoint, (template, _) in MATRIX.items():
        if endpoint in open_to_them:
            continue
        path = template.format(**world.values)
        for method in sorted(methods[endpoint]):
            response = client.open(path, method=method, data={"csrf_token": token})
            if (response.status_code, response.location) != (303, "/account/password"):
                wrong.append((method, endpoint, response.status_code, response.location))
    assert wrong == []
    assert _row_counts() == before
