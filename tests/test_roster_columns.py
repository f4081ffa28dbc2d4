"""Roster cells read column by column (zjtx_cli.inputs.roster_columns) give exactly what
Roster.row gives: for each accepted form the same values (the same Decimal, digit for digit,
or the same int / date / choice / text); every other form, every bad value and every row
with a data-check problem is left to Roster.row (None), so its error and warning lines are
the general path's. Both sides of each form are here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zjtx_cli.inputs.fields import field_dictionary
from zjtx_cli.inputs.model import InputError
from zjtx_cli.inputs.roster import Roster
from zjtx_cli.inputs.roster_columns import read_chunk

HEADER = ["企业名称", "成立日期", "所属行业", "有效发明专利", "国家高新技术企业",
          "主营业务收入2024", "从业人员2024", "净利润2024", "研发费用2024"]
BASE = ["甲公司", "2015-03-01", "制造业", "3", "是", "5000", "120", "300", "250"]
COL = {h: i for i, h in enumerate(HEADER)}


def _roster(header=HEADER):
    return Roster("roster.csv", field_dictionary(), header, 1, kind="text")


def _row(**changes):
    r = list(BASE)
    for label, v in changes.items():
        r[COL[label]] = v
    return r


def _general(roster, r, cells):
    try:
        return roster.row(r, cells)
    except InputError:
        return "error"


def _same_values(a, b):
    # repr: the same Decimal digit for digit (5000 and 5.0E+3 are equal numbers, not equal cells)
    assert repr(a.values) == repr(b.values)
    assert a.source == b.source and a.warnings == [] and b.warnings == []


# (column, cell, read here?) -- read here: the general path reads it to the same value
FORMS = [
    ("主营业务收入2024", "5000", True),
    ("主营业务收入2024", "0", True),
    ("主营业务收入2024", "007", True),
    ("主营业务收入2024", "5000.5", True),
    ("主营业务收入2024", "5000.50", True),         # a trailing zero: normalised as the general path does
    ("主营业务收入2024", "5000.0", True),
    ("主营业务收入2024", "0.0000000001", True),    # 1e-10: the smallest the general path accepts
    ("主营业务收入2024", "999999999999999", True),  # just under the 1e15 bound
    ("主营业务收入2024", "12.345678901234", True),
    ("净利润2024", "-35.5", True),                 # a loss may be negative
    ("净利润2024", "-0", True),
    ("主营业务收入2024", 5000.0, True),             # a workbook number
    ("主营业务收入2024", 0.1 + 0.2, True),          # 0.30000000000000004: 15 significant digits
    ("主营业务收入2024", 5000, True),
    ("从业人员2024", "120", True),
    ("从业人员2024", 120.0, True),
    ("有效发明专利", "", True),                     # blank
    ("有效发明专利", "  ", True),
    ("有效发明专利", "-", True),                    # placeholders
    ("有效发明专利", "—", True),
    ("有效发明专利", "不适用", True),
    ("国家高新技术企业", "否", True),
    ("国家高新技术企业", "Y", True),
    ("所属行业", "信息传输业", True),
    ("成立日期", "2015/3/1", True),
    ("成立日期", "2015年3月", True),
    # left to the general path: other forms (read there, perhaps to the same number) ...
    ("主营业务收入2024", "1,234", False),
    ("主营业务收入2024", "５０００", False),           # full-width digits
    ("主营业务收入2024", " 5000", False),
    ("主营业务收入2024", "5000万元", False),
    ("主营业务收入2024", "0.5亿元", False),
    ("主营业务收入2024", "+5000", False),
    ("主营业务收入2024", "5000.", False),
    ("主营业务收入2024", "(120)", False),
    ("主营业务收入2024", "1e3", False),
    ("主营业务收入2024", "−35", False),               # a Unicode minus
    ("主营业务收入2024", "1000000000000000", False),  # 1e15: refused there
    ("主营业务收入2024", "0.00000000001", False),     # 1e-11: refused there
    ("主营业务收入2024", float("nan"), False),
    ("从业人员2024", "120.0", False),
    ("从业人员2024", "120.5", False),                  # not a whole number: an error there
    ("从业人员2024", 120.5, False),
    ("有效发明专利", "第3", False),
    # ... and bad values and data-check problems
    ("主营业务收入2024", "abc", False),
    ("主营业务收入2024", "-5", False),                 # negative revenue: a data-check error
    ("主营业务收入2024", True, False),
    ("国家高新技术企业", "也许", False),
    ("成立日期", "2099-13-45", False),
    ("所属行业", "不存在的行业", False),
]


@pytest.mark.parametrize("label,cell,fast", FORMS, ids=[f"{lab}={cell!r}" for lab, cell, _f in FORMS])
def test_cell_form(label, cell, fast):
    roster = _roster()
    cells = _row(**{label: cell})
    got = read_chunk(roster, [(2, cells)])[0]
    want = _general(_roster(), 2, cells)
    if fast:
        assert got is not None, "read column by column"
        assert want != "error" and want is not None
        _same_values(got, want)
    else:
        assert got is None, "left to Roster.row"


def test_values_are_the_general_parsers_to_the_digit():
    roster = _roster()
    e = read_chunk(roster, [(2, _row(**{"主营业务收入2024": "5000.50", "净利润2024": "-0"}))])[0]
    v = e.values["main_business_revenue"][2024]
    assert v == Decimal("5000.5") and str(v) == "5000.5"
    assert str(e.values["net_profit"][2024]) == "-0"
    assert e.values["founding_date"] == dt.date(2015, 3, 1)
    assert e.values["employees"][2024] == 120 and type(e.values["employees"][2024]) is int


def test_rows_of_a_chunk_are_decided_one_by_one():
    """A bad row in a chunk sends only that row to the general path; blank rows are left too."""
    roster = _roster()
    chunk = [(2, _row()), (3, _row(**{"主营业务收入2024": "abc"})), (4, [""] * len(HEADER)),
             (5, _row(**{"净利润2024": "1,200"})), (6, _row() + ["extra"]), (7, _row()[:4]),
             (8, _row() + ["", " "])]
    got = read_chunk(roster, chunk)
    assert [g is not None for g in got] == [True, False, False, False, False, True, True]
    for (r, cells), g in zip(chunk, got):
        if g is not None:
            _same_values(g, _general(_roster(), r, cells))


def test_a_unit_in_the_header_leaves_the_roster_to_the_general_path():
    header = [h if h != "主营业务收入2024" else "主营业务收入2024（元）" for h in HEADER]
    roster = Roster("roster.csv", field_dictionary(), header, 1, kind="text")
    assert read_chunk(roster, [(2, list(BASE))]) == [None]
    assert str(roster.row(2, list(BASE)).values["main_business_revenue"][2024]) == "0.5"  # 5000元


def test_repeated_words_decide_the_same_on_every_row():
    """yes/no, choice and date texts are decided once per roster column and remembered: a
    placeholder stays blank, a bad word sends every row holding it to Roster.row."""
    roster = _roster()
    rows = [(r, _row(**{"国家高新技术企业": w, "成立日期": d}))
            for r, (w, d) in enumerate([("是", "2015-03-01"), ("也许", "2015-03-01"), ("—", "2015/3/1"),
                                        ("是", "2015-03-01"), ("也许", "2015-03-01"), ("—", "2015/3/1"),
                                        ("否", "2099-13-45"), ("否", "2099-13-45")], start=2)]
    for _ in range(2):  # a second chunk reads from what the first remembered
        got = read_chunk(roster, rows)
        assert [g is not None for g in got] == [True, False, True, True, False, True, False, False]
        for (r, cells), g in zip(rows, got):
            if g is not None:
                _same_values(g, _general(_roster(), r, cells))
        assert "high_tech_enterprise" not in got[2].values  # the placeholder is a blank
