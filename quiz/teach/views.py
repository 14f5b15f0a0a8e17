"""Teachers' pages: the workspace, a set, its items, import, export and preview."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from quiz.auth.access import roles_required
from quiz.auth.forms import PostForm
from quiz.bank.formats import parse_upload
from quiz.bank.pasted import parse_pasted_cards
from quiz.domain.items import ItemKind
from quiz.inputs import whole_number
from quiz.models import Role
from quiz.services import NotFound, ServiceError, authoring, reports
from quiz.teach.forms import KIND_LABELS, ImportForm, ItemForm, PasteForm, SetForm, guess_format

#: An import's error report lists this many problems at most: a broken file of 2 MB can
#: hold hundreds of thousands, and a page listing them all would weigh tens of MB.
MAX_ERRORS_SHOWN = 100

bp = Blueprint("teach", __name__, url_prefix="/teach")
teachers_only = roles_required(Role.TEACHER, Role.ADMIN)


def _set_or_404(deck_id: int):
    try:
        return authoring.get_set(current_user, deck_id)
    except NotFound:
        abort(404)


@bp.get("/")
@teachers_only
def index():
    sets = authoring.teacher_sets(current_user)
    return render_template(
        "teach/index.html",
        sets=sets,
        report_counts=reports.open_report_counts([s.deck.id for s in sets]),
        form=PostForm(),
    )


@bp.route("/sets/new", methods=["GET", "POST"])
@teachers_only
def new_set():
    form = SetForm()
    if form.validate_on_submit():
        try:
            deck = authoring.create_set(current_user, form.title.data, form.description.data or "")
        except ServiceError as exc:
            form.title.errors.append(exc.message)
        else:
            flash("Set created. Add its first question.", "success")
            return redirect(url_for("teach.show_set", deck_id=deck.id))
    return render_template("teach/set_form.html", form=form, deck=None), (
        422 if form.errors else 200
    )


@bp.post("/decks/<int:deck_id>/copy")
@teachers_only
def copy_set(deck_id: int):
    if not PostForm().validate_on_submit():
        flash("That form has expired. Please try again.", "error")
        return redirect(url_for("teach.index"))
    try:
        copied = authoring.copy_set(current_user, deck_id)
    except NotFound:
        abort(404)
    flash(
        f"This is your own copy, a draft with {_counted(copied.questions, 'question')}"
        + (f" and {_counted(copied.flashcards, 'flashcard')}" if copied.flashcards else "")
        + ". Change what you like, then publish it to assign it to a class.",
        "success",
    )
    return redirect(url_for("teach.show_set", deck_id=copied.deck.id))


def _counted(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


@bp.get("/sets/<int:deck_id>")
@teachers_only
def show_set(deck_id: int):
    deck = _set_or_404(deck_id)
    return render_template(
        "teach/set.html",
        deck=deck,
        moved=whole_number(request.args.get("moved"), max_digits=18),
        direction=request.args.get("direction"),
        items=authoring.live_items(deck),
        kinds=list(ItemKind),
        form=PostForm(),
        formats=list(authoring.EXPORT_FORMATS),
        reports=reports.open_reports(deck),
        # Unpublishing a set assigned to classes asks first: the page links to the
        # question instead of unpublishing with one click. A draft has no Unpublish.
        assigned=authoring.assigned_classes(deck) if deck.is_published else [],
    )


@bp.post("/sets/<int:deck_id>/reports/<int:report_id>/resolve")
@teachers_only
def resolve_report(deck_id: int, report_id: int):
    deck = _set_or_404(deck_id)
    if PostForm().validate_on_submit():
        try:
            reports.resolve_report(deck, report_id)
        except NotFound:
            abort(404)
        flash("Report marked dealt with.", "success")
    return redirect(url_for("teach.show_set", deck_id=deck.id) + "#reports", 303)


@bp.get("/sets/<int:deck_id>/print")
@teachers_only
def print_set(deck_id: int):
    deck = _set_or_404(deck_id)
    return render_template(
        "teach/paper.html",
        deck=deck,
        test=authoring.paper_test_of(deck),
        with_key=request.args.get("key") == "1",
    )


@bp.route("/sets/<int:deck_id>/edit", methods=["GET", "POST"])
@teachers_only
def edit_set(deck_id: int):
    deck = _set_or_404(deck_id)
    form = SetForm(obj=deck)
    if form.validate_on_submit():
        try:
            authoring.update_set(deck, form.title.data, form.description.data or "")
        except ServiceError as exc:
            form.title.errors.append(exc.message)
        else:
            flash("Saved.", "success")
            return redirect(url_for("teach.show_set", deck_id=deck.id))
    return render_template("teach/set_form.html", form=form, deck=deck), (
        422 if form.errors else 200
    )


@bp.post("/sets/<int:deck_id>/publish")
@teachers_only
def publish(deck_id: int):
    deck = _set_or_404(deck_id)
    if PostForm().validate_on_submit():
        if request.form.get("publish") == "1":
            try:
                authoring.set_published(deck, True)
            except ServiceError as exc:
                flash(exc.message, "error")
            else:
                flash(
                    "Published: every learner on the site can now see and take this set. "
                    "To give it to a class, assign it on the class's page.",
                    "success",
                )
        else:
            try:
                authoring.unpublish_set(deck, confirmed=False)
            except authoring.UnpublishNeedsConfirmation:
                # Assigned since the set's page was read (which links to the question
                # instead): the question first, and nothing changed.
                return redirect(url_for("teach.unpublish", deck_id=deck.id), 303)
            flash("Unpublished: students no longer see this set.", "success")
    return redirect(url_for("teach.show_set", deck_id=deck.id))


@bp.route("/sets/<int:deck_id>/unpublish", methods=["GET", "POST"])
@teachers_only
def unpublish(deck_id: int):
    """Unpublishing a set that is assigned to classes takes it from their students at
    once: this page says so, naming the classes, and unpublishes once confirmed."""
    deck = _set_or_404(deck_id)
    if not deck.is_published:
        flash("This set is a draft already: students don't see it.", "info")
        return redirect(url_for("teach.show_set", deck_id=deck.id))
    form = PostForm()
    if form.validate_on_submit():
        lost = authoring.unpublish_set(deck, confirmed=True)
        if lost:
            message = (
                f"Unpublished: the students of {_names(c.name for c in lost)} no longer see "
                "this set, nor does any other learner. Their scores stay in "
                f"{'the gradebooks' if len(lost) != 1 else 'the gradebook'}: "
                "publish the set again to give it back to them."
            )
        else:
            message = "Unpublished: students no longer see this set."
        flash(message, "success")
        return redirect(url_for("teach.show_set", deck_id=deck.id))
    return render_template(
        "teach/unpublish_set.html", deck=deck, classes=authoring.assigned_classes(deck), form=form
    )


def _names(names) -> str:
    """Names as a sentence writes them: "A", "A and B", "A, B and C"."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@bp.route("/sets/<int:deck_id>/delete", methods=["GET", "POST"])
@teachers_only
def delete_set(deck_id: int):
    deck = _set_or_404(deck_id)
    form = PostForm()
    if form.validate_on_submit():
        title = deck.title
        outcome = authoring.delete_set(deck)
        if outcome == "archived":
            flash(f"“{title}” is deleted. Students who used it keep their past scores.", "success")
        else:
            flash(f"“{title}” is deleted.", "success")
        return redirect(url_for("teach.index"))
    return render_template(
        "teach/delete_set.html", deck=deck, usage=authoring.set_usage(deck), form=form
    )


def _item_form_page(deck, item=None):
    form = ItemForm()
    if request.method == "POST":
        form.mark_right_row(request.form.get("right"))
    # A question learners used keeps its kind: their answers would no longer fit another.
    kind_locked = item is not None and authoring.item_is_used(deck, item.id)

    def page(status: int = 200, **extra):
        return render_template(
            "teach/item_form.html",
            form=form,
            deck=deck,
            item=item,
            kind_locked=kind_locked,
            kind_labels=KIND_LABELS,
            **extra,
        ), status

    if request.method == "GET":
        if item is not None:
            spec = authoring.item_spec(item)
            form = ItemForm(
                data={
                    "kind": spec.kind.value,
                    "prompt": spec.prompt,
                    "explanation": spec.explanation,
                    "source": spec.source,
                    "back": spec.back,
                    "answer": "true" if spec.choices and spec.choices[0].correct else "false",
                    "choices": [
                        {
                            "text": c.text,
                            # Every entry of an ordering is stored "right": no row is
                            # ticked, should the teacher make it a multiple choice.
                            "correct": c.correct and spec.kind is not ItemKind.ORDERING,
                            "choice": str(cid),
                        }
                        for c, cid in zip(spec.choices, authoring.choice_ids(item), strict=True)
                    ]
                    if spec.kind not in (ItemKind.TRUE_FALSE, ItemKind.FLASHCARD)
                    else [],
                }
            )
        else:
            kind = request.args.get("kind", ItemKind.SINGLE.value)
            form.kind.data = kind if kind in {k.value for k in ItemKind} else "single"
        form.ensure_choice_rows()
        return page()

    # The kind the page showed: Save pressed (or Enter typed) after choosing another kind
    # in the list, without "Change kind", would save fields the teacher never saw (a
    # true-or-false answer they did not choose, an empty back).
    shown_kind = request.form.get("shown_kind")
    kind_unseen = not kind_locked and shown_kind is not None and shown_kind != form.kind.data
    # Buttons that change the form itself keep everything typed so far.
    editing = {"add_choice", "remove_choice", "change_kind"} & set(request.form)
    if editing or kind_unseen:  # (CSRFProtect has already checked the token of every POST)
        # The keyboard's focus goes back where the teacher was working: the new row, the
        # row that took the removed one's place, or the question after a change of kind.
        focus: int | str = "add"
        notice = None
        if "add_choice" in request.form and len(form.choices) < form.choices.max_entries:
            form.choices.append_entry()
            focus = len(form.choices) - 1
        remove = whole_number(request.form.get("remove_choice"), max_digits=2)
        if remove is not None and remove < len(form.choices.entries):
            form.choices.entries.pop(remove)
            focus = min(remove, len(form.choices) - 1) if len(form.choices) else "add"
        if "change_kind" in request.form or kind_unseen:
            form.ensure_choice_rows()  # coming from true/false or a flashcard: rows to type in
        if "change_kind" in request.form:
            focus = "prompt"
        if kind_unseen and not editing:
            notice = (
                "Nothing was saved yet: you chose another kind of question, "
                f"“{KIND_LABELS.get(form.kind.data, form.kind.data)}”. "
                "Check the question as it is now, then save it."
            )
            focus = "notice"
        _clear_errors(form)
        return page(focus=focus, notice=notice)

    error = error_field = None
    if form.validate_on_submit():
        key = item.key if item is not None else authoring.new_item_key(deck)
        try:
            saved = authoring.save_item(
                deck, form.to_spec(key), item.id if item is not None else None, form.row_ids()
            )
        except ServiceError as exc:
            error, error_field = exc.message, exc.field
        else:
            flash(" ".join(filter(None, ["Question saved.", saved.regraded.summary()])), "success")
            if "save_add" in request.form:
                return redirect(url_for("teach.new_item", deck_id=deck.id, kind=form.kind.data))
            return redirect(url_for("teach.show_set", deck_id=deck.id))
    return page(422, error=error, error_field=error_field)


def _clear_errors(form) -> None:
    for field in form:
        field.errors = []


@bp.route("/sets/<int:deck_id>/items/new", methods=["GET", "POST"])
@teachers_only
def new_item(deck_id: int):
    return _item_form_page(_set_or_404(deck_id))


def _item_or_404(deck, item_id: int):
    try:
        return authoring.item_of(deck, item_id)
    except NotFound:
        abort(404)


@bp.route("/sets/<int:deck_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
@teachers_only
def edit_item(deck_id: int, item_id: int):
    deck = _set_or_404(deck_id)
    return _item_form_page(deck, _item_or_404(deck, item_id))


@bp.get("/sets/<int:deck_id>/items/<int:item_id>/preview")
@teachers_only
def preview_item(deck_id: int, item_id: int):
    deck = _set_or_404(deck_id)
    item = _item_or_404(deck, item_id)
    return render_template("teach/preview.html", deck=deck, item=item)


@bp.post("/sets/<int:deck_id>/items/<int:item_id>/move")
@teachers_only
def move_item(deck_id: int, item_id: int):
    deck = _set_or_404(deck_id)
    _item_or_404(deck, item_id)
    direction = "up" if request.form.get("direction") == "up" else "down"
    if PostForm().validate_on_submit():
        authoring.move_item(deck, item_id, -1 if direction == "up" else 1)
    # Back at the question moved, with the keyboard's focus on the button pressed, so
    # that pressing it again moves the question on.
    here = url_for("teach.show_set", deck_id=deck.id, moved=item_id, direction=direction)
    return redirect(f"{here}#item-{item_id}")


@bp.post("/sets/<int:deck_id>/items/<int:item_id>/delete")
@teachers_only
def delete_item(deck_id: int, item_id: int):
    deck = _set_or_404(deck_id)
    _item_or_404(deck, item_id)
    if PostForm().validate_on_submit():
        outcome = authoring.delete_item(deck, item_id)
        flash(
            "Question deleted."
            if outcome == "deleted"
            else "Question removed from the set; learners' past answers to it are kept.",
            "success",
        )
    return redirect(url_for("teach.show_set", deck_id=deck.id))


@bp.get("/sets/<int:deck_id>/export/<fmt>")
@teachers_only
def export(deck_id: int, fmt: str):
    deck = _set_or_404(deck_id)
    if fmt not in authoring.EXPORT_FORMATS:
        abort(404)
    content, mimetype, filename = authoring.export_deck(deck, fmt)
    return Response(
        content,
        content_type=mimetype,  # as it is: it names its charset where it has one
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _import_forms(sent: str | None) -> tuple[ImportForm, PasteForm]:
    """The import page's two forms, each offering a new set or one of the teacher's own;
    only the one `sent` ("file" or "paste") reads the request."""
    own = authoring.teacher_sets(current_user)
    targets = [("new", "A new set")] + [
        (str(s.deck.id), s.deck.title) for s in own if s.deck.owner_id == current_user.id
    ]
    form = ImportForm() if sent == "file" else ImportForm(formdata=None)
    paste = (
        PasteForm(prefix="paste") if sent == "paste" else PasteForm(formdata=None, prefix="paste")
    )
    form.target.choices = paste.target.choices = targets
    return form, paste


def _import_page(form: ImportForm, paste: PasteForm, errors=(), paste_errors=()):
    """The import page: a file to upload, or flashcards to paste, each form with its own
    problems (a file's or a paste's, each naming its line)."""
    failed = errors or paste_errors or form.errors or paste.errors
    return render_template(
        "teach/import.html",
        form=form,
        paste=paste,
        errors=list(errors),
        paste_errors=list(paste_errors),
        max_errors_shown=MAX_ERRORS_SHOWN,
    ), (422 if failed else 200)


def _imported(report: authoring.ImportReport, what: str):
    flash(
        f"Imported {report.created} new {what}{'s' if report.created != 1 else ''}, updated "
        f"{report.updated}, {report.unchanged} unchanged. {report.regraded.summary()}".strip(),
        "success",
    )
    return redirect(url_for("teach.show_set", deck_id=report.deck.id))


@bp.route("/import", methods=["GET", "POST"])
@teachers_only
def import_file():
    form, paste = _import_forms("file")
    if request.method == "GET" and whole_number(request.args.get("set"), 19) is not None:
        form.target.data = paste.target.data = request.args["set"]
    errors = []
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read()
        filename = upload.filename or "upload"
        fmt = form.format.data
        if fmt == "auto":
            fmt = guess_format(filename, data[:4000].decode("utf-8", "replace")) or ""
        if not fmt:
            form.format.errors.append(
                "The format cannot be told from the file name: choose it from the list."
            )
        else:
            result = parse_upload(data, filename, fmt)
            if result.errors:
                errors = list(result.errors)
            else:
                target = None
                if form.target.data != "new":
                    target = _set_or_404(int(form.target.data))
                try:
                    report = authoring.import_items(
                        current_user, result, target, (form.title.data or "").strip() or None
                    )
                except ServiceError as exc:
                    getattr(form, exc.field or "file", form.file).errors.append(exc.message)
                else:
                    return _imported(report, "question")
    return _import_page(form, paste, errors)


@bp.post("/import/paste")
@teachers_only
def paste_cards():
    """Flashcards pasted as text, a term and its definition on each line, into a new set
    or one of the teacher's own (see quiz.bank.pasted)."""
    form, paste = _import_forms("paste")
    errors = []
    if paste.validate_on_submit():
        result = parse_pasted_cards(paste.cards.data, paste.separator.data)
        if result.errors:
            errors = list(result.errors)
        else:
            target = None if paste.target.data == "new" else _set_or_404(int(paste.target.data))
            try:
                title = (paste.title.data or "").strip() or "Pasted flashcards"
                report = authoring.import_items(current_user, result, target, title)
            except ServiceError as exc:
                getattr(paste, exc.field or "cards", paste.cards).errors.append(exc.message)
            else:
                return _imported(report, "card")
    return _import_page(form, paste, paste_errors=errors)


@bp.get("/sets/<int:deck_id>/analysis")
@teachers_only
def analysis(deck_id: int):
    """Item analysis of one of the teacher's sets over every learner who took it."""
    from quiz.teach.classes import analysis_page

    deck = _set_or_404(deck_id)
    return analysis_page(deck, None, url_for("teach.analysis", deck_id=deck.id))
