"""Study a deck (or every deck) as flashcards: front, back, rate, next."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from quiz.auth.access import is_safe_next
from quiz.auth.forms import PostForm
from quiz.domain.scheduling import Rating
from quiz.inputs import whole_number
from quiz.models import utcnow
from quiz.services import NotFound, study
from quiz.services import decks as deck_service
from quiz.study.forms import RateForm, UndoForm

# When the card's answer was shown, in milliseconds since 1970 (the page's clock): 13
# digits until the year 2286. A longer number is not a time, and is ignored.
SHOWN_AT_DIGITS = 13

bp = Blueprint("study", __name__, url_prefix="/study")


def _deck_or_none(slug: str | None):
    if slug is None:
        return None
    try:
        return deck_service.get_published_deck(slug)
    except NotFound:
        abort(404)


def _here(slug: str | None, ahead: bool = False) -> str:
    flag = {"ahead": "1"} if ahead else {}
    if slug:
        return url_for("study.session", slug=slug, **flag)
    return url_for("study.everything", **flag)


def _ahead() -> bool:
    """Whether the learner asked to review cards ahead of their time (?ahead=1)."""
    return request.args.get("ahead") == "1"


@bp.get("/")
@login_required
def everything():
    return _session(None)


@bp.get("/<slug>")
@login_required
def session(slug: str):
    return _session(slug)


def _session(slug: str | None):
    deck = _deck_or_none(slug)
    now = utcnow()
    ahead = _ahead()
    nxt = study.next_card(current_user, deck, now)
    reviewing_ahead = nxt is None and ahead
    if reviewing_ahead:
        nxt = study.next_card_ahead(current_user, deck, now)
    counts = study.queue_counts(current_user, deck, now)
    undo = study.last_undoable_review(current_user, now, deck)
    if nxt is None:
        return render_template(
            "study/done.html",
            deck=deck,
            counts=counts,
            undo=undo,
            next_due=study.next_due_after(current_user, deck, now),
            ahead=ahead,
            cards_ahead=study.count_ahead(current_user, deck, now),
            review_ahead_days=study.REVIEW_AHEAD.days,
        )
    face = study.card_face(nxt.item, nxt.card, now, current_user)
    return render_template(
        "study/card.html",
        deck=deck,
        face=face,
        counts=counts,
        undo=undo,
        show_back=False,
        shown_at=int(now.timestamp() * 1000),
        ahead=ahead,
        reviewing_ahead=reviewing_ahead,
    )


@bp.get("/cards/<int:item_id>")
@login_required
def back(item_id: int):
    """The back of a card with the rating buttons (the "Show answer" step)."""
    slug = request.args.get("deck") or None
    deck = _deck_or_none(slug)
    now = utcnow()
    try:
        back = study.card_back(current_user, item_id, deck, now)
    except NotFound:
        abort(404)
    shown = request.args.get("shown", "")
    # The rating form's hidden fields (see RateForm) are written out by the template:
    # rendering them through WTForms took longer than the rest of the page.
    ahead = _ahead()
    return render_template(
        "study/card.html",
        deck=deck,
        face=back.face,
        counts=back.counts,
        show_back=True,
        rate_fields={
            "shown_at": shown if whole_number(shown, SHOWN_AT_DIGITS) is not None else "",
            "deck": slug or "",
            "ahead": "1" if ahead else "",
        },
        ratings=list(Rating),
        ahead=ahead,
        reviewing_ahead=ahead and back.face.early,
        home=(back.deck_slug, back.deck_title),
    )


@bp.post("/cards/undo")  # beside the cards: a deck slug could be "undo"
@login_required
def undo():
    """Undo the learner's last rating (a slip of the finger): the card is back as it was,
    and the study page shows it again when it is due."""
    form = UndoForm()
    slug = form.deck.data or None
    if not form.validate_on_submit():
        flash("That form has expired. Please try again.", "error")
    elif study.undo_review(
        current_user, whole_number(form.review.data, max_digits=18) or 0, utcnow()
    ):
        flash("Rating undone: the card is back as it was.", "success")
    else:
        flash("That rating can no longer be undone.", "error")
    return redirect(_here(slug))


@bp.post("/cards/<int:item_id>/suspend")
@login_required
def suspend(item_id: int):
    """Set a card aside: it stops coming up until the learner brings it back from its
    deck's page."""
    slug = request.form.get("deck") or None
    here = _here(slug, request.form.get("ahead") == "1")
    if not PostForm().validate_on_submit():
        flash("That form has expired. Please try again.", "error")
        return redirect(here)
    try:
        suspended = study.suspend_card(current_user, item_id, utcnow())
    except NotFound:
        abort(404)
    if suspended:
        flash(
            "Card suspended: it no longer comes up. To study it again, bring it back from "
            "its deck's page.",
            "success",
        )
    else:
        flash("That card was suspended already.", "success")
    return redirect(here)


@bp.post("/cards/<int:item_id>/unsuspend")
@login_required
def unsuspend(item_id: int):
    """Bring a suspended card back, from the deck's page (or the card's own)."""
    back = request.form.get("next", "")
    back = back if is_safe_next(back) else url_for("study.everything")
    if not PostForm().validate_on_submit():
        flash("That form has expired. Please try again.", "error")
    elif study.unsuspend_card(current_user, item_id):
        flash("The card is back in your study.", "success")
    else:
        flash("That card is not suspended: it is in your study already.", "success")
    return redirect(back)


@bp.post("/cards/<int:item_id>/rate")
@login_required
def rate(item_id: int):
    form = RateForm()
    slug = form.deck.data or None
    if not form.validate_on_submit():
        flash("That rating could not be read. Please rate the card again.", "error")
        return redirect(_here(slug, form.ahead.data == "1"))
    now = utcnow()
    duration = None
    shown_ms = whole_number(form.shown_at.data, SHOWN_AT_DIGITS)
    if shown_ms is not None:
        shown = datetime.fromtimestamp(shown_ms / 1000, UTC)
        duration = int((now - shown).total_seconds() * 1000)
    try:
        study.rate_card(
            current_user,
            item_id,
            Rating(int(form.rating.data)),
            form.seen.data,
            now,
            duration,
        )
    except NotFound:
        abort(404)
    return redirect(_here(slug, form.ahead.data == "1"))
