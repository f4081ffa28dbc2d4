"""Issue 12: readings that change verdicts. Each defect on both sides of its edge."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from conftest import assess_enterprise, changed, enterprise, load_sample, status
from zjtx_cli.engine.sme import _ROWS, INDUSTRY_ROWS

GZ = load_sample("guizhou-eligible.json")


# ------------------------------------------------------------ 1. SME decided by the rows of 300号
def _gz(**changes):
    return assess_enterprise(enterprise(changed(GZ, **changes)), "guizhou", as_of=dt.date(2026, 6, 1))


def test_sme_decided_by_revenue_without_headcount():
    # manufacturing: revenue 1350 万元 < 40000 → SME whatever the headcount
    a = _gz(employees=None, rd_staff=None)
    r = [x for x in a.results if x["id"] == "gz-1-sme"][0]
    assert r["status"] == "met"
    assert r["result"]["decided_by"] == ["operating_revenue"]
    assert "营业收入 1350 万元低于40000万元" in r["result"]["explain_zh"]
    assert "operating revenue 1350 < 40000" in r["result"]["explain_en"]


def test_sme_large_revenue_without_headcount_stays_unknown():
    # revenue at the ceiling: SME only if fewer than 1000 people, unknown without headcount
    a = _gz(employees=None, operating_revenue={"2024": 40000, "2025": 40000})
    assert status(a, "gz-1-sme") == "unknown"
    a = _gz(employees=None, operating_revenue={"2024": 39999, "2025": 39999.99})
    assert status(a, "gz-1-sme") == "met"


def test_sme_declared_only_when_rows_cannot_decide():
    # a declaration never overrides what the figures decide
    a = _gz(employees=None, sme_declared=False)
    assert status(a, "gz-1-sme") == "met"
    a = _gz(employees=None, operating_revenue={"2024": 50000, "2025": 50000}, sme_declared=True)
    r = [x for x in a.results if x["id"] == "gz-1-sme"][0]
    assert r["status"] == "met" and r["result"]["declared"] is True


def _one_below(lim):
    return lim - 1 if isinstance(lim, int) and lim > 1 else lim - 0.01


@pytest.mark.parametrize("code", sorted(INDUSTRY_ROWS))
def test_sme_every_industry_either_figure_decides(code):
    """Each ceiling figure alone decides SME when just below it, and not at it, with the other one missing."""
    from zjtx_cli.engine.service import make_ctx
    from zjtx_cli.engine.sme import sme_condition
    from zjtx_cli.inputs.fields import field_dictionary

    _zh, _en, inds, ceiling, _m, _s = _ROWS[INDUSTRY_ROWS[code]]
    keys = {"employees": "employees", "operating_revenue": "operating_revenue", "total_assets": "total_assets"}
    for k, lim in zip(inds, ceiling):
        for value, want in ((_one_below(lim), "met"), (lim, "unknown" if len(inds) > 1 else "unmet")):
            vals = {"industry": code, keys[k]: {"2025": value}}
            ctx = make_ctx(enterprise(vals), field_dictionary(), year=2025, as_of=dt.date(2026, 6, 1))
            node = sme_condition(ctx)
            assert node["status"] == want, (code, k, value)
            if want == "met":
                assert node["decided_by"] == [k]


# ------------------------------------------------------------ 2. a metric asks only for what it reads
BC = load_sample("bicycle-eligible.json")


def _bc(**changes):
    return assess_enterprise(enterprise(changed(BC, **changes)), "bicycle", as_of=dt.date(2026, 6, 1))


def test_compound_growth_needs_no_middle_year():
    # (8470 / 7000) ** (1/2) - 1 = 10% exactly: meets 年均增长10%, 2024 not needed
    a = _bc(main_business_revenue={"2023": 7000, "2025": 8470})
    r = [x for x in a.results if x["id"] == "bc-2-growth"][0]
    assert r["status"] == "met"
    assert [i[1] for i in r["result"]["then"]["inputs"]] == [2023, 2025]
    a = _bc(main_business_revenue={"2023": 7000, "2025": 8469.99})
    assert status(a, "bc-2-growth") == "unmet"
    a = _bc(main_business_revenue={"2024": 7000, "2025": 8470})  # the base year is read
    r = [x for x in a.results if x["id"] == "bc-2-growth"][0]
    assert r["status"] == "unknown" and r["result"]["then"]["missing"] == [["main_business_revenue", 2023]]


def test_every_metric_reads_exactly_what_it_declares():
    """Given exactly its declared inputs a metric computes; without any one of them it asks for that one."""
    from zjtx_cli.engine.service import make_ctx
    from zjtx_cli.engine.metrics import METRICS, METRIC_INPUTS, evaluate_metric, lookback, metric_years
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.inputs.model import Enterprise

    fields = field_dictionary()
    for key in METRICS:
        reads = metric_years(key, 2025)
        assert METRIC_INPUTS[key] == tuple(dict.fromkeys(f for f, _y in reads))
        years = [y for _f, y in reads if y is not None]
        assert lookback(key, fields) == (2025 - min(years) if years else 0)
        full = {}
        for f, y in reads:
            v = dt.date(2015, 1, 1) if f == "founding_date" else fields[f].type == "integer" and 5 or \
                __import__("decimal").Decimal(100 + (y or 0) - 2020)
            if y is None:
                full[f] = v
            else:
                full.setdefault(f, {})[y] = v
        ctx = make_ctx(Enterprise(full), fields, year=2025, as_of=dt.date(2026, 6, 1))
        mv = evaluate_metric(key, ctx, 2025)
        assert mv.missing == [] and (mv.value is not None or mv.invalid), key
        for f, y in reads:
            part = {k: (dict(v) if isinstance(v, dict) else v) for k, v in full.items()}
            if y is None:
                del part[f]
            else:
                del part[f][y]
            ctx = make_ctx(Enterprise(part), fields, year=2025, as_of=dt.date(2026, 6, 1))
            assert evaluate_metric(key, ctx, 2025).missing == [(f, y)], (key, f, y)


# ------------------------------------------------------------ 7. every real lever of a ratio gap, cheapest first
def _gap(key, op, target, **vals):
    from decimal import Decimal

    from zjtx_cli.engine.service import make_ctx
    from zjtx_cli.engine.metrics import evaluate_metric, metric_gap
    from zjtx_cli.inputs.fields import field_dictionary

    ctx = make_ctx(enterprise({k: {"2025": v} for k, v in vals.items()}), field_dictionary(), year=2025,
                   as_of=dt.date(2026, 6, 1))
    mv = evaluate_metric(key, ctx, 2025)
    return mv, metric_gap(key, ctx, 2025, op, Decimal(target), mv)


def _amounts(g):
    return {k: round(float(x.amount), 4) for k, x in g.levers}


def test_main_business_share_two_levers_cheapest_first():
    # share 7200 / 10000 = 72% < 90%: raise main by (9000-7200)/0.1 = 18000, or cut other by 10000-8000 = 2000
    mv, g = _gap("main_business_share", ">=", 90, main_business_revenue=7200, operating_revenue=10000)
    assert _amounts(g) == {"reduce_other": 2000.0, "raise_main_business_revenue": 18000.0}
    assert [k for k, _ in g.levers][0] == "reduce_other" and g.amount == 2000
    assert "须减少 2000 万元" in g.zh and g.zh.index("须减少 2000") < g.zh.index("须增加 18000")
    assert "主营业务收入须增加 18000 万元" in g.zh
    # both levers equal at 50%: (5000-3000)/0.5 = 4000 vs 10000-6000 = 4000; below it raising main is cheaper
    mv, g = _gap("main_business_share", ">=", 50, main_business_revenue=3000, operating_revenue=10000)
    assert _amounts(g) == {"raise_main_business_revenue": 4000.0, "reduce_other": 4000.0}
    mv, g = _gap("main_business_share", ">=", 40, main_business_revenue=3000, operating_revenue=10000)
    # (4000-3000)/0.6 = 1666.67 vs 10000-7500 = 2500
    assert _amounts(g) == {"raise_main_business_revenue": 1666.6667, "reduce_other": 2500.0}
    assert [k for k, _ in g.levers][0] == "raise_main_business_revenue"


def test_debt_ratio_three_levers():
    # L 8000, A 10000, cap 70%: swap 1000; new equity 8000/0.7-10000 = 1428.57; repay 1000/0.3 = 3333.33
    mv, g = _gap("asset_liability_ratio", "<=", 70, total_liabilities=8000, total_assets=10000)
    a = _amounts(g)
    assert a["debt_to_equity"] == 1000.0
    assert abs(a["add_equity"] - 8000 / 0.7 + 10000) < 1e-3
    assert abs(a["repay_from_own_funds"] - 1000 / 0.3) < 1e-3
    assert [k for k, _ in g.levers] == ["debt_to_equity", "add_equity", "repay_from_own_funds"]
    # each lever really reaches 70%
    assert (8000 - 1000) / 10000 <= 0.7
    ex = {k: x.amount for k, x in g.levers}
    assert 8000 / (10000 + ex["add_equity"]) <= Decimal("0.7") < 8000 / (10000 + ex["add_equity"] - 1)
    z = ex["repay_from_own_funds"]
    assert (8000 - z) / (10000 - z) <= Decimal("0.7") < (8000 - z + 1) / (10000 - z + 1)


def test_rd_intensity_levers_and_net_profit_single():
    mv, g = _gap("rd_intensity", ">=", 3, rd_expense=200, operating_revenue=10000)
    assert _amounts(g)["raise_rd_expense"] == 100.0
    assert abs(_amounts(g)["reduce_operating_revenue"] - (10000 - 200 / 0.03)) < 1e-3
    assert [k for k, _ in g.levers][0] == "raise_rd_expense"
    mv, g = _gap("net_profit_margin", ">=", 10, net_profit=500, operating_revenue=10000)
    assert g.levers is None and g.amount == 500


# ------------------------------------------------------------ 4. operating years to the assessment date
M20 = load_sample("miit-2020-eligible.json")


@pytest.mark.parametrize("founded,as_of,want", [
    ("2017-03-01", "2020-07-20", "met"),     # 3 years 4 months on the day it applies (was: '2 years')
    ("2017-07-20", "2020-07-20", "met"),     # the third anniversary itself completes the third year
    ("2017-07-21", "2020-07-20", "unmet"),   # one day short
])
def test_years_in_operation_to_the_assessment_date(founded, as_of, want):
    a = assess_enterprise(enterprise(changed(M20, founding_date=founded)), "miit-2020",
                          as_of=dt.date.fromisoformat(as_of))
    assert status(a, "m20-1-years") == want
    if want == "unmet":
        g = [x for x in a.gaps if x["condition"] == "m20-1-years"][0]["items"][0]
        assert "2020-07-21" in g["gap"].zh and g["effort"] == "blocker"


def test_years_fixed_cut_off_metric_counts_to_year_end():
    from zjtx_cli.engine.service import make_ctx
    from zjtx_cli.engine.metrics import evaluate_metric
    from zjtx_cli.inputs.fields import field_dictionary

    for founded, want, to_date in (("2022-12-31", 3, 3), ("2023-01-01", 2, 3), ("2023-06-02", 2, 2)):
        ctx = make_ctx(enterprise({"founding_date": founded}), field_dictionary(), year=2025,
                       as_of=dt.date(2026, 6, 1))
        assert evaluate_metric("years_in_operation_year_end", ctx, 2025).value == want
        assert evaluate_metric("years_in_operation", ctx, 2025).value == to_date


@pytest.mark.parametrize("scheme,rule", [("bicycle", "bc-1-years"), ("hengyang", "hy-1-years"),
                                         ("miit-2020", "m20-1-years")])
def test_every_years_rule_says_which_cut_off(scheme, rule):
    from zjtx_cli.rules.loader import get_ruleset

    rs = get_ruleset(scheme)
    c = [c for _t, tr in rs.tracks() for c in tr["conditions"] if c["id"] == rule][0]
    assert "评价日" in c["note"]["zh"] and "--as-of" in c["note"]["en"]
    assert c.check.metric == ("years_in_operation",)


# ------------------------------------------------------------ declared ratios
HY = load_sample("hengyang-eligible.json")


def _hy(**changes):
    return assess_enterprise(enterprise(changed(HY, **changes)), "hengyang", as_of=dt.date(2026, 6, 1))


def _cond(a, cid):
    return [x for x in a.results if x["id"] == cid][0]


@pytest.mark.parametrize("declared,want", [(70, "met"), (70.01, "unmet")])
def test_declared_debt_ratio_used_when_figures_missing(declared, want):
    from zjtx_cli.engine.evaluate import is_declared

    a = _hy(total_liabilities=None, asset_liability_ratio_declared={"2025": declared})
    r = _cond(a, "hy-2-debt")
    assert r["status"] == want and is_declared(r)
    if want == "unmet":
        g = [x for x in a.gaps if x["condition"] == "hy-2-debt"][0]["items"][0]["gap"]
        assert g.unit == "个百分点" and g.amount == Decimal("0.01") and "降低 0.01 个百分点" in g.zh


def test_declared_ratio_without_it_is_missing_data():
    a = _hy(total_liabilities=None)
    assert status(a, "hy-2-debt") == "unknown"


def test_declared_ratio_never_overrides_figures():
    # figures give 4300 / 8600 = 50%: a declared 90% changes nothing (and is warned, below)
    a = _hy(asset_liability_ratio_declared={"2025": 90})
    r = _cond(a, "hy-2-debt")
    assert r["status"] == "met" and r["result"]["actual"] == 50 and not r["result"]["declared"]


@pytest.mark.parametrize("key,value,warned", [
    # 4300 / 8600 = 50%: a declared figure agrees when 50% rounds to it at its own precision
    ("asset_liability_ratio_declared", 50, False), ("asset_liability_ratio_declared", "50.0", False),
    ("asset_liability_ratio_declared", "50.4", True), ("asset_liability_ratio_declared", "50.06", True),
    ("main_business_share_declared", "91.3", False),  # 6300 / 6900 = 91.304%
    ("main_business_share_declared", "91.2", True),
    ("rd_intensity_declared", "4.49", False), ("rd_intensity_declared", 5, True),  # 310 / 6900 = 4.4928%
])
def test_declared_ratio_conflict_is_warned(key, value, warned):
    from conftest import enterprise_from
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.inputs.ratios import declared_ratio_warnings

    e = enterprise_from(changed(HY, **{key: {"2025": value}}))
    ws = declared_ratio_warnings(e, field_dictionary())
    assert bool(ws) == warned
    if warned:
        assert key in ws[0].field and ws[0].year == 2025 and "以绝对数为准" in ws[0].reason_zh


@pytest.mark.parametrize("declared,want", [(60, "met"), (59.99, "unmet")])
def test_declared_main_business_share(declared, want):
    # operating revenue of 2025 missing: the share comes from the declaration
    a = _hy(operating_revenue={"2023": 5200, "2024": 6100}, main_business_share_declared={"2025": declared})
    assert status(a, "hy-3-main-share") == want


def test_declared_rd_intensity_only_for_the_one_year_metric():
    from zjtx_cli.engine.service import make_ctx
    from zjtx_cli.engine.metrics import evaluate_metric
    from zjtx_cli.inputs.fields import field_dictionary

    ctx = make_ctx(enterprise({"rd_intensity_declared": {"2025": 3.5}}), field_dictionary(), year=2025,
                   as_of=dt.date(2026, 6, 1))
    mv = evaluate_metric("rd_intensity", ctx, 2025)
    assert mv.value == Decimal("3.5") and mv.declared
    # a two-year ratio of sums cannot be rebuilt from one declared year: still asks for the figures
    assert evaluate_metric("rd_intensity_2y", ctx, 2025).missing


# ------------------------------------------------------------ 6. national and provincial market standing apart
JH = load_sample("jinhu-provincial.json")


def _jh(tier, **changes):
    return assess_enterprise(enterprise(changed(JH, **changes)), "jinhu", tier, as_of=dt.date(2026, 6, 1))


def test_national_test_not_met_by_provincial_standing():
    # 附件1 国内同行业前列: a firm near the top of its province but not nationally, no large-firm supply
    a = _jh("jiangsu-pool", market_leading_national=False, market_leading_province=True,
            supply_chain_leader=False, market_leading=True)  # the old flag never overrides the new one
    assert status(a, "pool-m5-market") == "unmet"
    a = _jh("jiangsu-pool", market_leading_national=True, market_leading_province=False,
            supply_chain_leader=False)
    assert status(a, "pool-m5-market") == "met"


@pytest.mark.parametrize("national,province,want", [
    (False, True, "met"), (True, False, "met"), (False, False, "unmet"), (None, False, "unknown")])
def test_provincial_test_met_by_either_standing(national, province, want):
    a = _jh("municipal-product", market_leading=None, market_leading_national=national,
            market_leading_province=province)
    assert status(a, "mun-p1-market") == want


def test_old_market_leading_still_works_with_a_warning():
    from conftest import enterprise_from
    from zjtx_cli.engine.scheme_checks import scheme_warnings
    from zjtx_cli.engine.service import make_ctx
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.rules.loader import get_ruleset

    old = changed(JH, market_leading_national=None, market_leading_province=None, market_leading=True,
                  supply_chain_leader=False)
    assert status(_jh("jiangsu-pool", **{k: old.get(k) for k in (
        "market_leading_national", "market_leading_province", "market_leading", "supply_chain_leader")}),
        "pool-m5-market") == "met"
    assert status(_jh("municipal-product", market_leading_national=None, market_leading_province=None,
                      market_leading=False), "mun-p1-market") == "unmet"
    e = enterprise_from(old)
    ws = scheme_warnings(e, get_ruleset("jinhu"), make_ctx(e, field_dictionary(), as_of=dt.date(2026, 6, 1)))
    w = [w for w in ws if "market_leading" in w.field]
    assert len(w) == 1 and "market_leading_national" in w[0].reason_zh
    # given the new declarations, or under a scheme that has only the one test, no warning
    e = enterprise_from(JH)
    ws = scheme_warnings(e, get_ruleset("jinhu"), make_ctx(e, field_dictionary(), as_of=dt.date(2026, 6, 1)))
    assert not [w for w in ws if "market_leading" in w.field]
    e = enterprise_from(load_sample("guizhou-eligible.json"))
    ws = scheme_warnings(e, get_ruleset("guizhou"), make_ctx(e, field_dictionary(), as_of=dt.date(2026, 6, 1)))
    assert not [w for w in ws if "market_leading" in w.field]


# ------------------------------------------------------------ 5. a required title is met only by the title
LG = load_sample("miit-2026-little-giant.json")


def _ladder26(**changes):
    from zjtx_cli.engine.service import assess_ladder as Ladder
    from zjtx_cli.engine.service import make_ctx
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.rules.loader import get_ruleset

    ctx = make_ctx(enterprise(changed(LG, **changes)), field_dictionary(), as_of=dt.date(2026, 6, 1))
    return Ladder(get_ruleset("miit-2026"), ctx)


def _lg_title(lad):
    group = {t["id"]: g for t, g, _s in lad.tiers}["little-giant"]
    return [r for r in group[0].results if r["id"] == "lg26-1-title"][0]


def test_title_not_granted_by_own_verdict():
    from zjtx_cli.outputs.report import describe_gap_item
    from zjtx_cli.inputs.fields import field_dictionary

    lad = _ladder26(zjtx_sme_title=None)
    st = {t["id"]: s for t, _g, s in lad.tiers}
    assert st["zjtx-sme"] == "reached"
    r = _lg_title(lad)
    assert r["status"] == "unknown"
    group = {t["id"]: g for t, g, _s in lad.tiers}["little-giant"]
    g = [g for g in group[0].gaps if g["condition"] == "lg26-1-title"][0]
    text = describe_gap_item(g["items"][0], field_dictionary(), "zh")
    assert "本次评价已达到该层级，须先取得认定" in text
    assert "must obtain the recognition first" in describe_gap_item(g["items"][0], field_dictionary(), "en")


@pytest.mark.parametrize("title,want", [(True, "met"), (False, "unmet"), (None, "unknown")])
def test_title_declared_decides(title, want):
    assert _lg_title(_ladder26(zjtx_sme_title=title))["status"] == want


def test_title_gap_says_when_the_tier_is_not_reached():
    lad = _ladder26(zjtx_sme_title=None, market_leading=False, product_well_known=False)
    r = _lg_title(lad)
    assert r["status"] == "unknown" and r["result"]["tier_status"] != "met"
    assert "须先取得认定" not in r["result"]["label"]["zh"]


# ------------------------------------------------------------ 3. each branch's shortfall when the band is unknown
def _gz_rev(rev, **changes):
    return _gz(operating_revenue={"2024": rev, "2025": rev}, main_business_revenue={"2024": rev - 100,
                                                                                    "2025": rev - 100}, **changes)


def _gap_of(a, cid):
    return [g for g in a.gaps if g["condition"] == cid][0]


def _texts(g, lang="zh"):
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.outputs.report import describe_gap_item

    return [describe_gap_item(i, field_dictionary(), lang) for i in g["items"]]


def test_band_unknown_shows_each_branch():
    a = _gz_rev(900, ethnic_crafts=None)
    g = _gap_of(a, "gz-2-revenue")
    kinds = [i["kind"] for i in g["items"]]
    assert kinds == ["data", "branches"]
    text = _texts(g)[1]
    assert "尚差 100 万元" in text and "尚差 1100 万元" in text
    assert text.index("民族工艺品企业：是") < text.index("尚差 100 万元") < text.index("若不属于以上情形")
    assert g["effort"] == "far"  # rated by the harder branch (1100 of 2000), not the 100 of 1000
    assert "otherwise" in _texts(g, "en")[1]


def test_band_unknown_one_branch_met():
    # 1900: met as an ethnic-crafts firm, 100 short otherwise -> unknown, the open branch near
    a = _gz_rev(1900, ethnic_crafts=None)
    assert status(a, "gz-2-revenue") == "unknown"
    g = _gap_of(a, "gz-2-revenue")
    text = _texts(g)[1]
    assert "已满足" in text and "尚差 100 万元" in text and g["effort"] == "near"
    assert [i for i in g["items"] if i["kind"] == "branches"][0]["effort"] == "near"


@pytest.mark.parametrize("crafts,short", [(True, "100"), (False, "1100")])
def test_band_known_shows_one_shortfall(crafts, short):
    g = _gap_of(_gz_rev(900, ethnic_crafts=crafts), "gz-2-revenue")
    assert [i["kind"] for i in g["items"]] == ["numeric"]
    assert f"尚差 {short} 万元" in _texts(g)[0]


def test_industry_unknown_hengyang_branches():
    a = _hy(industry=None, main_business_revenue={"2023": 800, "2024": 850, "2025": 900})
    g = _gap_of(a, "hy-2-revenue")
    text = [t for t, i in zip(_texts(g), g["items"]) if i["kind"] == "branches"][0]
    assert "尚差 1100 万元" in text and "尚差 100 万元" in text and "本条未设门槛" in text


# ------------------------------------------------------------ 8. wording
M22 = load_sample("miit-2022-zjtx-sme.json")


def _all_texts(a):
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.outputs.report import describe_gap_item

    out = []
    for g in a.gaps:
        for i in g["items"]:
            out.append(describe_gap_item(i, field_dictionary(), "zh"))
            out.append(describe_gap_item(i, field_dictionary(), "en"))
    return " ".join(out)


def test_award_rank_gap_says_no_award_and_the_ranks_needed():
    a = assess_enterprise(enterprise(M22), "miit-2022", "little-giant", as_of=dt.date(2025, 6, 30))
    text = _all_texts(a)
    assert "现未获奖（填 0 即未获奖），须获奖并在获奖单位中排名第 1–3 位" in text
    assert "an award ranked 1-3 among the winning units is needed" in text
    assert "现为 0，须 ≥ 1" not in text


def test_award_rank_beyond_the_limit():
    a = assess_enterprise(enterprise(changed(M22, sci_award_national_rank=5)), "miit-2022", "little-giant",
                          as_of=dt.date(2025, 6, 30))
    assert "现排第 5 位，须在前 3 位：须提高 2 位" in _all_texts(a)


@pytest.mark.parametrize("score,effort", [(59, "near"), (54, "near"), (53.99, "far")])
def test_platform_score_shortfall_effort(score, effort):
    # 2026 little giant: score ≥ 60; 1 point short is near (≤ 10% of 60), 6.01 points far
    a = assess_enterprise(enterprise(changed(LG, evaluation_score={"2024": score, "2025": score})), "miit-2026",
                          "little-giant", as_of=dt.date(2026, 6, 1))
    g = [g for g in a.gaps if g["condition"] == "lg26-7-score"][0]
    assert g["items"][0]["effort"] == effort


def test_missing_year_warnings_only_name_the_tier_assessed(tmp_path):
    import json

    p = tmp_path / "gz.json"
    p.write_text(json.dumps(GZ, ensure_ascii=False), encoding="utf-8")
    from typer.testing import CliRunner

    from zjtx_cli.cli.app import app

    r = CliRunner().invoke(app, ["assess", str(p), "--scheme", "miit-2026", "--tier", "little-giant",
                                 "--as-of", "2026-06-30", "--format", "json"])
    assert "ch23-" not in r.stderr
    r = CliRunner().invoke(app, ["assess", str(p), "--scheme", "miit-2026", "--tier", "champion",
                                 "--as-of", "2026-06-30", "--format", "json"])
    assert "ch23-2-revenue" in r.stderr
    r = CliRunner().invoke(app, ["assess", str(p), "--scheme", "miit-2026", "--as-of", "2026-06-30",
                                 "--format", "json"])
    assert "ch23-2-revenue" in r.stderr  # the whole ladder includes the champion tier


# ------------------------------------------------------------ national batches: the 2nd batch's window
@pytest.mark.parametrize("as_of,warned,which", [
    ("2020-07-05", True, "381号"), ("2020-07-06", False, None), ("2020-08-21", False, None),
    ("2020-08-22", True, "下一批"), ("2021-06-30", True, "第三批"), ("2019-05-01", True, "第一批")])
def test_batch_window_warning(as_of, warned, which):
    from zjtx_cli.rules.versions import batch_warning

    w = batch_warning("miit-2020", dt.date.fromisoformat(as_of), "zh")
    assert bool(w) == warned
    if warned:
        assert which in w and "2020-07-06 至 2020-08-21" in w
    assert batch_warning("miit-2022", dt.date.fromisoformat(as_of)) is None


def test_batch_warning_through_the_cli():
    from typer.testing import CliRunner

    from zjtx_cli.cli.app import app

    import os
    from conftest import ROOT

    s = os.path.join(ROOT, "samples", "miit-2020-eligible.json")
    r = CliRunner().invoke(app, ["assess", s, "--scheme", "miit", "--as-of", "2021-06-30", "--format", "json"])
    assert "第三批" in r.stderr and r.exit_code == 0
    r = CliRunner().invoke(app, ["assess", s, "--scheme", "miit", "--as-of", "2020-08-01", "--format", "json"])
    assert "第三批" not in r.stderr and "申报期" not in r.stderr


# ------------------------------------------------------------ the 2026 re-review layer (117号)
def test_review_layer_conditions_are_miit_2022_little_giant_unchanged():
    from zjtx_cli.rules.loader import get_ruleset

    lg22 = get_ruleset("miit-2022").find("little-giant")[1][0]["conditions"]
    r26 = get_ruleset("miit-2026-review").find("little-giant")[1][0]["conditions"]
    def clean(x):  # without the engine's memo keys (_per_year, _pure …) set by earlier evaluations
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items() if not k.startswith("_")}
        if isinstance(x, list):
            return [clean(v) for v in x]
        return x

    def strip(c):
        return clean({k: c[k] for k in ("id", "kind", "text", "citation", "check", "note")})

    assert [strip(c) for c in r26[:len(lg22)]] == [strip(c) for c in lg22]
    added = {c["id"]: c for c in r26[len(lg22):]}
    assert set(added) == {"r26-x-related", "r26-audited"}
    assert all(c["unconfirmed"] for c in added.values())
    assert get_ruleset("miit-2026-review").data.get("programme") is None  # never picked by date


@pytest.mark.parametrize("as_of,review,tier,layer", [
    ("2026-06-30", True, "little-giant", "miit-2026-review"),
    ("2026-01-01", True, "little-giant", "miit-2026-review"),
    ("2025-12-31", True, "little-giant", None),
    ("2027-01-01", True, "little-giant", None),
    ("2026-06-30", False, "little-giant", None),
    ("2026-06-30", True, "zjtx-sme", None),
    ("2026-06-30", True, None, None),
])
def test_review_layer_is_dated(as_of, review, tier, layer):
    from zjtx_cli.rules.versions import resolve, review_layer

    d = dt.date.fromisoformat(as_of)
    got, msg = review_layer("miit", resolve("miit", d), d, tier, review)
    assert got == layer
    if review and tier is None and d.year == 2026:
        assert msg and "--tier little-giant --review" in msg
    # a version named by its own id is never layered
    assert review_layer("miit-2026", "miit-2026", d, tier, review) == (None, None)


def test_review_layer_through_the_cli():
    import json
    import os

    from typer.testing import CliRunner

    from conftest import ROOT
    from zjtx_cli.cli.app import app

    s = os.path.join(ROOT, "samples", "miit-2026-little-giant.json")
    args = ["assess", s, "--scheme", "miit", "--tier", "little-giant", "--as-of", "2026-06-30", "--format", "json"]
    r = CliRunner().invoke(app, args + ["--review"])
    doc = json.loads(r.stdout)
    ids = {c["id"] for c in doc["conditions"]}
    assert doc["scheme"] == "miit-2026-review" and {"r26-x-related", "r26-audited", "lg22-sme"} <= ids
    assert "117号" in r.stderr
    r = CliRunner().invoke(app, args)
    assert json.loads(r.stdout)["scheme"] == "miit-2026"


def test_review_layer_through_the_library_api_as_through_the_cli():
    import json
    import os

    from typer.testing import CliRunner

    import zjtx_cli
    from conftest import ROOT
    from zjtx_cli.cli.app import app

    s = os.path.join(ROOT, "samples", "miit-2026-little-giant.json")
    for review in (True, False):
        r = zjtx_cli.assess(s, scheme="miit", tier="little-giant", as_of="2026-06-30", review=review)
        args = ["assess", s, "--scheme", "miit", "--tier", "little-giant", "--as-of", "2026-06-30", "--format", "json"]
        doc = json.loads(CliRunner().invoke(app, args + (["--review"] if review else [])).stdout)
        assert r.ruleset.id == doc["scheme"] == ("miit-2026-review" if review else "miit-2026")
        assert zjtx_cli.document(r)["verdict"] == doc["verdict"]
    # outside 2026 the layer does not apply
    r = zjtx_cli.assess(s, scheme="miit", tier="little-giant", as_of="2027-01-01", review=True)
    assert r.ruleset.id != "miit-2026-review"
