"""What a label or a header cell of an input file names: field key, year, unit.

The one place where the readers (applicant sheets and JSON, rosters, evidence
columns) turn text into a field of the dictionary: :func:`lookup_label` for a
label/value row or a JSON key (``2024年营业收入``, ``营业收入（2024年）``),
:func:`parse_header_cell` for a roster column (``主营业务收入2024``), :func:`year_of`
for a year cell, :func:`head_word` for the first word of a column heading, and the
words that head a label/value sheet's columns. Answers are remembered per field
dictionary: the same labels come back file after file.
"""

from __future__ import annotations

import re

from zjtx_cli.inputs.values import nfkc, normalize_label, split_label

_YEAR_CELL = re.compile(r"^\s*((?:19|20)\d{2})\s*(?:年度|年|FY)?\s*$")
UNIT_CELLS = {"万元", "元", "亿元", "千元", "百万元", "%", "人", "项", "年", "个", "件", "分"}
MONEY_CELLS = ("元", "亿元", "千元", "百万元", "万元")
# words that head a label column (or a section) and are not fields
HEADER_WORDS = {"指标", "项目", "字段", "名称", "指标名称", "field", "indicator", "item", "年度", "年份", "year",
                 "基本信息", "年度数据", "年度指标", "财务数据", "申报信息", "填报项目", "label"}
# column headings of columns that never hold values
KEY_HEADS = {"字段键", "key", "键", "英文键"}
UNIT_HEADS = {"单位", "unit", "计量单位"}
HINT_HEADS = {"说明", "填写说明", "hint", "备注", "注释", "notes", "note", "remark", "remarks", "提示",
               "证明材料", "佐证材料", "evidence"}  # the evidence column (issue 13) is read by evidence/read.py
VALUE_HEADS = {"值", "数值", "填写值", "value", "内容", "填报值", "填写"}
_COMMENT_PREFIXES = ("#", "注:", "说明:", "填表说明", "note:")
_YEAR_LABEL = (re.compile(r"^((?:19|20)\d{2})\s*(?:年度|年)?\s*(.+)$"),
               re.compile(r"^(.+?)\s*[(\[]?\s*((?:19|20)\d{2})\s*(?:年度|年)?\s*[)\]]?$"))
_YEAR = r"((?:19|20)\d{2})"
_SUFFIX_RE = re.compile(r"^(.*?)[\s._\-/:：]*[\(\[]?\s*" + _YEAR + r"\s*(?:年度|年|FY)?\s*[\)\]]?$")
_PREFIX_RE = re.compile(r"^" + _YEAR + r"\s*(?:年度|年|FY)?[\s._\-/:：]*(.+)$")


def year_of(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)) and v == v and abs(v) < 1e6 and v == int(v) and 1900 <= int(v) <= 2100:
        return int(v)
    if isinstance(v, str):
        m = _YEAR_CELL.match(nfkc(v))
        if m:
            return int(m.group(1))
    return None


_LABEL_MEMO: dict = {}


def lookup_label(fields, label: str):
    """(key, year, label_unit) for a row label or JSON key; key None when unknown.

    Labels repeat from file to file, so answers are remembered per field dictionary.
    """
    memo_key = (id(fields), label)
    hit = _LABEL_MEMO.get(memo_key)
    if hit is None:
        if len(_LABEL_MEMO) > 50000:
            _LABEL_MEMO.clear()
        hit = _LABEL_MEMO[memo_key] = _lookup_label_uncached(fields, label)
    return hit


def _lookup_label_uncached(fields, label: str):
    """(key, year, label_unit) for a row label or JSON key; key None when unknown.

    Besides the plain label, a year in the label is understood for per-year
    fields: ``2024年营业收入``, ``营业收入（2024年）``, ``营业收入2024``.
    """
    key = fields.lookup(label)
    _name, unit = split_label(label)
    if key is not None:
        return key, None, unit
    name = nfkc(_name)
    for rx in _YEAR_LABEL:
        m = rx.match(name)
        if not m:
            continue
        a, b = m.groups()
        year, rest = (int(a), b) if a.isdigit() else (int(b), a)
        k = fields.lookup(rest)
        if k is not None and fields[k].per_year:
            return k, year, unit or split_label(rest)[1]
    return None, None, unit


_HEAD_MEMO: dict = {}


def head_word(v) -> str | None:
    """The first word of a header cell, normalised: '指标 Indicator' -> '指标'."""
    if not isinstance(v, str):
        return None
    try:
        return _HEAD_MEMO[v]
    except KeyError:
        pass
    if len(_HEAD_MEMO) > 50000:
        _HEAD_MEMO.clear()
    out = _HEAD_MEMO[v] = _head_word(v)
    return out


def _head_word(v: str) -> str | None:
    text = nfkc(v).strip()
    if not text:
        return None
    first = re.split(r"[\s/|]+", text, maxsplit=1)[0]
    return normalize_label(first)


def is_comment(label: str) -> bool:
    t = nfkc(label).lower()
    return t.startswith(_COMMENT_PREFIXES)


_HEADER_MEMO: dict = {}


def parse_header_cell(cell, fields):
    """``(key, year, label_unit)`` for a header cell, or None. ``year`` is None for single-valued fields.

    Every applicant workbook is looked at as a possible roster, and the same labels come
    back file after file: answers are remembered per field dictionary."""
    if not isinstance(cell, str) or not cell.strip():
        return None
    memo_key = (id(fields), cell)
    try:
        return _HEADER_MEMO[memo_key]
    except KeyError:
        pass
    if len(_HEADER_MEMO) > 50000:
        _HEADER_MEMO.clear()
    out = _HEADER_MEMO[memo_key] = _parse_header_cell(cell, fields)
    return out


def _parse_header_cell(cell, fields):
    text = nfkc(cell)
    key = fields.lookup(text)
    _name, unit = split_label(text)
    if key is not None:
        return key, None, unit
    for rx, ni, yi in ((_SUFFIX_RE, 1, 2), (_PREFIX_RE, 2, 1)):
        base = text
        # a unit bracket may follow the year: 主营业务收入（2024年）（万元）
        stripped, u = split_label(base)
        for candidate, cu in ((base, unit), (stripped, u or unit)):
            m = rx.match(candidate)
            if not m:
                continue
            name = m.group(ni).strip()
            if not name:
                continue
            k = fields.lookup(name)
            if k is None:
                continue
            _n, nu = split_label(name)
            return k, int(m.group(yi)), nu or cu
    return None
