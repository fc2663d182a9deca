"""SQL text made from values, for the few places a statement cannot take parameters (DDL, a
table's name, a list spliced into a model's variable). Anything a user typed goes in as a
parameter instead (`con.execute(sql, [value])`)."""

from __future__ import annotations

from collections.abc import Iterable


def lit(value: object) -> str:
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def ident(name: str) -> str:
    """A quoted identifier."""
    return '"' + name.replace('"', '""') + '"'


def text_list(values: Iterable[object]) -> str:
    """A list of string literals."""
    return "[" + ", ".join(lit(v) for v in values) + "]"


def date_lit(day: object) -> str:
    """A date literal."""
    return f"date {lit(day)}"


def date_list(days: Iterable[object]) -> str:
    """A typed list of dates (an empty list stays a date[])."""
    return "[" + ", ".join(date_lit(d) for d in days) + "]::date[]"
