"""Tolerant, exact parsing of single values (values.py): one table per value form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zjtx_cli.inputs.values import (BadValue, normalize_label, parse_bool, parse_choice, parse_date, parse_integer,
                             parse_number, parse_text, split_label, uscc_check_char, uscc_problem)

D = Decimal


# ------------------------------------------------------------------------- money (万元)
@pytest.mark.parametrize("raw,expected", [
    (2000, D(2000)),
    (2000.0, D(2000)),
    ("2000", D(2000)),
    ("2,000", D(2000)),
    ("2,000.50", D("2000.5")),
    ("２０００", D(2000)),              # full-width digits
    ("２，０００", D(2000)),             # full-width comma
    ("2000万元", D(2000)),
    ("2000 万元", D(2000)),
    ("2000万", D(2000)),
    ("20,000,000元", D(2000)),          # the threshold-flipping case: exactly 2000 万元
    ("19,999,999元", D("1999.9999")),   # one yuan short stays short
    ("20000000.01元", D("2000.000001")),
    ("0.2亿元", D(2000)),
    ("1.2亿元", D(12000)),
    ("2,000千元", D(200)),
    ("20百万元", D(2000)),
    ("￥2,000万元", D(2000)),
    ("RMB 2000万元", D(2000)),
    (" 2000 ", D(2000)),
    ("-120", D(-120)),
    ("−120", D(-120)),                  # U+2212 minus
    ("(120)", D(-120)),                 # accounting negative
    ("1.5e3", D(1500)),
    (0.1 + 0.2, D("0.3")),              # Excel float noise
    (1799.9999999999998, D(1800)),
    (D("2000.000"), D(2000)),
])
def test_money_in_wanyuan(raw, expected):
    v = parse_number(raw, "万元")
    assert v == expected
    assert isinstance(v, Decimal)
    assert "E" not in str(v)  # 2000, never 2E+3


def test_money_conversion_is_exact_at_the_threshold():
    # float arithmetic would give 1999.9999999999998 or 2000.0000000000002 for some inputs
    assert parse_number("20,000,000元", "万元") >= D(2000)
    assert not parse_number("19,999,999.99元", "万元") >= D(2000)
    assert parse_number("0.3亿元", "万元") == D(3000)
    assert parse_number("30000000元", "万元") == D(3000)


@pytest.mark.parametrize("raw,label_unit,expected", [
    ("20,000,000", "元", D(2000)),       # unit from the label or unit column
    (20000000, "元", D(2000)),
    ("2000万元", "元", D(2000)),         # a unit in the value wins over the label's
    (0.2, "亿元", D(2000)),
])
def test_label_unit(raw, label_unit, expected):
    assert parse_number(raw, "万元", label_unit) == expected


@pytest.mark.parametrize("raw,unit,why", [
    ("abc", "万元", "not a number"),
    ("", "万元", "not a number"),
    ("1,5", "万元", "thousands separator"),      # a decimal comma must not become 15
    ("12,34", "万元", "thousands separator"),
    ("1,234,56", "万元", "thousands separator"),
    ("2000美元", "万元", "unknown unit"),
    ("35人", "万元", "not money"),
    ("2000万元", "%", "money unit"),
    ("2000万元", "人", "money unit"),
    ("35人", "%", "unit '人'"),
    ("3项", "人", "unit '项'"),
    (True, "万元", "yes/no"),
    (float("nan"), "万元", "finite"),
    (float("inf"), "万元", "finite"),
    ("1e999", "万元", "implausibly large"),
    ([1], "万元", "expected a number"),
])
def test_number_refused(raw, unit, why):
    with pytest.raises(BadValue, match=why):
        parse_number(raw, unit)


@pytest.mark.parametrize("raw,unit,expected", [
    ("35%", "%", D(35)),
    ("３５％", "%", D(35)),
    (35, "%", D(35)),
    ("12.5", "%", D("12.5")),
    ("260人", "人", 260),
    ("260名", "人", 260),
    ("1,260", "人", 1260),
    ("3项", "项", 3),
    ("3件", "项", 3),
    ("12个", "项", 12),
    (3.0, "项", 3),
    ("5年", "年", 5),
])
def test_plain_units(raw, unit, expected):
    if isinstance(expected, int):
        assert parse_integer(raw, unit) == expected
    else:
        assert parse_number(raw, unit) == expected


@pytest.mark.parametrize("raw", ["2.5", 2.5, "2.5人"])
def test_integer_refuses_fractions(raw):
    with pytest.raises(BadValue, match="whole number"):
        parse_integer(raw, "人")


def test_rank_forms():
    assert parse_integer("第3名", None) == 3
    assert parse_integer("3", None) == 3
    with pytest.raises(BadValue):
        parse_integer("3人", None)


# ---------------------------------------------------------------------------- yes/no
@pytest.mark.parametrize("raw,expected", [
    ("是", True), ("否", False), ("有", True), ("无", False),
    ("Y", True), ("N", False), ("y", True), ("n", False),
    ("yes", True), ("no", False), ("YES", True), ("No", False),
    ("true", True), ("false", False), ("TRUE", True), ("False", False),
    ("√", True), ("×", False), ("✓", True), ("✗", False),
    ("1", True), ("0", False), (1, True), (0, False), (1.0, True), (0.0, False),
    (True, True), (False, False), (" 是 ", True), ("Ｙ", True),
])
def test_bool(raw, expected):
    assert parse_bool(raw) is expected


@pytest.mark.parametrize("raw", ["maybe", "2", 2, "", "是否", "x", None, 0.5])
def test_bool_refused(raw):
    with pytest.raises(BadValue, match="yes/no"):
        parse_bool(raw)


# ----------------------------------------------------------------------------- dates
@pytest.mark.parametrize("raw", [
    "2015-03-01", "2015/3/1", "2015/03/01", "2015.3.1", "2015年3月1日", "2015 年 3 月 1 日", "20150301",
    "２０１５－０３－０１", "2015-03-01 00:00:00", "2015-03-01T00:00:00",
    42064, 42064.0, 42064.75,  # Excel serial of 2015-03-01 (with a time of day)
    dt.date(2015, 3, 1), dt.datetime(2015, 3, 1, 12, 30),
])
def test_dates(raw):
    assert parse_date(raw) == dt.date(2015, 3, 1)


def test_month_only_is_the_first():
    assert parse_date("2015年3月") == dt.date(2015, 3, 1)
    assert parse_date("2015-03") == dt.date(2015, 3, 1)


@pytest.mark.parametrize("raw,why", [
    ("2015-02-30", "calendar"),
    ("2015-13-01", "calendar"),
    ("2015", "year alone"),
    ("2015年", "year alone"),
    (2015, "year alone"),          # not the Excel serial 2015 (1905-07-07)
    ("March 2015", "expected a date"),
    (0, "expected a date"),
    (-5, "expected a date"),
    (float("nan"), "expected a date"),
    (float("inf"), "expected a date"),
    (True, "expected a date"),
])
def test_dates_refused(raw, why):
    with pytest.raises(BadValue, match=why):
        parse_date(raw)


# ---------------------------------------------------------------------- choice, text
CHOICES = {"manufacturing": {"zh": "制造业", "en": "manufacturing"},
           "software_it": {"zh": "软件和信息技术服务业", "en": "software and information technology services"}}


@pytest.mark.parametrize("raw,expected", [
    ("manufacturing", "manufacturing"), ("制造业", "manufacturing"), (" 制造业 ", "manufacturing"),
    ("Manufacturing", "manufacturing"), ("软件和信息技术服务业", "software_it"),
    ("software and information technology services", "software_it"), ("software_it", "software_it"),
])
def test_choice(raw, expected):
    assert parse_choice(raw, CHOICES) == expected


def test_choice_refused_lists_the_options():
    with pytest.raises(BadValue, match="制造业、软件和信息技术服务业"):
        parse_choice("农业", CHOICES)
    with pytest.raises(BadValue):
        parse_choice(3, CHOICES)


def test_text():
    assert parse_text("  某某公司 ") == "某某公司"
    assert parse_text(12345.0) == "12345"
    assert parse_text(12) == "12"
    for bad in (True, float("nan"), float("inf"), [1]):
        with pytest.raises(BadValue):
            parse_text(bad)


# ---------------------------------------------------------------------------- labels
@pytest.mark.parametrize("label,name,unit", [
    ("主营业务收入（万元）", "主营业务收入", "万元"),
    ("主营业务收入(元)", "主营业务收入", "元"),
    ("营业收入（单位：元）", "营业收入", "元"),
    ("  营业收入 （亿元） ", "营业收入", "亿元"),
    ("研发人员（人）", "研发人员", "人"),
    ("发明专利（含集成电路布图设计专有权）", "发明专利(含集成电路布图设计专有权)", None),  # part of the name
    ("营业收入", "营业收入", None),
])
def test_split_label(label, name, unit):
    assert split_label(label) == (name, unit)


def test_normalize_label_ignores_spaces_width_and_unit():
    base = normalize_label("主营业务收入")
    for v in ("主营业务收入（万元）", " 主营业务收入 ", "主营 业务收入", "主营业务收入(万元)", "主营业务收入　（万元）"):
        assert normalize_label(v) == base
    assert normalize_label("Operating Revenue") == normalize_label("operating_revenue")


# ------------------------------------------------------------- credit code (GB 32100)
def test_uscc_check_character():
    # 91350100M000100Y43 is the example code of GB 32100-2015 (check character 3)
    assert uscc_check_char("91350100M000100Y4") == "3"
    assert uscc_problem("91350100M000100Y43") is None
    assert "check character should be '3'" in uscc_problem("91350100M000100Y44")
    assert uscc_problem("９１３５０１００Ｍ０００１００Ｙ４３") is None  # full-width is normalised
    assert "18 characters" in uscc_problem("91350100M000100Y4")
    assert "not allowed" in uscc_problem("91350100I000100Y43")  # I is not in the alphabet
