"""Bicycle / e-bike industry plan (000_6b45009dd05f5a24.txt 二 and 三): every condition met, unmet and
unknown; both sides of every threshold; every OR path; the two-year false-information bar; verdict
precedence; the samples through the CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal

import pytest

from conftest import assert_declaration, assess_enterprise, changed, enterprise, load_sample, status

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEME = "bicycle"
AS_OF = dt.date(2026, 6, 1)


# ------------------------------------------------------------------------------ helpers
BASE = load_sample("bicycle-eligible.json")
st = status


def run(as_of=AS_OF, **changes):
    """Assess BASE with changes (None removes a field) against the scheme's only track."""
    return assess_enterprise(enterprise(changed(BASE, **changes)), SCHEME, as_of=as_of)

def yr(base, **years):
    d = dict(base)
    d.update({str(k[1:]): v for k, v in years.items()})
    return d


# ------------------------------------------------------------------------------ the ruleset
def test_ruleset_shape():
    from zjtx_cli.rules.loader import get_ruleset

    rs = get_ruleset(SCHEME)
    assert rs.data["period"] == [2021, 2025]
    assert len(rs.tiers) == 1
    t = rs.tiers[0]
    assert t["level"] == "industry" and t["next"] == "miit:little-giant" and t["next_note"]
    conds = t["tracks"][0]["conditions"]
    kinds = {}
    for c in conds:
        kinds.setdefault(c["kind"], []).append(c["id"])
        assert c["id"].startswith("bc-")
        f, _, clause = c["citation"].partition(" ")
        assert f == "000_6b45009dd05f5a24.txt" and clause
        seeds = os.path.join(os.path.dirname(ROOT), "shared", "seeds")
        if os.path.isdir(seeds):  # the cited file exists (a clone without ../shared cannot check it)
            assert os.path.exists(os.path.join(seeds, f))
    # 3 restriction conditions; 5 priority conditions of 三(二) plus the focus areas of 二
    assert len(kinds["exclusion"]) == 3
    assert len(kinds["priority"]) == 6
    # each of the 6 basic conditions is represented
    for n in range(1, 7):
        assert any(c["citation"].endswith(f"三(一){n}") for c in conds if c["kind"] == "required")


def test_sample_is_eligible():
    a = run()
    assert a.verdict == "eligible"
    assert a.counts["unmet"] == 0 and a.counts["unknown"] == 0 and a.counts["met"] == 24


# ------------------------------------------------------------------------------ declarations
DECLARATIONS = [
    ("registered_in_china", "bc-1-registered"), ("independent_legal_person", "bc-1-legal-person"),
    ("specialised_focus", "bc-3-specialised"), ("product_well_known", "bc-3-well-known"),
    ("sustained_innovation", "bc-4-core-tech"), ("digital_upgrade", "bc-5-digital"),
    ("management_sound", "bc-6-management"), ("brand_strategy", "bc-6-brand-strategy"),
    ("quality_system_certified", "bc-6-quality-cert"), ("own_brand", "bc-6-own-brand"),
    ("standards_or_foreign_cert", "bc-6-standards"),
]


@pytest.mark.parametrize("field,cond", DECLARATIONS)
def test_declared_conditions(field, cond):
    assert_declaration(run, field, cond)


# ------------------------------------------------------------------------------ 三(一)1
def test_years_in_operation_3_years_inclusive():
    # counted to the assessment date 2026-06-01 (no cut-off in the clause): the 3rd anniversary completes it
    assert st(run(founding_date="2023-06-01"), "bc-1-years") == "met"
    assert st(run(founding_date="2023-06-02"), "bc-1-years") == "unmet"
    assert st(run(founding_date=None), "bc-1-years") == "unknown"


def test_sme_from_figures_and_declaration():
    big = dict(employees={"2025": 1000}, operating_revenue={"2023": 30000, "2024": 35000, "2025": 40000})
    assert st(run(**big), "bc-1-sme") == "unmet"
    assert st(run(**dict(big, employees={"2025": 999})), "bc-1-sme") == "met"
    assert st(run(industry=None, sme_declared=True), "bc-1-sme") == "met"
    assert st(run(industry=None), "bc-1-sme") == "unknown"


# ------------------------------------------------------------------------------ 三(一)2
@pytest.mark.parametrize("industry,threshold", [("manufacturing", 5000), ("software_it", 10000),
                                                ("wholesale", 5000)])
def test_revenue_threshold_both_sides(industry, threshold):
    def rev(x):
        return run(industry=industry, main_business_revenue=yr(BASE["main_business_revenue"], y2025=x))

    assert st(rev(threshold), "bc-2-revenue") == "met"
    assert st(rev(threshold - 0.01), "bc-2-revenue") == "unmet"


def test_software_firm_needs_1yi_not_5000():
    a = run(industry="software_it", main_business_revenue=yr(BASE["main_business_revenue"], y2025=9999))
    assert st(a, "bc-2-revenue") == "unmet"
    g = [g for g in a.gaps if g["condition"] == "bc-2-revenue"][0]
    assert g["items"][0]["gap"].amount == Decimal(1)


def test_revenue_unknown():
    assert st(run(main_business_revenue={"2023": 6200, "2024": 7100}, operating_revenue={"2025": 9100}),
              "bc-2-revenue") == "unknown"
    assert st(run(industry=None), "bc-2-revenue") == "unknown"


@pytest.mark.parametrize("industry,base,exact", [("manufacturing", 5000, "6050"), ("software_it", 10000, "13225")])
def test_growth_compound_both_sides(industry, base, exact):
    # 年均增长 is compound: 5000 -> 6050 is exactly 10% a year (1.1^2 = 1.21); 10000 -> 13225 is 15% (1.15^2)
    def g(last):
        return run(industry=industry,
                   main_business_revenue={"2023": base, "2024": base, "2025": Decimal(last)})

    assert st(g(exact), "bc-2-growth") == "met"
    assert st(g(Decimal(exact) - Decimal("0.01")), "bc-2-growth") == "unmet"


def test_growth_unknown_without_base_year():
    assert st(run(main_business_revenue={"2024": 7100, "2025": 8200}), "bc-2-growth") == "unknown"


def test_debt_ratio_70_inclusive_and_gap():
    assert st(run(total_assets={"2025": 10000}, total_liabilities={"2025": 7000}), "bc-2-debt") == "met"
    a = run(total_assets={"2025": 10000}, total_liabilities={"2025": 7000.01})
    assert st(a, "bc-2-debt") == "unmet"
    # liabilities to pay down at unchanged assets: 7000.01 - 0.7 * 10000 = 0.01 万元
    g = [g for g in a.gaps if g["condition"] == "bc-2-debt"][0]
    assert g["items"][0]["gap"].amount == Decimal("0.01")
    assert st(run(total_liabilities=None), "bc-2-debt") == "unknown"


# ------------------------------------------------------------------------------ 三(一)3
def test_niche_years_3_inclusive():
    assert st(run(niche_market_years=3), "bc-3-niche-years") == "met"
    assert st(run(niche_market_years=2.99), "bc-3-niche-years") == "unmet"
    assert st(run(niche_market_years=None), "bc-3-niche-years") == "unknown"


def test_main_share_70_inclusive():
    def share(main):
        return run(operating_revenue=yr(BASE["operating_revenue"], y2025=10000),
                   main_business_revenue=yr(BASE["main_business_revenue"], y2025=main))

    assert st(share(7000), "bc-3-main-share") == "met"
    assert st(share(6999.99), "bc-3-main-share") == "unmet"
    assert st(run(operating_revenue={"2023": 6800, "2024": 7900}), "bc-3-main-share") == "unknown"


def test_market_rank_national_top10_or_province_top5():
    assert st(run(market_rank_national=10, market_rank_province=None), "bc-3-market-rank") == "met"
    assert st(run(market_rank_national=11, market_rank_province=6), "bc-3-market-rank") == "unmet"
    assert st(run(market_rank_national=11, market_rank_province=5), "bc-3-market-rank") == "met"
    assert st(run(market_rank_national=None, market_rank_province=5), "bc-3-market-rank") == "met"
    assert st(run(market_rank_national=11, market_rank_province=None), "bc-3-market-rank") == "unknown"
    assert st(run(market_rank_national=None, market_rank_province=None), "bc-3-market-rank") == "unknown"


def test_related_products_only_when_several():
    assert st(run(multiple_main_products=False, related_products=None), "bc-3-related") == "met"
    assert st(run(multiple_main_products=True, related_products=True), "bc-3-related") == "met"
    assert st(run(multiple_main_products=True, related_products=False), "bc-3-related") == "unmet"
    assert st(run(multiple_main_products=True, related_products=None), "bc-3-related") == "unknown"
    assert st(run(multiple_main_products=None, related_products=None), "bc-3-related") == "unknown"


# ------------------------------------------------------------------------------ 三(一)4
def test_invention_patents_2_inclusive():
    assert st(run(invention_patents=2), "bc-4-patents") == "met"
    assert st(run(invention_patents=1), "bc-4-patents") == "unmet"
    assert st(run(invention_patents=None), "bc-4-patents") == "unknown"


def test_rd_intensity_two_years_combined_3_percent():
    rev = {"2023": 9000, "2024": 10000, "2025": 10000}
    assert st(run(operating_revenue=rev, rd_expense={"2024": 200, "2025": 400}), "bc-4-rd") == "met"
    a = run(operating_revenue=rev, rd_expense={"2024": 200, "2025": 399.99})
    assert st(a, "bc-4-rd") == "unmet"
    g = [g for g in a.gaps if g["condition"] == "bc-4-rd"][0]
    assert g["items"][0]["gap"].amount == Decimal("0.01")  # 万元, exact
    assert st(run(rd_expense={"2025": 340}), "bc-4-rd") == "unknown"


def test_rd_staff_10_percent_inclusive():
    assert st(run(employees={"2025": 280}, rd_staff={"2025": 28}), "bc-4-rd-staff") == "met"
    a = run(employees={"2025": 280}, rd_staff={"2025": 27})
    assert st(a, "bc-4-rd-staff") == "unmet"
    assert [g for g in a.gaps if g["condition"] == "bc-4-rd-staff"][0]["items"][0]["gap"].amount == 1
    assert st(run(rd_staff=None), "bc-4-rd-staff") == "unknown"


# ------------------------------------------------------------------------------ 三(一)5
def test_it_core_businesses_at_least_2():
    assert st(run(it_core_businesses=2), "bc-5-it-systems") == "met"
    assert st(run(it_core_businesses=1), "bc-5-it-systems") == "unmet"
    assert st(run(it_core_businesses=None), "bc-5-it-systems") == "unknown"


# ------------------------------------------------------------------------------ priority
@pytest.mark.parametrize("area,expected", [("bicycle_high_end", "met"), ("four_bases", "met"), ("chain_gap", "met"),
                                           ("digital_integration", "met"), ("ten_key_industries", "unmet"),
                                           ("other", "unmet"), (None, "unknown")])
def test_focus_area_is_priority(area, expected):
    a = run(focus_area=area)
    assert st(a, "bc-focus") == expected
    assert a.verdict == "eligible"  # 优先聚焦 never decides


def test_innovation_platform_paths():
    assert st(run(rd_institution_level="municipal", expert_workstation=False), "bc-p2-innovation-platform") == "met"
    # an own or joint R&D institution counts at any level (a clause of its own)
    assert st(run(rd_institution_level="below_municipal", expert_workstation=False),
              "bc-p2-innovation-platform") == "met"
    assert st(run(rd_institution_level="none", expert_workstation=False), "bc-p2-innovation-platform") == "unmet"
    assert st(run(rd_institution_level="none", expert_workstation=True), "bc-p2-innovation-platform") == "met"
    assert st(run(rd_institution_level="none", expert_workstation=None), "bc-p2-innovation-platform") == "unknown"


@pytest.mark.parametrize("field,cond", [("large_firm_chain", "bc-p1-large-firm-chain"),
                                        ("listing_prospect", "bc-p3-listing"), ("benchmark_demo", "bc-p4-benchmark"),
                                        ("municipal_little_giant", "bc-p5-municipal-little-giant")])
def test_priority_declarations_never_change_verdict(field, cond):
    for v, expected in ((True, "met"), (False, "unmet"), (None, "unknown")):
        a = run(**{field: v})
        assert st(a, cond) == expected and a.verdict == "eligible"


def test_priority_count():
    a = run(large_firm_chain=True, rd_institution_level="national", listing_prospect=True, benchmark_demo=True,
            municipal_little_giant=True, focus_area="chain_gap")
    assert a.counts["priority_met"] == 6


# ------------------------------------------------------------------------------ 三(三) restrictions
def test_false_information_two_year_window():
    found = dt.date(2024, 3, 18)
    # one day before the second anniversary: still barred
    a = run(as_of=dt.date(2026, 3, 17), false_information=True, false_information_date=found.isoformat())
    assert st(a, "bc-x1-false-info") == "met" and a.verdict == "excluded"
    # the second anniversary is the bar's last day (民法典 第二百零一、二百零二条): still barred
    a = run(as_of=dt.date(2026, 3, 18), false_information=True, false_information_date=found.isoformat())
    assert st(a, "bc-x1-false-info") == "met" and a.verdict == "excluded"
    # the day after: the bar has lapsed
    a = run(as_of=dt.date(2026, 3, 19), false_information=True, false_information_date=found.isoformat())
    assert st(a, "bc-x1-false-info") == "unmet" and a.verdict == "eligible"
    # on the day itself
    a = run(as_of=found, false_information=True, false_information_date=found.isoformat())
    assert st(a, "bc-x1-false-info") == "met"


def test_false_information_flag_and_missing_date():
    assert st(run(false_information=False, false_information_date="2026-01-01"), "bc-x1-false-info") == "unmet"
    assert st(run(false_information=False), "bc-x1-false-info") == "unmet"
    # declared, but no date: the bar cannot be dated; unknown, so the verdict stays open
    a = run(false_information=True, false_information_date=None)
    assert st(a, "bc-x1-false-info") == "unknown" and a.verdict == "undetermined"
    g = [g for g in a.gaps if g["condition"] == "bc-x1-false-info"][0]
    assert g["items"][0]["missing"] == [["false_information_date", None]]
    assert st(run(false_information=None), "bc-x1-false-info") == "unknown"


def test_major_accident_excludes():
    assert st(run(major_accident_3y=True), "bc-x2-accident") == "met"
    assert run(major_accident_3y=True).verdict == "excluded"
    assert st(run(major_accident_3y=False), "bc-x2-accident") == "unmet"
    assert st(run(major_accident_3y=None), "bc-x2-accident") == "unknown"


@pytest.mark.parametrize("field", ["tax_evasion", "law_violation", "serious_violation"])
def test_violation_any_path_excludes(field):
    a = run(**{field: True})
    assert st(a, "bc-x3-violation") == "met" and a.verdict == "excluded"


def test_violation_clear_and_unknown():
    assert st(run(), "bc-x3-violation") == "unmet"
    assert st(run(law_violation=None), "bc-x3-violation") == "unknown"


# ------------------------------------------------------------------------------ verdicts
def test_verdict_precedence():
    # excluded beats not eligible and undetermined
    a = run(major_accident_3y=True, invention_patents=1, own_brand=None)
    assert a.verdict == "excluded"
    # not eligible beats undetermined
    a = run(invention_patents=1, own_brand=None)
    assert a.verdict == "not_eligible"
    # undetermined beats eligible
    assert run(own_brand=None).verdict == "undetermined"


# ------------------------------------------------------------------------------ samples through the CLI
@pytest.mark.parametrize("sample,verdict,code", [("bicycle-eligible.json", "eligible", 0),
                                                 ("bicycle-excluded.json", "excluded", 1)])
def test_samples_via_cli(sample, verdict, code):
    from typer.testing import CliRunner

    from zjtx_cli.cli.app import app

    r = CliRunner().invoke(app, ["assess", os.path.join(ROOT, "samples", sample), "--scheme", SCHEME,
                                 "--format", "json", "--as-of", "2026-06-01"])
    assert r.exit_code == code, r.output
    d = json.loads(r.stdout)
    assert d["scheme"] == SCHEME and d["verdict"] == verdict
    if verdict == "excluded":
        assert d["counts"]["exclusions_applying"] == 1 and d["counts"]["unmet"] == 0
