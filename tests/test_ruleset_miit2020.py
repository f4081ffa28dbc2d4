"""National little giant, 2nd batch (001_4225ee514247bff2.txt, 工信厅企业函〔2020〕159号): every condition
met, unmet and unknown; both sides of every threshold; every OR path (growth, patents, R&D institution,
category); the exclusions; verdict precedence; the samples through the CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal

import pytest

from conftest import assert_declaration, assess_enterprise, changed, enterprise, first_gap, load_sample, status

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEME = "miit-2020"
AS_OF = dt.date(2020, 8, 1)


# ------------------------------------------------------------------------------ helpers
BASE = load_sample("miit-2020-eligible.json")
st = status


def run(as_of=AS_OF, base=None, **changes):
    """Assess BASE with changes (None removes a field) against the little-giant tier."""
    return assess_enterprise(enterprise(changed(base or BASE, **changes)), SCHEME, "little-giant", as_of=as_of)

gap = first_gap


# ------------------------------------------------------------------------------ the ruleset
def test_ruleset_metadata():
    from zjtx_cli.rules.loader import get_ruleset

    rs = get_ruleset(SCHEME)
    d = rs.data
    assert d["document_number"] == "工信厅企业函〔2020〕159号"
    assert d["issued"] == "2020-07-06"
    assert d["validity_years"] == 3 and "三(三)" in d["validity_citation"]
    t, tracks = rs.find("little-giant")
    assert t["level"] == "national" and len(tracks) == 1
    for c in tracks[0]["conditions"]:
        assert c["id"].startswith("m20-")
        f = c["citation"].split(" ")[0]
        assert f == "001_4225ee514247bff2.txt"
        seeds = os.path.join(os.path.dirname(ROOT), "shared", "seeds")
        if os.path.isdir(seeds):  # the cited file exists (a clone without ../shared cannot check it)
            assert os.path.exists(os.path.join(seeds, f))
    excl = [c["id"] for c in tracks[0]["conditions"] if c["kind"] == "exclusion"]
    assert excl == ["m20-x1-false-info", "m20-x2-accident", "m20-x3-violation", "m20-x4-champion"]


@pytest.mark.parametrize("scheme", ["hengyang", "bicycle", "guizhou"])
def test_other_schemes_point_here(scheme):
    # local tiers lead to the national little giant of the version in force; before
    # 2022-08-01 that is this notice
    import datetime as dt

    from zjtx_cli.rules.loader import get_ruleset
    from zjtx_cli.rules.versions import resolve

    nxt = get_ruleset(scheme).tiers[-1]["next"]
    if nxt == "hunan:provincial":  # hengyang: the Hunan provincial tier comes between (issue 15)
        nxt = get_ruleset("hunan").tiers[-1]["next"]
    assert nxt == "miit:little-giant"
    s, tid = nxt.split(":")
    assert resolve(s, dt.date(2021, 6, 1)) == "miit-2020"
    t, tracks = get_ruleset(resolve(s, dt.date(2021, 6, 1))).find(tid)
    assert t is not None and tracks


def test_sample_is_eligible():
    a = run()
    assert a.verdict == "eligible"
    assert a.counts["unmet"] == 0 and a.counts["unknown"] == 0 and a.counts["met"] == 36


# ------------------------------------------------------------------------------ declarations
DECLARATIONS = [
    ("registered_in_china", "m20-1-registered"), ("independent_legal_person", "m20-1-legal-person"),
    ("specialised_focus", "m20-2-specialised"), ("supplies_large_projects", "m20-2-supplier"),
    ("market_leading", "m20-2-market-share"), ("continuous_innovation", "m20-3-innovation"),
    ("management_sound", "m20-4-management"), ("good_credit", "m20-4-credit"),
    ("social_responsibility", "m20-4-responsibility"), ("tech_leading_domestic", "m20-4-tech-leading"),
    ("brand_recognition", "m20-4-brand-influence"), ("long_term_strategy", "m20-4-strategy"),
    ("core_team_background", "m20-4-team"), ("product_well_known", "m20-s2-well-known"),
    ("sustained_innovation", "m20-s3-core-tech"), ("refined_management_plan", "m20-s4-refined-management"),
    ("quality_system_certified", "m20-s4-quality-cert"), ("brand_strategy", "m20-s4-brand-strategy"),
    ("own_brand", "m20-s4-own-brand"), ("standards_or_foreign_cert", "m20-s4-standards"),
]


@pytest.mark.parametrize("field,cond", DECLARATIONS)
def test_declared_conditions(field, cond):
    assert_declaration(run, field, cond)


# ------------------------------------------------------------------------------ 二(一)1
def test_years_in_operation_3_inclusive():
    # counted to the assessment date 2020-08-01 (连续经营3年以上 fixes no cut-off)
    assert st(run(founding_date="2017-08-01"), "m20-1-years") == "met"
    assert st(run(founding_date="2017-08-02"), "m20-1-years") == "unmet"
    assert st(run(founding_date=None), "m20-1-years") == "unknown"


def test_sme():
    big = dict(employees={"2019": 1000}, operating_revenue={"2017": 30000, "2018": 35000, "2019": 40000})
    assert st(run(**big), "m20-1-sme") == "unmet"
    assert st(run(**dict(big, employees={"2019": 999})), "m20-1-sme") == "met"
    assert st(run(industry=None, sme_declared=False), "m20-1-sme") == "unmet"
    assert st(run(industry=None), "m20-1-sme") == "unknown"


@pytest.mark.parametrize("prov,prod,other,expected", [
    (True, False, False, "met"), (False, True, False, "met"), (False, False, True, "met"),
    (False, False, False, "unmet"), (False, None, None, "unknown"), (None, None, None, "unknown")])
def test_category_any_of_three(prov, prod, other, expected):
    a = run(provincial_zjtx=prov, zjtx_product=prod, innovative_competitive=other)
    assert st(a, "m20-1-category") == expected


# ------------------------------------------------------------------------------ 二(二)
@pytest.mark.parametrize("area,expected", [("four_bases", "met"), ("ten_key_industries", "met"), ("chain_gap", "met"),
                                           ("provincial_priority", "met"), ("digital_integration", "unmet"),
                                           ("bicycle_high_end", "unmet"), ("other", "unmet"), (None, "unknown")])
def test_focus_area_required(area, expected):
    a = run(focus_area=area)
    assert st(a, "m20-focus") == expected
    assert a.verdict == {"met": "eligible", "unmet": "not_eligible", "unknown": "undetermined"}[expected]


# ------------------------------------------------------------------------------ 二(三)1
def test_revenue_1yi_inclusive():
    assert st(run(operating_revenue={"2017": 9000, "2018": 9500, "2019": 10000}), "m20-s1-revenue") == "met"
    a = run(operating_revenue={"2017": 9000, "2018": 9500, "2019": 9999.99})
    assert st(a, "m20-s1-revenue") == "unmet"
    assert gap(a, "m20-s1-revenue").amount == Decimal("0.01")
    assert st(run(operating_revenue={"2017": 9000, "2018": 9500}), "m20-s1-revenue") == "unknown"


def test_growth_is_arithmetic_mean_of_yearly_rates():
    # +20% then 0%: arithmetic mean 10% (met); the compound rate would be 9.54% (unmet)
    a = run(main_business_revenue={"2017": 10000, "2018": 12000, "2019": 12000},
            net_profit={"2017": 1000, "2018": 1000, "2019": 1000})
    assert st(a, "m20-s1-growth") == "met"


def test_growth_main_business_both_sides():
    np_flat = {"2017": 1000, "2018": 1000, "2019": 1000}
    assert st(run(main_business_revenue={"2017": 10000, "2018": 11000, "2019": 12100}, net_profit=np_flat),
              "m20-s1-growth") == "met"
    assert st(run(main_business_revenue={"2017": 10000, "2018": 11000, "2019": 12099.99}, net_profit=np_flat),
              "m20-s1-growth") == "unmet"


def test_growth_net_profit_path():
    mb_flat = {"2017": 12000, "2018": 12000, "2019": 12000}
    assert st(run(main_business_revenue=mb_flat, net_profit={"2017": 1000, "2018": 1100, "2019": 1210}),
              "m20-s1-growth") == "met"
    assert st(run(main_business_revenue=mb_flat, net_profit={"2017": 1000, "2018": 1100, "2019": 1209.99}),
              "m20-s1-growth") == "unmet"
    # profit growth from a loss cannot be computed: that path is not met (the figures are given)
    assert st(run(main_business_revenue=mb_flat, net_profit={"2017": -200, "2018": 300, "2019": 900}),
              "m20-s1-growth") == "unmet"
    assert st(run(main_business_revenue=mb_flat, net_profit=None), "m20-s1-growth") == "unknown"
    # either path alone settles it
    assert st(run(main_business_revenue=None, net_profit={"2017": 1000, "2018": 1100, "2019": 1210}),
              "m20-s1-growth") == "met"


def test_debt_ratio_70_inclusive():
    assert st(run(total_assets={"2019": 20000}, total_liabilities={"2019": 14000}), "m20-s1-debt") == "met"
    a = run(total_assets={"2019": 20000}, total_liabilities={"2019": 14000.01})
    assert st(a, "m20-s1-debt") == "unmet"
    assert gap(a, "m20-s1-debt").amount == Decimal("0.01")
    assert st(run(total_assets=None), "m20-s1-debt") == "unknown"


# ------------------------------------------------------------------------------ 二(三)2
def test_niche_years_3_inclusive():
    assert st(run(niche_market_years=3), "m20-s2-niche-years") == "met"
    assert st(run(niche_market_years=2.99), "m20-s2-niche-years") == "unmet"
    assert st(run(niche_market_years=None), "m20-s2-niche-years") == "unknown"


def test_main_share_70_inclusive():
    rev = {"2017": 11200, "2018": 12900, "2019": 20000}
    assert st(run(operating_revenue=rev, main_business_revenue={"2017": 10100, "2018": 11800, "2019": 14000}),
              "m20-s2-main-share") == "met"
    assert st(run(operating_revenue=rev, main_business_revenue={"2017": 10100, "2018": 11800, "2019": 13999.99}),
              "m20-s2-main-share") == "unmet"
    assert st(run(main_business_revenue={"2017": 10100, "2018": 11800}), "m20-s2-main-share") == "unknown"


def test_province_top_3():
    assert st(run(market_rank_province=3), "m20-s2-rank") == "met"
    assert st(run(market_rank_province=4, market_rank_national=1), "m20-s2-rank") == "unmet"  # national rank no help
    assert st(run(market_rank_province=None), "m20-s2-rank") == "unknown"


def test_related_products():
    assert st(run(multiple_main_products=False, related_products=None), "m20-s2-related") == "met"
    assert st(run(multiple_main_products=True, related_products=False), "m20-s2-related") == "unmet"
    assert st(run(multiple_main_products=True, related_products=None), "m20-s2-related") == "unknown"


# ------------------------------------------------------------------------------ 二(三)3
def test_rd_intensity_3_percent_of_operating_revenue():
    rev = {"2017": 11200, "2018": 10000, "2019": 10000}
    assert st(run(operating_revenue=rev, rd_expense={"2018": 250, "2019": 350}), "m20-s3-rd") == "met"
    a = run(operating_revenue=rev, rd_expense={"2018": 250, "2019": 349.99})
    assert st(a, "m20-s3-rd") == "unmet"
    assert gap(a, "m20-s3-rd").amount == Decimal("0.01")
    assert st(run(rd_expense={"2019": 610}), "m20-s3-rd") == "unknown"


def test_rd_staff_15_percent():
    assert st(run(employees={"2019": 240}, rd_staff={"2019": 36}), "m20-s3-rd-staff") == "met"
    a = run(employees={"2019": 240}, rd_staff={"2019": 35})
    assert st(a, "m20-s3-rd-staff") == "unmet"
    assert gap(a, "m20-s3-rd-staff").amount == 1
    assert st(run(employees=None), "m20-s3-rd-staff") == "unknown"


@pytest.mark.parametrize("inv,ud,expected", [
    (2, 0, "met"), (1, 4, "unmet"), (1, 5, "met"), (0, 5, "met"), (1, 3, "unmet"),  # paths are not mixed
    (None, 5, "met"), (2, None, "met"), (1, None, "unknown"), (None, 4, "unknown"), (None, None, "unknown")])
def test_patents_2019_invention_2_or_utility_design_5(inv, ud, expected):
    assert st(run(patents_2019=inv, utility_design_patents_2019=ud), "m20-s3-patents") == expected


def test_patents_counted_at_end_of_2019_not_today():
    a = run(patents_2019=1, utility_design_patents_2019=4, invention_patents=9, utility_patents=30)
    assert st(a, "m20-s3-patents") == "unmet"


@pytest.mark.parametrize("level,ws,expected", [
    ("national", False, "met"), ("provincial", False, "met"), ("municipal", False, "met"),
    ("below_municipal", False, "met"), ("none", False, "unmet"), ("none", True, "met"), ("none", None, "unknown"),
    (None, True, "met"), (None, False, "unknown")])
def test_rd_institution_any_level_or_workstation(level, ws, expected):
    assert st(run(rd_institution_level=level, expert_workstation=ws), "m20-s3-rd-institution") == expected


def test_it_core_business_at_least_1():
    assert st(run(it_core_businesses=1), "m20-s3-it-systems") == "met"
    assert st(run(it_core_businesses=0), "m20-s3-it-systems") == "unmet"
    assert st(run(it_core_businesses=None), "m20-s3-it-systems") == "unknown"


# ------------------------------------------------------------------------------ priority
def test_provincial_status_is_priority_only():
    a = run(provincial_zjtx=False, innovative_competitive=True)
    assert st(a, "m20-p1-provincial") == "unmet" and a.verdict == "eligible"
    assert run().counts["priority_met"] == 1


# ------------------------------------------------------------------------------ exclusions
def test_false_information_has_no_time_limit():
    a = run(false_information=True, false_information_date="2010-01-01")
    assert st(a, "m20-x1-false-info") == "met" and a.verdict == "excluded"
    assert st(run(false_information=None), "m20-x1-false-info") == "unknown"


def test_any_accident_excludes_not_only_major():
    a = run(accident_3y=True, major_accident_3y=False)
    assert st(a, "m20-x2-accident") == "met" and a.verdict == "excluded"
    assert st(run(accident_3y=False, major_accident_3y=True), "m20-x2-accident") == "unmet"
    assert st(run(accident_3y=None), "m20-x2-accident") == "unknown"


@pytest.mark.parametrize("field", ["tax_evasion", "law_violation", "serious_violation"])
def test_violation_any_path(field):
    a = run(**{field: True})
    assert st(a, "m20-x3-violation") == "met" and a.verdict == "excluded"


def test_violation_unknown():
    assert st(run(tax_evasion=None), "m20-x3-violation") == "unknown"


def test_single_champion_not_recommended():
    a = run(single_champion=True)
    assert st(a, "m20-x4-champion") == "met" and a.verdict == "excluded"
    assert st(run(single_champion=None), "m20-x4-champion") == "unknown"


def test_verdict_precedence():
    assert run(single_champion=True, market_rank_province=9, own_brand=None).verdict == "excluded"
    assert run(market_rank_province=9, own_brand=None).verdict == "not_eligible"
    assert run(own_brand=None).verdict == "undetermined"


# ------------------------------------------------------------------------------ samples through the CLI
def test_near_miss_sample_gaps():
    a = run(base=load_sample("miit-2020-near-miss.json"))
    assert a.verdict == "not_eligible"
    unmet = sorted(r["id"] for r in a.results if r["status"] == "unmet" and r["kind"] == "required")
    assert unmet == ["m20-s1-revenue", "m20-s3-rd-staff"]
    assert gap(a, "m20-s1-revenue").amount == Decimal(200)  # 10000 - 9800 万元
    g = gap(a, "m20-s3-rd-staff")  # 33 of 240 = 13.75%; 15% of 240 = 36
    assert g.amount == 3 and "4" in g.zh  # or hire 4 new: (36 - 33) / 0.85 = 3.53


@pytest.mark.parametrize("sample,verdict,code", [("miit-2020-eligible.json", "eligible", 0),
                                                 ("miit-2020-near-miss.json", "not_eligible", 1)])
def test_samples_via_cli(sample, verdict, code):
    from typer.testing import CliRunner

    from zjtx_cli.cli.app import app

    r = CliRunner().invoke(app, ["assess", os.path.join(ROOT, "samples", sample), "--scheme", SCHEME,
                                 "--format", "json", "--as-of", "2020-08-01"])
    assert r.exit_code == code, r.output
    d = json.loads(r.stdout)
    assert d["scheme"] == SCHEME and d["verdict"] == verdict and d["assessment_year"] == 2019


def test_expired_call_warns():
    from typer.testing import CliRunner

    from zjtx_cli.cli.app import app

    r = CliRunner().invoke(app, ["assess", os.path.join(ROOT, "samples", "miit-2020-eligible.json"), "--scheme",
                                 SCHEME, "--format", "json", "--as-of", "2026-06-01", "--lang", "en"])
    assert r.exit_code == 0
    assert "2020" in r.stderr and "ended" in r.stderr
