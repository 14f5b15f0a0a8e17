"""Deck list, deck page, the quiz itself, its result and the learner's scores."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from quiz.auth.access import is_safe_next
from quiz.auth.forms import PostForm
from quiz.domain.gradebook import questions_asked
from quiz.domain.scheduling import chosen_retention
from quiz.learn.forms import AnswerForm, ReportForm, StartQuizForm, parse_answer, shown_token
from quiz.models import utcnow
from quiz.security import limit_each_account
from quiz.services import NotFound, ServiceError, classes, quizzes, reports, study
from quiz.services import decks as deck_service
from quiz.services.dashboard import build_dashboard
from quiz.services.scores import deck_summaries, learner_history
from quiz.study.forms import SettingsForm
from quiz.teach.class_forms import JoinForm
from quiz.urls import start_url, url_with

bp = Blueprint("learn", __name__)

#: A deck search longer than this is cut: no title and description need more to be found.
MAX_SEARCH_LENGTH = 100


@bp.get("/")
def home():
    if current_user.is_authenticated:
        return redirect(start_url(current_user))
    return render_template("learn/home.html", decks=deck_service.list_published_decks())


@bp.get("/decks")
@login_required
def decks():
    search = " ".join(request.args.get("q", "").split())[:MAX_SEARCH_LENGTH]
    return render_template(
        "learn/decks.html",
        search=search,
        decks=deck_service.list_published_decks(search),
        scores=deck_summaries(current_user),
        assignments=classes.student_assignments(current_user, utcnow()),
        deck_url=url_with("learn.deck", "slug"),
    )


@bp.route("/join", methods=["GET", "POST"])
@login_required
def join():
    form = JoinForm()
    if form.validate_on_submit():
        link = classes.join_link(current_user, form.code.data)
        if link.already_in:
            # Archived or not: a member is told so, not that the class takes no one new.
            flash(f"You are already in {link.klass.name}: nothing changed.", "info")
            return redirect(url_for("learn.decks"))
        try:
            klass = classes.join_class(current_user, form.code.data)
        except ServiceError as exc:
            form.code.errors.append(exc.message)
        else:
            flash(
                f"You joined {klass.name}. Its assignments are at the top of this page.",
                "success",
            )
            return redirect(url_for("learn.decks"))
    return _join_page(form, classes.JoinLink(None)), (422 if form.errors else 200)


def _join_page(form: JoinForm, link: classes.JoinLink):
    return render_template(
        "learn/join.html",
        form=form,
        link=link,
        memberships=classes.student_classes(current_user),
    )


@bp.post("/classes/<int:class_id>/leave")
@login_required
def leave_class(class_id: int):
    if not PostForm().validate_on_submit():
        flash("That form has expired. Please try again.", "error")
        return redirect(url_for("learn.join"))
    try:
        klass = classes.leave_class(current_user, class_id)
    except NotFound:
        abort(404)
    except ServiceError as exc:
        flash(exc.message, "error")
    else:
        flash(
            f"You left {klass.name}. Your own scores and cards stay yours; to come back, "
            "join again with its code.",
            "success",
        )
    return redirect(url_for("learn.join"))


@bp.get("/join/<code>")
@login_required
def join_link(code: str):
    """A join link only shows the form: joining is a POST, never a side effect of GET.
    A code that leads nowhere is said at once, on the code's field."""
    link = classes.join_link(current_user, code)
    if link.already_in:
        return _join_page(JoinForm(formdata=None), link)
    form = JoinForm(formdata=None, data={"code": code})
    if link.problem:
        form.code.errors = [link.problem]
        return _join_page(form, link), 404
    return _join_page(form, link)


def _published_deck_or_404(slug: str):
    try:
        return deck_service.get_published_deck(slug)
    except NotFound:
        abort(404)


@bp.route("/decks/<slug>", methods=["GET", "POST"])
@login_required
def deck(slug: str):
    deck = _published_deck_or_404(slug)
    available = deck_service.count_quiz_items(deck)
    # Each of the student's assignments of the deck, with the questions a quiz needs.
    asked = [
        (name, questions_asked(n, available))
        for name, n in classes.counting_lengths(current_user, deck.id)
    ]
    form = StartQuizForm()
    form.set_lengths(available, [n for _, n in asked])
    if form.validate_on_submit():
        try:
            attempt = quizzes.start_attempt(
                current_user, deck, form.chosen_length, checks_answers=form.check_answers.data
            )
        except ServiceError as exc:
            flash(exc.message, "error")
        else:
            return redirect(url_for("learn.question", attempt_id=attempt.id, number=1))
    history = learner_history(current_user, deck_id=deck.id)
    return render_template(
        "learn/deck.html",
        deck=deck,
        available=available,
        form=form,
        history=history[0] if history else None,
        unfinished=quizzes.unfinished_attempt(current_user, deck),
        counting=[(name, n) for name, n in asked if n],  # any length: nothing to say
        queue=study.queue_counts(current_user, deck, utcnow()),
        suspended=study.suspended_cards(current_user, deck),
    ), (422 if form.errors else 200)


def _own_attempt_or_404(attempt_id: int):
    try:
        return quizzes.get_attempt(current_user, attempt_id)
    except NotFound:
        abort(404)


@bp.route("/attempts/<int:attempt_id>/<int:number>", methods=["GET", "POST"])
@login_required
def question(attempt_id: int, number: int):
    attempt = _own_attempt_or_404(attempt_id)
    if attempt.is_submitted:
        return redirect(url_for("learn.result", attempt_id=attempt.id))
    error = None
    checks_answers = attempt.checks_answers
    if request.method == "POST" and checks_answers:
        try:
            checked = quizzes.checked_answer(attempt, number)
        except NotFound:
            abort(404)
        if checked is not None:
            # A stale tab, a second click: the first answer was checked, and it stands.
            flash("This question was answered and checked already: that answer stands.", "info")
            return redirect(url_for("learn.question", attempt_id=attempt.id, number=number))
    # The form holds only its CSRF token, which CSRFProtect checked before this view ran
    # (a stale token gets the "This form has expired" page): no WTForms form is built,
    # which would cost a tenth of this page's time. The page writes the token with
    # csrf_token().
    if request.method == "POST":
        try:
            was_last = quizzes.answer_question(
                attempt, number, lambda kind, ids: parse_answer(kind, request.form, ids)
            )
        except NotFound:
            abort(404)
        except quizzes.AlreadySubmitted as exc:  # in another tab, since this page was read
            flash(exc.message, "info")
            return redirect(url_for("learn.result", attempt_id=attempt_id))
        except ServiceError as exc:
            error = exc.message
        else:
            # attempt_id, not attempt.id: the write's commit expired the attempt object.
            if checks_answers:  # the same question again, with its verdict
                return redirect(url_for("learn.question", attempt_id=attempt_id, number=number))
            if was_last:
                return redirect(url_for("learn.review", attempt_id=attempt_id))
            return redirect(url_for("learn.question", attempt_id=attempt_id, number=number + 1))
    # The page itself: shown on a GET, and again with the error when an answer failed.
    try:
        page = quizzes.question_page(attempt, number)
        checked = quizzes.checked_answer(attempt, number) if page.chosen else None
    except NotFound:
        abort(404)
    return render_template(
        "learn/question.html",
        page=page,
        error=error,
        checked=checked,
        shown=shown_token([c.id for c in page.choices]),
    ), (422 if error else 200)


@bp.get("/attempts/<int:attempt_id>/review")
@login_required
def review(attempt_id: int):
    attempt = _own_attempt_or_404(attempt_id)
    if attempt.is_submitted:
        return redirect(url_for("learn.result", attempt_id=attempt.id))
    answered = quizzes.answered_numbers(attempt)
    return render_template(
        "learn/review.html", attempt=attempt, answered=answered, form=AnswerForm()
    )


@bp.post("/attempts/<int:attempt_id>/submit")
@login_required
def submit(attempt_id: int):
    attempt = _own_attempt_or_404(attempt_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash("This form has expired. Please submit again.", "error")
        return redirect(url_for("learn.review", attempt_id=attempt.id))
    quizzes.submit_attempt(attempt)
    return redirect(url_for("learn.result", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int):
    attempt = _own_attempt_or_404(attempt_id)
    if not attempt.is_submitted:
        return redirect(url_for("learn.review", attempt_id=attempt.id))
    rows = quizzes.attempt_result(attempt)
    return render_template(
        "learn/result.html",
        attempt=attempt,
        rows=rows,
        too_short_for=classes.too_short_for(current_user, attempt),
        reportable=reports.offered_on_result(attempt, rows),
        report_from=url_for("learn.result", attempt_id=attempt.id),
    )


@bp.get("/scores")
@login_required
def scores():
    return render_template("learn/scores.html", histories=learner_history(current_user))


@bp.get("/dashboard")
@login_required
def dashboard():
    return render_template(
        "learn/dashboard.html",
        board=build_dashboard(current_user, utcnow()),
        deck_url=url_with("learn.deck", "slug"),
        target=chosen_retention(current_user.desired_retention),
    )


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = SettingsForm(obj=current_user)
    if request.method == "GET":  # as the scheduler reads it (a value set by hand: the default)
        form.desired_retention.data = chosen_retention(current_user.desired_retention)
    if form.validate_on_submit():
        try:
            study.update_settings(
                current_user,
                form.timezone.data,
                form.daily_new_limit.data,
                # A page opened before the field existed leaves the name as it is.
                display_name=(form.display_name.data or "")
                if "display_name" in request.form
                else None,
                desired_retention=form.desired_retention.data
                if "desired_retention" in request.form
                else None,
            )
        except ServiceError as exc:
            getattr(form, exc.field or "timezone").errors.append(exc.message)
        else:
            flash("Your settings are saved.", "success")
            return redirect(url_for("learn.settings"))
    return render_template("learn/settings.html", form=form), 422 if form.errors else 200


@bp.route("/questions/<int:item_id>/report", methods=["GET", "POST"])
@limit_each_account("30/hour", "report", methods=["POST"])
@login_required
def report_question(item_id: int):
    """A learner tells the deck's author that something is wrong with a question."""
    try:
        target = reports.report_target(current_user, item_id)
    except NotFound:
        abort(404)
    form = ReportForm()
    back = form.next.data if request.method == "POST" else request.args.get("next")
    back = back if is_safe_next(back) else url_for("learn.decks")
    form.next.data = back
    if not target.already_reported and form.validate_on_submit():
        try:
            reports.report_question(
                current_user, item_id, form.reason.data, form.comment.data or ""
            )
        except ServiceError as exc:
            getattr(form, exc.field or "reason").errors.append(exc.message)
        else:
            flash("Thank you: the author of the deck will see your report.", "success")
            return redirect(back, 303)
    return render_template(
        "learn/report.html", target=target, form=form, back=back
    ), 422 if form.errors else 200
