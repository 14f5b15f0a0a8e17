"""Sign up, log in and log out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from quiz.auth.access import is_safe_next
from quiz.auth.forms import LoginForm, PostForm, SignupForm
from quiz.models import Role
from quiz.services import ServiceError
from quiz.services.accounts import authenticate, create_user

bp = Blueprint("auth", __name__)


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("learn.decks"))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = create_user(
                form.email.data, form.password.data, Role.STUDENT, form.display_name.data or ""
            )
        except ServiceError as exc:
            getattr(form, exc.field or "email").errors.append(exc.message)
        else:
            login_user(user)
            flash("Welcome! Your account is ready. Pick a deck to start.", "success")
            return redirect(url_for("learn.decks"))
    return render_template("auth/signup.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("learn.decks"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append("That email and password do not match an account.")
        else:
            login_user(user)
            flash(f"Welcome back, {user.name}.", "success")
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else url_for("learn.decks"))
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    form = PostForm()
    if form.validate_on_submit():
        logout_user()
        flash("You have logged out.", "info")
    return redirect(url_for("auth.login"))
