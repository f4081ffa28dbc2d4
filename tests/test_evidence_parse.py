"""Evidence in the input: JSON "evidence" object, roster columns, --evidence KEY=TEXT."""

from __future__ import annotations

import pytest

from zjtx_cli.evidence.parse import (MAX_CHARS, clean_text, evidence_for, from_cli, from_json, from_roster_row,
                                     header_target, merge, parse_key, roster_columns)
from zjtx_cli.inputs.fields import field_dictionary

FD = field_dictionary()


def lines(problems, lang="en"):
    return [p.line(lang) for p in problems]


# ---------------------------------------------------------------------------------- text
@pytest.mark.parametrize("raw,expected", [
    ("商标注册证 第12345678号", "商标注册证 第12345678号"),
    ("  2025年度审计报告\n（XX会计师事务所）  ", "2025年度审计报告 （XX会计师事务所）"),
    ("a\x1b[31mred\x1b[0m", "a [31mred [0m"),
    ("x\x00y\x7fz\x85w", "x y z w"),
    ("left\u202eright\u2066x\u2069", "left right x"),
    ("a\u2028b\u2029c\tb", "a b c b"),
    (12345678, "12345678"),
    (2025.0, "2025"),
    ("", None),
    ("   \t\n ", None),
    ("\x1b\x07", None),
    (None, None),
])
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


def test_clean_text_output_has_no_control_characters():
    import unicodedata

    raw = "".join(chr(c) for c in range(0x00, 0xA0)) + "\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    out = clean_text("证" + raw + "明")
    assert out.startswith("证") and out.endswith("明")
    assert not any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in out)
    assert not any(0x202A <= ord(ch) <= 0x202E or 0x2066 <= ord(ch) <= 0x2069 for ch in out)


def test_clean_text_cuts_long_text():
    out = clean_text("审" * (MAX_CHARS + 50))
    assert len(out) == MAX_CHARS and out.endswith("…")
    assert clean_text("审" * MAX_CHARS) == "审" * MAX_CHARS


@pytest.mark.parametrize("raw", [True, False, [1], {"a": 1}, float("nan"), float("inf")])
def test_clean_text_refuses_non_text(raw):
    with pytest.raises(TypeError):
        clean_text(raw)


# ---------------------------------------------------------------------------------- keys
@pytest.mark.parametrize("raw,expected", [
    ("own_brand", ("own_brand", None)),
    ("拥有自主品牌", ("own_brand", None)),
    ("Own brand", ("own_brand", None)),
    ("main_business_revenue", ("main_business_revenue", None)),
    ("main_business_revenue.2025", ("main_business_revenue", 2025)),
    ("主营业务收入.2024", ("main_business_revenue", 2024)),
    ("2024年主营业务收入", ("main_business_revenue", 2024)),
    ("年销售收入", ("operating_revenue", None)),  # an alias
    ("main_business_revenue.20x5", (None, None)),
    ("own_brnd", (None, None)),
])
def test_parse_key(raw, expected):
    assert parse_key(raw, FD) == expected


# ---------------------------------------------------------------------------------- JSON
def test_json_evidence_normalised():
    ev = from_json({
        "own_brand": "商标注册证 第12345678号",
        "main_business_revenue": "2024、2025年度审计报告",
        "main_business_revenue.2025": "2025年度审计报告（XX会计师事务所）",
        "研发费用": "研发费用专项审计报告",
        "utility_patents": 12345678,
        "_comment": "ignored",
        "net_profit": "   ",
        "employees.2025": "",
    }, FD, "co.json")
    assert ev.problems == []
    assert ev.items == {
        ("own_brand", None): "商标注册证 第12345678号",
        ("main_business_revenue", None): "2024、2025年度审计报告",
        ("main_business_revenue", 2025): "2025年度审计报告（XX会计师事务所）",
        ("rd_expense", None): "研发费用专项审计报告",
        ("utility_patents", None): "12345678",
    }


def test_json_unknown_key_is_one_line_naming_it_with_a_hint():
    ev = from_json({"own_brnd": "商标注册证"}, FD, "co.json")
    assert ev.items == {}
    (p,) = ev.problems
    assert p.severity == "warning"
    assert p.line("en") == "co.json: own_brnd: evidence: unknown field, ignored (did you mean 拥有自主品牌 (own_brand)?)"
    assert p.line("zh") == "co.json: own_brnd: 证明材料：未知字段，已忽略（是否为“拥有自主品牌 (own_brand)”？）"
    # the hint is the field dictionary's own, as the reader and --set use it
    assert FD.suggest("own_brnd") == "拥有自主品牌 (own_brand)"


def test_json_unknown_key_without_any_near_match():
    (p,) = from_json({"zzzzqqq": "x"}, FD, "co.json").problems
    assert p.line("en") == "co.json: zzzzqqq: evidence: unknown field, ignored"


def test_json_year_on_a_single_valued_field_is_an_error():
    ev = from_json({"own_brand.2025": "商标注册证"}, FD, "co.json")
    assert ev.items == {}
    (p,) = ev.problems
    assert p.severity == "error"
    assert "own_brand is not given per year" in p.line("en") and "不按年度填报" in p.line("zh")


@pytest.mark.parametrize("value", [True, ["审计报告"], {"a": "b"}])
def test_json_evidence_must_be_text(value):
    ev = from_json({"own_brand": value}, FD, "co.json")
    assert ev.items == {}
    assert lines(ev.problems) == ["co.json: own_brand: evidence must be text"]


def test_json_evidence_not_an_object():
    ev = from_json(["own_brand"], FD, "co.json")
    assert lines(ev.problems) == ["co.json: evidence: expected an object keyed by field"]
    assert from_json(None, FD, "co.json").items == {}


def test_json_same_target_twice():
    same = from_json({"own_brand": "商标注册证", "拥有自主品牌": "商标注册证"}, FD, "co.json")
    assert same.problems == [] and same.items == {("own_brand", None): "商标注册证"}
    diff = from_json({"own_brand": "商标注册证", "拥有自主品牌": "地理标志"}, FD, "co.json")
    assert diff.items == {("own_brand", None): "商标注册证"}
    assert ["given twice with different texts" in x for x in lines(diff.problems)] == [True]


def test_json_key_with_control_characters_is_not_echoed_raw():
    (p,) = from_json({"own\x1b[2Jbrand\nx": "t"}, FD, "co.json").problems
    assert "\x1b" not in p.line("en") and "\n" not in p.line("en")


# -------------------------------------------------------------------------------- roster
@pytest.mark.parametrize("cell,expected", [
    ("主营业务收入2025证明材料", ("main_business_revenue", 2025)),
    ("主营业务收入（2025年）证明材料", ("main_business_revenue", 2025)),
    ("2025年主营业务收入证明材料", ("main_business_revenue", 2025)),
    ("主营业务收入证明材料", ("main_business_revenue", None)),
    ("拥有自主品牌证明材料", ("own_brand", None)),
    ("own_brand evidence", ("own_brand", None)),
    ("own_brand_evidence", ("own_brand", None)),
    ("Own brand Evidence", ("own_brand", None)),
    ("main_business_revenue.2025 evidence", ("main_business_revenue", 2025)),
    ("营业收入（万元）证明材料", ("operating_revenue", None)),
    ("foo证明材料", (None, None)),
    ("主营业务收入2025", None),
    ("own_brand", None),
    ("证明材料", None),
    ("Evidence", None),
    (None, None),
    (2025, None),
])
def test_header_target(cell, expected):
    assert header_target(cell, FD) == expected


def test_roster_columns_and_rows():
    header = ["企业名称", "主营业务收入2025", "主营业务收入2025证明材料", "own_brand", "own_brand evidence",
              "主营业务收入证明材料", "foo证明材料", "founding_date.2024 evidence"]
    cols, problems = roster_columns(header, FD, "roster.xlsx", header_row=1)
    assert cols == {2: ("main_business_revenue", 2025), 4: ("own_brand", None), 5: ("main_business_revenue", None)}
    assert lines(problems) == [
        "roster.xlsx: row 1: foo证明材料: unknown field in an evidence column, ignored",
        "roster.xlsx: row 1: founding_date.2024 evidence: evidence: founding_date is not given per year: "
        "name it without a year; column ignored",
    ]
    assert all(p.severity == "warning" for p in problems)
    ev = from_roster_row(cols, ["甲公司", 2100, "2025年度审计报告", "是", "  ", None], "roster.xlsx", row=2)
    assert ev.problems == []
    assert ev.items == {("main_business_revenue", 2025): "2025年度审计报告"}  # blank cells and short rows: none
    ev = from_roster_row(cols, ["乙公司", 1, "审计报告", "是", 12345678, "全部年度审计报告"], "roster.xlsx", row=3)
    assert ev.items == {("main_business_revenue", 2025): "审计报告", ("own_brand", None): "12345678",
                        ("main_business_revenue", None): "全部年度审计报告"}
    bad = from_roster_row(cols, ["丙", 1, True], "roster.xlsx", row=4)
    assert lines(bad.problems) == ["roster.xlsx: row 4: main_business_revenue.2025: evidence must be text"]


def test_roster_unknown_column_hint():
    _cols, (p,) = roster_columns(["拥有自主品隆证明材料"], FD, "r.csv", header_row=1)
    assert "did you mean 拥有自主品牌 (own_brand)?" in p.line("en")
    assert "证明材料列的字段未知" in p.line("zh")


# ----------------------------------------------------------------------------------- CLI
def test_cli_evidence():
    ev = from_cli(["own_brand=商标注册证 第1号", "main_business_revenue.2025=2025年度审计报告",
                   "rd_expense=", "own_brand=商标注册证 第2号"], FD)
    assert ev.problems == []
    assert ev.items == {("own_brand", None): "商标注册证 第2号",  # the last one wins
                        ("main_business_revenue", 2025): "2025年度审计报告",
                        ("rd_expense", None): None}


def test_cli_evidence_problems_are_errors():
    ev = from_cli(["own_brnd=x", "noequals", "own_brand.2025=x"], FD)
    assert ev.items == {}
    assert all(p.severity == "error" for p in ev.problems)
    assert lines(ev.problems) == [
        "--evidence: own_brnd: unknown field (did you mean 拥有自主品牌 (own_brand)?)",
        "--evidence: noequals: expected KEY=TEXT or KEY.YEAR=TEXT",
        "--evidence: own_brand.2025: evidence: own_brand is not given per year: name it without a year",
    ]
    assert lines(ev.problems, "zh")[0] == "--evidence: own_brnd: 未知字段（是否为“拥有自主品牌 (own_brand)”？）"


# ------------------------------------------------------------------------------- reading
def test_evidence_for_prefers_the_year_then_the_field():
    items = {("main_business_revenue", None): "审计报告", ("main_business_revenue", 2025): "2025年度审计报告"}
    assert evidence_for(items, "main_business_revenue", 2025) == "2025年度审计报告"
    assert evidence_for(items, "main_business_revenue", 2024) == "审计报告"
    assert evidence_for(items, "main_business_revenue") == "审计报告"
    assert evidence_for({("rd_expense", 2025): "x"}, "rd_expense", 2024) is None
    assert evidence_for({}, "own_brand") is None


def test_merge_later_sources_win_and_a_field_wide_clear_clears_the_years():
    file_items = from_json({"main_business_revenue": "审计报告", "main_business_revenue.2025": "2025年报",
                            "own_brand": "商标注册证", "rd_expense.2025": "专项审计"}, FD, "co.json").items
    cli = from_cli(["main_business_revenue=", "own_brand=商标注册证 第9号", "rd_expense.2024="], FD).items
    m = merge(file_items, cli)
    assert evidence_for(m, "main_business_revenue", 2025) is None
    assert evidence_for(m, "main_business_revenue", 2024) is None
    assert evidence_for(m, "own_brand") == "商标注册证 第9号"
    assert evidence_for(m, "rd_expense", 2025) == "专项审计"  # a year's clear leaves the other years alone
    assert evidence_for(m, "rd_expense", 2024) is None
    # without the clear the file's evidence stands
    assert evidence_for(merge(file_items), "main_business_revenue", 2024) == "审计报告"
