"""Read one applicant's label/value sheet (xlsx, or any workbook calamine reads).

Rows of label / value. The label is the Chinese label, the English label, the key or
an alias, optionally with a unit in brackets (``营业收入（元）``) or a year
(``2024年营业收入``). A header row says what the columns hold: years
(``2023 2024 2025``, ``2024年``) for the per-year rows below it, and columns
headed 字段键/key, 单位/unit and 填写说明/说明/hint/备注 are not values. A row of a
single-valued field takes the first value to the right of its label. A unit
column (万元 / 元 / 亿元) is honoured. This is the layout ``zjtx template``
writes (see docs/input-format.md).

A formula cell is read through its cached value; a formula that was never
computed (written by a program, not saved by Excel) is reported for that
field instead of being read as empty. A number in a cell formatted as a
percentage (35% is stored as 0.35) is read as the percentage shown.
"""

from __future__ import annotations

import os

from zjtx_cli.inputs.collector import Collector
from zjtx_cli.inputs.labels import (
    HEADER_WORDS,
    HINT_HEADS,
    KEY_HEADS,
    MONEY_CELLS,
    UNIT_CELLS,
    UNIT_HEADS,
    VALUE_HEADS,
    head_word,
    is_comment,
    lookup_label,
    year_of,
)
from zjtx_cli.inputs.limits import MAX_APPLICANT_ROWS
from zjtx_cli.inputs.model import Enterprise, InputError, Problem
from zjtx_cli.inputs.sheet_xml import UNCACHED_FORMULA, UNCACHED_FORMULA_ZH, SheetXml
from zjtx_cli.inputs.text import FORMULA_PREFIXES as _FORMULA_START
from zjtx_cli.inputs.text import inert, is_blank
from zjtx_cli.inputs.values import nfkc
from zjtx_cli.inputs.workbook import load_sheet, sheet_warnings, too_many_rows

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; Any is only read by the type checker
    from typing import Any

_empty = is_blank  # the one definition of a blank cell (inputs/text.py)


class _Columns:
    """Roles of the columns, from the last header row."""

    def __init__(self):
        self.years: dict[int, int] = {}  # year -> column
        self.skip: set[int] = set()  # key, unit and hint columns
        self.unit: int | None = None
        self.key: int | None = None
        self.value: int | None = None

    def header(self, cells, li) -> bool:
        """Take ``cells`` as a header row if it is one; True if it was."""
        years = {i: year_of(v) for i, v in enumerate(cells) if i >= li and year_of(v) is not None}
        words = {i: head_word(v) for i, v in enumerate(cells) if i >= li}
        label_word = words.get(li)
        roles = [w for w in words.values() if w in KEY_HEADS | UNIT_HEADS | HINT_HEADS | VALUE_HEADS]
        is_header = (label_word in HEADER_WORDS or li in years or len(years) >= 2
                     or (years and roles) or (label_word in HEADER_WORDS and roles))
        if not is_header:
            return False
        if not years and not roles:
            return True  # a section title such as 基本信息: keep the columns as they are
        if years:
            self.years = {y: i for i, y in years.items()}
        self.skip, self.unit, self.key, self.value = set(), None, None, None
        for i, w in words.items():
            if w in KEY_HEADS:
                self.key = i
                self.skip.add(i)
            elif w in UNIT_HEADS:
                self.unit = i
                self.skip.add(i)
            elif w in HINT_HEADS:
                self.skip.add(i)
            elif w in VALUE_HEADS:
                self.value = i
        return True


def _put_cell(col, sheet_xml, f, key, label_unit, shown, r, i, v, year):
    """Put the value ``v`` of cell ``i`` of row ``r`` (field ``f``, for ``year``) into the collector."""
    if isinstance(v, str) and len(v) > 1 and v[0] == "'" and v[1] in _FORMULA_START:
        v = v[1:]  # text neutralised on export (safety.neutralise) reads back as it was
    if _empty(v) and sheet_xml is not None and sheet_xml.uncached(r, i):
        col.error(shown, UNCACHED_FORMULA, None, year, row=r, zh=UNCACHED_FORMULA_ZH)
        return
    if (f.unit == "%" and isinstance(v, float) and -1 <= v <= 1 and v != 0
            and sheet_xml is not None and sheet_xml.percent(r, i)):
        v = v * 100
    col.put_field(f, key, v, year, label_unit, shown, r)


# ------------------------------------------------------------------------------ the layout
# What a sheet's label column decides (which rows are headers, which field each row holds,
# which columns hold years, units, keys) does not depend on the values: filled-in copies of
# one template share it, so it is worked out once and reused (issue 11). A layout is found
# by the label column (row number, column and text of each row's first non-blank cell);
# the rows that hold no field by their label (header rows, section titles, unknown labels)
# are compared cell for cell, because their other cells decide the columns' roles.
_LAYOUTS: dict = {}
_MAX_LAYOUTS = 64


class _FieldRow:
    """A row whose label names a field, and what the rows above made of the columns."""

    __slots__ = ("r", "li", "start", "key", "lyear", "label_unit", "shown", "field", "years", "skip", "unit",
                 "key_col", "value_col", "misaligned")

    def __init__(self, r, li, start, key, lyear, label_unit, shown, field, cols: _Columns):
        self.r, self.li, self.start, self.key, self.lyear = r, li, start, key, lyear
        self.label_unit, self.shown, self.field = label_unit, shown, field
        self.years = tuple(cols.years.items())  # ((year, column), ...) in header order
        self.skip = frozenset(cols.skip)
        self.unit, self.key_col, self.value_col = cols.unit, cols.key, cols.value
        self.misaligned = any(i <= li for _y, i in self.years)


class _Layout:
    __slots__ = ("fields", "steps", "fixed")

    def __init__(self, fields, steps, fixed):
        self.fields = fields  # the field dictionary the labels were looked up in
        self.steps = steps  # _FieldRow, or (row number, label) for an unknown label
        self.fixed = fixed  # (row index, cells) of the rows compared cell for cell


def _label_column(rows) -> tuple:
    """(row number, column, text) of each non-blank row's first non-blank cell."""
    out = []
    for r, row in enumerate(rows, start=1):
        v = row[0] if type(row) is list and row else None
        if type(v) is str and len(v) > 3 and not v[0].isspace() and not v[-1].isspace():
            out.append((r, 0, v))  # the usual label: long enough to be no placeholder, nothing to strip
            continue
        for i, v in enumerate(row):
            if v is None or v == "":
                continue
            if isinstance(v, str) and (len(v) <= 3 or not v[:1].strip() or not v[-1:].strip()) and _empty(v):
                continue
            out.append((r, i, v))
            break
    return tuple(out)


def _plan(fields, rows, column) -> _Layout:
    """The layout of a sheet: the label/value reading of every row, without the values."""
    cols = _Columns()
    steps: list = []
    fixed: list = []
    for r, li, label in column:
        cells = list(rows[r - 1])
        if isinstance(label, str) and is_comment(label):
            continue
        key, lyear, label_unit = (lookup_label(fields, label) if isinstance(label, str) else (None, None, None))
        if key is not None:
            steps.append(_FieldRow(r, li, li + 1, key, lyear, label_unit, str(label), fields[key], cols))
            continue
        fixed.append((r - 1, tuple(cells)))
        if cols.header(cells, li):
            continue
        if not isinstance(label, str) or head_word(label) in HEADER_WORDS:
            continue
        # the label may be in the key column instead (an edited Chinese label)
        nxt = next(((i, v) for i, v in enumerate(cells) if i > li and not _empty(v)), None)
        k2 = lookup_label(fields, nxt[1]) if nxt and isinstance(nxt[1], str) else (None, None, None)
        if nxt is not None and k2[0] is not None and (cols.key is None or nxt[0] == cols.key):
            key, lyear, label_unit = k2
            steps.append(_FieldRow(r, li, nxt[0] + 1, key, lyear, label_unit, str(nxt[1]), fields[key], cols))
        else:
            steps.append((r, label))
    return _Layout(fields, steps, fixed)


def _layout(fields, rows) -> _Layout:
    column = _label_column(rows)
    memo_key = (id(fields), column)
    layout = _LAYOUTS.get(memo_key)
    if (layout is not None and layout.fields is fields
            and all(i < len(rows) and tuple(rows[i]) == cells for i, cells in layout.fixed)):
        return layout
    layout = _plan(fields, rows, column)
    if len(_LAYOUTS) >= _MAX_LAYOUTS:
        _LAYOUTS.clear()
    _LAYOUTS[memo_key] = layout
    return layout


def read_rows(path, fields, rows, checks: bool = True, sheet_xml=None, evidence: list | None = None) -> Enterprise:
    """Label/value rows (from xlsx or CSV) to an enterprise.

    ``rows[0]`` is row 1; ``sheet_xml`` (xlsx only) tells uncached formulas and
    percentage formats apart from plain cells. When ``evidence`` is a list, True is
    appended to it if a cell heads an evidence column (证明材料 / Evidence).
    """
    path = str(path)
    if not isinstance(rows, list):
        rows = list(rows)
    col = Collector(path, fields)
    layout = _layout(fields, rows)
    keys = _key_memo(fields)
    for step in layout.steps:
        if type(step) is tuple:
            col.unknown(step[1], row=step[0])
            continue
        r = step.r
        cells = rows[r - 1]
        if type(cells) is not list:
            cells = list(cells)
        n = len(cells)
        s = step.start
        key = step.key
        # the key column beside the label
        if step.key_col is None and s < n and isinstance(cells[s], str):
            k = keys.get(cells[s], _MISSING)
            if k is _MISSING:
                k = _field_key(fields, keys, cells[s])
            if k == key:
                s += 1
        # a unit column
        label_unit = step.label_unit
        unit_cell = None
        if step.unit is not None:
            unit_cell = cells[step.unit] if step.unit < n else None
        elif s < n and isinstance(cells[s], str) and _unit_word(cells[s]) in UNIT_CELLS:
            unit_cell = cells[s]
            s += 1
        if isinstance(unit_cell, str) and _unit_word(unit_cell) in MONEY_CELLS:
            label_unit = _unit_word(unit_cell)
        skip = step.skip
        f = step.field
        shown = step.shown
        if step.lyear is not None:
            i = next((i for i in range(s, n) if i not in skip and not _empty(cells[i])), None)
            if i is not None:
                _put_cell(col, sheet_xml, f, key, label_unit, shown, r, i, cells[i], step.lyear)
        elif f.per_year:
            if not step.years:
                if any(i not in skip and not _empty(cells[i]) for i in range(s, n)):
                    col.error(shown, "a per-year row needs a header row naming the years above it", row=r,
                              zh="按年度填报的行，上方需要有注明年度的表头行")
                continue
            if step.misaligned:
                col.error(shown, "the year header row above is not aligned with this row (a year heads the "
                                 "label column); check the header row", row=r,
                          zh="上方的年度表头行与本行没有对齐（标签列上方是年度）；请检查表头行")
                continue
            put_field = col.put_field
            pct = f.unit == "%"
            for y, i in step.years:
                if i < n and i not in skip:
                    v = cells[i]
                    if type(v) is float and not pct:  # a plain figure: nothing for _put_cell to look at
                        put_field(f, key, v, y, label_unit, shown, r)
                    else:
                        _put_cell(col, sheet_xml, f, key, label_unit, shown, r, i, v, y)
        else:
            if not skip and step.value_col is None:
                order: Any = range(s, n)
            else:
                order = [i for i in range(s, n) if i not in skip]
                if step.value_col is not None:
                    order.sort(key=lambda i: i != step.value_col)
            i = None
            for j in order:
                v = cells[j]
                if v is None or v == "" or (type(v) is str and _empty(v)):
                    continue
                i = j
                break
            if i is not None:
                if (type(v) is str and v[0] != "'") or (type(v) is float and f.unit != "%"):
                    col.put_field(f, key, v, None, label_unit, shown, r, True)  # what _put_cell would do
                else:
                    _put_cell(col, sheet_xml, f, key, label_unit, shown, r, i, v, None)
            elif sheet_xml is not None:
                i = next((i for i in order if sheet_xml.uncached(r, i)), None)
                if i is not None:
                    _put_cell(col, sheet_xml, f, key, label_unit, shown, r, i, None, None)
    if evidence is not None:
        from zjtx_cli.inputs.evidence_cells import has_evidence_head

        if has_evidence_head(rows):
            evidence.append(True)
    return col.result(checks)


_UNIT_MEMO: dict = {}
_KEY_MEMO: dict = {}  # id(fields) -> (fields, {text: fields.lookup(text)})
_MISSING = object()


def _key_memo(fields) -> dict:
    """``{text: fields.lookup(text)}`` remembered for this field dictionary (value cells repeat: 是, 否, 制造业)."""
    hit = _KEY_MEMO.get(id(fields))
    if hit is None or hit[0] is not fields:
        if len(_KEY_MEMO) > 16:
            _KEY_MEMO.clear()
        hit = _KEY_MEMO[id(fields)] = (fields, {})
    return hit[1]


def _field_key(fields, memo: dict, text: str):
    if len(memo) > 50000:
        memo.clear()
    out = memo[text] = fields.lookup(text)
    return out


def _unit_word(v: str) -> str:
    """``nfkc(v)``, remembered (a unit column repeats the same few words)."""
    try:
        return _UNIT_MEMO[v]
    except KeyError:
        if len(_UNIT_MEMO) > 10000:
            _UNIT_MEMO.clear()
        out = _UNIT_MEMO[v] = nfkc(v)
        return out


def read_xlsx(path, fields, checks: bool = True, kind: str | None = None, data: bytes | None = None) -> Enterprise:
    """One applicant's workbook (``data``: its bytes, when the caller has read them) to an enterprise."""
    sheet = load_sheet(path, kind, max_rows=MAX_APPLICANT_ROWS, data=data)
    rows = sheet.rows
    if len(rows) > MAX_APPLICANT_ROWS:  # a CPU budget for the label/value reading below
        n = sum(1 for row in rows if any(v is not None and v != "" for v in row))
        if n > MAX_APPLICANT_ROWS:
            raise too_many_rows(path, n)
    from zjtx_cli.inputs.roster import find_header

    hr, _header, _consumed = find_header(iter(rows), fields)
    if hr is not None:
        base = inert(os.path.basename(path), 80)
        raise InputError([Problem(path, None, f"looks like a roster (one company per row, headers in row {hr}), "
                                              f"not one applicant's file: use 'zjtx batch {base}'",
                                  reason_zh=f"看起来是企业名单（每行一家企业，表头在第{hr}行），不是单个企业的申报文件："
                                            f"请用 'zjtx batch {base}'")])
    sheet_xml = SheetXml(str(path), sheet.index, sheet.data, sheet.parts) if sheet.kind == "xlsx" else None
    evidence: list = []
    try:
        e = read_rows(path, fields, rows, checks=checks, sheet_xml=sheet_xml, evidence=evidence)
    except InputError as exc:
        exc.warnings = sheet_warnings(  # type: ignore[attr-defined]  # not declared by InputError (inputs/model.py)
            path, sheet) + list(getattr(exc, "warnings", ()))
        raise
    e.warnings[:0] = sheet_warnings(path, sheet)
    if evidence:  # a 证明材料 / Evidence column beside the values (issue 13)
        from zjtx_cli.inputs.evidence_cells import evidence_from_rows

        ev = evidence_from_rows(rows, path, fields)
        e.evidence = dict(ev.items)
        e.warnings.extend(ev.problems)
    return e

