"""Evidence named in an input file (issue 13): parsed where the file's cells are read.

What each figure rests on, as ``{(field_key, year | None): text}`` (:class:`Evidence`):

* JSON: a top-level ``"evidence"`` object keyed by field (key, Chinese or
  English label, alias) or ``field.YEAR``: ``{"own_brand": "商标注册证 第12345678号",
  "main_business_revenue.2025": "2025年度审计报告"}``. A per-year field keyed
  without a year names evidence for all its years. Keys starting with ``_``
  are comments, as in the rest of the file (:func:`from_json`, :func:`evidence_from_json`).
* A label/value sheet with a column headed 证明材料 / Evidence beside the values
  (:func:`evidence_from_rows`).
* Roster columns headed ``<field label or key>证明材料`` or ``<key> evidence``
  (a year may stand in the field part as in any roster header:
  ``主营业务收入2025证明材料``, ``main_business_revenue.2025 evidence``):
  :func:`roster_columns`, :func:`from_roster_row`.

Text is stripped of control characters (C0/C1, DEL, line and paragraph
separators, bidirectional overrides: nothing from a file reaches a terminal as
a control sequence), whitespace runs become one space, and it is cut at
:data:`MAX_CHARS`. Empty or whitespace-only evidence is no evidence.

Unknown keys give one :class:`~zjtx_cli.inputs.model.Problem` naming the key,
with the field dictionary's "did you mean" hint; JSON and roster problems are
warnings (the key is ignored, as unknown value labels are).

This module sits with the readers (inputs below evidence): ``zjtx_cli.evidence``
(catalogue, checklist, ``--evidence`` options, merging) builds on it and
re-exports its names from ``zjtx_cli.evidence.parse``.
"""

from __future__ import annotations

import re

from zjtx_cli.inputs.labels import head_word, lookup_label, parse_header_cell, year_of
from zjtx_cli.inputs.model import Problem
from zjtx_cli.inputs.values import nfkc

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


def shown(label) -> str:
    """A key from the input, safe inside a one-line message."""
    text = clean_text(str(label)) or "''"
    return text if len(text) <= 80 else text[:79] + "…"


# ------------------------------------------------------------------------------------ keys
def unknown_problem(source, label, fields, severity, row=None, what="key") -> Problem:
    """One line naming the unknown key, with the field dictionary's 'did you mean' hint."""
    hint = fields.suggest(str(label))
    did = (f" (did you mean {hint}?)" if hint else "", f"（是否为“{hint}”？）" if hint else "")
    if what == "column":
        reason, zh = "unknown field in an evidence column, ignored", "证明材料列的字段未知，已忽略"
    elif what == "option":
        reason, zh = "unknown field", "未知字段"
    else:
        reason, zh = "evidence: unknown field, ignored", "证明材料：未知字段，已忽略"
    return Problem(str(source), shown(label), reason + did[0], severity=severity, row=row, reason_zh=zh + did[1])


def parse_key(raw_key: str, fields):
    """``(key, year)`` for an evidence key, ``(None, None)`` when unknown.

    Accepts what a JSON value key accepts (key, label, alias, year in the
    label: ``2025年主营业务收入``) and ``field.YEAR``. ``year`` is None for a
    field-wide entry. Whether the field takes a year is checked by the caller.
    """
    text = raw_key.strip()
    key = fields.lookup(text)
    if key is not None:
        return key, None
    if "." in text:
        name, ys = text.rsplit(".", 1)
        year = year_of(ys)
        key = fields.lookup(name.strip())
        if key is not None and year is not None:
            return key, year
    key, year, _unit = lookup_label(fields, text)
    return (key, year) if key is not None else (None, None)


def year_problem(source, label, key, year, fields, severity, row=None) -> Problem | None:
    f = fields[key]
    if year is not None and not f.per_year:
        return Problem(str(source), shown(label), f"evidence: {key} is not given per year: name it without a year",
                       severity=severity, row=row, reason_zh=f"证明材料：{key} 不按年度填报，请不要写年度")
    return None


def put(ev: Evidence, source, label, target, text, severity, row=None):
    old = ev.items.get(target, ...)
    if old is not ... and old != text:
        ev.problems.append(Problem(str(source), shown(label),
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
            ev.problems.append(unknown_problem(source, raw_key, fields, "warning"))
            continue
        p = year_problem(source, raw_key, key, year, fields, "error")
        if p:
            ev.problems.append(p)
            continue
        try:
            text = clean_text(raw)
        except TypeError:
            ev.problems.append(Problem(str(source), shown(raw_key), "evidence must be text",
                                       reason_zh="证明材料应为文字"))
            continue
        if text is None:
            continue  # empty evidence is no evidence
        put(ev, source, raw_key, (key, year), text, "error")
    return ev


# ---------------------------------------------------------------------------------- roster
def header_target(cell, fields):
    """For a roster header: None if it is not an evidence column, else ``(key, year)``.

    ``key`` is None when the header has the evidence suffix but names no known
    field (the caller reports it with :func:`roster_columns`).
    """
    if not isinstance(cell, str):
        return None
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
            problems.append(unknown_problem(source, cell, fields, "warning", row=header_row, what="column"))
            continue
        p = year_problem(source, cell, key, year, fields, "warning", row=header_row)
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
            put(ev, source, target[0], target, text, "error", row=row)
    return ev


# ------------------------------------------------------------------------- label/value sheets
# headings of a label/value sheet's evidence column (first word, normalised as the reader does)
EVIDENCE_HEADS = frozenset({"证明材料", "evidence", "佐证材料"})


def evidence_from_json(data, path, fields) -> Evidence:
    """The evidence named by a parsed JSON file (``data``, its top-level object)."""
    if not isinstance(data, dict):
        return Evidence()
    return from_json(data.get("evidence"), fields, source=str(path))


_IS_HEAD: dict = {}  # text -> is it an evidence column heading (the same few texts come back file after file)


def is_evidence_head(v) -> bool:
    """Does cell ``v`` head an evidence column of a label/value sheet (证明材料 / Evidence)?"""
    if not isinstance(v, str):
        return False
    hit = _IS_HEAD.get(v)
    if hit is None:
        if len(_IS_HEAD) > 50000:
            _IS_HEAD.clear()
            _NOT_HEAD.clear()
        hit = _IS_HEAD[v] = head_word(v) in EVIDENCE_HEADS
        if not hit:
            _NOT_HEAD.add(v)
    return hit


def has_evidence_head(rows) -> bool:
    """Does any cell of a sheet head an evidence column? (One look at each distinct text.)"""
    import itertools

    texts = {v for v in itertools.chain.from_iterable(rows) if isinstance(v, str)}
    return any(is_evidence_head(v) for v in texts.difference(_NOT_HEAD))


_NOT_HEAD: set = set()  # texts known not to head an evidence column


def _evidence_head(cells) -> int | None:
    """The first cell of a row that heads an evidence column, if any."""
    return next((i for i, v in enumerate(cells) if is_evidence_head(v)), None)


def evidence_from_rows(rows, path, fields) -> Evidence:
    """The evidence column of a label/value sheet: rows under a header row with a 证明材料 /
    Evidence column give, for the field their label names, the text in that column."""
    ev = Evidence()
    col = None
    for r, row in enumerate(rows, start=1):
        cells = list(row)
        head = _evidence_head(cells)
        if head is not None:
            col = head
            continue
        if col is None or col >= len(cells):
            continue
        li = next((i for i, v in enumerate(cells) if v not in (None, "")), None)
        if li is None or li >= col or not isinstance(cells[li], str):
            continue
        key, year, _unit = lookup_label(fields, cells[li])
        if key is None and li + 1 < col and isinstance(cells[li + 1], str):  # the key column
            key, year, _unit = lookup_label(fields, cells[li + 1])
        if key is None:
            continue
        try:
            text = clean_text(cells[col])
        except TypeError:
            continue
        if text is not None:
            put(ev, str(path), cells[li], (key, year), text, "error", row=r)
    return ev
