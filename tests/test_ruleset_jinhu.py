"""Jinhu ladder (003_e787c257db436f7d.txt 附件1–5), part 1: the ruleset's shape, the county pool
(附件2), the Jiangsu 千企升级 pool (附件1) and the municipal tier (附件5). Every condition met /
unmet / unknown, both sides of every threshold, every OR path. Part 2 (provincial, national,
champion, ladder, CLI) is in test_ruleset_jinhu_upper.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from conftest import changed, enterprise_from
from zjtx_cli.engine.service import assess, make_ctx
from zjtx_cli.inputs.fields import field_dictionary
from zjtx_cli.rules.loader import get_ruleset

AS_OF = dt.date(2024, 12, 31)
SEED = "003_e787c257db436f7d.txt"

# A company that meets every condition of every track (assessment year 2024).
BASE = {
    "company_name": "金湖测试全能企业",
    "founding_date": "2015-03-01",
    "industry": "manufacturing",
    "registered_in_jiangsu": True, "independent_legal_person": True, "independent_accounting": True,
    "niche_focus": True, "management_sound": True, "good_credit": True, "good_financing_capacity": True,
    "bad_record": False, "bad_record_3y": False, "env_safety_violation_3y": False,
    "operating_revenue": {"2021": 9000, "2022": 10000, "2023": 11000, "2024": 12000},
    "main_business_revenue": {"2022": 9500, "2023": 10450, "2024": 11400},
    "leading_product_revenue": {"2024": 9000},
    "operating_profit": {"2022": 1000, "2023": 1100, "2024": 1200},
    "total_profit": {"2024": 1250},
    "net_profit": {"2022": 800, "2023": 880, "2024": 968},
    "profit_and_tax": {"2024": 1600},
    "total_assets": {"2024": 20000}, "total_liabilities": {"2024": 10000},
    "rd_expense": {"2022": 400, "2023": 440, "2024": 480},
    "equity_financing": {"2023": 5000, "2024": 3000},
    "employees": {"2024": 300}, "rd_staff": {"2024": 60},
    "invention_patents": 3, "invention_patents_applied": 4, "utility_patents": 6, "design_patents": 1,
    "software_copyrights": 2, "proprietary_technologies": 1,
    "niche_market_years": 9, "business_field_years": 9, "new_product_years": 5,
    "market_rank_province": 2, "market_rank_national": 3,
    "market_leading": True, "supply_chain_leader": True, "multiple_main_products": False,
    "high_tech_enterprise": True, "rd_institution_level": "provincial", "it_core_businesses": 3,
    "own_ip_for_main_product": True, "own_brand": True, "municipal_brand": True,
    "product_tech_leading_province": True, "tech_leading_province": True, "tech_leading_domestic": True,
    "tech_leading_international": True, "key_performance_leading": True, "innovation_capability_strong": True,
    "leads_standards": True, "original_technology": True, "high_growth_potential": True,
    "four_new_traits": True, "core_rd_team": True, "core_team_background": True,
    "innovation_contest_provincial": True, "strategic_emerging_industry": True, "jiangsu_advanced_cluster": True,
    "key_backbone_local": True, "quality_system_certified": True, "standards_or_foreign_cert": True,
    "brand_strategy": True, "champion_focus_field": True, "profit_margin_above_industry": True,
    "key_tech_breakthrough": True, "national_little_giant": True,
}

TRACKS = ["county-manufacturing", "county-innovation", "jiangsu-pool-manufacturing", "jiangsu-pool-innovation",
          "municipal-product", "municipal-enterprise", "provincial-product", "provincial-manufacturing",
          "provincial-innovation", "national-little-giant", "champion-enterprise", "champion-product"]


def with_(**changes):
    return changed(BASE, **changes)


def evaluate(values, track, year=None):
    """Assess one track, lower tiers first (as the ladder and the CLI do)."""
    rs = get_ruleset("jinhu")
    ctx = make_ctx(enterprise_from(values), field_dictionary(), year=year, as_of=AS_OF)
    r = assess(ctx.e, rs, ctx=ctx, tier=track)
    assert r.scope == "track", track
    return r.track


def result(a, cid):
    for r in a.results:
        if r["id"] == cid:
            return r
    raise KeyError(cid)


def st(track, cid, **changes):
    return result(evaluate(with_(**changes), track), cid)["status"]


def D(x):
    return Decimal(str(x))


# ------------------------------------------------------------------------------ shape
def test_ladder_order_levels_and_links():
    rs = get_ruleset("jinhu")
    assert [t["id"] for t in rs.tiers] == ["county", "jiangsu-pool", "municipal", "provincial", "national",
                                           "champion"]
    assert [t["level"] for t in rs.tiers] == ["county", "provincial", "municipal", "provincial", "national",
                                              "champion"]
    assert [t.get("next") for t in rs.tiers] == ["jiangsu-pool", "municipal", "provincial", "national",
                                                 "champion", None]
    assert [tr["id"] for _t, tr in rs.tracks()] == TRACKS


def test_period_and_annual_notice_remark_recorded():
    rs = get_ruleset("jinhu")
    assert rs.data["period"] == [2022, 2024]
    assert rs.data["source"] == SEED
    notes = " ".join(n["zh"] for n in rs.data["notes"])
    assert "2022—2024" in notes and "申报通知" in notes and "为准" in notes
    for t in rs.tiers:
        assert "2022—2024" in t["note"]["zh"], t["id"]
    for tid in ("municipal", "provincial", "national", "champion"):
        t = rs.find(tid)[0]
        assert "为准" in t["note"]["zh"], tid


def test_every_rule_cites_the_seed_and_an_annex():
    rs = get_ruleset("jinhu")
    for _t, tr in rs.tracks():
        for c in tr["conditions"]:
            assert c["citation"].startswith(SEED + " 附件"), c["id"]


def test_jiangsu_pool_note_explains_its_place():
    t = get_ruleset("jinhu").find("jiangsu-pool")[0]
    assert "结合省级入库标准" in t["note"]["zh"] and "三(一)2" in t["note"]["zh"]


@pytest.mark.parametrize("track", TRACKS)
def test_base_company_meets_every_track(track):
    a = evaluate(BASE, track)
    assert a.verdict == "eligible", [(r["id"], r["status"]) for r in a.results if r["status"] != "met"]
    assert a.counts["unmet"] == 0 and a.counts["unknown"] == 0


# ------------------------------------------------------------- declarations (yes/no)
FLAGS = [
    # track, condition, field, the value that meets it
    ("county-manufacturing", "cty-m3-high-tech", "high_tech_enterprise", True),
    ("county-manufacturing", "cty-m3-brand", "municipal_brand", True),
    ("county-manufacturing", "cty-m3-tech", "product_tech_leading_province", True),
    ("county-manufacturing", "cty-m5-credit", "good_credit", True),
    ("county-manufacturing", "cty-m5-record", "bad_record_3y", False),
    ("county-innovation", "cty-i1-four-new", "four_new_traits", True),
    ("county-innovation", "cty-i2-team", "core_rd_team", True),
    ("county-innovation", "cty-i3-contest", "innovation_contest_provincial", True),
    ("county-innovation", "cty-i4-potential", "high_growth_potential", True),
    ("jiangsu-pool-manufacturing", "pool-c-jiangsu", "registered_in_jiangsu", True),
    ("jiangsu-pool-manufacturing", "pool-c-legal-person", "independent_legal_person", True),
    ("jiangsu-pool-manufacturing", "pool-c-accounting", "independent_accounting", True),
    ("jiangsu-pool-manufacturing", "pool-c-niche", "niche_focus", True),
    ("jiangsu-pool-manufacturing", "pool-c-management", "management_sound", True),
    ("jiangsu-pool-manufacturing", "pool-c-credit", "good_credit", True),
    ("jiangsu-pool-manufacturing", "pool-c-record", "bad_record", False),
    ("jiangsu-pool-innovation", "pool-c-jiangsu", "registered_in_jiangsu", True),
    ("jiangsu-pool-innovation", "pool-c-record", "bad_record", False),
    ("jiangsu-pool-manufacturing", "pool-m2-own-ip", "own_ip_for_main_product", True),
    ("jiangsu-pool-innovation", "pool-i1-industry", "strategic_emerging_industry", True),
    ("jiangsu-pool-innovation", "pool-i1-four-new", "four_new_traits", True),
    ("jiangsu-pool-innovation", "pool-i3-team", "core_team_background", True),
    ("jiangsu-pool-innovation", "pool-i4-potential", "high_growth_potential", True),
    ("municipal-product", "mun-p1-market", "market_leading", True),
    ("municipal-product", "mun-p3-backbone", "key_backbone_local", True),
    ("municipal-enterprise", "mun-e3-high-tech", "high_tech_enterprise", True),
    ("municipal-enterprise", "mun-e3-tech", "tech_leading_province", True),
    ("municipal-enterprise", "mun-e4-management", "management_sound", True),
]


@pytest.mark.parametrize("track,cid,field,good", FLAGS)
def test_declaration_met_unmet_unknown(track, cid, field, good):
    assert st(track, cid, **{field: good}) == "met"
    a = evaluate(with_(**{field: not good}), track)
    assert result(a, cid)["status"] == "unmet" and a.verdict == "not_eligible"
    a = evaluate(with_(**{field: None}), track)
    assert result(a, cid)["status"] == "unknown" and a.verdict == "undetermined"


@pytest.mark.parametrize("track,cid,a_field,b_field", [
    ("municipal-enterprise", "mun-e2-credit", "good_credit", "good_financing_capacity"),
    ("municipal-enterprise", "mun-e3-ip-brand", "own_ip_for_main_product", "own_brand"),
])
def test_two_declarations_both_needed(track, cid, a_field, b_field):
    assert st(track, cid) == "met"
    assert st(track, cid, **{a_field: False}) == "unmet"
    assert st(track, cid, **{b_field: False}) == "unmet"
    assert st(track, cid, **{b_field: None}) == "unknown"
    assert st(track, cid, **{a_field: False, b_field: None}) == "unmet"


@pytest.mark.parametrize("track,cid", [("county-manufacturing", "cty-m3-rd-institution"),
                                       ("municipal-enterprise", "mun-e3-rd-institution")])
def test_municipal_or_higher_rd_institution(track, cid):
    for level in ("national", "provincial", "municipal"):
        assert st(track, cid, rd_institution_level=level) == "met"
    for level in ("below_municipal", "none"):
        assert st(track, cid, rd_institution_level=level) == "unmet"
    assert st(track, cid, rd_institution_level=None) == "unknown"


# ------------------------------------------------------------------ 附件2 county pool
def test_county_scale_revenue_or_profit_and_tax():
    t, c = "county-manufacturing", "cty-m1-scale"
    assert st(t, c, main_business_revenue={"2024": 2000}, profit_and_tax={"2024": 499.99}) == "met"
    assert st(t, c, main_business_revenue={"2024": 1999.99}, profit_and_tax={"2024": 500}) == "met"
    assert st(t, c, main_business_revenue={"2024": 1999.99}, profit_and_tax={"2024": 499.99}) == "unmet"
    assert st(t, c, main_business_revenue=None, profit_and_tax={"2024": 499.99}) == "unknown"
    assert st(t, c, main_business_revenue=None, profit_and_tax={"2024": 500}) == "met"


def test_county_province_rank_top_five():
    t, c = "county-manufacturing", "cty-m2-rank"
    assert st(t, c, market_rank_province=5) == "met"
    assert st(t, c, market_rank_province=6) == "unmet"
    assert st(t, c, market_rank_province=None) == "unknown"


@pytest.mark.parametrize("track,cid", [("county-manufacturing", "cty-m3-invention"),
                                       ("county-innovation", "cty-i2-invention")])
def test_county_invention_applied_or_granted(track, cid):
    assert st(track, cid, invention_patents=1, invention_patents_applied=0) == "met"
    assert st(track, cid, invention_patents=0, invention_patents_applied=1) == "met"
    assert st(track, cid, invention_patents=0, invention_patents_applied=0) == "unmet"
    assert st(track, cid, invention_patents=0, invention_patents_applied=None) == "unknown"


def test_county_main_business_share_40():
    t, c = "county-manufacturing", "cty-m4-main-share"
    # operating revenue 2024 is 12000: 40% is 4800
    assert st(t, c, main_business_revenue={"2024": 4800}) == "met"
    assert st(t, c, main_business_revenue={"2024": 4799.99}) == "unmet"
    assert st(t, c, main_business_revenue=None) == "unknown"


@pytest.mark.parametrize("track,cid", [("county-manufacturing", "cty-m4-related"),
                                       ("jiangsu-pool-manufacturing", "pool-m4-related")])
def test_several_main_products_must_be_related(track, cid):
    assert st(track, cid, multiple_main_products=False, related_products=None) == "met"
    assert st(track, cid, multiple_main_products=True, related_products=True) == "met"
    assert st(track, cid, multiple_main_products=True, related_products=False) == "unmet"
    assert st(track, cid, multiple_main_products=True, related_products=None) == "unknown"
    assert st(track, cid, multiple_main_products=None, related_products=None) == "unknown"


# ------------------------------------------------------------------- 附件1 Jiangsu pool
def test_pool_cluster_is_priority_only():
    a = evaluate(with_(jiangsu_advanced_cluster=False), "jiangsu-pool-manufacturing")
    assert result(a, "pool-m1-cluster")["status"] == "unmet" and a.verdict == "eligible"
    assert evaluate(BASE, "jiangsu-pool-manufacturing").counts["priority_met"] == 1


def test_pool_patents_invention_plus_utility_at_least_2():
    t, c = "jiangsu-pool-manufacturing", "pool-m3-patents"
    assert st(t, c, invention_patents=1, utility_patents=1) == "met"
    assert st(t, c, invention_patents=0, utility_patents=2) == "met"
    assert st(t, c, invention_patents=1, utility_patents=0) == "unmet"
    # design patents do not count
    assert st(t, c, invention_patents=0, utility_patents=1, design_patents=5) == "unmet"
    assert st(t, c, invention_patents=0, utility_patents=None) == "unknown"
    assert st(t, c, invention_patents=2, utility_patents=None) == "met"


def test_pool_innovation_patents_at_least_1():
    t, c = "jiangsu-pool-innovation", "pool-i2-patents"
    assert st(t, c, invention_patents=0, utility_patents=1) == "met"
    assert st(t, c, invention_patents=1, utility_patents=0) == "met"
    assert st(t, c, invention_patents=0, utility_patents=0, design_patents=3) == "unmet"
    assert st(t, c, invention_patents=None, utility_patents=0) == "unknown"


def test_pool_leading_product_40_of_operating_revenue():
    t, c = "jiangsu-pool-manufacturing", "pool-m4-share"
    # of operating revenue (12000), not of main-business revenue (11400)
    assert st(t, c, leading_product_revenue={"2024": 4800}) == "met"
    assert st(t, c, leading_product_revenue={"2024": 4799.99}) == "unmet"
    assert st(t, c, leading_product_revenue=None) == "unknown"


def test_pool_market_rank_or_supplier():
    t, c = "jiangsu-pool-manufacturing", "pool-m5-market"
    assert st(t, c, market_leading=True, supply_chain_leader=False) == "met"
    assert st(t, c, market_leading=False, supply_chain_leader=True) == "met"
    assert st(t, c, market_leading=False, supply_chain_leader=False) == "unmet"
    assert st(t, c, market_leading=None, supply_chain_leader=False) == "unknown"


FLAT = {"2021": 10000, "2022": 10000, "2023": 10000, "2024": 10000}
ZERO_PROFIT = {"2022": 0, "2023": 0, "2024": 0}


@pytest.mark.parametrize("track,cid,pct", [("jiangsu-pool-manufacturing", "pool-m6-growth", 5),
                                           ("provincial-manufacturing", "prov-m2-growth", 8)])
def test_three_year_growth_or_margin(track, cid, pct):
    g = 1 + D(pct) / 100
    r = [D(10000), D(10000) * g, D(10000) * g * g, D(10000) * g * g * g]
    exact = {str(2021 + i): float(x) for i, x in enumerate(r)}
    assert [D(str(x)) for x in exact.values()] == r  # these series are exact in decimal
    # growth path alone (operating margin 0): mean of three yearly rates exactly pct
    assert st(track, cid, operating_revenue=exact, operating_profit=ZERO_PROFIT) == "met"
    below = dict(exact, **{"2024": float(r[3] - D("0.01"))})
    assert st(track, cid, operating_revenue=below, operating_profit=ZERO_PROFIT) == "unmet"
    # margin path alone (no growth): mean of the yearly margins exactly pct
    p = {"2022": (pct - 1) * 100, "2023": pct * 100, "2024": (pct + 1) * 100}
    assert st(track, cid, operating_revenue=FLAT, operating_profit=p) == "met"
    assert st(track, cid, operating_revenue=FLAT,
              operating_profit=dict(p, **{"2024": (pct + 1) * 100 - 0.01})) == "unmet"
    # the growth needs four years: without 2021 only the margin path can decide
    no_2021 = {k: v for k, v in FLAT.items() if k != "2021"}
    assert st(track, cid, operating_revenue=no_2021, operating_profit=p) == "met"
    assert st(track, cid, operating_revenue=no_2021, operating_profit=ZERO_PROFIT) == "unknown"
    # no growth and no profit figures: the margin path might still meet it
    assert st(track, cid, operating_revenue=FLAT, operating_profit=None) == "unknown"


def test_average_growth_is_the_arithmetic_mean_of_yearly_rates():
    # +20%, -15%, +10%: arithmetic mean 5% (met); compound growth would be about 3.9%
    rev = {"2021": 10000, "2022": 12000, "2023": 10200, "2024": 11220}
    a = evaluate(with_(operating_revenue=rev, operating_profit=ZERO_PROFIT), "jiangsu-pool-manufacturing")
    node = result(a, "pool-m6-growth")["result"]["checks"][0]
    assert node["actual"] == D(5) and node["status"] == "met"


def test_growth_gap_is_revenue_needed_in_the_assessment_year():
    rev = {"2021": 10000, "2022": 10500, "2023": 11025, "2024": 11000}
    a = evaluate(with_(operating_revenue=rev, operating_profit=ZERO_PROFIT), "jiangsu-pool-manufacturing")
    node = result(a, "pool-m6-growth")["result"]["checks"][0]
    # 2024 must reach 11025 * 1.05 = 11576.25
    assert node["gap"].amount == D("576.25")


# -------------------------------------------------------------------- 附件5 municipal
def test_municipal_product_share_of_main_business_50():
    t, c = "municipal-product", "mun-p1-share"
    # of main-business revenue (11400): 50% is 5700
    assert st(t, c, leading_product_revenue={"2024": 5700}) == "met"
    assert st(t, c, leading_product_revenue={"2024": 5699.99}) == "unmet"
    assert st(t, c, main_business_revenue=None) == "unknown"


def test_municipal_product_ip_two_items_of_any_kind():
    t, c = "municipal-product", "mun-p2-ip"
    none = dict(invention_patents=0, utility_patents=0, design_patents=0, software_copyrights=0,
                proprietary_technologies=0)
    assert st(t, c, **dict(none, proprietary_technologies=2)) == "met"
    assert st(t, c, **dict(none, design_patents=1, software_copyrights=1)) == "met"
    assert st(t, c, **dict(none, invention_patents=1)) == "unmet"
    assert st(t, c, **dict(none, invention_patents=1, proprietary_technologies=None)) == "unknown"


def test_municipal_enterprise_revenue_5000_inclusive():
    t, c = "municipal-enterprise", "mun-e1-revenue"
    assert st(t, c, main_business_revenue={"2024": 5000}) == "met"
    assert st(t, c, main_business_revenue={"2024": 4999.99}) == "unmet"
    assert st(t, c, main_business_revenue=None) == "unknown"


def test_municipal_enterprise_province_top_ten():
    t, c = "municipal-enterprise", "mun-e1-rank"
    assert st(t, c, market_rank_province=10) == "met"
    assert st(t, c, market_rank_province=11) == "unmet"
    assert st(t, c, market_rank_province=None) == "unknown"


def test_municipal_enterprise_two_year_growth_5():
    t, c = "municipal-enterprise", "mun-e2-growth"
    assert st(t, c, main_business_revenue={"2022": 10000, "2023": 10500, "2024": 11025}) == "met"
    assert st(t, c, main_business_revenue={"2022": 10000, "2023": 10500, "2024": 11024.99}) == "unmet"
    assert st(t, c, main_business_revenue={"2023": 10500, "2024": 11025}) == "unknown"


def test_municipal_enterprise_debt_ratio_70_and_gap():
    t, c = "municipal-enterprise", "mun-e2-debt"
    assert st(t, c, total_liabilities={"2024": 14000}) == "met"
    a = evaluate(with_(total_liabilities={"2024": 14500}), t)
    r = result(a, c)
    assert r["status"] == "unmet"
    assert r["result"]["gap"].amount == D(500)  # pay down 500 万元 of 20000 assets to reach 70%
    assert st(t, c, total_liabilities={"2024": 14000.01}) == "unmet"
    assert st(t, c, total_assets=None) == "unknown"
