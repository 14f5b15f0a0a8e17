"""The `flask --app quiz ...` commands for operators; each one calls services only."""

from __future__ import annotations

import json
import secrets
import sys
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from quiz.extensions import db
from quiz.models import Role
from quiz.security import audit, clean
from quiz.services import NotFound, ServiceError, authoring
from quiz.services import accounts as account_service
from quiz.services import decks as deck_service

users_cli = AppGroup("users", help="Manage accounts.")
decks_cli = AppGroup("decks", help="Validate, load and export decks.")

DEMO_ACCOUNTS = (
    ("teacher@example.com", Role.TEACHER, "Demo Teacher"),
    ("student@example.com", Role.STUDENT, "Demo Student"),
)


@users_cli.command("create")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.STUDENT.value,
    show_default=True,
)
@click.option("--password", help="The password; asked for (hidden) when not given.")
@click.option("--name", "display_name", default="", help="The name shown in the app.")
def create_user_command(email: str, role: str, password: str | None, display_name: str) -> None:
    """Create an account, with the same rules as signing up."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = account_service.create_user(email, password, role, display_name)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Created {user.role} {user.email}.")


@users_cli.command("reset-password")
@click.argument("email")
@click.option("--password", help="The new password; asked for (hidden) when not given.")
@click.option(
    "--temporary",
    is_flag=True,
    help="Make up a temporary password and print it; its owner must choose their own at "
    "their next log-in.",
)
def reset_password_command(email: str, password: str | None, temporary: bool) -> None:
    """Set a new password for an account and end all of its log-ins."""
    if temporary and password is not None:
        raise click.UsageError("Give either --password or --temporary, not both.")
    if temporary:
        password = account_service.temporary_password()
    elif password is None:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    try:
        user = account_service.reset_password(email, password, temporary=temporary)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from exc
    # As a teacher's reset is (quiz.security.log_event, which needs a request).
    audit.info("password-reset user=%r by='operator' temporary=%r", str(user.id), temporary)
    click.echo(f"Password reset for {user.email}; every session of the account has ended.")
    if temporary:
        click.echo(f"Temporary password: {password}")
        click.echo("They must choose their own password when they next log in.")


def _account(email: str):
    user = account_service.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"There is no account for {email}.")
    return user


def _plural(n: int, word: str, plural: str) -> str:
    return f"{n} {word if n == 1 else plural}"


@users_cli.command("hand-over")
@click.argument("email")
@click.argument("successor")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def hand_over_command(email: str, successor: str, yes: bool) -> None:
    """Give the question sets and classes of EMAIL to the teacher SUCCESSOR (a teacher
    who leaves, say); EMAIL's account can then be deleted. It cannot be undone: the sets
    and classes join SUCCESSOR's own."""
    from quiz.services import privacy

    user, colleague = _account(email), _account(successor)
    user_id, colleague_id = user.id, colleague.id
    email, successor = user.email, colleague.email  # as stored, whatever the case typed
    _ask_first(yes, f"Give every question set and class of {email} to {successor}, for good?")
    with _told_as_messages():
        moved = privacy.hand_over(user, colleague)
    audit.info(
        "hand-over user=%r to=%r sets=%d deleted_sets=%d classes=%d by='operator'",
        str(user_id),
        str(colleague_id),
        moved.sets,
        moved.deleted_sets,
        moved.classes,
    )
    kept = (
        f" (and {_plural(moved.deleted_sets, 'deleted set', 'deleted sets')} kept for "
        "learners' scores)"
        if moved.deleted_sets
        else ""
    )
    click.echo(
        f"{_plural(moved.sets, 'question set', 'question sets')}{kept} and "
        f"{_plural(moved.classes, 'class', 'classes')} of {email} are now {successor}'s."
    )


def _ask_first(yes: bool, question: str) -> None:
    """Ask the operator to confirm (unless --yes), with no transaction held open, and its
    locks with it, while they answer."""
    db.session.rollback()
    if not yes:
        click.confirm(question, abort=True)


@contextmanager
def _told_as_messages():
    """A service's refusal, or a write that lost a race (a deadlock, a serialization
    failure), is told to the operator as a message instead of a traceback. Nothing was
    changed."""
    from sqlalchemy.exc import DBAPIError

    try:
        yield
    except ServiceError as exc:
        raise click.ClickException(exc.message) from exc
    except DBAPIError as exc:
        raise click.ClickException(
            "The database was busy with another change to the same accounts, so nothing "
            f"changed: run the command again. ({type(exc.orig).__name__})"
        ) from exc


@users_cli.command("delete")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete_user_command(email: str, yes: bool) -> None:
    """Delete an account and everything it holds (quizzes, answers, flashcards, class
    places, log-ins), as its owner can from Settings. An account that owns sets or
    teaches classes stays until they are handed over (users hand-over)."""
    from quiz.services import privacy

    user = _account(email)
    email = user.email  # as stored, whatever the case typed
    blockers = privacy.deletion_blockers(user, operator=True)
    if blockers:
        hint = (
            " Step it down first: flask --app quiz users set-role EMAIL teacher."
            if user.is_admin
            else " Hand them over first: flask --app quiz users hand-over EMAIL COLLEAGUE."
        )
        raise click.ClickException(f"{email} stays. " + " ".join(blockers) + hint)
    user_id, since = user.id, user.created_at
    _ask_first(yes, f"Delete {email} and every quiz, answer and flashcard of theirs, for good?")
    with _told_as_messages():
        privacy.delete_account_for_operator(user)
    audit.info("account-deleted user=%r created=%r by='operator'", str(user_id), since.isoformat())
    click.echo(f"Deleted {email} and everything in it.")


@users_cli.command("list")
@click.option("--role", type=click.Choice([r.value for r in Role]), help="Only this role's.")
def list_users_command(role: str | None) -> None:
    """List the accounts: administrators, then teachers, then students, with the sets
    and classes each one has."""
    rows = account_service.list_accounts(role)
    if not rows:
        click.echo(f"There are no {role} accounts." if role else "There are no accounts yet.")
        return
    width = max(len(row.email) for row in rows)
    for row in rows:
        owns = []
        if row.sets:
            owns.append(_plural(row.sets, "set", "sets"))
        if row.classes:
            owns.append(_plural(row.classes, "class", "classes"))
        # clean(): a name stored before names lost their control characters must not
        # rewrite the operator's terminal.
        click.echo(
            f"{row.role:8} {row.email:{width}}  {row.created_at:%Y-%m-%d}  "
            + "  ".join(filter(None, [clean(row.display_name), ", ".join(owns)]))
        )
    click.echo(_plural(len(rows), "account", "accounts") + ".")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice([r.value for r in Role]))
def set_role_command(email: str, role: str) -> None:
    """Make EMAIL's account a student's, a teacher's or an administrator's (a teacher
    who signed up as a student, an administrator who steps down). Its log-ins carry on
    in the new role. An account with question sets or classes stays a teacher's until
    they are handed over (users hand-over)."""
    from quiz.services import privacy

    user = _account(email)
    user_id, email = user.id, user.email  # as stored, whatever the case typed
    with _told_as_messages():
        before = privacy.change_role(user, role)
    if before == role:
        click.echo(f"{email} is {privacy.with_article(role)} already: nothing changed.")
        return
    audit.info("role-changed user=%r from=%r to=%r by='operator'", str(user_id), before, role)
    was, now = privacy.with_article(before), privacy.with_article(role)
    click.echo(f"{email} was {was} and is now {now}.")
    if before == Role.ADMIN and not account_service.list_accounts(Role.ADMIN.value):
        click.echo(
            "No account is an administrator's now; "
            "flask --app quiz users set-role EMAIL admin makes one."
        )


@users_cli.command("demo")
def demo_users_command() -> None:
    """Create a demo teacher and a demo student when there are no users yet."""
    if account_service.count_users():
        click.echo("Accounts exist already: no demo accounts created.")
        return
    lines = []
    for email, role, name in DEMO_ACCOUNTS:
        password = secrets.token_urlsafe(12)
        account_service.create_user(email, password, role, name)
        lines.append(f"{role.value:8} {email}  password: {password}")
    saved = Path(current_app.instance_path) / "demo-accounts.txt"
    saved.write_text("\n".join(lines) + "\n")
    saved.chmod(0o600)
    click.echo("Demo accounts created (also saved in instance/demo-accounts.txt):")
    for line in lines:
        click.echo("  " + line)


def _read_bank_or_fail(directory: str):
    from quiz.bank.deck_yaml import read_bank

    path = Path(directory)
    if not path.is_dir():
        raise click.ClickException(f"{directory} is not a folder.")
    decks, errors = read_bank(path)
    if errors:
        for error in errors:
            click.echo(str(error), err=True)
        raise click.ClickException(
            f"{len(errors)} problem{'s' if len(errors) != 1 else ''} found: nothing was loaded."
        )
    return decks


@decks_cli.command("validate")
@click.argument("directory", default="questions")
def validate_command(directory: str) -> None:
    """Check the deck files in DIRECTORY without writing anything."""
    decks = _read_bank_or_fail(directory)
    for deck in decks:
        click.echo(f"{deck.slug}: {len(deck.items)} items")
    click.echo(f"All {len(decks)} decks are valid.")


@decks_cli.command("load")
@click.argument("directory", default="questions")
def load_command(directory: str) -> None:
    """Build and load the deck files in DIRECTORY (all or nothing, idempotent)."""
    decks = _read_bank_or_fail(directory)
    report = deck_service.load_builtin_decks(decks)
    if not report.changed:
        click.echo(f"{len(decks)} decks are up to date: nothing changed.")
        return
    click.echo(
        f"Loaded {len(decks)} decks: {len(report.decks_created)} new, "
        f"{len(report.decks_updated)} updated; items: {report.items_created} new, "
        f"{report.items_updated} updated, {report.items_retired} retired."
    )
    if summary := report.regraded.summary():
        click.echo(summary)


@decks_cli.command("export")
@click.argument("slugs", nargs=-1)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "gift", "aiken", "csv", "yaml", "apkg"]),
    default="json",
    show_default=True,
)
@click.option("--output", type=click.Path(dir_okay=False), help="Write to this file.")
def export_command(slugs: tuple[str, ...], fmt: str, output: str | None) -> None:
    """Write decks to standard output (or --output FILE).

    JSON takes any number of slugs (every deck when none is named); the other formats
    take exactly one. Anki's .apkg is binary and needs --output.
    """
    if fmt == "json":
        try:
            data = deck_service.export_decks_json(slugs)
        except NotFound as exc:
            raise click.ClickException(exc.message) from exc
        content = (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()
    else:
        if len(slugs) != 1:
            raise click.ClickException(f"Name exactly one deck to export as {fmt}.")
        if fmt == "apkg" and not output:
            raise click.ClickException("An .apkg file is binary: give --output FILE.")
        try:
            deck = authoring.deck_by_slug_with_items(slugs[0])
        except NotFound as exc:
            raise click.ClickException(exc.message) from exc
        content, _, _ = authoring.export_deck(deck, fmt)
    if output:
        Path(output).write_bytes(content)
        click.echo(f"Wrote {output}.", err=True)
    else:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()


@decks_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["gift", "aiken", "csv", "yaml"]), required=True)
@click.option("--owner", required=True, help="Email of the teacher who will own the set.")
@click.option("--set", "slug", help="Import into this existing set (by slug) instead of a new one.")
@click.option("--title", help="Title of the new set (default: from the file).")
def import_command(file: str, fmt: str, owner: str, slug: str | None, title: str | None) -> None:
    """Import a question file into a teacher's set: all or nothing."""
    from quiz.bank.formats import parse_upload

    user = account_service.find_user_by_email(owner)
    if user is None or not user.is_teacher:
        raise click.ClickException(f"No teacher account with email {owner}.")
    path = Path(file)
    result = parse_upload(path.read_bytes(), path.name, fmt)
    if result.errors:
        for error in result.errors:
            click.echo(str(error), err=True)
        count = len(result.errors)
        raise click.ClickException(
            f"{count} problem{'s' if count != 1 else ''} found: nothing was imported."
        )
    target = None
    if slug:
        try:
            target = authoring.get_set(user, authoring.deck_by_slug_with_items(slug).id)
        except NotFound as exc:
            raise click.ClickException(f"{owner} has no set with slug {slug}.") from exc
    try:
        report = authoring.import_items(user, result, target, title)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(
        f"Imported into {report.deck.slug}: {report.created} new, {report.updated} updated, "
        f"{report.unchanged} unchanged."
    )
    if summary := report.regraded.summary():
        click.echo(summary)


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
def backup_command(file: str) -> None:
    """Write a consistent copy of the database to FILE (SQLite copy or pg_dump archive)."""
    from quiz.services.backup import backup

    try:
        backup(Path(file))
    except ServiceError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Backed up to {file}.")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(file: str, yes: bool) -> None:
    """Replace the whole database with the backup in FILE."""
    from quiz.services.backup import restore

    _ask_first(yes, "This replaces every account, deck and score with the backup. Go on?")
    try:
        restore(Path(file))
    except ServiceError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Restored from {file}.")


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(decks_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
