"""Server default comparison's primitive: :func:`defaults_differ`, both SQL texts in the
normal form of :func:`~sterna.dialects.sql_text.normalize_default`, string literals read as
values of the column's type where the database does so itself (PostgreSQL's ``INTERVAL`` and
``BOOLEAN``; see :mod:`sterna.autogenerate.compare.defaults`).  Below both ``ddl`` (the default
``ImplHooks.compare_server_default``) and ``autogenerate``, which re-exports it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Boolean, Column, Interval, Sequence
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeEngine

from sterna.dialects import profile_for
from sterna.dialects.compare_types import resolve_type
from sterna.dialects.sql_text import normalize_default


def defaults_differ(
    dialect: Dialect,
    conn_text: str | None,
    rendered: str | None,
    type_: TypeEngine[Any] | None = None,
) -> bool:
    """Whether the database's default ``conn_text`` and the model's ``rendered`` one differ in
    the normal form, string literals read as values of ``type_`` (the model column's type)
    where the dialect does so."""
    if conn_text == rendered:
        return False
    form = _value_form(dialect, type_) if type_ is not None else None
    name = dialect.name
    return normalize_default(conn_text, name, form) != normalize_default(rendered, name, form)


def implicit_sequence_default(conn_text: str | None, meta: Column[Any]) -> bool:
    """Whether the database's default is the ``nextval('..._seq'::regclass)`` PostgreSQL gives
    a serial column, for a model column that asks for one (a primary key, a ``Sequence`` or
    ``autoincrement=True``, without a server default of its own): not a difference."""
    if conn_text is None or not conn_text.lower().startswith("nextval("):
        return False
    if meta.server_default is not None:
        return False
    return bool(
        meta.primary_key or isinstance(meta.default, Sequence) or meta.autoincrement is True
    )


def _value_form(dialect: Dialect, type_: TypeEngine[Any]) -> Callable[[str], str | None] | None:
    if not profile_for(dialect).reads_string_defaults_as_values:
        return None
    affinity = getattr(resolve_type(type_, dialect), "_type_affinity", None)
    if affinity is Interval:
        return postgresql_interval
    if affinity is Boolean:
        return postgresql_boolean
    return None


# -- PostgreSQL: string literals read as interval and boolean values ------------------------------

_PG_BOOLEANS = {
    "t": "#1",
    "true": "#1",
    "y": "#1",
    "yes": "#1",
    "on": "#1",
    "1": "#1",
    "f": "#0",
    "false": "#0",
    "n": "#0",
    "no": "#0",
    "off": "#0",
    "0": "#0",
}


def postgresql_boolean(text: str) -> str | None:
    """``'yes'``, ``'on'``, ``'t'``... as PostgreSQL reads them into a boolean (``#1``/``#0``,
    the normal form of ``true``/``false``)."""
    return _PG_BOOLEANS.get(text.strip().lower())


#: Interval units: (field, factor) -- months, days or microseconds.
_MONTHS, _DAYS, _MICROS = 0, 1, 2
_UNITS: dict[str, tuple[int, int]] = {}
for _names, _unit in (
    (("microsecond", "microseconds", "us", "usec", "usecs"), (_MICROS, 1)),
    (("millisecond", "milliseconds", "ms", "msec", "msecs"), (_MICROS, 1_000)),
    (("second", "seconds", "s", "sec", "secs"), (_MICROS, 1_000_000)),
    (("minute", "minutes", "m", "min", "mins"), (_MICROS, 60_000_000)),
    (("hour", "hours", "h", "hr", "hrs"), (_MICROS, 3_600_000_000)),
    (("day", "days", "d"), (_DAYS, 1)),
    (("week", "weeks", "w"), (_DAYS, 7)),
    (("month", "months", "mon", "mons"), (_MONTHS, 1)),
    (("year", "years", "y", "yr", "yrs"), (_MONTHS, 12)),
    (("decade", "decades"), (_MONTHS, 120)),
    (("century", "centuries"), (_MONTHS, 1200)),
    (("millennium", "millennia", "millenniums"), (_MONTHS, 12000)),
):
    for _name in _names:
        _UNITS[_name] = _unit

_INTERVAL_PART = re.compile(
    r"\s*(?:(?P<clock>[-+]?\d+:\d+(?::\d+(?:\.\d*)?)?)"
    r"|(?P<number>[-+]?(?:\d+(?:\.\d*)?|\.\d+))\s*(?P<unit>[a-z]+)?)"
)
_ISO_INTERVAL = re.compile(
    r"p(?:(?P<y>[-\d.]+)y)?(?:(?P<mo>[-\d.]+)m)?(?:(?P<w>[-\d.]+)w)?(?:(?P<d>[-\d.]+)d)?"
    r"(?:t(?:(?P<h>[-\d.]+)h)?(?:(?P<mi>[-\d.]+)m)?(?:(?P<s>[-\d.]+)s)?)?"
)
_ISO_UNITS = {
    "y": "year",
    "mo": "month",
    "w": "week",
    "d": "day",
    "h": "hour",
    "mi": "minute",
    "s": "second",
}


def postgresql_interval(text: str) -> str | None:
    """The value of an interval literal as PostgreSQL reads it (``'0'``, ``'1 day'``,
    ``'01:30:00'``, ``'1 year 2 mons 3 days 04:05:06'``, ``'@ 1 hour ago'``, ``'P1DT2H'``) in
    one form, ``@months,days,microseconds``; None for a text this reading does not cover."""
    value = text.strip().lower()
    negate = value.endswith(" ago")
    value = value.removesuffix(" ago").removeprefix("@").strip()
    try:
        fields = _iso_interval(value) if value.startswith("p") else _interval_parts(value)
    except (InvalidOperation, ValueError, KeyError):
        return None
    if fields is None:
        return None
    sign = -1 if negate else 1
    return "@" + ",".join(str(sign * int(field)) for field in _spill(fields))


def _interval_parts(value: str) -> list[Decimal] | None:
    fields = [Decimal(0), Decimal(0), Decimal(0)]
    pending: Decimal | None = None  # a number without a unit: days before a clock, else seconds
    position = 0
    while position < len(value):
        found = _INTERVAL_PART.match(value, position)
        if found is None or found.end() == position:
            return None
        position = found.end()
        if found["clock"]:
            if pending is not None:
                fields[_DAYS] += pending
                pending = None
            fields[_MICROS] += _clock_micros(found["clock"])
        elif found["unit"]:
            field, factor = _UNITS[found["unit"]]
            fields[field] += Decimal(found["number"]) * factor
        elif pending is None:
            pending = Decimal(found["number"])
        else:
            return None
    if pending is not None:
        fields[_MICROS] += pending * 1_000_000
    return fields


def _clock_micros(clock: str) -> Decimal:
    sign = -1 if clock.startswith("-") else 1
    parts = [Decimal(p) for p in clock.lstrip("+-").split(":")]
    hours, minutes = parts[0], parts[1]
    seconds = parts[2] if len(parts) > 2 else Decimal(0)
    return sign * ((hours * 60 + minutes) * 60 + seconds) * 1_000_000


def _iso_interval(value: str) -> list[Decimal] | None:
    found = _ISO_INTERVAL.fullmatch(value)
    if found is None or value in ("p", "pt"):
        return None
    fields = [Decimal(0), Decimal(0), Decimal(0)]
    for group, unit in _ISO_UNITS.items():
        if found[group]:
            field, factor = _UNITS[unit]
            fields[field] += Decimal(found[group]) * factor
    return fields


def _spill(fields: list[Decimal]) -> tuple[int, int, int]:
    """Fractions of months go to days (30 to a month), of days to microseconds, as PostgreSQL
    stores an interval."""
    months, days, micros = fields
    whole_months = int(months)
    days += (months - whole_months) * 30
    whole_days = int(days)
    micros += (days - whole_days) * 86_400_000_000
    return whole_months, whole_days, int(micros.to_integral_value())
