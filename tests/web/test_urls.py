"""quiz.urls.url_with: the URL of one route for many values, built once."""

from __future__ import annotations

import pytest
from flask import url_for

from quiz.urls import url_with


def test_it_gives_what_url_for_gives_for_slugs_and_ids(app):
    with app.test_request_context("/"):
        deck_url = url_with("learn.deck", "slug")
        student_url = url_with("classes.student", "student_id", class_id=7)
        for slug in ("capitals", "ukraine-1991", "a_b-9"):
            assert deck_url(slug) == url_for("learn.deck", slug=slug)
        for student_id in (1, 42, 987654321):
            assert student_url(student_id) == url_for(
                "classes.student", class_id=7, student_id=student_id
            )


def test_a_value_cannot_break_out_of_its_path_segment(app):
    with app.test_request_context("/"):
        deck_url = url_with("learn.deck", "slug")
        assert deck_url("../admin?x=1#y") == deck_url("") + "..%2Fadmin%3Fx%3D1%23y"


def test_a_name_the_route_does_not_have_in_its_path_is_refused(app):
    with app.test_request_context("/"), pytest.raises(ValueError, match="does not put"):
        url_with("learn.decks", "slug")
