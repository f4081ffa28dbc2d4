"""Evidence named in the input, parsed into one normalised mapping.

Three forms (issue 13), each turned into ``{(field_key, year | None): text}``:

* JSON: a top-level ``"evidence"`` object keyed by field (key, Chinese or
  English label, alias) or ``field.YEAR``: ``{"own_brand": "商标注册证 第12345678号",
  "main_business_revenue.2025": "2025年度审计报告"}``. A per-year field keyed
  without a year names evidence for all its years. Keys starting with ``_``
  are comments, as in the rest of the file.
* Roster columns headed ``<field label or key>证明材料`` or ``<key> evidence``
  (a year may stand in the field part as in any roster header:
  ``主营业务收入2025证明材料``, ``main_business_revenue.2025 evidence``).
* ``--evidence KEY=TEXT`` (``KEY`` as in JSON).

Text is stripped of control characters (C0/C1, DEL, line and paragraph
separators, bidirectional overrides: nothing from a file reaches a terminal as
a control sequence), whitespace runs become one space, and it is cut at
:data:`MAX_CHARS`. Empty or whitespace-only evidence is no evidence: in JSON
and rosters it is left out; ``--evidence KEY=`` (nothing after ``=``) maps to
``None``, which says "no evidence" and overrides what the file named (a
what-if; ``KEY=`` without a year clears the field's yearly entries too, see
:func:`merge`). :func:`evidence_for` reads the mapping: the year's own entry if there
is one, else the field's all-years entry.

Unknown keys give one :class:`~zjtx_cli.inputs.model.Problem` naming the key,
with the field dictionary's "did you mean" hint (``FieldDictionary.suggest``);
JSON and roster problems are warnings (the key is ignored, as unknown value
labels are), ``--evidence`` problems are errors (as ``--set``'s are).
Nothing here reads a file, prints, or touches the engine.
"""

from __future__ import annotations

import re

from zjtx_cli.inputs.model import Problem

MAX_CHARS = 500
# C0 and C1 controls and DEL (Unicode category Cc), line and paragraph separators, and the
# bidirectional marks, embeddings, overrides and isolates that reorder what a terminal shows
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")
_SUFFIX_ZH = "证明材料"
_SUFFIX_EN = re.compile(r"[\s._\-]*evidence$", re.I)


class Evidence:
    """What one source names: ``items`` {(key, year|None): text or None}, and its ``problems``."""

    __slots__ = ("items", "problems")

    def __init__(self, items: dict | None = None, problems: list | None = None):
        self.items: dict = items if items is not None else {}
        self.problems: list[Problem] = problems if problems is not None else []

    def __repr__(self):  # pragma: no cover - debugging aid
        return f"Evidence({self.items!r}, {len(self.problems)} problem(s))"


# ------------------------------------------------------------------------------------ text
def clean_text(raw) -> str | None:
    """Evidence text made safe and tidy; None when nothing is left (no evidence).

    Raises ``TypeError`` for a value that is not text or a plain number (a
    certificate number typed as a number is text: ``12345678`` -> ``"12345678"``).
    """
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise TypeError(type(raw).__name__)
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise TypeError("float")
        raw = int(raw) if raw == int(raw) else raw
    text = str(raw)
    if not text.isprintable():  # the usual case skips this: printable text has no controls
        text = _CONTROLS.sub(" ", text)  # a control between two words still separates them
    text = _SPACES.sub(" ", text).strip()
    if not text:
        return None
    if len(text) > MAX_CHARS:
        text = text[: MAX_CHARS - 1] + "…"
    return text


def _shown(label) -> str:
    """A key from the input, safe inside a one-line message."""
    text = clean_text(str(label)) or "''"
    return text if len(text) <= 80 else text[:79] + "…"


# ------------------------------------------------------------------------------------ keys
def _unknown(source, label, fields, severity, row=None, what="key") -> Problem:
    """One line naming the unknown key, with the field dictionary's 'did you mean' hint."""
    hint = fields.suggest(str(label))
    did = (f" (did you mean {hint}?)" if hint else "", f"（是否为“{hint}”？）" if hint else "")
    if what == "column":
        reason, zh = "unknown field in an evidence column, ignored", "证明材料列的字段未知，已忽略"
    elif what == "option":
        reason, zh = "unknown field", "未知字段"
    else:
        reason, zh = "evidence: unknown field, ignored", "证明材料：未知字段，已忽略"
    return Problem(str(source), _shown(label), reason + did[0], severity=severity, row=row, reason_zh=zh + did[1])


def parse_key(raw_key: str, fields):
    """``(key, year)`` for an evidence key, ``(None, None)`` when unknown.

    Accepts what a JSON value key accepts (key, label, alias, year in the
    label: ``2025年主营业务收入``) and ``field.YEAR``. ``year`` is None for a
    field-wide entry. Whether the field takes a year is checked by the caller.
    """
    from zjtx_cli.inputs.reader import _lookup_label, _year_of

    text = raw_key.strip()
    key = fields.lookup(text)
    if key is not None:
        return key, None
    if "." in text:
        name, ys = text.rsplit(".", 1)
        year = _year_of(ys)
        key = fields.lookup(name.strip())
        if key is not None and year is not None:
            return key, year
    key, year, _unit = _lookup_label(fields, text)
    return (key, year) if key is not None else (None, None)


def _year_problem(source, label, key, year, fields, severity, row=None) -> Problem | None:
    f = fields[key]
    if year is not None and not f.per_year:
        return Problem(str(source), _shown(label), f"evidence: {key} is not given per year: name it without a year",
                       severity=severity, row=row, reason_zh=f"证明材料：{key} 不按年度填报，请不要写年度")
    return None


def _put(ev: Evidence, source, label, target, text, severity, row=None):
    old = ev.items.get(target, ...)
    if old is not ... and old != text:
        ev.problems.append(Problem(str(source), _shown(label),
                                   "evidence given twice with different texts; the first is kept",
                                   severity=severity, row=row,
                                   reason_zh="证明材料填写了两次且内容不同，保留第一次"))
        return
    ev.items[target] = text


# ------------------------------------------------------------------------------------ JSON
def from_json(obj, fields, source="") -> Evidence:
    """The value of a JSON file's top-level ``"evidence"`` key."""
    ev = Evidence()
    if obj is None:
        return ev
    if not isinstance(obj, dict):
        ev.problems.append(Problem(str(source), "evidence", "expected an object keyed by field",
                                   reason_zh="应为以字段为键的对象"))
        return ev
    for raw_key, raw in obj.items():
        if not isinstance(raw_key, str) or raw_key.startswith("_"):
            continue
        key, year = parse_key(raw_key, fields)
        if key is None:
            ev.problems.append(_unknown(source, raw_key, fields, "warning"))
            continue
        p = _year_problem(source, raw_key, key, year, fields, "error")
        if p:
            ev.problems.append(p)
            continue
        try:
            text = clean_text(raw)
        except TypeError:
            ev.problems.append(Problem(str(source), _shown(raw_key), "evidence must be text",
                                       reason_zh="证明材料应为文字"))
            continue
        if text is None:
            continue  # empty evidence is no evidence
        _put(ev, source, raw_key, (key, year), text, "error")
    return ev


# ---------------------------------------------------------------------------------- roster
def header_target(cell, fields):
    """For a roster header: None if it is not an evidence column, else ``(key, year)``.

    ``key`` is None when the header has the evidence suffix but names no known
    field (the caller reports it with :func:`roster_columns`).
    """
    if not isinstance(cell, str):
        return None
    from zjtx_cli.inputs.values import nfkc

    text = nfkc(cell)
    if text.endswith(_SUFFIX_ZH):
        base = text[: -len(_SUFFIX_ZH)]
    else:
        m = _SUFFIX_EN.search(text)
        if not m:
            return None
        base = text[: m.start()]
    base = base.strip(" \t._-:：")
    if not base:
        return None  # a bare 证明材料 / Evidence column belongs to a label/value sheet, not a roster
    from zjtx_cli.inputs.roster import parse_header_cell

    hit = parse_header_cell(base, fields)
    if hit is None:
        key, year = parse_key(base, fields)
        return (key, year) if key is not None else (None, None)
    return hit[0], hit[1]


def roster_columns(header, fields, source="", header_row=None):
    """Evidence columns of a roster header row: ``({column index: (key, year)}, problems)``."""
    cols, problems = {}, []
    for i, cell in enumerate(header):
        t = header_target(cell, fields)
        if t is None:
            continue
        key, year = t
        if key is None:
            problems.append(_unknown(source, cell, fields, "warning", row=header_row, what="column"))
            continue
        p = _year_problem(source, cell, key, year, fields, "warning", row=header_row)
        if p:
            p.reason += "; column ignored"
            p.reason_zh += "；该列已忽略"
            problems.append(p)
            continue
        cols[i] = (key, year)
    return cols, problems


def from_roster_row(columns: dict, cells, source="", row=None) -> Evidence:
    """One roster row's evidence, given :func:`roster_columns`' mapping."""
    ev = Evidence()
    for i, target in columns.items():
        raw = cells[i] if i < len(cells) else None
        try:
            text = clean_text(raw)
        except TypeError:
            ev.problems.append(Problem(str(source), f"{target[0]}{'.' + str(target[1]) if target[1] else ''}",
                                       "evidence must be text", severity="error", row=row,
                                       reason_zh="证明材料应为文字"))
            continue
        if text is not None:
            _put(ev, source, target[0], target, text, "error", row=row)
    return ev


# ------------------------------------------------------------------------------------- CLI
def from_cli(items, fields) -> Evidence:
    """``--evidence KEY=TEXT`` options; ``KEY=`` says "no evidence" (maps to None)."""
    ev = Evidence()
    for s in items or ():
        if "=" not in s:
            ev.problems.append(Problem("--evidence", _shown(s), "expected KEY=TEXT or KEY.YEAR=TEXT",
                                       reason_zh="应写作 KEY=TEXT 或 KEY.YEAR=TEXT"))
            continue
        left, raw = s.split("=", 1)
        key, year = parse_key(left, fields)
        if key is None:
            ev.problems.append(_unknown("--evidence", left, fields, "error", what="option"))
            continue
        p = _year_problem("--evidence", left, key, year, fields, "error")
        if p:
            ev.problems.append(p)
            continue
        ev.items[(key, year)] = clean_text(raw)  # the last one given wins, as with --set
    return ev


# ---------------------------------------------------------------------------------- reading
def merge(*mappings: dict) -> dict:
    """Later mappings override earlier ones (file, then roster, then ``--evidence``).

    A field-wide "no evidence" (``(key, None): None``, from ``--evidence KEY=``)
    also drops that field's per-year entries from the earlier mappings.
    """
    out: dict = {}
    for m in mappings:
        for (key, year), text in m.items():
            if year is None and text is None:
                for k in [k for k in out if k[0] == key]:
                    del out[k]
            out[(key, year)] = text
    return out


def evidence_for(items: dict, key: str, year: int | None = None) -> str | None:
    """The evidence named for a field (and year): the year's own entry, else the field's all-years one.

    ``None`` means none was named, or ``KEY=`` said there is none.
    """
    if year is not None and (key, year) in items:
        return items[(key, year)]
    return items.get((key, None))
