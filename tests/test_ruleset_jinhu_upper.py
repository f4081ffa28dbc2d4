"""Jinhu ladder, part 2: provincial (附件4), national little giant and single champion (附件3),
the ladder through engine.service.assess_ladder, the samples and the CLI."""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from conftest import ROOT, enterprise_from
from test_ruleset_jinhu import AS_OF, BASE, D, evaluate, result, st, with_
from zjtx_cli.engine.service import assess_ladder, make_ctx
from zjtx_cli.inputs.fields import field_dictionary
from zjtx_cli.rules.loader import get_ruleset


def load_sample(name):
    with open(os.path.join(ROOT, "samples", name), encoding="utf-8") as fh:
        return json.load(fh)


def ladder(values):
    return assess_ladder(get_ruleset("jinhu"), make_ctx(enterprise_from(values), field_dictionary(), as_of=AS_OF))


# ------------------------------------------------------------------ 附件4 provincial
FLAGS = [
    ("provincial-product", "prov-p2-performance", "key_performance_leading", True),
    ("provincial-manufacturing", "prov-m4-tech", "tech_leading_domestic", True),
    ("provincial-innovation", "prov-i2-original", "original_technology", True),
    ("provincial-innovation", "prov-i3-potential", "high_growth_potential", True),
    ("national-little-giant", "nat-6-certification", "quality_system_certified", True),
    ("champion-enterprise", "ch-1-record", "env_safety_violation_3y", False),
    ("champion-enterprise", "ch-2-brand", "brand_strategy", True),
    ("champion-enterprise", "ch-3-field", "champion_focus_field", True),
    ("champion-enterprise", "ch-4-performance", "profit_margin_above_industry", True),
    ("champion-enterprise", "ch-5-tech", "tech_leading_international", True),
    ("champion-enterprise", "ch-5-innovation", "innovation_capability_strong", True),
    ("champion-enterprise", "ch-5-standards", "leads_standards", True),
    ("champion-product", "ch-1-record", "env_safety_violation_3y", False),
    ("champion-product", "ch-5-tech", "tech_leading_international", True),
]


@pytest.mark.parametrize("track,cid,field,good", FLAGS)
def test_declaration_met_unmet_unknown(track, cid, field, good):
    changes = ({"standards_or_foreign_cert": False, "management_system_certified": False}
               if cid == "nat-6-certification" else {})
    assert st(track, cid, **{field: good}, **changes) == "met"
    a = evaluate(with_(**{field: not good}, **changes), track)
    assert result(a, cid)["status"] == "unmet" and a.verdict == "not_eligible"
    a = evaluate(with_(**{field: None}, **changes), track)
    assert result(a, cid)["status"] == "unknown" and a.verdict == "undetermined"


def test_provincial_product_share_of_main_business_60():
    t, c = "provincial-product", "prov-p1-share"
    # of main-business revenue 11400: 60% is 6840
    assert st(t, c, leading_product_revenue={"2024": 6840}) == "met"
    assert st(t, c, leading_product_revenue={"2024": 6839.99}) == "unmet"
    assert st(t, c, leading_product_revenue=None) == "unknown"


def test_provincial_product_patents_or_proprietary_technology():
    t, c = "provincial-product", "prov-p2-ip"
    assert st(t, c, invention_patents=1, utility_patents=1, proprietary_technologies=0) == "met"
    assert st(t, c, invention_patents=0, utility_patents=0, proprietary_technologies=1) == "met"
    assert st(t, c, invention_patents=1, utility_patents=0, design_patents=9, proprietary_technologies=0) == "unmet"
    assert st(t, c, invention_patents=1, utility_patents=0, proprietary_technologies=None) == "unknown"


@pytest.mark.parametrize("track,cid,rank", [("provincial-product", "prov-p3-market", 10),
                                            ("provincial-manufacturing", "prov-m3-market", 5)])
def test_provincial_national_rank_or_supply_chain(track, cid, rank):
    assert st(track, cid, market_rank_national=rank, supply_chain_leader=False) == "met"
    assert st(track, cid, market_rank_national=rank + 1, supply_chain_leader=False) == "unmet"
    assert st(track, cid, market_rank_national=rank + 1, supply_chain_leader=True) == "met"
    assert st(track, cid, market_rank_national=None, supply_chain_leader=False) == "unknown"


def test_provincial_scale_revenue_or_total_profit():
    t, c = "provincial-manufacturing", "prov-m1-scale"
    assert st(t, c, main_business_revenue={"2024": 5000}, total_profit={"2024": 399.99}) == "met"
    assert st(t, c, main_business_revenue={"2024": 4999.99}, total_profit={"2024": 400}) == "met"
    assert st(t, c, main_business_revenue={"2024": 4999.99}, total_profit={"2024": 399.99}) == "unmet"
    assert st(t, c, main_business_revenue={"2024": 4999.99}, total_profit=None) == "unknown"


def test_provincial_rd_mean_of_three_yearly_ratios():
    t, c = "provincial-manufacturing", "prov-m6-rd"
    # revenue 10000 / 11000 / 12000: 3% each year
    assert st(t, c, rd_expense={"2022": 300, "2023": 330, "2024": 360}) == "met"
    a = evaluate(with_(rd_expense={"2022": 300, "2023": 330, "2024": 359.99}), t)
    assert result(a, c)["status"] == "unmet"
    assert result(a, c)["result"]["gap"].amount == D("0.01")
    # 4%, 3%, 2%: the mean of the ratios is 3% (met), although total R&D / total revenue is 2.94%
    assert st(t, c, rd_expense={"2022": 400, "2023": 330, "2024": 240}) == "met"
    assert st(t, c, rd_expense={"2023": 330, "2024": 360}) == "unknown"


def test_provincial_rd_gap_in_wan_yuan():
    # 2%, 3%, 2% -> mean 2.33%; 2024 must reach 4% of 12000 = 480, i.e. 240 万元 more
    a = evaluate(with_(rd_expense={"2022": 200, "2023": 330, "2024": 240}), "provincial-manufacturing")
    g = result(a, "prov-m6-rd")["result"]["gap"]
    assert g.amount == D(240) and g.unit == "万元"
    assert "480 万元" in g.zh and "240 万元" in g.zh


def test_provincial_innovation_founded_2014_or_later():
    t, c = "provincial-innovation", "prov-i1-founded"
    assert st(t, c, founding_date="2014-01-01") == "met"
    assert st(t, c, founding_date="2023-06-30") == "met"
    a = evaluate(with_(founding_date="2013-12-31"), t)
    assert result(a, c)["status"] == "unmet"
    gaps = [g for g in a.gaps if g["condition"] == c]
    assert gaps and gaps[0]["effort"] == "blocker"
    assert st(t, c, founding_date=None) == "unknown"


# -------------------------------------------------------- 附件3 national little giant
def test_national_main_business_share_70():
    t, c = "national-little-giant", "nat-1-main-share"
    assert st(t, c, main_business_revenue={"2022": 9500, "2023": 10450, "2024": 8400}) == "met"
    assert st(t, c, main_business_revenue={"2022": 9500, "2023": 10450, "2024": 8399.99}) == "unmet"


def test_national_province_top_3():
    t, c = "national-little-giant", "nat-2-rank"
    assert st(t, c, market_rank_province=3) == "met"
    assert st(t, c, market_rank_province=4) == "unmet"
    assert st(t, c, market_rank_province=None) == "unknown"


def test_national_niche_years_and_debt():
    t = "national-little-giant"
    assert st(t, "nat-3-niche-years", niche_market_years=3) == "met"
    assert st(t, "nat-3-niche-years", niche_market_years=2.99) == "unmet"
    assert st(t, "nat-3-niche-years", niche_market_years=None) == "unknown"
    assert st(t, "nat-3-debt", total_liabilities={"2024": 14000}) == "met"
    assert st(t, "nat-3-debt", total_liabilities={"2024": 14000.01}) == "unmet"
    assert st(t, "nat-3-debt", total_liabilities=None) == "unknown"


def test_national_growth_revenue_or_net_profit():
    t, c = "national-little-giant", "nat-4-growth"
    five = {"2022": 10000, "2023": 10500, "2024": 11025}
    low = {"2022": 10000, "2023": 10500, "2024": 11024.99}
    assert st(t, c, main_business_revenue=five, net_profit={"2022": 1000, "2023": 1000, "2024": 1000}) == "met"
    assert st(t, c, main_business_revenue=low, net_profit={"2022": 1000, "2023": 1050, "2024": 1102.5}) == "met"
    assert st(t, c, main_business_revenue=low, net_profit={"2022": 1000, "2023": 1050, "2024": 1102.49}) == "unmet"
    assert st(t, c, main_business_revenue=low, net_profit=None) == "unknown"
    # growth from a loss is undefined: unknown, not met
    # growth from a loss cannot be computed: that path is not met
    assert st(t, c, main_business_revenue=low, net_profit={"2022": -50, "2023": 100, "2024": 300}) == "unmet"


def test_national_ip_two_inventions_or_five_others():
    t, c = "national-little-giant", "nat-5-ip"
    assert st(t, c, invention_patents=2, utility_patents=0, design_patents=0, software_copyrights=0) == "met"
    assert st(t, c, invention_patents=1, utility_patents=3, design_patents=1, software_copyrights=1) == "met"
    assert st(t, c, invention_patents=1, utility_patents=2, design_patents=1, software_copyrights=1) == "unmet"
    assert st(t, c, invention_patents=1, utility_patents=2, design_patents=1, software_copyrights=None) == "unknown"


def test_national_certification_any_path():
    t, c = "national-little-giant", "nat-6-certification"
    assert st(t, c, quality_system_certified=False, standards_or_foreign_cert=True) == "met"
    # 管理体系认证: any management system, not only quality
    assert st(t, c, quality_system_certified=False, management_system_certified=True,
              standards_or_foreign_cert=False) == "met"
    assert st(t, c, quality_system_certified=False, management_system_certified=False,
              standards_or_foreign_cert=False) == "unmet"


def test_national_rd_institution_any_level_and_it():
    t = "national-little-giant"
    assert st(t, "nat-7-rd-institution", rd_institution_level="below_municipal") == "met"
    assert st(t, "nat-7-rd-institution", rd_institution_level="none") == "unmet"
    assert st(t, "nat-7-rd-institution", rd_institution_level=None) == "unknown"
    assert st(t, "nat-8-it", it_core_businesses=1) == "met"
    assert st(t, "nat-8-it", it_core_businesses=0) == "unmet"
    assert st(t, "nat-8-it", it_core_businesses=None) == "unknown"


def nat9(rev2023, rev2024, rd2023, rd2024, **more):
    return st("national-little-giant", "nat-9-rd", operating_revenue={"2023": rev2023, "2024": rev2024},
              rd_expense={"2023": rd2023, "2024": rd2024}, **more)


def test_national_rd_band_100_million_exactly():
    assert nat9(10000, 10000, 300, 300) == "met"  # 3%
    assert nat9(10000, 10000, 299.99, 300) == "unmet"


def test_national_rd_band_just_under_100_million_needs_6_percent():
    assert nat9(10000, 9999.99, 400, 400) == "unmet"  # 4% meets the 1亿 band, not this one
    assert nat9(10000, 9999.99, 600, 599.9994) == "met"  # exactly 6% of 19999.99
    assert nat9(10000, 9999.99, 600, 599.9993) == "unmet"


def test_national_rd_band_50_million_exactly():
    assert nat9(5000, 5000, 300, 300) == "met"  # 6%
    assert nat9(5000, 5000, 299.99, 300) == "unmet"


UNDER = dict(equity_financing={"2023": 4000, "2024": 4000}, employees={"2024": 100}, rd_staff={"2024": 50},
             key_tech_breakthrough=True)


def test_national_rd_band_under_50_million_equity_path():
    assert nat9(4999.99, 4999.99, 1500, 1500, **UNDER) == "met"
    assert nat9(4999.99, 4999.99, 1500, 1499.99, **UNDER) == "unmet"  # R&D 2999.99 < 3000
    assert nat9(4999.99, 4999.99, 1500, 1500, **dict(UNDER, equity_financing={"2023": 4000, "2024": 3999.99})) \
        == "unmet"
    assert nat9(4999.99, 4999.99, 1500, 1500, **dict(UNDER, rd_staff={"2024": 49})) == "unmet"
    assert nat9(4999.99, 4999.99, 1500, 1500, **dict(UNDER, key_tech_breakthrough=False)) == "unmet"
    assert nat9(4999.99, 4999.99, 1500, 1500, **dict(UNDER, key_tech_breakthrough=None)) == "unknown"


def test_national_rd_band_under_50_million_without_equity():
    # 10% R&D intensity does not help below 5000万: the equity path is the only one
    assert nat9(4999.99, 4999.99, 500, 500, equity_financing={"2023": 0, "2024": 0}) == "unmet"
    assert nat9(4999.99, 4999.99, 500, 500, equity_financing=None) == "unmet"  # R&D 1000 < 3000 settles it
    assert nat9(4999.99, 4999.99, 1500, 1500, **dict(UNDER, equity_financing=None)) == "unknown"


def test_national_rd_band_unknown_without_revenue():
    assert st("national-little-giant", "nat-9-rd", operating_revenue=None) == "unknown"


def test_national_rd_gap_in_wan_yuan():
    a = evaluate(with_(operating_revenue={"2023": 10000, "2024": 10000}, rd_expense={"2023": 250, "2024": 250}),
                 "national-little-giant")
    r = result(a, "nat-9-rd")
    assert r["status"] == "unmet"
    assert r["result"]["then"]["gap"].amount == D(100)  # 3% of 20000 = 600, has 500


# --------------------------------------------------------------- 附件3 single champion
def test_champion_years_in_field_or_new_product():
    t, c = "champion-enterprise", "ch-6-years"
    assert st(t, c, business_field_years=10, new_product_years=0) == "met"
    assert st(t, c, business_field_years=9.99, new_product_years=3) == "met"
    assert st(t, c, business_field_years=9.99, new_product_years=2.99) == "unmet"
    assert st(t, c, business_field_years=9.99, new_product_years=None) == "unknown"


def test_champion_leading_product_70_of_all_revenue():
    t, c = "champion-product", "ch-7-share"
    # of operating revenue 12000: 70% is 8400
    assert st(t, c, leading_product_revenue={"2024": 8400}) == "met"
    assert st(t, c, leading_product_revenue={"2024": 8399.99}) == "unmet"
    assert st(t, c, leading_product_revenue=None) == "unknown"


def test_champion_tracks_share_the_seven_rows():
    rs = get_ruleset("jinhu")
    ids = [[c["id"] for c in tr["conditions"]] for tr in rs.find("champion")[1]]
    assert ids[0] == ids[1] and len(ids[0]) == 10
    assert rs.find("champion")[0]["note"]["zh"].count("合并单元格") == 1


DEP = "ch-4-little-giant"
REV = {"2021": 30000, "2022": 34000, "2023": 37000}
# a company near the 4亿 line that meets the national tier on its own figures
BIG = dict(main_business_revenue={"2022": 32300, "2023": 35150, "2024": 38000},
           rd_expense={"2022": 1400, "2023": 1500, "2024": 1600}, leading_product_revenue={"2024": 30000})


def big(rev2024, **changes):
    return with_(operating_revenue=dict(REV, **{"2024": rev2024}), **dict(BIG, **changes))


def dep(rev2024, track="champion-enterprise", **changes):
    return result(evaluate(big(rev2024, **changes), track), DEP)


def test_champion_dependency_not_needed_above_400_million():
    r = dep(40000.01, national_little_giant=False, market_rank_province=9)
    assert r["status"] == "met"


def test_champion_dependency_at_and_under_400_million_declared():
    # 以下 includes 4亿 itself
    assert dep(40000, national_little_giant=True, market_rank_province=9)["status"] == "met"
    assert dep(40000, national_little_giant=False, market_rank_province=9)["status"] == "unmet"
    assert dep(39999.99, "champion-product", national_little_giant=False, market_rank_province=9)["status"] \
        == "unmet"
    # neither declared nor decided by the national tier (its rank unknown): unknown
    assert dep(39999.99, national_little_giant=None, market_rank_province=None)["status"] == "unknown"
    assert st("champion-enterprise", DEP, operating_revenue=None) == "unknown"


def test_champion_dependency_through_the_ladder_verdict():
    values = big(39999.99, national_little_giant=None)
    lad = ladder(values)
    tiers = {t["id"]: (group, s) for t, group, s in lad.tiers}
    assert tiers["national"][1] == "reached"
    champ = tiers["champion"][0][0]
    r = result(champ, DEP)
    # 须为小巨人 asks for the recognition: reaching the national tier here does not meet it (issue 12)
    assert r["status"] == "unknown"
    assert r["result"]["then"]["tier_status"] == "met" and "须先取得认定" in r["result"]["then"]["label"]["zh"]
    assert lad.highest["id"] == "national" and lad.next["id"] == "champion"
    # the same company failing the national tier (province rank 4), status undeclared: still unknown
    lad = ladder(dict(values, market_rank_province=4))
    champ = {t["id"]: g for t, g, _s in lad.tiers}["champion"][0]
    assert result(champ, DEP)["status"] == "unknown"
    # a declared 'no' decides, even when the national tier's criteria are met
    lad = ladder(dict(values, national_little_giant=False))
    assert {t["id"]: s for t, _g, s in lad.tiers}["national"] == "reached"
    champ = {t["id"]: g for t, g, _s in lad.tiers}["champion"][0]
    assert result(champ, DEP)["status"] == "unmet"
    lad = ladder(dict(values, market_rank_province=4, national_little_giant=False))
    champ = {t["id"]: g for t, g, _s in lad.tiers}["champion"][0]
    assert result(champ, DEP)["status"] == "unmet"


# ------------------------------------------------------------------------- the ladder
def test_ladder_municipal_not_provincial_with_rd_gap():
    lad = ladder(load_sample("jinhu-municipal.json"))
    status = {t["id"]: s for t, _g, s in lad.tiers}
    assert status == {"county": "reached", "jiangsu-pool": "reached", "municipal": "reached",
                      "provincial": "not_reached", "national": "not_reached", "champion": "not_reached"}
    assert lad.highest["id"] == "municipal" and lad.verdict == "eligible"
    assert lad.next["id"] == "provincial"
    a = lad.next_assessment
    assert a.track["id"] == "provincial-manufacturing" and a.counts["unmet"] == 1
    gaps = a.gaps
    assert [g["condition"] for g in gaps] == ["prov-m6-rd"]
    node = gaps[0]["items"][0]["node"]
    assert node["actual"].quantize(D("0.0001")) == D("2.5667")  # (2.5% + 2.6% + 2.6%) / 3
    g = gaps[0]["items"][0]["gap"]
    # 2024 R&D must reach (9% - 2.5% - 2.6%) x 8000 = 312 万元; it is 208: 104 万元 short
    assert g.amount == D(104) and g.unit == "万元"
    assert "312 万元" in g.zh and "104 万元" in g.zh


def test_ladder_provincial_sample():
    lad = ladder(load_sample("jinhu-provincial.json"))
    status = {t["id"]: s for t, _g, s in lad.tiers}
    assert status["provincial"] == "reached" and status["national"] == "not_reached"
    assert lad.highest["id"] == "provincial" and lad.next["id"] == "national"
    assert [g["condition"] for g in lad.next_assessment.gaps] == ["nat-2-rank"]


def test_ladder_base_company_reaches_the_top():
    lad = ladder(BASE)
    assert all(s == "reached" for _t, _g, s in lad.tiers)
    assert lad.highest["id"] == "champion" and lad.next is None and lad.next_external is None


def test_what_if_more_rd_reaches_provincial():
    values = load_sample("jinhu-municipal.json")
    values["rd_expense"]["2024"] = 312
    lad = ladder(values)
    assert lad.highest["id"] == "provincial"
    values["rd_expense"]["2024"] = 311.99
    assert ladder(values).highest["id"] == "municipal"


# ------------------------------------------------------------------------------- CLI
@pytest.mark.parametrize("name,highest,nxt", [("jinhu-municipal.json", "municipal", "provincial"),
                                               ("jinhu-provincial.json", "provincial", "national")])
def test_cli_ladder_json(name, highest, nxt):
    from zjtx_cli.cli.app import app

    r = CliRunner().invoke(app, ["assess", os.path.join(ROOT, "samples", name), "--scheme", "jinhu",
                                 "--format", "json", "--as-of", "2025-06-01"], catch_exceptions=False)
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["scheme"] == "jinhu" and doc["mode"] == "ladder"
    assert doc["highest_tier"] == highest and doc["next_tier"] == nxt
    assert [t["id"] for t in doc["tiers"]] == ["county", "jiangsu-pool", "municipal", "provincial", "national",
                                               "champion"]
    # the plan ended in 2024: one warning line on stderr
    warnings = [ln for ln in r.stderr.splitlines() if "2024" in ln]
    assert len(warnings) == 1 and warnings[0].startswith("zjtx: warning: jinhu")


def test_cli_single_track_with_dependency():
    from zjtx_cli.cli.app import app

    r = CliRunner().invoke(app, ["assess", os.path.join(ROOT, "samples", "jinhu-municipal.json"), "--scheme",
                                 "jinhu", "--tier", "provincial-manufacturing", "--format", "json"],
                           catch_exceptions=False)
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert doc["verdict"] == "not_eligible"
    assert [g["condition"] for g in doc["gaps"]] == ["prov-m6-rd"]
    assert doc["gaps"][0]["items"][0]["shortfall"]["amount"] == 104
