"""Read one enterprise from a ``.json`` or ``.xlsx`` file.

JSON: an object keyed by field key (a Chinese label is accepted too); per-year
fields are objects keyed by year, ``{"2024": 1800, "2025": 2000}``.

xlsx (read with python-calamine, never openpyxl): rows of label / value. The
label is the Chinese label, the English label, the key or an alias, optionally
with a unit in brackets (``营业收入（元）``). A header row naming years
(``2023 2024 2025``, ``2024年``) says which column holds which year for the
per-year rows below it; a row of a single-valued field takes the first value
to the right of its label. A column of units (万元 / 元 / 亿元) is honoured.

Problems are collected, not raised one at a time: a file with three mistakes
reports all three.
"""

from __future__ import annotations

import json
import os
import re

from .model import Enterprise, InputError, Problem
from .values import (BadValue, nfkc, parse_bool, parse_choice, parse_date, parse_integer, parse_number,
                     parse_text, split_label)

_YEAR_RE = re.compile(r"^\s*((?:19|20)\d{2})\s*(?:年|年度|FY)?\s*$")
_UNIT_CELLS = {"万元", "元", "亿元", "千元", "百万元", "%", "人", "项", "年", "个", "件"}
# words that head a label column and are not fields
_HEADER_WORDS = {"指标", "项目", "字段", "名称", "指标名称", "field", "indicator", "item", "key", "字段键", "单位",
                 "unit", "值", "数值", "value", "说明", "hint", "填写说明", "备注"}


def parse_value(field, raw, label_unit=None):
    """One raw cell to the field's type (raises BadValue)."""
    t = field.type
    if t == "number":
        return parse_number(raw, field.unit, label_unit)
    if t == "integer":
        return parse_integer(raw, field.unit, label_unit)
    if t == "bool":
        return parse_bool(raw)
    if t == "date":
        return parse_date(raw)
    if t == "choice":
        return parse_choice(raw, field.choices)
    return parse_text(raw)


def _empty(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _year_of(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)) and v == int(v) and 1900 <= int(v) <= 2100:
        return int(v)
    if isinstance(v, str):
        m = _YEAR_RE.match(nfkc(v))
        if m:
            return int(m.group(1))
    return None


class _Collector:
    def __init__(self, path, fields):
        self.path = str(path)
        self.fields = fields
        self.values: dict = {}
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def put(self, key, raw, year=None, label_unit=None, shown=None, row=None):
        f = self.fields[key]
        label = shown or f.zh
        if _empty(raw):
            return
        try:
            v = parse_value(f, raw, label_unit)
        except BadValue as exc:
            self.errors.append(Problem(self.path, label, str(exc), raw, year, row=row))
            return
        if f.per_year:
            if year is None:
                self.errors.append(Problem(self.path, label, "a per-year figure needs a year", raw, row=row))
                return
            slot = self.values.setdefault(key, {})
            if year in slot and slot[year] != v:
                self.errors.append(Problem(self.path, label, f"given twice with different values "
                                           f"({slot[year]} and {v})", raw, year, row=row))
                return
            slot[year] = v
        else:
            if key in self.values and self.values[key] != v:
                self.errors.append(Problem(self.path, label, f"given twice with different values "
                                           f"({self.values[key]} and {v})", raw, row=row))
                return
            self.values[key] = v

    def unknown(self, label, row=None):
        hint = self.fields.suggest(label)
        reason = "unknown label, ignored" + (f" (did you mean {hint}?)" if hint else "")
        self.warnings.append(Problem(self.path, str(label), reason, severity="warning", row=row))

    def result(self) -> Enterprise:
        if self.errors:
            raise InputError(self.errors)
        return Enterprise(self.values, self.path, self.warnings)


# --------------------------------------------------------------------------------- JSON
def read_json(path, fields, data=None) -> Enterprise:
    col = _Collector(path, fields)
    if data is None:
        try:
            from .safety import check_json_file

            check_json_file(path)
        except ImportError:  # pragma: no cover
            pass
        except Exception as exc:  # UnsafeInput
            raise InputError([Problem(path, None, str(exc))]) from None
        try:
            with open(path, "rb") as fh:
                raw = fh.read()
            data = json.loads(raw.decode("utf-8-sig"))
        except OSError as exc:
            raise InputError([Problem(path, None, f"cannot read file: {exc.strerror or exc}")]) from None
        except UnicodeDecodeError:
            raise InputError([Problem(path, None, "not UTF-8 text")]) from None
        except json.JSONDecodeError as exc:
            raise InputError([Problem(path, None, f"not valid JSON: {exc.msg} at line {exc.lineno} "
                                                  f"column {exc.colno}")]) from None
        except RecursionError:
            raise InputError([Problem(path, None, "not valid JSON: nested too deeply")]) from None
    if not isinstance(data, dict):
        raise InputError([Problem(path, None, "expected a JSON object of field: value pairs")])
    for label, raw in data.items():
        if label.startswith("_") or label in ("$schema", "format", "notes"):
            continue
        key = fields.lookup(label)
        if key is None:
            col.unknown(label)
            continue
        f = fields[key]
        name, label_unit = split_label(label)
        if f.per_year:
            if not isinstance(raw, dict):
                if _empty(raw):
                    continue
                col.errors.append(Problem(path, label, 'a per-year figure is an object keyed by year, '
                                                       'e.g. {"2024": 1800}', raw))
                continue
            for ys, v in raw.items():
                y = _year_of(ys)
                if y is None:
                    col.errors.append(Problem(path, label, "not a year", ys))
                    continue
                col.put(key, v, y, label_unit, label)
        else:
            if isinstance(raw, (dict, list)):
                col.errors.append(Problem(path, label, "expected a single value", json.dumps(raw, ensure_ascii=False)[:40]))
                continue
            col.put(key, raw, None, label_unit, label)
    return col.result()


# --------------------------------------------------------------------------------- xlsx
def _rows_xlsx(path):
    try:
        from .safety import check_xlsx_file

        check_xlsx_file(path)
    except ImportError:  # pragma: no cover
        pass
    except Exception as exc:
        raise InputError([Problem(path, None, str(exc))]) from None
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
        names = wb.sheet_names
        if not names:
            raise InputError([Problem(path, None, "the workbook has no sheets")])
        sheet = wb.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except InputError:
        raise
    except Exception as exc:  # calamine raises several error types for corrupt files
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError([Problem(path, None, f"not a readable xlsx workbook ({msg[:120]})")]) from None
    return rows


def read_rows(path, fields, rows) -> Enterprise:
    """Label/value rows (from xlsx or CSV) to an enterprise."""
    col = _Collector(path, fields)
    year_cols: dict[int, int] = {}
    for r, row in enumerate(rows, start=1):
        cells = list(row)
        # first non-empty cell is the label
        li = next((i for i, v in enumerate(cells) if not _empty(v)), None)
        if li is None:
            continue
        label = cells[li]
        key = fields.lookup(str(label)) if isinstance(label, str) else None
        rest = list(enumerate(cells))[li + 1:]
        if key is None:
            # a year header row?
            ys = {i: _year_of(v) for i, v in rest if _year_of(v) is not None}
            if ys:
                year_cols = {y: i for i, y in ys.items()}
                continue
            if not isinstance(label, str) or nfkc(label).lower() in _HEADER_WORDS:
                continue
            # the label may be in the second column (key column) instead
            if len(rest) and isinstance(rest[0][1], str) and fields.lookup(rest[0][1]):
                key = fields.lookup(rest[0][1])
                rest = rest[1:]
            else:
                col.unknown(label, row=r)
                continue
        elif rest and isinstance(rest[0][1], str) and fields.lookup(rest[0][1]) == key:
            rest = rest[1:]  # the key column beside the Chinese label
        f = fields[key]
        _name, label_unit = split_label(str(label))
        if rest and isinstance(rest[0][1], str) and nfkc(rest[0][1]) in _UNIT_CELLS:
            label_unit = nfkc(rest[0][1]) if nfkc(rest[0][1]) in ("元", "亿元", "千元", "百万元", "万元") else label_unit
            rest = rest[1:]
        shown = str(label)
        if f.per_year:
            if not year_cols:
                col.errors.append(Problem(path, shown, "a per-year row needs a header row naming the years above it",
                                          row=r))
                continue
            for y, i in year_cols.items():
                if i < len(cells) and i > li:
                    col.put(key, cells[i], y, label_unit, shown, row=r)
        else:
            v = next((v for _i, v in rest if not _empty(v)), None)
            col.put(key, v, None, label_unit, shown, row=r)
    return col.result()


def read_xlsx(path, fields) -> Enterprise:
    return read_rows(path, fields, _rows_xlsx(path))


def read_enterprise(path, fields) -> Enterprise:
    """Read a ``.json`` or ``.xlsx`` file; raise InputError listing every problem."""
    p = str(path)
    if not os.path.exists(p):
        raise InputError([Problem(p, None, "no such file")])
    if os.path.isdir(p):
        raise InputError([Problem(p, None, "is a folder, not a file (use 'zjtx batch' for folders)")])
    ext = os.path.splitext(p)[1].lower()
    if ext == ".json":
        e = read_json(p, fields)
    elif ext in (".xlsx", ".xlsm"):
        e = read_xlsx(p, fields)
    else:
        raise InputError([Problem(p, None, f"unsupported file type {ext or '(none)'!r}: use .xlsx or .json")])
    return e
