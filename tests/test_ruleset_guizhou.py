"""Guizhou provincial 专精特新 SME (002_b57ad073212ff9be.txt 三, 四, 六(三)): every condition met, unmet and
unknown; both sides of both revenue thresholds (general and ethnic crafts); the exclusions; the focus
fields as priority conditions; verdict precedence; the samples through the CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal

import pytest

from conftest import assert_declaration, assess_enterprise, changed, enterprise, first_gap, load_sample, status

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEME = "guizhou"
AS_OF = dt.date(2026, 6, 1)


# ------------------------------------------------------------------------------ helpers
BASE = load_sample("guizhou-eligible.json")
st = status
gap = first_gap


def run(as_of=AS_OF, base=None, **changes):
    """Assess BASE with changes (None removes a field) against the provincial tier."""
    return assess_enterprise(enterprise(changed(base or BASE, **changes)), SCHEME, as_of=as_of)


# ------------------------------------------------------------------------------ the ruleset
def test_ruleset_metadata():
    from zjtx_cli.rules.loader import get_ruleset

    rs = get_ruleset(SCHEME)
    d = rs.data
    assert d["period"] == [2021, 2025]
    assert d["validity_years"] == 3 and "六(三)" in d["validity_citation"]
    assert len(rs.tiers) == 1
    t = rs.tiers[0]
    assert t["level"] == "provincial" and t["next"] == "miit:little-giant" and t["next_note"]
    conds = t["tracks"][0]["conditions"]
    for c in conds:
        assert c["id"].startswith("gz-")
        f = c["citation"].split(" ")[0]
        assert f == "002_b57ad073212ff9be.txt"
        seeds = os.path.join(os.path.dirname(ROOT), "shared", "seeds")
        if os.path.isdir(seeds):  # the cited file exists (a clone without ../shared cannot check it)
            assert os.path.exists(os.path.join(seeds, f))
    for n in range(1, 7):
        assert any(c["citation"].endswith(f"四{n}") for c in conds if c["kind"] == "required")
    assert len([c for c in conds if c["kind"] == "exclusion"]) == 3
    assert {c["id"] for c in conds if c["kind"] == "priority"} == {"gz-focus-sector", "gz-focus-product"}


def test_sample_is_eligible():
    a = run()
    assert a.verdict == "eligible"
    assert a.counts["unmet"] == 0 and a.counts["unknown"] == 0 and a.counts["met"] == 17


# ------------------------------------------------------------------------------ declarations
DECLARATIONS = [
    ("independent_legal_person", "gz-1-legal-person"), ("supplies_large_projects", "gz-3-supplier"),
    ("market_leading", "gz-3-leading"), ("specialised_focus", "gz-3-specialised"),
    ("sustained_innovation", "gz-4-core-tech"), ("own_ip_for_main_product", "gz-4-own-ip"),
    ("digital_upgrade", "gz-5-digital"), ("management_sound", "gz-6-management"), ("good_credit", "gz-6-credit"),
    ("social_responsibility", "gz-6-responsibility"), ("long_term_strategy", "gz-6-strategy"),
    ("own_brand", "gz-6-brand"),
    ("brand_recognition", "gz-6-brand"),
]


@pytest.mark.parametrize("field,cond", DECLARATIONS)
def test_declared_conditions(field, cond):
    assert_declaration(run, field, cond)


# ------------------------------------------------------------------------------ 四1
def test_sme():
    assert st(run(), "gz-1-sme") == "met"
    big = dict(employees={"2025": 1000}, operating_revenue={"2024": 38000, "2025": 40000},
               main_business_revenue={"2024": 36000, "2025": 38000})
    assert st(run(**big), "gz-1-sme") == "unmet"
    assert st(run(**dict(big, employees={"2025": 999})), "gz-1-sme") == "met"
    assert st(run(industry=None), "gz-1-sme") == "unknown"
    assert st(run(industry=None, sme_declared=True), "gz-1-sme") == "met"


# ------------------------------------------------------------------------------ 四2
def _rev(x, crafts):
    # main-business revenue kept at 90% so that only the revenue test moves
    return run(ethnic_crafts=crafts, operating_revenue={"2024": 1000, "2025": x},
               main_business_revenue={"2024": 900, "2025": Decimal(str(x)) * Decimal("0.9")})


@pytest.mark.parametrize("crafts,threshold", [(True, 1000), (False, 2000)])
def test_revenue_threshold_both_sides(crafts, threshold):
    assert st(_rev(threshold, crafts), "gz-2-revenue") == "met"
    a = _rev(Decimal(threshold) - Decimal("0.01"), crafts)
    assert st(a, "gz-2-revenue") == "unmet"
    assert gap(a, "gz-2-revenue").amount == Decimal("0.01")


def test_crafts_threshold_only_for_crafts_firms():
    assert st(_rev(1350, True), "gz-2-revenue") == "met"
    a = _rev(1350, False)
    assert st(a, "gz-2-revenue") == "unmet" and gap(a, "gz-2-revenue").amount == Decimal(650)


def test_revenue_unknown():
    # the threshold depends on the ethnic-crafts declaration, but only between the two thresholds
    assert st(run(ethnic_crafts=None), "gz-2-revenue") == "unknown"  # 1350 万元
    assert st(_rev(2000, None), "gz-2-revenue") == "met"
    assert st(_rev(1999.99, None), "gz-2-revenue") == "unknown"
    assert st(_rev(1000, None), "gz-2-revenue") == "unknown"
    assert st(_rev(999.99, None), "gz-2-revenue") == "unmet"
    assert st(run(operating_revenue={"2024": 1180}, main_business_revenue={"2025": 1230}), "gz-2-revenue") == "unknown"


def test_debt_ratio_70_inclusive():
    assert st(run(total_assets={"2025": 2000}, total_liabilities={"2025": 1400}), "gz-2-debt") == "met"
    a = run(total_assets={"2025": 2000}, total_liabilities={"2025": 1400.01})
    assert st(a, "gz-2-debt") == "unmet" and gap(a, "gz-2-debt").amount == Decimal("0.01")
    assert st(run(total_liabilities=None), "gz-2-debt") == "unknown"


# ------------------------------------------------------------------------------ 四3
def test_main_share_70_inclusive():
    rev = {"2024": 1180, "2025": 1500}
    assert st(run(operating_revenue=rev, main_business_revenue={"2024": 1090, "2025": 1050}),
              "gz-3-main-share") == "met"
    assert st(run(operating_revenue=rev, main_business_revenue={"2024": 1090, "2025": 1049.99}),
              "gz-3-main-share") == "unmet"
    assert st(run(main_business_revenue={"2024": 1090}), "gz-3-main-share") == "unknown"


# ------------------------------------------------------------------------------ 三 (priority)
@pytest.mark.parametrize("sector,expected", [("ethnic_crafts", "met"), ("big_data_electronics", "met"),
                                             ("specialty_light_industry", "met"), ("other", "unmet"),
                                             (None, "unknown")])
def test_focus_sector_is_priority(sector, expected):
    a = run(guizhou_sector=sector)
    assert st(a, "gz-focus-sector") == expected and a.verdict == "eligible"


@pytest.mark.parametrize("area,expected", [("four_bases", "met"), ("key_chain_tech", "met"),
                                           ("digital_integration", "met"), ("provincial_priority", "met"),
                                           ("bicycle_high_end", "unmet"), ("strategic_emerging", "unmet"),
                                           (None, "unknown")])
def test_focus_product_is_priority(area, expected):
    a = run(focus_area=area)
    assert st(a, "gz-focus-product") == expected and a.verdict == "eligible"


# ------------------------------------------------------------------------------ exclusions
def test_false_information_excludes_without_time_limit():
    a = run(false_information=True, false_information_date="2015-01-01")
    assert st(a, "gz-x1-false-info") == "met" and a.verdict == "excluded"
    assert st(run(false_information=None), "gz-x1-false-info") == "unknown"


def test_only_major_accidents_exclude():
    a = run(major_accident_3y=True)
    assert st(a, "gz-x2-accident") == "met" and a.verdict == "excluded"
    assert st(run(major_accident_3y=False, accident_3y=True), "gz-x2-accident") == "unmet"
    assert st(run(major_accident_3y=None), "gz-x2-accident") == "unknown"


@pytest.mark.parametrize("field", ["tax_evasion", "law_violation", "serious_violation"])
def test_violation_any_path(field):
    a = run(**{field: True})
    assert st(a, "gz-x3-violation") == "met" and a.verdict == "excluded"


def test_violation_unknown():
    assert st(run(serious_violation=None), "gz-x3-violation") == "unknown"


def test_verdict_precedence():
    assert run(tax_evasion=True, ethnic_crafts=False, own_brand=None).verdict == "excluded"
    assert run(ethnic_crafts=False, own_brand=None).verdict == "not_eligible"
    assert run(own_brand=None).verdict == "undetermined"


# ------------------------------------------------------------------------------ samples
def test_near_miss_gaps_in_wan_yuan():
    a = run(base=load_sample("guizhou-near-miss.json"))
    assert a.verdict == "not_eligible"
    unmet = sorted(r["id"] for r in a.results if r["status"] == "unmet" and r["kind"] == "required")
    assert unmet == ["gz-2-debt", "gz-2-revenue"]
    assert gap(a, "gz-2-revenue").amount == Decimal(150)  # 2000 - 1850
    assert gap(a, "gz-2-debt").amount == Decimal(130)  # 1950 - 0.7 * 2600


@pytest.mark.parametrize("sample,verdict,code", [("guizhou-eligible.json", "eligible", 0),
                                                 ("guizhou-near-miss.json", "not_eligible", 1)])
def test_samples_via_cli(sample, verdict, code):
    from typer.testing import CliRunner

    from zjtx_cli.cli.app import app

    r = CliRunner().invoke(app, ["assess", os.path.join(ROOT, "samples", sample), "--scheme", SCHEME,
                                 "--format", "json", "--as-of", "2025-06-01"])
    assert r.exit_code == code, r.output
    d = json.loads(r.stdout)
    assert d["scheme"] == SCHEME and d["verdict"] == verdict and d["tier"] == "provincial"


def test_management_system_certification_any_system():
    # 四6 取得相关管理体系认证: a quality system or any other management system
    assert st(run(quality_system_certified=True, management_system_certified=False), "gz-6-certification") == "met"
    assert st(run(quality_system_certified=False, management_system_certified=True), "gz-6-certification") == "met"
    a = run(quality_system_certified=False, management_system_certified=False)
    assert st(a, "gz-6-certification") == "unmet" and a.verdict == "not_eligible"
    assert st(run(quality_system_certified=False), "gz-6-certification") == "unknown"
