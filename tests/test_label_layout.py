"""The label/value reading with a shared layout (issue 11) reads exactly what the row-by-row reading did.

``reference_read_rows`` below is the reader as it was before the layout cache (label
resolution for every row of every file), kept verbatim as the reference. Random sheets
built from the field dictionary's labels, header words, years, units, comments, evidence
headings, blanks and bad values are read three ways: by the reference, by the reader with
an empty layout cache, and by the reader right after a sibling sheet with the same label
column but other values (and other header rows) primed the cache. Values, warnings,
errors and the evidence-column flag must agree.
"""

from __future__ import annotations

import datetime as dt
import functools
import random

import pytest

from zjtx_cli.inputs import label_sheet
from zjtx_cli.inputs.collector import Collector
from zjtx_cli.inputs.evidence_cells import evidence_from_rows
from zjtx_cli.inputs.fields import field_dictionary
from zjtx_cli.inputs.label_sheet import read_rows
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
from zjtx_cli.inputs.model import Enterprise, InputError
from zjtx_cli.inputs.sheet_xml import UNCACHED_FORMULA, UNCACHED_FORMULA_ZH
from zjtx_cli.inputs.text import FORMULA_PREFIXES as _FORMULA_START
from zjtx_cli.inputs.text import is_blank as _empty
from zjtx_cli.inputs.values import nfkc

F = field_dictionary()


# ----------------------------------------------------------------- the reference (before issue 11)
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


def reference_read_rows(path, fields, rows, checks: bool = True, sheet_xml=None) -> Enterprise:
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




# ------------------------------------------------------------------------------------ sheets
_FIELDS = list(F.fields.values())
_PER_YEAR = [f for f in _FIELDS if f.per_year]
_SINGLE = [f for f in _FIELDS if not f.per_year]


def _value(rng, f):
    t = f.type
    pick = rng.random()
    if pick < 0.08:
        return rng.choice(["", None, "-", "不适用", "  "])
    if pick < 0.12:
        return rng.choice(["abc", "1,2", "是", True, -5.0, "'=1+1", "1.2亿元", "3.5%", "证明材料"])
    if t in ("number", "integer"):
        return rng.choice([float(rng.randint(0, 5000)), rng.randint(0, 99) / 100, 0.35, "1,800万元", 12])
    if t == "bool":
        return rng.choice(["是", "否", "有", "无", 1.0, 0.0])
    if t == "date":
        return rng.choice(["2020-01-02", dt.datetime(2019, 5, 6), "2021年3月4日"])
    if t == "choice":
        return rng.choice([c["zh"] for c in f.choices.values()] + ["其他"])
    return rng.choice(["株洲新材智能装备有限公司", "A公司", "91330200M69665991J"])


def _label(rng, f):
    shown = rng.choice([f.zh, f.key, f.zh + "（万元）" if f.unit == "万元" else f.zh, f.zh + "（元）"])
    return shown


def sheet(seed: int):
    """A label/value sheet: header rows (years, key / unit / hint / value / 证明材料 columns),
    section titles, comments, blank rows, unknown labels, year labels, key-column labels."""
    rng = random.Random(seed)
    width = rng.randint(2, 7)
    rows = []

    def pad(row):
        return (row + [""] * width)[:width]

    def header():
        kind = rng.random()
        first = rng.choice(["指标", "项目", "年度", "field", "指标 Indicator"])
        if kind < 0.5:
            start = rng.choice([2019, 2020, 2021, 2022])
            row = [first] + [float(start + i) if rng.random() < 0.7 else f"{start + i}年" for i in range(width - 1)]
            if rng.random() < 0.3 and width > 3:
                row[rng.randrange(1, width)] = rng.choice(["单位", "字段键", "说明", "证明材料", "值"])
            return row
        row = [first] + [rng.choice(["字段键", "单位", "值", "说明", "证明材料", "数值", "备注", 2024.0, ""])
                         for _ in range(width - 1)]
        return row

    for _ in range(rng.randint(3, 40)):
        pick = rng.random()
        if pick < 0.08:
            rows.append(pad(header()))
        elif pick < 0.12:
            rows.append(pad([rng.choice(["基本信息", "年度数据", "# 注释", "注:以下为示例", "说明:填写"])]))
        elif pick < 0.15:
            rows.append(pad([]))
        elif pick < 0.18:
            rows.append(pad([rng.choice(["未知指标", "营收", "研发投入强度X"]), _value(rng, _SINGLE[0])]))
        elif pick < 0.55:
            f = rng.choice(_PER_YEAR)
            if rng.random() < 0.2:
                rows.append(pad([f"{rng.choice([2023, 2024])}年{f.zh}", _value(rng, f)]))
            else:
                rows.append(pad([_label(rng, f)] + [_value(rng, f) for _ in range(width - 1)]))
        else:
            f = rng.choice(_SINGLE)
            row = [_label(rng, f), _value(rng, f)]
            if rng.random() < 0.15:
                row = ["改过的中文标签", f.key, _value(rng, f)]
            elif rng.random() < 0.15:
                row = [_label(rng, f), rng.choice(["万元", "元", "%", "人"]), _value(rng, f)]
            elif rng.random() < 0.1:
                row = ["", _label(rng, f), _value(rng, f)]
            rows.append(pad(row))
    return rows


def sibling(rows, seed: int):
    """The same label column (each row's first non-blank cell), other values everywhere else."""
    rng = random.Random(seed)
    out = []
    for row in rows:
        li = next((i for i, v in enumerate(row) if not _empty(v)), None)
        new = list(row)
        for i in range(len(row)):
            if li is not None and i > li and rng.random() < 0.5:
                new[i] = rng.choice([float(rng.randint(0, 3000)), "", "是", "否", 2025.0, "单位", "证明材料", "x"])
        out.append(new)
    return out


def outcome(read, rows):
    try:
        e = read(rows)
    except InputError as exc:
        return ("error", [p.to_json() for p in exc.problems],
                [p.to_json() for p in getattr(exc, "warnings", ())])
    return ("ok", e.values, [p.to_json() for p in e.warnings])


def new_reader(rows, flag=None):
    return read_rows("s.xlsx", F, rows, checks=True, evidence=flag)


def reference(rows):
    return reference_read_rows("s.xlsx", F, rows, checks=True)


def has_evidence(rows):
    ev = evidence_from_rows(rows, "s.xlsx", F)
    return bool(ev.items or ev.problems)


SEEDS = range(400)


@pytest.mark.parametrize("seed", SEEDS)
def test_layout_reading_equals_reference(seed):
    rows = sheet(seed)
    label_sheet._LAYOUTS.clear()
    want = outcome(reference, rows)
    assert outcome(new_reader, rows) == want  # cold cache
    other = sibling(rows, seed + 10_000)
    want_other = outcome(reference, other)
    assert outcome(new_reader, other) == want_other  # the layout of `rows` in the cache: reused or refused
    assert outcome(new_reader, rows) == want  # and back
    flag: list = []
    outcome(functools.partial(new_reader, flag=flag), other)
    if has_evidence(other):  # the flag may say "look" when there is nothing: never the other way round
        assert flag


def test_layout_is_reused_for_filled_copies_of_one_template():
    base = [["指标", 2023.0, 2024.0, 2025.0], ["营业收入（万元）", 1.0, 2.0, 3.0], ["企业名称", "A公司", "", ""],
            ["拥有自主品牌", "是", "", ""]]
    copy = [["指标", 2023.0, 2024.0, 2025.0], ["营业收入（万元）", 7.0, 8.0, 9.0], ["企业名称", "B公司", "", ""],
            ["拥有自主品牌", "否", "", ""]]
    label_sheet._LAYOUTS.clear()
    read_rows("a.xlsx", F, base)
    layout = next(iter(label_sheet._LAYOUTS.values()))
    e = read_rows("b.xlsx", F, copy)
    assert next(iter(label_sheet._LAYOUTS.values())) is layout
    assert e.values["operating_revenue"] == {2023: 7, 2024: 8, 2025: 9}
    assert e.values["company_name"] == "B公司" and e.values["own_brand"] is False


def test_same_labels_other_year_header_is_not_reused():
    a = [["指标", 2023.0, 2024.0], ["营业收入（万元）", 1.0, 2.0]]
    b = [["指标", 2024.0, 2025.0], ["营业收入（万元）", 1.0, 2.0]]
    label_sheet._LAYOUTS.clear()
    assert read_rows("a.xlsx", F, a).values["operating_revenue"] == {2023: 1, 2024: 2}
    assert read_rows("b.xlsx", F, b).values["operating_revenue"] == {2024: 1, 2025: 2}


def test_same_labels_other_unit_column_is_not_reused():
    a = [["指标", "单位", "值"], ["营业收入", "元", 10000.0]]
    b = [["指标", "说明", "值"], ["营业收入", "元", 10000.0]]
    label_sheet._LAYOUTS.clear()
    with pytest.raises(InputError, match="per-year"):
        read_rows("a.xlsx", F, a)
    label_sheet._LAYOUTS.clear()
    ra = outcome(new_reader, a)
    rb = outcome(new_reader, b)
    assert ra == outcome(reference, a) and rb == outcome(reference, b)


def test_evidence_heading_in_a_comment_row_or_a_value_cell_is_seen():
    rows = [["# 说明", "证明材料"], ["企业名称", "A公司"]]
    flag: list = []
    read_rows("a.xlsx", F, rows, evidence=flag)
    assert flag
    rows = [["企业名称", "A公司", "Evidence"], ["拥有自主品牌", "是", "商标注册证"]]
    flag = []
    read_rows("a.xlsx", F, rows, evidence=flag)
    assert flag
    flag = []
    read_rows("a.xlsx", F, [["企业名称", "A公司"], ["拥有自主品牌", "是"]], evidence=flag)
    assert not flag
