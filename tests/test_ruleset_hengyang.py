"""Hengyang municipal little giant (004_5de2faa6872fe21e.txt 四): every condition,
both sides of every threshold, both industry variants of 四(一)2."""

from __future__ import annotations

import json
import os

import pytest

from conftest import ROOT, D, assess, changed, status

with open(os.path.join(ROOT, "samples", "hengyang-eligible.json"), encoding="utf-8") as fh:
    BASE = json.load(fh)


def with_(**changes):
    return changed(BASE, **changes)


def hy(**changes):
    return assess(with_(**changes), "hengyang")


def test_base_sample_is_eligible():
    a = hy()
    assert a.verdict == "eligible"
    assert a.counts["met"] == 16 and a.counts["unmet"] == 0 and a.counts["unknown"] == 0


# --- 四(一)1 ------------------------------------------------------------------------
@pytest.mark.parametrize("field,cond", [("registered_in_area", "hy-1-registered"),
                                        ("independent_legal_person", "hy-1-legal-person")])
def test_declarations_1(field, cond):
    assert status(hy(**{field: True}), cond) == "met"
    assert status(hy(**{field: False}), cond) == "unmet"
    assert status(hy(**{field: None}), cond) == "unknown"


def test_years_in_operation_one_year_is_enough():
    # 经营1年以上 includes 1, counted to the assessment date (2026-06-01 here): the anniversary completes it
    assert status(hy(founding_date="2025-06-01"), "hy-1-years") == "met"
    assert status(hy(founding_date="2024-01-01"), "hy-1-years") == "met"
    a = hy(founding_date="2025-06-02")
    assert status(a, "hy-1-years") == "unmet"
    assert status(hy(founding_date=None), "hy-1-years") == "unknown"


def test_years_gap_names_the_year():
    a = hy(founding_date="2025-07-01")
    g = [g for g in a.gaps if g["condition"] == "hy-1-years"][0]
    assert g["effort"] == "blocker"
    assert "2026-07-01" in g["items"][0]["gap"].zh


def test_sme_computed_from_figures():
    # industrial row: 1000 people and 40000万 revenue is large
    assert status(hy(employees={"2025": 1000}, operating_revenue={"2023": 30000, "2024": 35000, "2025": 40000},
                     main_business_revenue={"2023": 28000, "2024": 33000, "2025": 38000}), "hy-1-sme") == "unmet"
    assert status(hy(employees={"2025": 999}, operating_revenue={"2023": 30000, "2024": 35000, "2025": 40000},
                     main_business_revenue={"2023": 28000, "2024": 33000, "2025": 38000}), "hy-1-sme") == "met"


def test_sme_falls_back_to_declaration():
    a = hy(industry=None, sme_declared=True)
    r = [r for r in a.results if r["id"] == "hy-1-sme"][0]
    from zjtx_cli.engine.evaluate import is_declared

    assert r["status"] == "met" and is_declared(r)
    assert status(hy(industry=None), "hy-1-sme") == "unknown"


# --- 四(一)2 revenue, both variants ---------------------------------------------------------
@pytest.mark.parametrize("industry,threshold", [("manufacturing", 2000), ("software_it", 1000)])
def test_revenue_threshold_both_sides(industry, threshold):
    ok = hy(industry=industry, main_business_revenue={"2023": 800, "2024": 900, "2025": threshold})
    assert status(ok, "hy-2-revenue") == "met"
    below = hy(industry=industry, main_business_revenue={"2023": 800, "2024": 900, "2025": threshold - 0.1})
    assert status(below, "hy-2-revenue") == "unmet"
    g = [g for g in below.gaps if g["condition"] == "hy-2-revenue"][0]
    assert g["items"][0]["gap"].amount == D("0.1")


def test_revenue_other_industry_not_covered():
    a = hy(industry="wholesale")
    assert status(a, "hy-2-revenue") == "unmet"
    assert status(hy(industry=None, sme_declared=True), "hy-2-revenue") == "unknown"


@pytest.mark.parametrize("industry,rate", [("manufacturing", 10), ("software_it", 15)])
def test_growth_compound_both_sides(industry, rate):
    # compound growth: R2025 = R2023 * (1 + g)^2 exactly meets 年均增长 g
    base = 10000
    exact = base * (1 + rate / 100) ** 2
    ok = hy(industry=industry, main_business_revenue={"2023": base, "2024": 10500, "2025": round(exact, 4)})
    assert status(ok, "hy-2-growth") == "met"
    below = hy(industry=industry, main_business_revenue={"2023": base, "2024": 10500, "2025": round(exact, 4) - 1})
    assert status(below, "hy-2-growth") == "unmet"
    g = [g for g in below.gaps if g["condition"] == "hy-2-growth"][0]
    assert float(g["items"][0]["gap"].amount) == pytest.approx(1, abs=0.01)


def test_growth_reading_is_compound_not_arithmetic():
    # 1000 -> 1000 -> 1210: compound 10.0% (met); the arithmetic mean of 0% and 21% is 10.5%.
    # 1000 -> 1300 -> 1200: arithmetic mean of 30% and -7.7% = 11.2% would pass, compound 9.54% does not.
    assert status(hy(main_business_revenue={"2023": 1000, "2024": 1000, "2025": 1210}), "hy-2-growth") == "met"
    assert status(hy(main_business_revenue={"2023": 1000, "2024": 1300, "2025": 1200}), "hy-2-growth") == "unmet"


def test_growth_unknown_without_base_year():
    assert status(hy(main_business_revenue={"2024": 5600, "2025": 6300}), "hy-2-growth") == "unknown"


def test_debt_ratio_70_included():
    assert status(hy(total_assets={"2025": 10000}, total_liabilities={"2025": 7000}), "hy-2-debt") == "met"
    a = hy(total_assets={"2025": 10000}, total_liabilities={"2025": 7000.01})
    assert status(a, "hy-2-debt") == "unmet"
    # liabilities to pay down at unchanged assets: 7000.01 - 0.7 * 10000
    g = [g for g in a.gaps if g["condition"] == "hy-2-debt"][0]
    assert g["items"][0]["gap"].amount == D("0.01")
    assert status(hy(total_assets=None), "hy-2-debt") == "unknown"


# --- 四(一)3 ---------------------------------------------------------------------------------
def test_niche_either_declaration():
    assert status(hy(market_leading=False, key_supplier=True), "hy-3-niche") == "met"
    assert status(hy(market_leading=False, key_supplier=False), "hy-3-niche") == "unmet"
    assert status(hy(market_leading=None, key_supplier=False), "hy-3-niche") == "unknown"
    assert status(hy(market_leading=None, key_supplier=True), "hy-3-niche") == "met"


def test_main_share_60_included():
    assert status(hy(operating_revenue={"2025": 10000}, main_business_revenue={"2023": 4800, "2024": 5600, "2025": 6000}),
                  "hy-3-main-share") == "met"
    a = hy(operating_revenue={"2025": 10000}, main_business_revenue={"2023": 4800, "2024": 5600, "2025": 5999.99})
    assert status(a, "hy-3-main-share") == "unmet"
    assert status(hy(operating_revenue=None), "hy-3-main-share") == "unknown"


# --- 四(一)4 ---------------------------------------------------------------------------------
def test_ip_alternatives():
    none = dict(invention_patents=0, utility_patents=0, design_patents=0, software_copyrights=0)
    assert status(hy(**{**none, "invention_patents": 1}), "hy-4-ip") == "met"
    assert status(hy(**{**none, "utility_patents": 1, "design_patents": 1, "software_copyrights": 1}), "hy-4-ip") == "met"
    assert status(hy(**{**none, "utility_patents": 3}), "hy-4-ip") == "met"
    a = hy(**{**none, "utility_patents": 2})
    assert status(a, "hy-4-ip") == "unmet"
    g = [g for g in a.gaps if g["condition"] == "hy-4-ip"][0]
    item = g["items"][0]
    assert item["kind"] == "alternatives"
    amounts = sorted(int(o[0]["gap"].amount) for o in item["options"])
    assert amounts == [1, 1]  # 1 invention patent, or 1 more of the others
    # unknown: no invention-patent figure and too few others; a partial sum that already meets settles it
    assert status(hy(invention_patents=None, utility_patents=2, design_patents=None, software_copyrights=None),
                  "hy-4-ip") == "unknown"
    assert status(hy(invention_patents=None, utility_patents=3, design_patents=None, software_copyrights=None),
                  "hy-4-ip") == "met"


def test_rd_intensity_3_percent_included():
    # 2 years: (R&D 2024 + 2025) / (main-business revenue 2024 + 2025) >= 3%
    mbr = {"2023": 4800, "2024": 5000, "2025": 5000}
    assert status(hy(main_business_revenue=mbr, rd_expense={"2024": 150, "2025": 150}), "hy-4-rd") == "met"
    a = hy(main_business_revenue=mbr, rd_expense={"2024": 150, "2025": 149.99})
    assert status(a, "hy-4-rd") == "unmet"
    g = [g for g in a.gaps if g["condition"] == "hy-4-rd"][0]
    assert g["items"][0]["gap"].amount == D("0.01")
    assert status(hy(rd_expense={"2025": 310}), "hy-4-rd") == "unknown"


def test_near_miss_sample_gap_figures():
    with open(os.path.join(ROOT, "samples", "hengyang-near-miss.json"), encoding="utf-8") as fh:
        a = assess(json.load(fh), "hengyang")
    assert a.verdict == "not_eligible"
    gaps = {g["condition"]: g for g in a.gaps}
    assert set(gaps) == {"hy-2-revenue", "hy-4-rd", "hy-4-ip"}
    assert gaps["hy-2-revenue"]["items"][0]["gap"].amount == 20  # 2000 - 1980 万元
    # 3% of (1780 + 1980) = 112.8; spent 52 + 58 = 110 -> 2.8 万元 short
    assert gaps["hy-4-rd"]["items"][0]["gap"].amount == D("2.8")


# --- 四(一)5, 6 ------------------------------------------------------------------------------
@pytest.mark.parametrize("field,cond", [("own_brand", "hy-5-brand"), ("product_certified", "hy-5-certified"),
                                        ("management_sound", "hy-5-management"),
                                        ("digital_upgrade", "hy-5-digital")])
def test_declarations_5(field, cond):
    assert status(hy(**{field: True}), cond) == "met"
    assert status(hy(**{field: False}), cond) == "unmet"
    assert status(hy(**{field: None}), cond) == "unknown"


def test_record_6():
    assert status(hy(major_accident_3y=True), "hy-6-record") == "unmet"
    assert status(hy(serious_violation=True), "hy-6-record") == "unmet"
    assert status(hy(serious_violation=None), "hy-6-record") == "unknown"
    assert status(hy(serious_violation=None, major_accident_3y=True), "hy-6-record") == "unmet"


# --- 四(二) priority -------------------------------------------------------------------------
def test_priority_never_changes_verdict():
    a = hy(local_key_chain_backbone=False, it_core_businesses=1, listing_reserve=False, municipal_honour=False)
    assert a.verdict == "eligible"
    assert a.counts["priority_met"] == 0
    b = hy(local_key_chain_backbone=True, listing_reserve=True)
    assert b.counts["priority_met"] == 4


def test_priority_cloud_needs_two_core_businesses():
    assert status(hy(it_core_businesses=2, it_results_good=True), "hy-p2-cloud") == "met"
    assert status(hy(it_core_businesses=1, it_results_good=True), "hy-p2-cloud") == "unmet"


def test_missing_data_sample_is_undetermined():
    with open(os.path.join(ROOT, "samples", "hengyang-missing-data.json"), encoding="utf-8") as fh:
        a = assess(json.load(fh), "hengyang")
    assert a.verdict == "undetermined"
    assert {g["condition"] for g in a.gaps} == {"hy-2-growth", "hy-5-certified"}
    assert all(g["effort"] == "data" for g in a.gaps)


def test_shortfall_shown_rounded_up_never_to_zero():
    mbr = {"2023": 4800, "2024": 5000, "2025": 5000}
    a = hy(main_business_revenue=mbr, rd_expense={"2024": 150, "2025": 149.996})
    g = [g for g in a.gaps if g["condition"] == "hy-4-rd"][0]["items"][0]["gap"]
    assert g.amount == D("0.004")
    assert "0.01 万元" in g.zh and "0.01 万元" in g.en


def test_english_units():
    from zjtx_cli.outputs.report import describe_gap_item
    from zjtx_cli.inputs.fields import field_dictionary

    a = hy(invention_patents=0, utility_patents=2, design_patents=0, software_copyrights=0)
    g = [g for g in a.gaps if g["condition"] == "hy-4-ip"][0]["items"][0]
    text = describe_gap_item(g, field_dictionary(), "en")
    assert "short by 1 items" in text and "项" not in text


def _gap_texts(a, cond, lang="zh"):
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.outputs.report import describe_gap_item

    g = [g for g in a.gaps if g["condition"] == cond][0]
    return [describe_gap_item(it, field_dictionary(), lang) for it in g["items"]]


def test_declared_no_is_told_to_achieve_not_to_tick():
    assert _gap_texts(hy(digital_upgrade=False), "hy-5-digital") == [
        "企业自报为“否”：须做到“运用新一代信息技术进行数字化、网络化、智能化升级”并提供证明材料"]
    assert _gap_texts(hy(digital_upgrade=None), "hy-5-digital") == ["补充数据：运用新一代信息技术进行数字化、网络化、智能化升级"]
    assert "must be clear of" in _gap_texts(hy(major_accident_3y=True), "hy-6-record", "en")[0]


def test_industry_outside_the_thresholds_is_explained():
    text = _gap_texts(hy(industry="wholesale"), "hy-2-revenue")[0]
    assert "只对以下情形设定" in text and "制造业" in text and "软件和信息技术服务业" in text


def test_unmet_whatever_the_industry_still_asks_for_the_industry():
    a = hy(industry=None, sme_declared=True,
           main_business_revenue={"2023": 400, "2024": 450, "2025": 500})
    assert status(a, "hy-2-revenue") == "unmet"
    kinds = [i["kind"] for i in [g for g in a.gaps if g["condition"] == "hy-2-revenue"][0]["items"]]
    # each industry's shortfall, stated conditionally (issue 12), after the request for the industry
    assert kinds[0] == "data" and "branches" in kinds
