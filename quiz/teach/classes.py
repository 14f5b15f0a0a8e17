"""Teachers' classes: students, assignments, the gradebook and item analysis."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from datetime import UTC
from functools import lru_cache

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup, escape

from quiz.auth.access import roles_required
from quiz.auth.forms import PostForm
from quiz.domain import item_analysis as ia
from quiz.domain.gradebook import PageOutOfRange, sort_key
from quiz.domain.grading import percent
from quiz.domain.scheduling import MASTERED_STABILITY_DAYS
from quiz.inputs import whole_number
from quiz.markup import score_badge
from quiz.models import Role, utcnow
from quiz.security import limit_each_account, log_event
from quiz.services import NotFound, ServiceError, authoring, reports, roster
from quiz.services import classes as class_service
from quiz.services.accounts import TEMPORARY_PASSWORD_DAYS, temporary_password_expires
from quiz.services.quizzes import attempt_result
from quiz.services.study import user_zone
from quiz.teach.class_forms import GRADING_LABELS, AddStudentsForm, AssignForm, ClassForm
from quiz.urls import url_with

bp = Blueprint("classes", __name__, url_prefix="/teach/classes")
teachers_only = roles_required(Role.TEACHER, Role.ADMIN)
WHICH = {
    "first": "First attempts",
    "last": "Last attempts",
    "highest": "Best attempts",
    "all": "All attempts",
}


def _class_or_404(class_id: int):
    try:
        return class_service.get_class(current_user, class_id)
    except NotFound:
        abort(404)


def _class_ref_or_404(class_id: int) -> class_service.ClassRef:
    """For the pages that only read: the class as plain values."""
    try:
        return class_service.get_class_ref(current_user, class_id)
    except NotFound:
        abort(404)


@bp.route("/", methods=["GET", "POST"])
@teachers_only
def index():
    form = ClassForm()
    if form.validate_on_submit():
        try:
            klass = class_service.create_class(current_user, form.name.data)
        except ServiceError as exc:
            form.name.errors.append(exc.message)
        else:
            flash(f"Class created. Give your students the code {klass.join_code}.", "success")
            return redirect(url_for("classes.show", class_id=klass.id))
    return render_template(
        "teach/classes.html",
        classes=class_service.teacher_classes(current_user),
        form=form,
        open_reports=reports.open_reports_in_sets_of(current_user),
    ), (422 if form.errors else 200)


def _assign_form(klass, fresh: bool = False):
    form = AssignForm(formdata=None) if fresh else AssignForm()
    form.deck.choices = [(d.id, d.title) for d in class_service.assignable_decks(current_user)]
    return form


@bp.get("/<int:class_id>")
@teachers_only
def show(class_id: int):
    klass = _class_or_404(class_id)
    return _class_page(klass, _assign_form(klass))


def _class_page(klass, assign_form, status=200, failed_change=None):
    """The class's page. `failed_change`: an assignment's Change form that was refused,
    shown open with its problems, the fields they are about and what was typed
    ({"deck_id", "problems", "fields", "values"})."""
    assigned = class_service.assigned_decks(klass)
    return render_template(
        "teach/class.html",
        klass=klass,
        students=class_service.class_students(klass),
        assignments=assigned,
        # A deck unpublished since it was assigned cannot be assigned again: no Change.
        assignable={deck_id for deck_id, _ in assign_form.deck.choices},
        took=class_service.students_who_took(klass, assigned),
        assign_form=assign_form,
        # Summed up at the top of the page, unless told in place (an archived class, an
        # assignment's own Change form).
        error_form=assign_form
        if assign_form.errors and not klass.is_archived and failed_change is None
        else None,
        form=PostForm(),
        join_url=url_for("learn.join_link", code=klass.join_code, _external=True),
        grading_labels=GRADING_LABELS,
        failed_change=failed_change,
    ), status


def _warn_if_past(due, before=None) -> None:
    """A due date in the past is allowed (an assignment set after the event), but rarely
    meant: say what students will see, once (not again when other settings change)."""
    if due is not None and due <= utcnow() and due != before:
        flash(
            "Its due date has already passed: students see the assignment as overdue. "
            "Change it if that was a slip.",
            "info",
        )


@bp.post("/<int:class_id>/assign")
@teachers_only
def assign(class_id: int):
    klass = _class_or_404(class_id)
    form = _assign_form(klass)
    change = bool(request.form.get("change"))  # an assignment's own Change form
    if form.validate_on_submit():
        due = form.due_at.data
        if due is not None:
            due = due.replace(tzinfo=user_zone(current_user)).astimezone(UTC)
        due_before = {a.deck_id: a.due_at for a in class_service.assigned_decks(klass)}.get(
            form.deck.data
        )
        try:
            assignment = class_service.assign_deck(
                current_user,
                klass,
                form.deck.data,
                due,
                form.grading_method.data,
                form.chosen_min_questions,
                change=change,
            )
        except ServiceError as exc:
            form.deck.errors.append(exc.message)
        else:
            if change:
                flash(f"Changes saved for {assignment.deck.title}.", "success")
                _warn_if_past(due, due_before)
                return redirect(
                    url_for(
                        "classes.show", class_id=klass.id, _anchor=f"assignment-{assignment.id}"
                    )
                )
            flash("Deck assigned.", "success")
            _warn_if_past(due)
            return redirect(url_for("classes.show", class_id=klass.id))
    deck_id = request.form.get("deck", type=int)
    if change and _change_form_shown(klass, deck_id, form):
        # Shown in that assignment's Change form, not in the Assign form above it.
        failed = {
            "deck_id": deck_id,
            "problems": [
                f"{form[name].label.text}: {message}" if name != "deck" else message
                for name, messages in form.errors.items()
                for message in messages
            ],
            "fields": set(form.errors),
            "values": request.form,
        }
        return _class_page(klass, _assign_form(klass, fresh=True), 422, failed)
    # A change whose form the page no longer shows (the assignment was removed, the class
    # archived or the deck unpublished meanwhile) is told on the Assign form.
    return _class_page(klass, form, 422)


def _change_form_shown(klass, deck_id: int | None, form: AssignForm) -> bool:
    """Whether the class page shows a Change form for this deck's assignment."""
    return (
        not klass.is_archived
        and deck_id in {deck for deck, _ in form.deck.choices}
        and any(a.deck_id == deck_id for a in class_service.assigned_decks(klass))
    )


@bp.post("/<int:class_id>/assignments/<int:assignment_id>/remove")
@teachers_only
def unassign(class_id: int, assignment_id: int):
    klass = _class_or_404(class_id)
    if PostForm().validate_on_submit():
        class_service.unassign(klass, assignment_id)
        flash("Assignment removed. Students keep their scores.", "success")
    return redirect(url_for("classes.show", class_id=klass.id))


@bp.post("/<int:class_id>/code")
@teachers_only
def regenerate(class_id: int):
    klass = _class_or_404(class_id)
    if PostForm().validate_on_submit():
        code = class_service.regenerate_code(klass)
        flash(f"New join code: {code}. The old code no longer works.", "success")
    return redirect(url_for("classes.show", class_id=klass.id))


@bp.post("/<int:class_id>/archive")
@teachers_only
def archive(class_id: int):
    klass = _class_or_404(class_id)
    if PostForm().validate_on_submit():
        archived = request.form.get("archive") == "1"
        class_service.set_archived(klass, archived)
        flash("Class archived." if archived else "Class restored.", "success")
    return redirect(url_for("classes.show", class_id=klass.id))


@bp.post("/<int:class_id>/students/<int:student_id>/remove")
@teachers_only
def remove_student(class_id: int, student_id: int):
    klass = _class_or_404(class_id)
    if PostForm().validate_on_submit():
        class_service.remove_student(klass, student_id)
        flash("Student removed from the class.", "success")
    return redirect(url_for("classes.show", class_id=klass.id))


@bp.get("/<int:class_id>/gradebook")
@teachers_only
def gradebook(class_id: int):
    klass = _class_ref_or_404(class_id)
    sort = sort_key(request.args.get("sort", "name"))
    descending = request.args.get("dir") == "desc"
    raw_page = request.args.get("page", "").strip() or "1"  # an empty "Go to page" too
    page = whole_number(raw_page)  # no gradebook has a billion pages
    if page is None:
        return _no_such_page(klass, sort, descending, "Pages are numbered 1, 2, 3…", 400)
    try:
        book = class_service.build_gradebook(
            klass,
            utcnow(),
            sort=sort,
            descending=descending,
            page=page,
            per_page=class_service.PER_PAGE,
        )
    except PageOutOfRange as exc:
        return _no_such_page(klass, sort, descending, str(exc), 404, exc.count)
    here = url_for("classes.gradebook", class_id=klass.id)
    return render_template(
        "teach/gradebook.html",
        klass=klass,
        here=here,
        book=book,
        head=_gradebook_head(book, here),
        rows=_gradebook_rows(book, url_with("classes.student", "student_id", class_id=klass.id)),
        summaries=_gradebook_summaries(book, klass.id),
        mastered_days=round(MASTERED_STABILITY_DAYS),
    )


def _gradebook_head(book: class_service.Gradebook, here: str) -> Markup:
    """The columns: each assignment with its link to sort by it, method and due date
    (in the teacher's time zone)."""
    zone = getattr(current_user, "timezone", None)
    return _fragment(
        "teach/_gradebook_head.html",
        (),
        (tuple(book.assignments), book.sort, book.descending, here, zone),
        book=book,
        here=here,
    )


def _gradebook_summaries(book: class_service.Gradebook, class_id: int) -> Markup:
    """The score distribution of each assignment, over the whole class."""
    page = book.page
    return _fragment(
        "teach/_gradebook_summaries.html",
        tuple(s.stats for s in book.summaries),
        (tuple(book.assignments), page.count > 1, page.total, class_id),
        book=book,
        p=page,
        score_chart=_score_chart,
        analysis_url=url_with("classes.analysis", "deck_id", class_id=class_id),
    )


# The gradebook page repeats the same few pieces hundreds of times; each helper below
# does in Python, or once, what the template would otherwise redo for every student.


@lru_cache(maxsize=1024)
def _score_chart(chart, title: str) -> Markup:
    """The histogram of an assignment's grades: the same chart object comes back from the
    cache until a grade changes, so it is drawn once (a pure function of its input)."""
    return get_template_attribute("_macros.html", "bars")(chart, title)


def _gradebook_rows(book: class_service.Gradebook, student_url) -> Markup:
    """The table's rows, a <tr> per student of the page. A row is a pure function of
    the student's link, name and cells, and stays the same from one load of the page to
    the next until one of them changes: each is written once and then remembered."""
    return Markup(  # nosec B704 - each row escapes its text (_row)
        "".join(
            [
                _row(student_url(row.student.id), row.student.name, tuple(row.cells.values()))
                for row in book.rows
            ]
        )
    )


# Some 3 KB a row of 20 decks: 2,048 rows (four classes of 500) are some 7 MB a worker.
@lru_cache(maxsize=2048)
def _row(link: str, name: str, cells: tuple[class_service.Cell, ...]) -> Markup:
    return Markup(  # nosec B704 - the link and the name are escaped; cells are numbers
        f'<tr>\n      <th scope="row"><a href="{escape(link)}">{escape(name)}</a></th>\n'
        f"      {_grade_cells(cells)}\n    </tr>\n"
    )


#: Work handed in late, or not at all by the due date, as the gradebook marks it (in
#: words: the colour is not the message).
_HAND_IN_BADGES = {
    "late": Markup(' <span class="badge badge-late">late</span>'),
    "missing": Markup(' <span class="badge badge-missing">missing</span>'),
}


def _grade_cells(cells: tuple[class_service.Cell, ...]) -> Markup:
    """The <td>s of one gradebook row, as the template would write them with score_badge
    and |percent. Built here because a page has a thousand cells: Jinja takes ~40 µs a
    cell, this ~3 µs. Every value is a number, so nothing needs escaping."""
    parts = []
    append = parts.append
    for attempts, best, latest, grade, mastery, due, hand_in in cells:
        badge = score_badge(grade)
        if hand_in in _HAND_IN_BADGES:
            badge += _HAND_IN_BADGES[hand_in]
        detail = ""
        if attempts:
            detail = (
                f"best {percent(best)}% · last {percent(latest)}% · "
                f"{attempts} attempt{'s' if attempts != 1 else ''}<br>"
            )
        share = "–" if mastery is None else f"{percent(mastery)}%"
        due_text = f" · {due} due" if due else ""
        append(f'<td>{badge}<div class="muted small">{detail}mastery {share}{due_text}</div></td>')
    return Markup("".join(parts))  # nosec B704 - numbers and fixed markup only


def _no_such_page(klass, sort, descending, message, status, last_page=None):
    return render_template(
        "teach/gradebook.html",
        klass=klass,
        here=url_for("classes.gradebook", class_id=klass.id),
        book=None,
        problem=message,
        sort=sort,
        descending=descending,
        last_page=last_page,
    ), status


@bp.get("/<int:class_id>/gradebook.csv")
@teachers_only
def gradebook_csv(class_id: int):
    klass = _class_ref_or_404(class_id)
    content = class_service.gradebook_csv(klass, utcnow())
    return Response(
        # With a byte-order mark: Excel reads a CSV without one in the machine's legacy
        # code page, which garbles names such as "Олена" (other programs skip the mark).
        content.encode("utf-8-sig"),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="gradebook-{klass.id}.csv"'},
    )


def _student_or_404(klass, student_id: int):
    try:
        return class_service.student_in_class(klass, student_id)
    except NotFound:
        abort(404)


@bp.get("/<int:class_id>/students/<int:student_id>")
@teachers_only
def student(class_id: int, student_id: int):
    klass = _class_or_404(class_id)
    pupil = _student_or_404(klass, student_id)
    return render_template(
        "teach/student.html",
        klass=klass,
        student=pupil,
        attempts=class_service.student_record(klass, pupil),
        expires_at=temporary_password_expires(pupil),
        now=utcnow(),
        form=PostForm(),
    )


@bp.post("/<int:class_id>/students/<int:student_id>/password")
@teachers_only
def reset_password(class_id: int, student_id: int):
    klass = _class_or_404(class_id)
    back = url_for("classes.student", class_id=klass.id, student_id=student_id)
    if not PostForm().validate_on_submit():
        flash("That form has expired. Please try again.", "error")
        return redirect(back)
    try:
        pupil, password = class_service.reset_student_password(klass, student_id)
    except NotFound:
        abort(404)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(back)
    log_event("password-reset", user=pupil.id, by=current_user.id, class_id=klass.id)
    # Shown once, in this answer only: not in a flash message, which the session cookie
    # would carry, nor anywhere it could be read again.
    return render_template(
        "teach/temporary_password.html",
        klass=klass,
        student=pupil,
        password=password,
        expires_at=temporary_password_expires(pupil),
    )


@bp.route("/<int:class_id>/students/new", methods=["GET", "POST"])
@limit_each_account("20/hour", "add-students", methods=["POST"])
@teachers_only
def add_students(class_id: int):
    """Student accounts for a list of names and addresses, already in the class, each
    with a temporary password shown once (see roster.create_students)."""
    klass = _class_or_404(class_id)
    form = AddStudentsForm()
    problems: list[str] = []
    if not klass.is_archived and form.validate_on_submit():
        try:
            made = roster.create_students(klass, current_user, form.students.data)
        except NotFound:
            abort(404)
        except roster.RosterRefused as exc:
            problems = exc.problems
        except ServiceError as exc:  # archived a moment ago
            problems = [exc.message]
        else:
            for student in made:  # one line each, as a password reset's
                log_event("account-created", user=student.id, by=current_user.id, class_id=klass.id)
            # Shown once, in this answer only, as a single reset's password is.
            return render_template(
                "teach/new_students.html",
                klass=klass,
                students=made,
                expires_at=made[0].expires_at,  # the same for all: made at once
            )
    status = 422 if form.errors or problems else 200
    return render_template(
        "teach/add_students.html",
        klass=klass,
        form=form,
        problems=problems,
        temporary_days=TEMPORARY_PASSWORD_DAYS,
    ), status


@bp.get("/<int:class_id>/students/<int:student_id>/attempts/<int:attempt_id>")
@teachers_only
def student_attempt(class_id: int, student_id: int, attempt_id: int):
    klass = _class_or_404(class_id)
    pupil = _student_or_404(klass, student_id)
    try:
        attempt = class_service.class_attempt(klass, pupil, attempt_id)
    except NotFound:
        abort(404)
    return render_template(
        "teach/student_attempt.html",
        klass=klass,
        student=pupil,
        attempt=attempt,
        rows=attempt_result(attempt),
    )


@bp.get("/<int:class_id>/decks/<int:deck_id>/analysis")
@teachers_only
def analysis(class_id: int, deck_id: int):
    klass = _class_ref_or_404(class_id)
    try:
        deck = class_service.assigned_deck(klass, deck_id)
    except NotFound:
        abort(404)
    return analysis_page(
        deck, klass, url_for("classes.analysis", class_id=klass.id, deck_id=deck.id)
    )


def analysis_page(deck, klass, here: str):
    """The item analysis of a deck over a class's students (or, with no class, over
    every learner who took it), for the attempts chosen in the query string."""
    which = request.args.get("attempts", "first")
    if which not in WHICH:
        which = "first"
    analysis = class_service.analyse_deck(deck, klass, which)
    editable = authoring.may_edit(current_user, deck)
    return render_template(
        "teach/analysis.html",
        deck=deck,
        klass=klass,
        analysis=analysis,
        item_rows=_analysis_rows(analysis, deck.id, editable),
        which=which,
        choices=WHICH,
        here=here,
        editable=editable,
        min_attempts_to_flag=ia.MIN_ATTEMPTS_TO_FLAG,
        min_attempts_for_groups=ia.MIN_ATTEMPTS_FOR_GROUPS,
        min_attempts_to_flag_groups=ia.MIN_ATTEMPTS_TO_FLAG_GROUPS,
        min_attempts_to_flag_key=ia.MIN_ATTEMPTS_TO_FLAG_KEY,
        negative_discrimination_at=f"{ia.NEGATIVE_DISCRIMINATION_AT:.2f}",
        group_gap_percent=round(ia.GROUP_GAP_TO_FLAG * 100),
        group_percent=round(ia.GROUP_SHARE * 100),
    )


# Most of the gradebook's and the item analysis's work is writing pieces that stay the
# same from one load to the next: the table of an analysis, the gradebook's columns and
# its score distributions. Each is a pure function of objects the service keeps
# (class_service gives back the same analysis, and the same score statistics, until an
# attempt, the roster or a question changes) and of a few plain values: it is rendered
# once for them and kept, for the latest _FRAGMENTS_KEPT.
_FRAGMENTS_KEPT = 256
_fragments: OrderedDict[Hashable, tuple[tuple, Markup]] = OrderedDict()
_fragments_lock = threading.Lock()


def _fragment(template: str, owners: tuple, key: Hashable, **context) -> Markup:
    """`template` rendered with `context`, which holds nothing but `owners` (compared by
    identity) and what `key` says (compared by value)."""
    full_key = (template, tuple(map(id, owners)), key, request.script_root)
    with _fragments_lock:
        kept = _fragments.get(full_key)
        # The owners are held with the fragment, so no other object takes their ids while
        # it is kept; `is` also guards against a key made before they were.
        if kept is not None and all(a is b for a, b in zip(kept[0], owners, strict=True)):
            _fragments.move_to_end(full_key)
            return kept[1]
    html = Markup(render_template(template, **context))  # nosec B704 - Jinja autoescapes
    with _fragments_lock:
        _fragments[full_key] = (owners, html)
        while len(_fragments) > _FRAGMENTS_KEPT:
            _fragments.popitem(last=False)
    return html


def _analysis_rows(analysis, deck_id: int, editable: bool) -> Markup:
    """The rows of an analysis's table, a deck's 30 questions with their 150 choices."""
    return _fragment(
        "teach/_analysis_rows.html",
        (analysis,),
        (deck_id, editable),
        analysis=analysis,
        deck_id=deck_id,
        editable=editable,
    )
