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

import functools
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
    col.put(key, v, year, label_unit, shown, row=r)


def read_rows(path, fields, rows, checks: bool = True, sheet_xml=None) -> Enterprise:
    """Label/value rows (from xlsx or CSV) to an enterprise.

    ``rows[0]`` is row 1; ``sheet_xml`` (xlsx only) tells uncached formulas and
    percentage formats apart from plain cells.
    """
    path = str(path)
    col = Collector(path, fields)
    cols = _Columns()
    for r, row in enumerate(rows, start=1):
        cells = list(row)
        li = next((i for i, v in enumerate(cells) if not _empty(v)), None)
        if li is None:
            continue
        label = cells[li]
        if isinstance(label, str) and is_comment(label):
            continue
        key, lyear, label_unit = (lookup_label(fields, label) if isinstance(label, str) else (None, None, None))
        if key is None and cols.header(cells, li):
            continue
        rest = [(i, v) for i, v in enumerate(cells) if i > li]
        if key is None:
            if not isinstance(label, str) or head_word(label) in HEADER_WORDS:
                continue
            # the label may be in the key column instead (an edited Chinese label)
            nxt = next(((i, v) for i, v in rest if not _empty(v)), None)
            k2 = lookup_label(fields, nxt[1]) if nxt and isinstance(nxt[1], str) else (None, None, None)
            if nxt is not None and k2[0] is not None and (cols.key is None or nxt[0] == cols.key):
                key, lyear, label_unit = k2
                label = nxt[1]
                rest = [(i, v) for i, v in rest if i > nxt[0]]
            else:
                col.unknown(label, row=r)
                continue
        shown = str(label)
        # the key column beside the label
        if cols.key is None and rest and isinstance(rest[0][1], str) and fields.lookup(rest[0][1]) == key:
            rest = rest[1:]
        # a unit column
        unit_cell = None
        if cols.unit is not None:
            unit_cell = cells[cols.unit] if cols.unit < len(cells) else None
        elif rest and isinstance(rest[0][1], str) and nfkc(rest[0][1]) in UNIT_CELLS:
            unit_cell = rest[0][1]
            rest = rest[1:]
        if isinstance(unit_cell, str) and nfkc(unit_cell) in MONEY_CELLS:
            label_unit = nfkc(unit_cell)
        rest = [(i, v) for i, v in rest if i not in cols.skip]
        f = fields[key]
        # this row's label, field and unit are bound now, not looked up when put() runs
        put = functools.partial(_put_cell, col, sheet_xml, f, key, label_unit, shown, r)

        if lyear is not None:
            i, v = next(((i, v) for i, v in rest if not _empty(v)), (None, None))
            if i is not None:
                put(i, v, lyear)
        elif f.per_year:
            if not cols.years:
                if any(not _empty(v) for _i, v in rest):
                    col.error(shown, "a per-year row needs a header row naming the years above it", row=r,
                              zh="按年度填报的行，上方需要有注明年度的表头行")
                continue
            if any(i <= li for i in cols.years.values()):
                col.error(shown, "the year header row above is not aligned with this row (a year heads the "
                                 "label column); check the header row", row=r,
                          zh="上方的年度表头行与本行没有对齐（标签列上方是年度）；请检查表头行")
                continue
            for y, i in cols.years.items():
                if i < len(cells) and i not in cols.skip:
                    put(i, cells[i], y)
        else:
            order = rest
            if cols.value is not None:
                order = sorted(rest, key=lambda iv: iv[0] != cols.value)
            i, v = next(((i, v) for i, v in order if not _empty(v)), (None, None))
            if i is None and sheet_xml is not None:
                i = next((i for i, _v in order if sheet_xml.uncached(r, i)), None)
            if i is not None:
                put(i, v, None)
    return col.result(checks)


def read_xlsx(path, fields, checks: bool = True, kind: str | None = None) -> Enterprise:
    sheet = load_sheet(path, kind, max_rows=MAX_APPLICANT_ROWS)
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
    sheet_xml = SheetXml(str(path), sheet.index) if sheet.kind == "xlsx" else None
    try:
        e = read_rows(path, fields, rows, checks=checks, sheet_xml=sheet_xml)
    except InputError as exc:
        exc.warnings = sheet_warnings(  # type: ignore[attr-defined]  # not declared by InputError (inputs/model.py)
            path, sheet) + list(getattr(exc, "warnings", ()))
        raise
    e.warnings[:0] = sheet_warnings(path, sheet)
    from zjtx_cli.inputs.evidence_cells import evidence_from_rows

    ev = evidence_from_rows(rows, path, fields)  # a 证明材料 / Evidence column beside the values (issue 13)
    e.evidence = dict(ev.items)
    e.warnings.extend(ev.problems)
    return e

