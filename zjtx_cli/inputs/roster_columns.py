"""Roster cells read column by column, a chunk of rows at a time (issue 11).

:meth:`zjtx_cli.inputs.roster.Roster.row` reads one row at a time and sends every cell
through the general value parser (:mod:`zjtx_cli.inputs.values`: NFKC, minus signs,
spaces, currency words, accounting brackets, thousands separators, unit words, exact
Decimal). Almost every cell of a real roster is a plain figure (``2000``, ``-35.5``) or a
spreadsheet number, and a roster has a hundred or more columns: the general path is
most of a roster's cost.

:func:`read_chunk` reads a chunk of rows column by column. A cell is read here only in
the forms whose result is known to equal the general parser's:

- a plain decimal string, ``-?digits[.digits]`` in ASCII (at most 15 digits before the
  point), in a column whose header carries no unit: the general parser reads it as
  ``Decimal(text)`` (for an integer field ``int(text)``) without any unit, and the
  same range checks and normal form (``values._tidy``) are applied here;
- a number from a workbook (int or float, not a percentage-formatted fraction): the
  same conversion as the general parser (``values._from_float``, the range checks,
  ``_tidy``);
- a blank cell (None, empty or spaces), or a placeholder such as ``-`` or ``—``
  (``text.is_blank``), with no uncached formula behind it;
- yes/no, choice, date and text cells go through the roster's own parser (memoised).

Anything else sends the whole row to :meth:`Roster.row`: a cell in any other form (full-width
digits, ``1,234``, ``3.5%``, ``1.2亿元``, a unit in the header), a bad value, a
percentage-formatted cell, a formula without a cached value, cells beyond the header,
evidence columns, a row with no value, and any row the data checks
(:func:`zjtx_cli.inputs.checks.check_enterprise`) find anything in. So every value,
error and warning is the general path's: rows read here are exactly those for which the
general path returns an enterprise without a problem, with equal values.
``tests/test_roster_columns.py`` checks both sides of each form; the batch identity test
compares whole batches with and without it.
"""

from __future__ import annotations

import re
from decimal import Decimal

from zjtx_cli.inputs.model import Enterprise
from zjtx_cli.inputs.text import is_blank
from zjtx_cli.inputs.values import BadValue, _from_float, _tidy

_PLAIN_DECIMAL = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,15})?")
# ... of which these are already in the normal form: no fraction, or a fraction of at most 10
# digits not ending in 0 (so not below 1e-10): Decimal(text) is what _tidy would return
_NORMAL_DECIMAL = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{0,9}[1-9])?")
_PLAIN_INTEGER = re.compile(r"-?[0-9]{1,15}")
_LIMIT = Decimal("1e15")
_SMALLEST = -10


class _Slow(Exception):
    """This row goes to Roster.row."""


def _checked(value: Decimal) -> Decimal:
    """values.parse_number's range checks and normal form, for a value read without a unit."""
    if not value.is_finite() or abs(value) >= _LIMIT or (value and value.adjusted() < _SMALLEST):
        raise _Slow
    return _tidy(value)


def _number(raw):
    t = type(raw)
    if t is str:
        if _PLAIN_DECIMAL.fullmatch(raw) is None:
            raise _Slow
        if "." not in raw:
            # an integral literal already has exponent 0: _tidy would return it unchanged
            return Decimal(raw)
        return _checked(Decimal(raw))
    if t is float:
        try:
            return _checked(_from_float(raw))
        except BadValue:
            raise _Slow from None
    if t is int:
        return _checked(Decimal(raw))
    raise _Slow


def _integer(raw):
    t = type(raw)
    if t is str:
        if _PLAIN_INTEGER.fullmatch(raw) is None:
            raise _Slow
        return int(raw)
    value = _number(raw)
    if value != value.to_integral_value():
        raise _Slow
    return int(value)


def _reader(roster, c):
    """The cell reader of column ``c``; None for a column that always takes the general path."""
    f = c.field
    t = f.type
    if t in ("number", "integer"):
        if c.unit is not None:
            return None  # a unit in the header: converted / checked by the general parser
        return _number if t == "number" else _integer
    parse = roster._parse

    def other(raw, c=c, parse=parse):
        try:
            return parse(c, raw)
        except BadValue:
            raise _Slow from None
    return other


_REPEATED = ("bool", "choice", "date")
_SKIP, _SLOW = object(), object()


def _decide(read, raw: str):
    """What a non-blank text cell of a yes/no, choice or date column gives: _SKIP (a placeholder,
    a blank as Roster.row has it), _SLOW (Roster.row reads the row) or ``(value,)``."""
    if len(raw) <= 8 and is_blank(raw):
        return _SKIP
    try:
        return (read(raw),)
    except _Slow:
        return _SLOW


def read_chunk(roster, chunk):
    """Read ``chunk`` (a list of ``(row number, cells)``) of ``roster``'s rows.

    Returns one entry per row, in order: an :class:`Enterprise`, or None for a row this
    module does not read (the caller sends it to ``roster.row``). Never raises for a row."""
    n_rows = len(chunk)
    out: list = [None] * n_rows
    if roster.evidence_columns or not n_rows:
        return out
    readers = getattr(roster, "_column_readers", None)
    if readers is None:
        readers = [(c, _reader(roster, c)) for c in roster.columns]
        roster._column_readers = readers
    if any(rd is None for _c, rd in readers):
        # a column the general parser must read: only the rows where that column is blank could
        # be read here; keep it simple and read those rosters row by row
        return out
    memos = roster.__dict__.setdefault("_column_memos", {})
    slow = [False] * n_rows
    any_value = [False] * n_rows
    values: list[dict] = [{} for _ in range(n_rows)]
    width = roster.width
    sheet = roster._sheet_xml
    for k, (_r, cells) in enumerate(chunk):
        if not isinstance(cells, (list, tuple)) or len(cells) > width and any(not is_blank(v) for v in cells[width:]):
            slow[k] = True  # a broken CSV row, or cells beyond the header
    for c, read in readers:
        idx = c.index
        key, year = c.key, c.year
        pct = sheet is not None and c.field.unit == "%"
        plain = _NORMAL_DECIMAL.fullmatch if read is _number else _PLAIN_INTEGER.fullmatch if read is _integer \
            else None
        conv = Decimal if read is _number else int
        # yes/no, choice and date words repeat on every row: what a text decides is remembered
        memo = memos.setdefault(idx, {}) if c.field.type in _REPEATED else None
        if memo is not None and len(memo) > 20000:
            memo.clear()
        for k, (r, cells) in enumerate(chunk):
            if slow[k] or idx >= len(cells):
                continue
            raw = cells[idx]
            if plain is not None and type(raw) is str and plain(raw) is not None:  # never a blank
                v = conv(raw)
            elif memo is not None and type(raw) is str and raw.strip():
                hit = memo.get(raw)
                if hit is None:
                    hit = memo[raw] = _decide(read, raw)
                if hit is _SKIP:
                    continue
                if hit is _SLOW:
                    slow[k] = True
                    continue
                v = hit[0]
            else:
                if raw is None or raw == "" or (type(raw) is str and len(raw) <= 8 and is_blank(raw)):
                    # blank or a placeholder: as Roster.row, with its uncached-formula note (the general path)
                    if sheet is not None and (raw is None or not raw.strip()) and sheet.uncached(r, idx):
                        slow[k] = True
                    continue
                if type(raw) is str and not raw.strip():  # a long run of spaces: the general path
                    slow[k] = True
                    continue
                if pct and type(raw) is float and -1 <= raw <= 1 and raw != 0 and sheet.percent(r, idx):
                    slow[k] = True  # a percentage-formatted fraction: Roster.row scales it
                    continue
                try:
                    v = read(raw)
                except _Slow:
                    slow[k] = True
                    continue
            any_value[k] = True
            if year is not None:
                s = values[k].get(key)
                if s is None:
                    values[k][key] = {year: v}
                else:
                    s[year] = v
            else:
                values[k][key] = v
    from zjtx_cli.inputs.checks import check_enterprise

    path, fields = roster.path, roster.fields
    for k in range(n_rows):
        if slow[k] or not any_value[k]:
            continue
        e = Enterprise(values[k], path, [])
        bad, doubtful = check_enterprise(e, fields)
        if bad or doubtful:
            continue  # the general path reports them, with their row
        out[k] = e
    return out
