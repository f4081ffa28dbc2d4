"""Values read from one input file, collected with every problem: the applicant readers' core.

:func:`parse_value` turns one raw cell into its field's type; :class:`Collector` keeps
what a file gives (a per-year field as ``{year: value}``), reports a value given twice
with different figures, collects unknown labels as warnings (the first few with a "did
you mean"), and :meth:`Collector.result` runs the data checks of ``checks.py``.
Problems are collected, not raised one at a time: a file with three mistakes reports all three.
"""

from __future__ import annotations

from zjtx_cli.inputs.model import Enterprise, InputError, Problem
from zjtx_cli.inputs.text import inert, is_blank
from zjtx_cli.inputs.values import (
    BadValue,
    parse_bool,
    parse_choice,
    parse_date,
    parse_integer,
    parse_number,
    parse_text,
)

MAX_SUGGESTIONS = 20       # unknown labels that get a "did you mean"
MAX_UNKNOWN_LISTED = 100   # unknown labels listed one by one; the rest are counted


_PARSED: dict = {}  # (id(field), text) -> (field, value): the same few words (是, 否, 制造业) on every file


def parse_value(field, raw, label_unit=None):
    """One raw cell to the field's type (raises BadValue)."""
    t = field.type
    if t == "number":
        return parse_number(raw, field.unit, label_unit)
    if t == "integer":
        return parse_integer(raw, field.unit, label_unit)
    if type(raw) is str and t in ("bool", "choice", "date"):  # a text read without units: remembered
        memo_key = (id(field), raw)
        hit = _PARSED.get(memo_key)
        if hit is not None and hit[0] is field:
            return hit[1]
        v = _parse_other(field, raw)
        if len(_PARSED) > 20000:
            _PARSED.clear()
        _PARSED[memo_key] = (field, v)
        return v
    return _parse_other(field, raw)


def _parse_other(field, raw):
    t = field.type
    if t == "bool":
        return parse_bool(raw)
    if t == "date":
        return parse_date(raw)
    if t == "choice":
        return parse_choice(raw, field.choices)
    return parse_text(raw)



def oneline(label):
    """A label from the file, safe inside a one-line message."""
    if label is None:
        return None
    return inert(label, 80)



class Collector:
    def __init__(self, path, fields):
        self.path = str(path)
        self.fields = fields
        self.values: dict = {}
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.n_unknown = 0

    def error(self, field, reason, value=None, year=None, row=None, zh=None):
        self.errors.append(Problem(self.path, oneline(field), reason, value, year, row=row, reason_zh=zh))

    def put(self, key, raw, year=None, label_unit=None, shown=None, row=None):
        self.put_field(self.fields[key], key, raw, year, label_unit, shown, row)

    def put_field(self, f, key, raw, year=None, label_unit=None, shown=None, row=None, filled=False):
        """:meth:`put` with the field ``f`` (``fields[key]``) looked up already; ``filled``: the
        caller has found ``raw`` not blank."""
        label = shown or f.zh
        if not filled and type(raw) is not float and is_blank(raw):
            return
        try:
            v = parse_value(f, raw, label_unit)
        except BadValue as exc:
            self.error(label, str(exc), raw, year, row=row, zh=exc.zh)
            return
        except (ArithmeticError, ValueError, TypeError, OverflowError) as exc:  # never a traceback
            self.error(label, f"cannot read this value ({type(exc).__name__})", raw, year, row=row,
                       zh=f"无法读取该值（{type(exc).__name__}）")
            return
        if f.per_year:
            if year is None:
                self.error(label, "a per-year figure needs a year", raw, row=row, zh="按年度填报的指标需要注明年度")
                return
            slot = self.values.setdefault(key, {})
            if year in slot and slot[year] != v:
                a, b = oneline(slot[year]), oneline(v)
                self.error(label, f"given twice with different values ({a} and {b})", raw, year, row=row,
                           zh=f"填写了两次且数值不同（{a} 和 {b}）")
                return
            slot[year] = v
        else:
            if year is not None:
                self.error(label, "is not given per year: give a single value", raw, year, row=row,
                           zh="不按年度填报：请只填一个值")
                return
            if key in self.values and self.values[key] != v:
                a, b = oneline(self.values[key]), oneline(v)
                self.error(label, f"given twice with different values ({a} and {b})", raw, row=row,
                           zh=f"填写了两次且数值不同（{a} 和 {b}）")
                return
            self.values[key] = v

    def unknown(self, label, row=None):
        # "did you mean" costs a fuzzy match over every label: only for the first few; and a
        # file with thousands of unknown labels gets one summary line instead of thousands
        self.n_unknown += 1
        if self.n_unknown > MAX_UNKNOWN_LISTED:
            return
        hint = self.fields.suggest(label) if self.n_unknown <= MAX_SUGGESTIONS and len(label) <= 100 else None
        reason = "unknown label, ignored" + (f" (did you mean {hint}?)" if hint else "")
        zh = "未知标签，已忽略" + (f"（是否为“{hint}”？）" if hint else "")
        self.warnings.append(Problem(self.path, oneline(label), reason, severity="warning", row=row,
                                     reason_zh=zh))

    def result(self, checks: bool = False) -> Enterprise:
        if self.n_unknown > MAX_UNKNOWN_LISTED:
            more = self.n_unknown - MAX_UNKNOWN_LISTED
            self.warnings.append(Problem(self.path, None, f"{more} more unknown labels ignored", severity="warning",
                                         reason_zh=f"另有 {more} 个未知标签，已忽略"))
        e = Enterprise(self.values, self.path, self.warnings)
        errors = list(self.errors)
        if checks:
            from zjtx_cli.inputs.checks import check_enterprise

            more_errors, more_warnings = check_enterprise(e, self.fields)
            errors.extend(more_errors)
            e.warnings.extend(more_warnings)
        if errors:
            err = InputError(errors)
            # reported too: the file is listed in full (InputError in inputs/model.py does not declare it)
            err.warnings = e.warnings  # type: ignore[attr-defined]
            raise err
        return e

