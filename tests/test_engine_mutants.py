"""Behaviours found unpinned by mutation testing of the rebuilt engine (issue 10, tools/mutate.py).

Each test pins a behaviour a surviving mutant changed without any test noticing; through the command line and
its JSON document, rulesets written to a temporary directory (ZJTX_RULES_PATH), or the modules' public
functions. Figures come from the source texts (cited where they are policy) or are computed here.
"""

from __future__ import annotations

import pytest


# ------------------------------------------------------------------ names kept where code used them
@pytest.mark.parametrize("old,new", [("make_ctx", "make_ctx"), ("assess_track", "assess_track"),
                                     ("tier_status", "tier_status"), ("closest", "closest"),
                                     ("Ladder", "assess_ladder")])
def test_names_moved_to_the_service_still_resolve_from_evaluate(old, new):
    from zjtx_cli.engine import evaluate, service

    assert getattr(evaluate, old) is getattr(service, new)


def test_evaluate_has_no_other_names():
    from zjtx_cli.engine import evaluate

    with pytest.raises(AttributeError):
        evaluate.no_such_name  # noqa: B018


# ------------------------------------------------------------------ cell values: dates and credit codes
def test_excel_serial_range_both_ends():
    import datetime as dt

    from zjtx_cli.inputs.values import BadValue, parse_date

    epoch = dt.date(1899, 12, 30)  # Excel's serial 0 (1900 date system, counting its 29 Feb 1900)
    assert parse_date(1) == epoch + dt.timedelta(days=1)  # the first serial Excel shows
    assert parse_date(2958465) == dt.date(9999, 12, 31)   # the last one
    for bad in (2958466, 0.5):
        with pytest.raises(BadValue, match="expected a date"):
            parse_date(bad)


@pytest.mark.parametrize("n,year_only", [(1899, False), (1900, True), (2100, True), (2101, False)])
def test_a_whole_number_that_looks_like_a_year_is_refused(n, year_only):
    import datetime as dt

    from zjtx_cli.inputs.values import BadValue, parse_date

    if year_only:
        with pytest.raises(BadValue, match="year alone"):
            parse_date(n)
        with pytest.raises(BadValue, match="year alone"):
            parse_date(float(n))
    else:
        assert parse_date(n) == dt.date(1899, 12, 30) + dt.timedelta(days=n)


def test_uscc_check_character_when_the_sum_divides_by_31():
    # GB 32100-2015 §5: C18 = 31 - MOD(sum, 31), and 31 is written as 0
    from zjtx_cli.inputs.values import uscc_check_char, uscc_problem

    assert uscc_check_char("0" * 17) == "0"
    assert uscc_problem("0" * 18) is None
    # weights 1 and 3: '1' then sixteen '0's sums to 1, so C18 = 30, the last character of the alphabet
    assert uscc_check_char("1" + "0" * 16) == "Y"


# ------------------------------------------------------------------ SME sizing (工信部联企业〔2011〕300号)
def test_english_explanation_names_the_amount_unit_only_where_amounts_count():
    from decimal import Decimal as D

    from zjtx_cli.engine.sme import classify

    note = "[amounts in 10k CNY (万元)]"
    # (十六) 其他未列明行业: employees only
    assert note not in classify("other", 50, None, None).explain("en")
    # (二) 工业: employees and operating revenue (万元)
    assert note in classify("manufacturing", 50, D(1000), None).explain("en")
    assert note not in classify("manufacturing", 50, D(1000), None).explain("zh")


# ------------------------------------------------------------------ gap texts of a strict threshold
def _doc(tmp_path, rules_dir, check, values):
    from test_engine_behaviour import _one, assess, write_company, write_rules

    write_rules(rules_dir, "m", _one(check))
    return assess(write_company(tmp_path, {"company_name": "x", **values}), "m")[1]


@pytest.fixture
def rules_dir(tmp_path, monkeypatch):
    d = tmp_path / "rulesets"
    d.mkdir()
    monkeypatch.setenv("ZJTX_RULES_PATH", str(d))
    return d


@pytest.mark.parametrize("op,strict", [(">", True), (">=", False)])
def test_mean_ratio_gap_says_must_exceed_only_for_a_strict_threshold(tmp_path, rules_dir, op, strict):
    # 3-year mean R&D intensity 3%: 2023-2025 at 2%, 2%, 3% (mean 2.33%); 2025 must carry the rest:
    # (3% * 3 - 2% - 2%) * 5000 = 250, short by 100, 2023-2024 unchanged
    doc = _doc(tmp_path, rules_dir, f"{{metric: rd_intensity_avg_3y, op: '{op}', value: 3}}",
               {"operating_revenue": {"2023": 5000, "2024": 5000, "2025": 5000},
                "rd_expense": {"2023": 100, "2024": 100, "2025": 150}})
    s = next(g for g in doc["gaps"] if g["condition"] == "c")["items"][0]["shortfall"]
    assert s["amount"] == 100
    assert "(2023-2024 unchanged, at the current operating revenue of 2025)" in s["text_en"], s["text_en"]
    assert "（2023—2024年不变，按2025年现有营业收入计）" in s["text_zh"], s["text_zh"]
    assert ("(must exceed)" in s["text_en"]) is strict
    assert ("（须超过）" in s["text_zh"]) is strict
