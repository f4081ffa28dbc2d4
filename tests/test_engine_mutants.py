"""Behaviours found unpinned by mutation testing of the rebuilt engine (issue 10, tools/mutate.py).

Each test pins a behaviour a surviving mutant changed without any test noticing; through the command line and
its JSON document, rulesets written to a temporary directory (ZJTX_RULES_PATH), or the modules' public
functions. Figures come from the source texts (cited where they are policy) or are computed here.
"""

from __future__ import annotations

import pytest


# ------------------------------------------------------------------ names that moved to the service
@pytest.mark.parametrize("name", ["make_ctx", "assess_track", "tier_status", "closest", "assess_ladder"])
def test_names_moved_to_the_service_are_not_reached_through_evaluate(name):
    # evaluate once forwarded these to the service, an import cycle (tests/test_architecture.py)
    from zjtx_cli.engine import evaluate, service

    assert callable(getattr(service, name))
    assert not hasattr(evaluate, name)


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


@pytest.mark.parametrize("op,ratio,strict_zh,strict_en", [
    ("<", 80, "（须低于）", " (must be below)"), ("<=", 80, "", ""),
])
def test_declared_ratio_gap_in_points_says_strict(tmp_path, rules_dir, op, ratio, strict_zh, strict_en):
    # issue 12: a declared asset-liability ratio stands in when a figure is missing; its gap is in points
    doc = _doc(tmp_path, rules_dir, f"{{metric: asset_liability_ratio, op: '{op}', value: 70}}",
               {"asset_liability_ratio_declared": {"2025": ratio}, "operating_revenue": {"2025": 100}})
    s = next(g for g in doc["gaps"] if g["condition"] == "c")["items"][0]["shortfall"]
    assert s["amount"] == 10 and s["unit"] == "个百分点"
    assert ("（须低于）" in s["text_zh"]) is bool(strict_zh) and ("（须超过）" not in s["text_zh"])
    assert (" (must be below)" in s["text_en"]) is bool(strict_en) and " (must exceed)" not in s["text_en"]


def test_declared_ratio_gap_must_exceed(tmp_path, rules_dir):
    doc = _doc(tmp_path, rules_dir, "{metric: rd_intensity, op: '>', value: 3}",
               {"rd_intensity_declared": {"2025": 2}, "operating_revenue": {"2025": 100}})
    s = next(g for g in doc["gaps"] if g["condition"] == "c")["items"][0]["shortfall"]
    assert s["amount"] == 1 and "（须超过）" in s["text_zh"] and " (must exceed)" in s["text_en"]


@pytest.mark.parametrize("op,need", [(">", 3), (">=", 2)])
def test_year_end_gap_for_a_strict_count_of_years(tmp_path, rules_dir, op, need):
    # founded 2024-06-01: 1 completed year at the end of 2025; '> 2' needs 3, reached at the end of 2027
    doc = _doc(tmp_path, rules_dir, f"{{metric: years_in_operation_year_end, op: '{op}', value: 2}}",
               {"founding_date": "2024-06-01", "operating_revenue": {"2025": 100}})
    s = next(g for g in doc["gaps"] if g["condition"] == "c")["items"][0]["shortfall"]
    assert f"须至 {2024 + need} 年末方满 {need} 年" in s["text_zh"], s["text_zh"]
    assert s["amount"] == need - 1


def test_a_single_lever_is_the_gap_itself():
    from zjtx_cli.engine.shortfalls import Gap, levers_gap

    g = Gap(5, "万元", "z", "e", 0.1)
    assert levers_gap([("a", None), ("b", g), ("c", Gap(0, "万元", "z0", "e0"))]) is g
    assert levers_gap([("a", None)]) is None


def test_money_in_yi_without_yuan():
    from decimal import Decimal as D

    from zjtx_cli.inputs.values import parse_number

    assert parse_number("1.5亿", "万元") == D(15000)
    assert parse_number("2百万元", "万元") == D(200)


def test_priority_met_label():
    from zjtx_cli.engine.texts import label

    assert (label("priority_met", "zh"), label("priority_met", "en")) == ("优先·满足", "priority met")


def test_sme_explanations_when_the_band_or_the_size_is_open():
    from decimal import Decimal as D

    from zjtx_cli.engine.sme import classify

    # (二) 工业: 500 employees is below the 1000 ceiling (an SME), revenue missing: medium, small or micro
    r = classify("manufacturing", 500, None, None)
    assert r.size is None and r.is_sme is True
    assert "SME, band undetermined" in r.explain("en") and "中小微型企业，具体类型无法判定" in r.explain("zh")
    # 1000 employees and 40000万元: at both ceilings, a large enterprise decided by both figures
    big = classify("manufacturing", 1000, D(40000), None)
    assert (big.size, big.is_sme) == ("large", False)
    assert "a large enterprise" in big.decided_en and "为大型企业" in big.decided_zh
    assert list(big.decided_by) == ["employees", "operating_revenue"]


# ------------------------------------------------------------------ a score check's strict schema
def _score_ruleset(indicators):
    from zjtx_cli.rules.loader import compile_ruleset

    check = {"score": {"pass": 60, "total_max": 100, "categories": [
        {"id": "cat", "name": {"zh": "类", "en": "cat"}, "max": 100, "indicators": indicators}]}}
    data = {"id": "t", "title": "t", "issuer": "t", "source": "t",
            "tiers": [{"id": "tier", "level": "national", "conditions": [
                {"id": "c1", "kind": "required", "text": "score", "citation": "test", "check": check}]}]}
    return compile_ruleset(data, "test.yaml")


@pytest.mark.parametrize("indicators,message", [
    ([], "'indicators' must be a non-empty list"),
    ("a1", "'indicators' must be a non-empty list"),
    (["a1"], "an indicator needs an 'id'"),
    ([{"id": 5, "max": 10, "metric": "main_business_share"}], "an indicator needs an 'id'"),
])
def test_a_score_check_is_refused_with_the_reason(indicators, message):
    from zjtx_cli.rules.loader import RulesetError

    with pytest.raises(RulesetError, match=message):
        _score_ruleset(indicators)


@pytest.mark.parametrize("metric,zh,en", [
    ("utility_patents", "实用新型专利 ≥ 3", "Utility-model patents ≥ 3"),
    ("[utility_patents, design_patents]", "实用新型专利、外观设计专利合计 ≥ 3",
     "(Utility-model patents + Design patents) ≥ 3"),
])
def test_rules_listing_names_a_sum_of_counts_as_a_total(tmp_path, rules_dir, metric, zh, en):
    from test_engine_behaviour import _one, write_rules, zjtx

    write_rules(rules_dir, "m", _one(f"{{metric: {metric}, op: '>=', value: 3}}"))
    for lang, want in (("zh", zh), ("en", en)):
        code, out, err = zjtx("rules", "m", "--lang", lang)
        assert code == 0 and want in out.replace("\n", " "), (want, out)
        if "," not in metric:
            assert "合计" not in out and "(" + want not in out


@pytest.mark.parametrize("rd_staff,effort", [(9, "near"), (8, "far")])
def test_rd_staff_gap_effort_is_relative_to_the_staff_needed(tmp_path, rules_dir, rd_staff, effort):
    # 10% of 100 employees = 10 R&D staff: 1 short is 10% of what is needed (near), 2 short is 20% (far)
    doc = _doc(tmp_path, rules_dir, "{metric: rd_staff_share, op: '>=', value: 10}",
               {"employees": {"2025": 100}, "rd_staff": {"2025": rd_staff}})
    g = next(g for g in doc["gaps"] if g["condition"] == "c")
    assert (g["effort"], g["items"][0]["effort"]) == (effort, effort)
    assert g["items"][0]["shortfall"]["amount"] == 10 - rd_staff
