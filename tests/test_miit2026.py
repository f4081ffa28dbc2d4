"""工信部企业〔2026〕2号 (rulesets/miit-2026.yaml): the 专精特新 SME and little-giant conditions on both
sides of every threshold, the re-review readings (--review), the platform score as a pending value,
the transitional innovation tier, and the samples through the CLI."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os

import pytest
from typer.testing import CliRunner

from conftest import ROOT, assess, status
from zjtx_cli.cli.app import app

SCHEME = "miit-2026"
AS_OF = dt.date(2026, 6, 1)
SAMPLE = os.path.join(ROOT, "samples", "miit-2026-little-giant.json")
PENDING = os.path.join(ROOT, "samples", "miit-2026-pending.json")
with open(SAMPLE, encoding="utf-8") as fh:
    BASE = json.load(fh)
Y, P = "2025", "2024"


class New(dict):
    """Replace a yearly field wholesale (a plain dict only overrides the years it names)."""


def run(tier, review=False, **changes):
    v = copy.deepcopy(BASE)
    for k, x in changes.items():
        if x is None:
            v.pop(k, None)
        elif isinstance(x, dict) and isinstance(v.get(k), dict) and not isinstance(x, New):
            v[k] = {**v[k], **x}
        else:
            v[k] = x
    return assess(v, SCHEME, tier, year=2025, as_of=AS_OF, review=review)


def cli(*args):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_sample_reaches_little_giant():
    for tier in ("innovation", "zjtx-sme", "little-giant"):
        assert run(tier).verdict == "eligible", tier


# ------------------------------------------------------------------------ little giant
@pytest.mark.parametrize("cid,changes,st", [
    ("lg26-1-niche", dict(niche_market_years=3), "met"), ("lg26-1-niche", dict(niche_market_years=2.99), "unmet"),
    ("lg26-2-revenue", dict(operating_revenue={Y: 5000}), "met"),
    ("lg26-2-revenue", dict(operating_revenue={Y: 4999.99}), "unmet"),
    ("lg26-2-share", dict(main_business_revenue={Y: 9360}), "met"),
    ("lg26-2-share", dict(main_business_revenue={Y: 9359.99}), "unmet"),
    # compound: (8820 / 8000) ** (1/2) - 1 = 5%
    ("lg26-2-growth", dict(operating_revenue={"2023": 8000, Y: 8820}), "met"),
    ("lg26-2-growth", dict(operating_revenue={"2023": 8000, Y: 8819.99}), "unmet"),
    ("lg26-2-debt", dict(total_liabilities={Y: 11250}), "met"),
    ("lg26-2-debt", dict(total_liabilities={Y: 11250.01}), "unmet"),
    ("lg26-3-rd", dict(rd_expense={P: 560, Y: 640}), "met"),
    ("lg26-3-rd", dict(rd_expense={P: 560, Y: 639.99}), "unmet"),
    ("lg26-3-rd", dict(rd_expense={P: 273, Y: 1000}), "met"),
    ("lg26-3-rd", dict(rd_expense={P: 272.99, Y: 1000}), "unmet"),
    ("lg26-3-rd", dict(rd_expense={P: 1000, Y: 311.99}), "unmet"),
    ("lg26-4-ip", dict(ip_class1_applied=4), "met"), ("lg26-4-ip", dict(ip_class1_applied=3), "unmet"),
    ("lg26-4-ip", dict(ip_class1_applied=3, sci_award_national_rank=3), "met"),
    ("lg26-4-ip", dict(ip_class1_applied=3, sci_award_national_rank=4), "unmet"),
    ("lg26-5-market", dict(market_share_national=10, market_rank_national=4), "met"),
    ("lg26-5-market", dict(market_share_national=9.99, market_rank_national=4, market_share_global=5), "unmet"),
    ("lg26-5-market", dict(market_share_national=9.99, market_rank_national=4), "unknown"),
    ("lg26-5-market", dict(market_share_national=9.99, market_rank_national=4, market_share_global=10), "met"),
    ("lg26-5-market", dict(market_share_national=5, market_rank_national=3), "met"),
    ("lg26-5-market", dict(product_well_known=False), "unmet"),
    # (六基 or traditional / emerging / future industry) AND at a key chain link
    ("lg26-6-chain", dict(six_bases=False, key_chain_link=False), "unmet"),
    ("lg26-6-chain", dict(key_chain_link=False), "unmet"),
    ("lg26-6-chain", dict(six_bases=False, strategic_emerging_industry=False, industry_upgrade_area=False), "unmet"),
    ("lg26-6-chain", dict(six_bases=False, strategic_emerging_industry=False, industry_upgrade_area=True), "met"),
    ("lg26-6-chain", dict(six_bases=False, strategic_emerging_industry=True), "met"),
    ("lg26-6-chain", dict(six_bases=True, strategic_emerging_industry=False), "met"),
    ("lg26-7-score", dict(evaluation_score={Y: 60}), "met"),
    ("lg26-7-score", dict(evaluation_score={P: 70, Y: 59.99}), "unmet"),
    # 已获得…称号: only the declared title meets it; reaching the tier here does not (issue 12)
    ("lg26-1-title", dict(zjtx_sme_title=False), "unmet"),
    ("lg26-1-title", dict(zjtx_sme_title=None), "unknown"),
    ("lg26-1-title", dict(zjtx_sme_title=True, market_leading=False), "met"),
])
def test_little_giant_conditions(cid, changes, st):
    assert status(run("little-giant", **changes), cid) == st


def test_little_giant_review_skips_growth_and_takes_either_year():
    flat = dict(operating_revenue={"2023": 10400, P: 10400, Y: 10400}, evaluation_score={P: 61, Y: 58})
    new = run("little-giant", **flat)
    assert status(new, "lg26-2-growth") == "unmet" and status(new, "lg26-7-score") == "unmet"
    assert new.verdict == "not_eligible"
    rev = run("little-giant", review=True, **flat)
    assert status(rev, "lg26-2-growth") == "met" and status(rev, "lg26-7-score") == "met"
    assert rev.verdict == "eligible"
    both_low = run("little-giant", review=True, evaluation_score={P: 59.99, Y: 59.99})
    assert status(both_low, "lg26-7-score") == "unmet"


def test_platform_score_absent_is_pending_never_guessed():
    a = run("little-giant", evaluation_score=None)
    assert status(a, "lg26-7-score") == "pending" and a.verdict == "undetermined"
    assert a.counts["pending"] == 1
    # on re-review a passing earlier year settles it even if this year's score is not out yet
    a = run("little-giant", evaluation_score=New({P: 63}))
    assert status(a, "lg26-7-score") == "pending"
    a = run("little-giant", review=True, evaluation_score=New({P: 63}))
    assert status(a, "lg26-7-score") == "met"
    a = run("little-giant", review=True, evaluation_score=New({P: 50}))
    assert status(a, "lg26-7-score") == "pending"


# ------------------------------------------------------------------------ 专精特新 SME
@pytest.mark.parametrize("cid,changes,st", [
    ("zs26-1-niche", dict(niche_market_years=3), "met"), ("zs26-1-niche", dict(niche_market_years=2.99), "unmet"),
    ("zs26-2-revenue", dict(operating_revenue={Y: 1500}), "met"),
    ("zs26-2-revenue", dict(operating_revenue={Y: 1499.99}, equity_financing={P: 0, Y: 0}), "unmet"),
    ("zs26-2-revenue", dict(operating_revenue={Y: 1499.99}, equity_financing={P: 1000, Y: 1000}), "met"),
    ("zs26-2-revenue", dict(operating_revenue={Y: 1499.99}, equity_financing={P: 999.99, Y: 1000}), "unmet"),
    ("zs26-2-share", dict(main_business_revenue={Y: 8320}), "met"),
    ("zs26-2-share", dict(main_business_revenue={Y: 8319.99}), "unmet"),
    ("zs26-2-debt", dict(total_liabilities={Y: 12000}), "met"),
    ("zs26-2-debt", dict(total_liabilities={Y: 12000.01}), "unmet"),
    ("zs26-3-rd", dict(operating_revenue={P: 3000, Y: 3000}, rd_expense={P: 100, Y: 100}), "met"),
    ("zs26-3-rd", dict(operating_revenue={P: 3000, Y: 3000}, rd_expense={P: 99.99, Y: 100}), "unmet"),
    ("zs26-3-rd", dict(operating_revenue={P: 3000, Y: 3000}, rd_expense={P: 100, Y: 99.99}), "unmet"),
    ("zs26-3-rd", dict(operating_revenue={P: 5000, Y: 3000}, rd_expense={P: 149.99, Y: 100}), "unmet"),
    ("zs26-4-ip", dict(ip_class1_applied=1, sci_award_provincial_rank=0, rd_institution_level="none"), "met"),
    ("zs26-4-ip", dict(ip_class1_applied=0, sci_award_provincial_rank=0, rd_institution_level="none"), "unmet"),
    ("zs26-4-ip", dict(ip_class1_applied=0, sci_award_provincial_rank=3, rd_institution_level="none"), "met"),
    ("zs26-4-ip", dict(ip_class1_applied=0, sci_award_provincial_rank=4, rd_institution_level="none"), "unmet"),
    ("zs26-4-ip", dict(ip_class1_applied=0, sci_award_provincial_rank=0, sci_award_national_rank=3,
                       rd_institution_level="none"), "met"),
    ("zs26-4-ip", dict(ip_class1_applied=0, sci_award_provincial_rank=0, rd_institution_level="provincial"), "met"),
    ("zs26-4-ip", dict(ip_class1_applied=0, sci_award_provincial_rank=0, rd_institution_level="municipal"), "unmet"),
    ("zs26-5-market", dict(market_leading=False), "unmet"),
    # both parts: a fairly high share AND some renown (declared, or already 'well known')
    ("zs26-5-market", dict(product_well_known=False, product_recognised=True), "met"),
    ("zs26-5-market", dict(product_well_known=False, product_recognised=False), "unmet"),
    ("zs26-5-market", dict(product_well_known=False, product_recognised=None), "unknown"),
    ("zs26-5-market", dict(market_leading=False, product_recognised=True), "unmet"),
    ("zs26-6-score", dict(evaluation_score={Y: 50}), "met"),
    ("zs26-6-score", dict(evaluation_score={Y: 49.99}), "unmet"),
    ("zs26-6-score", dict(evaluation_score=None), "pending"),
    ("zs26-1-title", dict(innovation_sme_title=False), "unmet"),  # reaching the tier here is no title
    ("zs26-1-title", dict(innovation_sme_title=None), "unknown"),
])
def test_zjtx_sme_conditions(cid, changes, st):
    assert status(run("zjtx-sme", **changes), cid) == st


def test_zjtx_sme_review_score_either_year():
    assert status(run("zjtx-sme", evaluation_score={P: 50, Y: 40}), "zs26-6-score") == "unmet"
    assert status(run("zjtx-sme", review=True, evaluation_score={P: 50, Y: 40}), "zs26-6-score") == "met"


def test_exclusion_applies():
    assert run("zjtx-sme", serious_violation=True).verdict == "excluded"
    assert run("little-giant", major_accident_3y=True).verdict == "excluded"


@pytest.mark.parametrize("tier,pfx", [("innovation", "in26"), ("zjtx-sme", "zs26"), ("little-giant", "lg26")])
@pytest.mark.parametrize("flag,cid", [("major_accident_3y", "x-record"), ("serious_violation", "x-record"),
                                      ("abnormal_operation_listed", "x-listed"), ("banned_product", "x-banned")])
def test_compliance_exclusions_at_every_tier(tier, pfx, flag, cid):
    # 2号: accidents / serious breaches, abnormal or dishonest listing, banned products - for every applicant
    a = run(tier, **{flag: True})
    assert status(a, f"{pfx}-{cid}") == "met" and a.verdict == "excluded"
    a = run(tier, **{flag: False})
    assert status(a, f"{pfx}-{cid}") == "unmet" and a.verdict == "eligible"
    a = run(tier, **{flag: None})
    assert status(a, f"{pfx}-{cid}") == "unknown" and a.verdict == "undetermined"


# ------------------------------------------------------------- the transitional first tier
LOW = dict(ip_class1=0, ip_class1_own=0, ip_class2=0, rd_expense={Y: 50}, high_tech_enterprise=False,
           sci_award_provincial_rank=0, rd_institution_level="none", equity_financing={"2023": 0, P: 0, Y: 0},
           tech_sme_registered=False, tech_innovation_demo=False, ip_advantage_enterprise=False)


def test_innovation_tier_reuses_annex1_and_admits_tech_smes():
    a = run("innovation", **LOW)
    r = next(r for r in a.results if r["id"] == "in26-score")
    assert r["status"] == "unmet" and r["cond"]["unconfirmed"] is True
    assert r["result"]["categories"][0]["status"] == "unmet"
    a = run("innovation", **{**LOW, "tech_sme_registered": True})
    assert status(a, "in26-score") == "met" and a.verdict == "eligible"


# ------------------------------------------------------------------------------- CLI
def test_cli_current_standard_sample():
    r = cli("assess", SAMPLE, "--scheme", "miit", "--as-of", "2026-06-01", "-f", "json")
    doc = json.loads(r.stdout)
    assert r.exit_code == 0 and doc["scheme"] == "miit-2026" and doc["highest_tier"] == "little-giant"
    assert doc["scheme_info"]["document_number"] == "工信部企业〔2026〕2号"


def test_cli_pending_sample():
    r = cli("assess", PENDING, "--scheme", "miit-2026", "--tier", "zjtx-sme", "-f", "json", "--as-of", "2026-06-01")
    assert r.exit_code == 3
    doc = json.loads(r.stdout)
    assert doc["verdict"] == "undetermined" and doc["counts"]["pending"] == 1
    cond = next(c for c in doc["conditions"] if c["id"] == "zs26-6-score")
    assert cond["status"] == "pending" and "工信厅企业〔2024〕75号" in cond["actual"]
    gap = next(g for g in doc["gaps"] if g["condition"] == "zs26-6-score")
    assert [i["kind"] for i in gap["items"]] == ["pending"]
    r = cli("assess", PENDING, "--scheme", "miit-2026", "--tier", "zjtx-sme", "--as-of", "2026-06-01")
    assert "待系统评价" in r.stdout


def test_cli_review_flag_says_which_reading():
    # miit-2026 by its own id: its (2号) re-review reading; --scheme miit applies the 117号 layer in 2026 (issue 12)
    args = ["assess", SAMPLE, "--scheme", "miit-2026", "--as-of", "2026-06-01", "--tier", "little-giant", "-f", "json",
            "--set", "operating_revenue.2025=8200", "--set", "operating_revenue.2024=8200",
            # keep main-business revenue within operating revenue (what-if values are checked too)
            "--set", "main_business_revenue.2025=8000", "--set", "main_business_revenue.2024=8000"]
    new = json.loads(cli(*args).stdout)
    g = next(c for c in new["conditions"] if c["id"] == "lg26-2-growth")
    assert g["status"] == "unmet" and g["detail"]["reading"] == "new" and g["required"].startswith("[新申报口径]")
    rev = json.loads(cli(*args, "--review").stdout)
    g = next(c for c in rev["conditions"] if c["id"] == "lg26-2-growth")
    assert g["status"] == "met" and g["detail"]["reading"] == "review" and g["required"] == "[复核口径] 不考察"
    assert rev["verdict"] == "eligible"


# --------------------------------------------------------------- single champion (138号)
CH = dict(main_business_revenue={"2023": 40000, P: 40000, Y: 40000}, market_rank_global=3, business_field_years=10,
          energy_use_advanced=True)


@pytest.mark.parametrize("changes,cid,st", [
    (dict(), None, "eligible"),
    (dict(main_business_revenue={"2023": 40000, P: 40000, Y: 39999.99}), "ch23-2-revenue", "unmet"),
    (dict(main_business_revenue={"2023": 20000, P: 40000, Y: 60000}), "ch23-2-revenue", "met"),
    (dict(market_rank_global=4), "ch23-3-global-rank", "unmet"),
    (dict(market_rank_global=1), "ch23-3-global-rank", "met"),
    (dict(business_field_years=9.99), "ch23-4-years", "unknown"),
    (dict(business_field_years=9.99, new_product_years=5), "ch23-4-years", "met"),
    (dict(business_field_years=9.99, new_product_years=4.99), "ch23-4-years", "unmet"),
    (dict(energy_use_advanced=False), "ch23-5-energy", "unmet"),
    (dict(industry="software_it"), "ch23-1-manufacturer", "unmet"),
])
def test_champion(changes, cid, st):
    a = run("champion", **{**CH, **changes})
    if cid is None:
        assert a.verdict == st
    else:
        assert status(a, cid) == st
    assert all(r["cond"]["unconfirmed"] for r in a.results)


def test_not_examined_on_review_is_not_counted_as_met():
    args = ["assess", SAMPLE, "--scheme", "miit-2026", "--as-of", "2026-06-01", "--tier", "little-giant", "-f", "json"]
    new = json.loads(cli(*args).stdout)
    rev = json.loads(cli(*args, "--review").stdout)
    g = next(c for c in rev["conditions"] if c["id"] == "lg26-2-growth")
    assert g["not_examined"] is True and g["status"] == "met"  # passes, but is reported apart
    assert rev["counts"]["not_examined"] == 1
    assert new["counts"]["not_examined"] == 0
    assert rev["counts"]["met"] == new["counts"]["met"] - (1 if next(
        c for c in new["conditions"] if c["id"] == "lg26-2-growth")["status"] == "met" else 0)
