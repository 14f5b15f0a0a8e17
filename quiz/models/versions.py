"""Version counters kept by the database itself: triggers raise a counter column of a
parent row whenever child rows that matter appear, change or go, whoever writes them
(the app, a bulk load, a restore). A cache compares the counter to tell whether what it
computed from those rows still holds (quiz.services.classes).

The triggers are created with the tables (tests) and by migrations, which keep a frozen
copy of the statements. On SQLite, a batch migration that rebuilds a table drops its
triggers and must create them again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import DDL, Table, event


@dataclass(frozen=True)
class VersionTriggers:
    sqlite: tuple[str, ...]
    postgresql: tuple[str, ...]  # the function first, then its triggers
    function: str  # PostgreSQL's trigger function

    def install(self, table: Table) -> None:
        """Create them after `table`; drop PostgreSQL's function after it."""
        for dialect, statements in (("sqlite", self.sqlite), ("postgresql", self.postgresql)):
            for statement in statements:
                event.listen(table, "after_create", DDL(statement).execute_if(dialect=dialect))
        event.listen(
            table,
            "after_drop",
            DDL(f"DROP FUNCTION IF EXISTS {self.function}()").execute_if(dialect="postgresql"),
        )


def version_triggers(
    name: str, child: str, key: str, parent: str, column: str, counts: str | None = None
) -> VersionTriggers:
    """Triggers `name`_insert, _update and _delete on `child` that add 1 to
    `parent`.`column` of the row(s) that `child`.`key` points at, before and after.
    `counts`, a condition on "{row}" (OLD or NEW), limits them to the rows it holds for:
    an update counts when the row counted before or after it."""
    bump = f"UPDATE {parent} SET {column} = {column} + 1"

    def when(*rows: str, parenthesised: bool = False) -> str:
        if counts is None:
            return ""
        condition = " OR ".join(counts.format(row=row) for row in rows)
        return f"WHEN ({condition})\n" if parenthesised else f"WHEN {condition}\n"

    sqlite = tuple(
        f"CREATE TRIGGER {name}_{event_name} AFTER {event_name.upper()} ON {child}\n"
        f"{when(*rows)}BEGIN\n    {bump} WHERE id {target};\nEND"
        for event_name, rows, target in (
            ("insert", ("NEW",), f"= NEW.{key}"),
            ("update", ("OLD", "NEW"), f"IN (OLD.{key}, NEW.{key})"),
            ("delete", ("OLD",), f"= OLD.{key}"),
        )
    )
    function = f"{child}_raise_{column}"
    postgresql = (
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {bump} WHERE id = NEW.{key};
    ELSIF TG_OP = 'UPDATE' THEN
        {bump} WHERE id IN (OLD.{key}, NEW.{key});
    ELSE
        {bump} WHERE id = OLD.{key};
    END IF;
    RETURN NULL;
END
$$""",
        *(
            f"CREATE TRIGGER {name}_{event_name} AFTER {event_name.upper()} ON {child} "
            f"FOR EACH ROW\n{when(*rows, parenthesised=True)}EXECUTE FUNCTION {function}()"
            for event_name, rows in (
                ("insert", ("NEW",)),
                ("update", ("OLD", "NEW")),
                ("delete", ("OLD",)),
            )
        ),
    )
    return VersionTriggers(sqlite, postgresql, function)
