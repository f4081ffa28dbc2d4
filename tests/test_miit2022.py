"""工信部企业〔2022〕63号 (rulesets/miit-2022.yaml): every scored indicator of 附件1 and 附件2 at each band
edge, the category minimums, the direct paths beating a low score, the conditions of 附件2 and 附件3
on both sides of their thresholds (incl. the revenue-banded R&D rule), and the sample through the CLI."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
from decimal import Decimal

import pytest

from conftest import ROOT, assess, status

SCHEME = "miit-2022"
AS_OF = dt.date(2024, 6, 30)
with open(os.path.join(ROOT, "samples", "miit-2022-zjtx-sme.json"), encoding="utf-8") as fh:
    BASE = json.load(fh)


def run(tier, review=False, **changes):
    v = copy.deepcopy(BASE)
    for k, x in changes.items():
        if x is None:
            v.pop(k, None)
        elif isinstance(x, dict) and isinstance(v.get(k), dict):
            v[k] = {**v[k], **x}
        else:
            v[k] = x
    return assess(v, SCHEME, tier, year=2023, as_of=AS_OF, review=review)


def result(a, cid):
    return next(r for r in a.results if r["id"] == cid)["result"]


def pts(a, cid, ind_id):
    for cat in result(a, cid)["categories"]:
        for ind in cat["indicators"]:
            if ind["id"] == ind_id:
                return ind["points"]
    raise KeyError(ind_id)


# ------------------------------------------------------------------ the sample as a whole
def test_sample_scores():
    a = run("innovation")
    n = result(a, "in22-score")
    assert a.verdict == "eligible" and n["total"] == 90
    assert [c["points"] for c in n["categories"]] == [35, 25, 30]
    a = run("zjtx-sme")
    n = result(a, "zs22-4-score")
    assert a.verdict == "eligible" and n["total"] == 72
    assert [c["points"] for c in n["categories"]] == [20, 19, 8, 25]


# ------------------------------------------------------------------- 附件1 band edges
Y = "2023"
A1 = [
    # R&D intensity (revenue 10000)
    *[("a1-rd", dict(operating_revenue={Y: 10000}, rd_expense={Y: rd}), p) for rd, p in
      [(500, 20), (499.99, 15), (300, 15), (299.99, 10), (200, 10), (199.99, 5), (100, 5), (99.99, 0)]],
    # growth of main-business revenue over one year (2022: 3100)
    *[("a1-growth", dict(main_business_revenue={"2022": 1000, Y: m}), p) for m, p in
      [(1150, 20), (1149.99, 15), (1100, 15), (1099.99, 10), (1050, 10), (1049.99, 5), (1000, 5), (999.99, 0)]],
    # asset-liability ratio (assets 1000)
    *[("a1-debt", dict(total_assets={Y: 1000}, total_liabilities={Y: L}), p) for L, p in
      [(550, 10), (550.01, 5), (750, 5), (750.01, 0)]],
    # main-business share (revenue 1000)
    *[("a1-share", dict(operating_revenue={Y: 1000}, main_business_revenue={Y: m}), p) for m, p in
      [(700, 20), (699.99, 15), (600, 15), (599.99, 10), (550, 10), (549.99, 5), (500, 5), (499.99, 0)]],
    # IP, first option met
    ("a1-ip", dict(ip_class1_high_value=1), 20), ("a1-ip", dict(ip_class1_own=1), 15),
    ("a1-ip", dict(ip_class1_own=0, ip_class1=1), 10), ("a1-ip", dict(ip_class1_own=0, ip_class1=0), 5),
    ("a1-ip", dict(ip_class1_own=0, ip_class1=0, ip_class2=0), 0),
    ("a1-field", dict(strategic_emerging_industry=True), 10), ("a1-field", dict(strategic_emerging_industry=False), 5),
]


@pytest.mark.parametrize("ind,changes,expected", A1)
def test_annex1_indicator_bands(ind, changes, expected):
    assert pts(run("innovation", **changes), "in22-score", ind) == Decimal(str(expected))


def test_annex1_category_minimum():
    # innovation 0 + 5 = 5 < 20 though the total reaches 60 (growth 15 + debt 10, specialisation 30)
    low_innovation = dict(ip_class1_own=0, ip_class1=0, ip_class2=0, rd_expense={Y: 38}, rd_institution_level="none")
    n = result(run("innovation", **low_innovation), "in22-score")
    assert n["total"] == 60 and n["categories"][0]["status"] == "unmet" and n["status"] == "unmet"
    # exactly 20: class-I IP (10) + R&D 2% (10)
    n = result(run("innovation", ip_class1_own=0, rd_expense={Y: 76}), "in22-score")
    assert n["categories"][0]["points"] == 20 and n["categories"][0]["status"] == "met"
    # growth 5 + debt 5 = 10 < 15
    n = result(run("innovation", main_business_revenue={"2022": 3500, Y: 3500}, total_liabilities={Y: 3000},
                   rd_institution_level="none"), "in22-score")
    assert n["categories"][1]["points"] == 10 and n["categories"][1]["status"] == "unmet"
    assert n["status"] == "unmet"


LOW_A1 = dict(ip_class1_own=0, ip_class1=0, ip_class2=0, rd_expense={Y: 10}, rd_institution_level="none")


@pytest.mark.parametrize("changes", [
    dict(sci_award_provincial_rank=7), dict(sci_award_national_rank=12), dict(high_tech_enterprise=True),
    dict(tech_innovation_demo=True), dict(ip_advantage_enterprise=True), dict(rd_institution_level="provincial"),
    dict(rd_institution_level="national"), dict(equity_financing={"2021": 200, "2022": 0, Y: 300}),
])
def test_annex1_direct_paths_beat_a_low_score(changes):
    assert status(run("innovation", **LOW_A1), "in22-score") == "unmet"
    assert status(run("innovation", **{**LOW_A1, **changes}), "in22-score") == "met"


def test_annex1_equity_path_threshold():
    a = run("innovation", **{**LOW_A1, "equity_financing": {"2021": 200, "2022": 0, Y: 299.99}})
    assert status(a, "in22-score") == "unmet"


# ------------------------------------------------------------------- 附件2 band edges
A2 = [
    *[("a2-share", dict(operating_revenue={Y: 1000}, main_business_revenue={Y: m}), p) for m, p in
      [(800, 5), (799.99, 3), (700, 3), (699.99, 1), (600, 1), (599.99, 0)]],
    # mean of two yearly rates, 2021 = 2022 = 1000
    *[("a2-growth", dict(main_business_revenue={"2021": 1000, "2022": 1000, Y: m}), p) for m, p in
      [(1200, 10), (1199.98, 8), (1160, 8), (1159.98, 6), (1120, 6), (1119.98, 4), (1080, 4), (1079.98, 2),
       (1000, 2), (999.98, 0)]],
    *[("a2-niche", dict(niche_market_years=y), p) for y, p in
      [(1.99, 0), (2, 1), (3.99, 1), (4, 2), (5.99, 2), (6, 3), (7.99, 3), (8, 4), (9.99, 4), (10, 5), (30, 5)]],
    ("a2-field", dict(key_chain_link=True), 5), ("a2-field", dict(six_bases=True), 3),
    ("a2-field", dict(six_bases=False, time_honoured_brand=True), 3),
    ("a2-field", dict(six_bases=False, supply_chain_leader=True), 3), ("a2-field", dict(six_bases=False), 0),
    ("a2-digital", dict(digital_level="level3_plus"), 5), ("a2-digital", dict(digital_level="level2"), 3),
    ("a2-digital", dict(digital_level="level1"), 0), ("a2-digital", dict(digital_level="none"), 0),
    ("a2-quality", dict(quality_system_certified=False, own_brand=False), 0),
    ("a2-quality", dict(own_brand=False), 3), ("a2-quality", dict(), 5),
    ("a2-quality", dict(provincial_quality_award=True, leads_standards=True), 5),
    *[("a2-margin", dict(operating_revenue={Y: 1000}, net_profit={Y: n}), p) for n, p in
      [(100, 10), (99.99, 8), (80, 8), (79.99, 6), (60, 6), (59.99, 4), (40, 4), (39.99, 2), (20, 2), (19.99, 0),
       (-50, 0)]],
    *[("a2-debt", dict(total_assets={Y: 1000}, total_liabilities={Y: L}), p) for L, p in
      [(500, 5), (500.01, 3), (600, 3), (600.01, 1), (700, 1), (700.01, 0)]],
    *[("a2-feature", dict(feature_score=s), p) for s, p in [(0, 0), (8, 8), (15, 15), (16, 15)]],
    ("a2-ip", dict(ip_class1_high_value=1), 10), ("a2-ip", dict(), 8), ("a2-ip", dict(ip_class1_own=0), 6),
    ("a2-ip", dict(ip_class1_own=0, ip_class1=0), 2), ("a2-ip", dict(ip_class1_own=0, ip_class1=0, ip_class2=0), 0),
    # R&D by amount (revenue 100000 keeps the ratio low)
    *[("a2-rd", dict(operating_revenue={Y: 100000}, rd_expense={Y: r}), p) for r, p in
      [(500, 10), (499.99, 8), (400, 8), (399.99, 6), (300, 6), (299.99, 4), (200, 4), (199.99, 2), (100, 2),
       (99.99, 0)]],
    # R&D by share of revenue (revenue 1000: amounts below 100)
    *[("a2-rd", dict(operating_revenue={Y: 1000}, rd_expense={Y: r}), p) for r, p in
      [(99.99, 8), (80, 8), (79.99, 6), (60, 6), (59.99, 4), (40, 4), (39.99, 2), (30, 2), (29.99, 0)]],
    ("a2-rd", dict(operating_revenue={Y: 999}, rd_expense={Y: 99.9}), 10),
    *[("a2-rd-staff", dict(employees={Y: 100}, rd_staff={Y: s}), p) for s, p in
      [(20, 5), (19, 3), (10, 3), (9, 1), (5, 1), (4, 0)]],
    *[("a2-rd-inst", dict(rd_institution_level=c), p) for c, p in
      [("national", 10), ("provincial", 8), ("municipal", 4), ("below_municipal", 2), ("none", 0)]],
]


@pytest.mark.parametrize("ind,changes,expected", A2)
def test_annex2_indicator_bands(ind, changes, expected):
    assert pts(run("zjtx-sme", **changes), "zs22-4-score", ind) == Decimal(str(expected))


LOW_A2 = dict(feature_score=0, rd_institution_level="none", digital_level="level1", ip_class1_own=0, ip_class1=0)


def test_annex2_pass_mark():
    # 72 - 8 (feature) - 8 (institution) - 3 (digital) - 6 (IP: own class I -> class II only) = 47
    n = result(run("zjtx-sme", **LOW_A2), "zs22-4-score")
    assert n["total"] == 47 and n["status"] == "unmet"
    n = result(run("zjtx-sme", **{**LOW_A2, "feature_score": 13}), "zs22-4-score")
    assert n["total"] == 60 and n["status"] == "met"
    n = result(run("zjtx-sme", **{**LOW_A2, "feature_score": 12.99}), "zs22-4-score")
    assert n["status"] == "unmet"


@pytest.mark.parametrize("changes,ok", [
    (dict(sci_award_provincial_rank=3), True), (dict(sci_award_provincial_rank=4), False),
    (dict(sci_award_national_rank=5), True), (dict(sci_award_national_rank=6), False),
    (dict(rd_expense={"2022": 1000, Y: 1000}), True), (dict(rd_expense={"2022": 999.99, Y: 1000}), False),
    (dict(equity_financing={"2022": 3000, Y: 3000}), True), (dict(equity_financing={"2022": 2999.99, Y: 3000}), False),
    (dict(maker_china_group="top500"), True), (dict(maker_china_group="top50"), True),
])
def test_annex2_direct_paths_beat_a_low_score(changes, ok):
    a = run("zjtx-sme", **{**LOW_A2, **changes})
    assert status(a, "zs22-4-score") == ("met" if ok else "unmet")


def test_annex2_unknown_feature_score_is_unknown_not_guessed():
    a = run("zjtx-sme", feature_score=None)
    n = result(a, "zs22-4-score")
    assert n["status"] == "met"  # 64 without the featured indicator already passes
    a = run("zjtx-sme", **{**LOW_A2, "feature_score": None})
    n = result(a, "zs22-4-score")
    assert n["status"] == "unknown" and (n["total_lo"], n["total_hi"]) == (47, 62)
    assert ["feature_score", None] in n["missing"]


@pytest.mark.parametrize("cid,changes,st", [
    ("zs22-1-niche", dict(niche_market_years=2), "met"), ("zs22-1-niche", dict(niche_market_years=1.99), "unmet"),
    ("zs22-2-rd", dict(operating_revenue={Y: 3000}, rd_expense={Y: 100}), "met"),
    ("zs22-2-rd", dict(operating_revenue={Y: 3000}, rd_expense={Y: 99.99}), "unmet"),
    ("zs22-2-rd", dict(operating_revenue={Y: 3400}, rd_expense={Y: 102}), "met"),
    ("zs22-2-rd", dict(operating_revenue={Y: 3400.01}, rd_expense={Y: 102}), "unmet"),
    ("zs22-3-revenue", dict(operating_revenue={Y: 1000}), "met"),
    ("zs22-3-revenue", dict(operating_revenue={Y: 999.99}), "unmet"),
    ("zs22-3-revenue", dict(operating_revenue={Y: 999.99}, equity_financing={"2022": 1000, Y: 1000}), "met"),
    ("zs22-3-revenue", dict(operating_revenue={Y: 999.99}, equity_financing={"2022": 999.99, Y: 1000}), "unmet"),
])
def test_annex2_conditions(cid, changes, st):
    assert status(run("zjtx-sme", **changes), cid) == st


def test_score_gap_names_point_gains():
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.outputs.report import describe_gap_item

    a = run("zjtx-sme", **LOW_A2)
    g = next(g for g in a.gaps if g["condition"] == "zs22-4-score")
    items = g["items"]
    assert items[0]["kind"] == "score" and items[0]["deficit"] == 13
    gains = items[0]["gains"]
    texts = [describe_gap_item(i, field_dictionary(), "en") for i in gains if "op" in i]
    # net margin 7.89% -> 8% is the cheapest change in a figure: net profit must rise by 4 万元 (8% of 3800 = 304)
    assert texts[0].startswith("Net profit margin last year 7.89% → ≥ 8% moves this indicator from 6 to 8 points")
    assert "4 万元" in texts[0]
    # declarations (a better choice, one more quality item) are listed before changes in figures
    assert gains[0]["effort"] == "declaration"


# --------------------------------------------------------------- 附件3 little giant
LG = dict(niche_market_years=5, operating_revenue={"2021": 9000, "2022": 10000, Y: 12000},
          main_business_revenue={"2021": 8000, "2022": 9000, Y: 10000}, rd_expense={"2022": 400, Y: 480},
          total_assets={Y: 10000}, total_liabilities={Y: 5000}, market_share_national=12, key_chain_link=True,
          ip_class1_applied=3, employees={Y: 290})


def lg(**changes):
    return run("little-giant", **{**LG, **changes})


def test_little_giant_base_is_eligible():
    a = lg()
    assert a.verdict == "eligible", [(r["id"], r["status"]) for r in a.results]


@pytest.mark.parametrize("cid,changes,st", [
    ("lg22-zhuan-niche", dict(niche_market_years=3), "met"), ("lg22-zhuan-niche", dict(niche_market_years=2.99), "unmet"),
    ("lg22-zhuan-share", dict(main_business_revenue={"2021": 8000, "2022": 9000, Y: 8400}), "met"),
    ("lg22-zhuan-share", dict(main_business_revenue={"2021": 8000, "2022": 9000, Y: 8399.99}), "unmet"),
    # mean of yearly rates: 2021 = 2022 = 8000, 2023 = 8800 -> (0 + 10%) / 2 = 5%
    ("lg22-zhuan-growth", dict(main_business_revenue={"2021": 8000, "2022": 8000, Y: 8800}), "met"),
    ("lg22-zhuan-growth", dict(main_business_revenue={"2021": 8000, "2022": 8000, Y: 8799.99}), "unmet"),
    ("lg22-jing-it", dict(it_core_businesses=0), "unmet"),
    ("lg22-jing-cert", dict(quality_system_certified=False), "unmet"),
    ("lg22-jing-cert", dict(quality_system_certified=False, foreign_product_cert=True), "met"),
    ("lg22-jing-debt", dict(total_liabilities={Y: 7000}), "met"),
    ("lg22-jing-debt", dict(total_liabilities={Y: 7000.01}), "unmet"),
    ("lg22-te-market", dict(market_share_national=10), "met"),
    ("lg22-te-market", dict(market_share_national=9.99), "unmet"),
    ("lg22-te-market", dict(product_well_known=False), "unmet"),
    ("lg22-xin", dict(ip_class1_applied=1), "unmet"),
    ("lg22-xin", dict(ip_class1_applied=1, sci_award_national_rank=3), "met"),
    ("lg22-xin", dict(ip_class1_applied=1, sci_award_national_rank=4), "unmet"),
    ("lg22-xin", dict(ip_class1_applied=1, maker_china_group="top50"), "met"),
    ("lg22-xin", dict(ip_class1_applied=1, maker_china_group="top500"), "unmet"),
    ("lg22-xin", dict(rd_institution_level="none"), "unmet"),
    ("lg22-lian", dict(key_chain_link=False), "unmet"),
    ("lg22-pin", dict(six_bases=False, focus_area="other"), "unmet"),
    ("lg22-pin", dict(six_bases=False, focus_area="other", network_power_area=True), "met"),
])
def test_little_giant_conditions(cid, changes, st):
    assert status(lg(**changes), cid) == st


@pytest.mark.parametrize("rev,rd_prev,rd,st", [
    # revenue 1亿 or more: each of the two years >= 3%
    (10000, 300, 300, "met"), (10000, 300, 299.99, "unmet"), (10000, 299.99, 300, "unmet"),
    # 5000万 to 1亿: >= 6% each year (2022 revenue 10000 -> 600)
    (9999.99, 600, 600, "met"), (9999.99, 599.99, 600, "unmet"), (9999.99, 600, 599.99, "unmet"),
    (5000, 600, 300, "met"), (5000, 600, 299.99, "unmet"),
])
def test_little_giant_rd_banded_by_revenue(rev, rd_prev, rd, st):
    a = lg(operating_revenue={"2021": 9000, "2022": 10000, Y: rev}, rd_expense={"2022": rd_prev, Y: rd})
    assert status(a, "lg22-xin") == st


def test_little_giant_below_50m_needs_equity_rd_and_staff():
    small = dict(operating_revenue={"2021": 4000, "2022": 4500, Y: 4999.99}, rd_expense={"2022": 1500, Y: 1500},
                 equity_financing={"2022": 4000, Y: 4000}, employees={Y: 100}, rd_staff={Y: 50})
    assert status(lg(**small), "lg22-xin") == "met"
    assert status(lg(**{**small, "rd_staff": {Y: 49}}), "lg22-xin") == "unmet"
    assert status(lg(**{**small, "rd_expense": {"2022": 1500, Y: 1499.99}}), "lg22-xin") == "unmet"
    assert status(lg(**{**small, "equity_financing": {"2022": 4000, Y: 3999.99}}), "lg22-xin") == "unmet"


def test_exclusion():
    assert lg(tax_evasion=True).verdict == "excluded"


@pytest.mark.parametrize("tier,pfx", [("innovation", "in22"), ("zjtx-sme", "zs22"), ("little-giant", "lg22")])
@pytest.mark.parametrize("flag,cid", [("major_accident_3y", "x-record"), ("tax_evasion", "x-record"),
                                      ("serious_violation", "x-record"), ("abnormal_operation_listed", "x-listed"),
                                      ("banned_product", "x-banned")])
def test_compliance_exclusions_at_every_tier(tier, pfx, flag, cid):
    # 63号's compliance requirement applies to every applicant, not only the little giant
    base = LG if tier == "little-giant" else {}
    a = run(tier, **{**base, flag: True})
    assert next(r for r in a.results if r["id"] == f"{pfx}-{cid}")["status"] == "met" and a.verdict == "excluded"
    a = run(tier, **{**base, flag: False})
    assert next(r for r in a.results if r["id"] == f"{pfx}-{cid}")["status"] == "unmet"
    assert a.verdict != "excluded"


# ------------------------------------------------------------------------------- CLI
def test_ladder_through_cli():
    from typer.testing import CliRunner

    from zjtx_cli.cli.app import app

    path = os.path.join(ROOT, "samples", "miit-2022-zjtx-sme.json")
    r = CliRunner().invoke(app, ["assess", path, "--scheme", "miit", "--as-of", "2024-06-30", "-f", "json"])
    doc = json.loads(r.stdout)
    assert r.exit_code == 0 and doc["scheme"] == "miit-2022"
    assert doc["highest_tier"] == "zjtx-sme" and doc["next_tier"] == "little-giant"
    assert [t["status"] for t in doc["tiers"]] == ["reached", "reached", "not_reached"]
    unconf = {c["id"]: c["unconfirmed"] for c in doc["next"]["conditions"]}
    # 专/精/特 groups: two copies agree (gqrdw.cn, doulau.com); 链/品 seen in one only
    assert unconf["lg22-lian"] is True and unconf["lg22-zhuan-niche"] is False and unconf["lg22-xin"] is False
    r = CliRunner().invoke(app, ["assess", path, "--scheme", "miit", "--as-of", "2024-06-30", "--tier", "little-giant"])
    assert "来源待核实" in r.stdout
