"""Sign up, log in and log out."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from quiz.auth.access import is_safe_next
from quiz.auth.forms import (
    DeleteAccountForm,
    EmailForm,
    LoginForm,
    PasswordForm,
    PostForm,
    SignupForm,
)
from quiz.extensions import limiter
from quiz.models import Role, utcnow
from quiz.security import limit_each_account, log_event, logged_out, login_account_key
from quiz.services import ServiceError, privacy
from quiz.services.accounts import (
    TEMPORARY_PASSWORD_DAYS,
    authenticate,
    change_email,
    change_password,
    create_user,
    end_session,
    start_session,
    temporary_password_expired,
)
from quiz.urls import start_url

bp = Blueprint("auth", __name__)

#: What a user with a temporary password may open before choosing their own password.
_BEFORE_OWN_PASSWORD = frozenset({"auth.password", "auth.logout", "static", "ops.healthz"})


def own_password_first():
    """Before each request (create_app registers it after the read-only set-up, since it
    loads the user): someone given a temporary password chooses their own before anything
    else, as every page sends them to the change-password form."""
    if request.endpoint in _BEFORE_OWN_PASSWORD or request.endpoint is None:
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        message = "Choose your own password first: then every page opens."
        if ("info", message) not in session.get("_flashes", []):
            flash(message, "info")
        return redirect(url_for("auth.password"), 303)
    return None


def _log_in(user) -> None:
    # A fresh session on every log-in: nothing from before carries over.
    session.clear()
    start_session(user)
    login_user(user)


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(start_url(current_user))
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = create_user(
                form.email.data,
                form.password.data,
                Role.STUDENT,
                form.display_name.data or "",
                form.timezone.data,
            )
        except ServiceError as exc:
            getattr(form, exc.field or "email").errors.append(exc.message)
        else:
            _log_in(user)
            log_event("signup", user=user.id)
            flash("Welcome! Your account is ready. Pick a deck to start.", "success")
            return redirect(url_for("learn.decks"))
    return render_template("auth/signup.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN_PER_ADDRESS"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN_PER_ACCOUNT"],
    methods=["POST"],
    key_func=login_account_key,
)
def login():
    if current_user.is_authenticated:
        return redirect(start_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            log_event("login-failed", email=form.email.data)
            form.password.errors.append("That email and password do not match an account.")
        elif temporary_password_expired(user, utcnow()):
            log_event("login-expired-temporary-password", user=user.id)
            form.password.errors.append(
                f"This temporary password has expired: it worked for {TEMPORARY_PASSWORD_DAYS} "
                "days. Ask your teacher for a new one."
            )
        else:
            _log_in(user)
            log_event("login", user=user.id)
            target = request.args.get("next")
            if user.must_change_password:
                return redirect(url_for("auth.password", next=target or None))
            flash(f"Welcome back, {user.name}.", "success")
            return redirect(target if is_safe_next(target) else start_url(user))
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    form = PostForm()
    if form.validate_on_submit():
        end_session(current_user.session_token)
        log_event("logout", user=current_user.id)
        logout_user()
        session.clear()
        flash("You have logged out.", "info")
    return redirect(url_for("auth.login"))


def _password_change_key() -> str:
    """Rate-limit key for checks of the current password: one account, any address."""
    return f"password-change:{current_user.id}"


# The password, email and deletion forms check the current password: without a limit,
# someone holding a logged-in session could guess the real password at full speed. They
# share one bucket per account, so that three forms do not make three times the guesses.
_checks_the_password = limiter.shared_limit(
    lambda: current_app.config["RATELIMIT_LOGIN_PER_ACCOUNT"],
    scope="password-check",
    methods=["POST"],
    key_func=_password_change_key,
    exempt_when=logged_out,
)


@bp.route("/account/password", methods=["GET", "POST"])
@_checks_the_password
@login_required
def password():
    form = PasswordForm()
    temporary = current_user.must_change_password
    if temporary:
        del form.current  # they logged in with it a moment ago (see change_password)
    if form.validate_on_submit():
        try:
            change_password(
                current_user, None if temporary else form.current.data, form.password.data
            )
        except ServiceError as exc:
            getattr(form, exc.field or "password").errors.append(exc.message)
        else:
            log_event("password-changed", user=current_user.id)
            if temporary:
                flash(f"Your password is set. Welcome back, {current_user.name}.", "success")
                target = request.args.get("next")
                return redirect(target if is_safe_next(target) else start_url(current_user))
            flash("Your password is changed. You were logged out everywhere else.", "success")
            return redirect(url_for("learn.settings"))
    return render_template(
        "auth/password.html", form=form, temporary=temporary
    ), 422 if form.errors else 200


@bp.route("/account/email", methods=["GET", "POST"])
@_checks_the_password
@login_required
def email():
    form = EmailForm()
    if form.validate_on_submit():
        try:
            address = change_email(current_user, form.current.data, form.email.data)
        except ServiceError as exc:
            getattr(form, exc.field or "email").errors.append(exc.message)
        else:
            log_event("email-changed", user=current_user.id)
            flash(f"Your email address is now {address}: log in with it from now on.", "success")
            return redirect(url_for("learn.settings"))
    return render_template("auth/email.html", form=form), 422 if form.errors else 200


@bp.get("/account/data")
@limit_each_account("20/hour", "account-data")
@login_required
def account_data():
    """Everything the service holds about the user, as a JSON file to keep."""
    data = privacy.export_account(current_user)
    log_event("account-data-downloaded", user=current_user.id)
    day = utcnow().date().isoformat()
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="quizcards-account-{day}.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/account/delete", methods=["GET", "POST"])
@_checks_the_password  # it checks the password too: the same bucket
@login_required
def delete_account():
    form = DeleteAccountForm()
    blockers = privacy.deletion_blockers(current_user)
    if not blockers and form.validate_on_submit():
        user_id, since = current_user.id, current_user.created_at
        try:
            privacy.delete_account(current_user, form.password.data)
        except ServiceError as exc:
            if exc.field == "password":
                log_event("account-delete-refused", user=user_id)
                form.password.errors.append(exc.message)
            else:
                blockers = [exc.message]
        else:
            # With when it was made: SQLite may give the id to the next new account.
            log_event("account-deleted", user=user_id, created=since.isoformat())
            logout_user()
            session.clear()
            flash("Your account and everything in it are deleted.", "info")
            return redirect(url_for("auth.login"), 303)
    failed = bool(form.errors) or (request.method == "POST" and bool(blockers))
    return render_template(
        "auth/delete_account.html", form=form, blockers=blockers
    ), 422 if failed else 200
