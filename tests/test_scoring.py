"""Scored evaluations as data (zjtx_cli/engine/kinds/score/): strict validation of bands, every source kind,
three-valued totals, category minimums, direct paths, point-gain gaps, platform values (pending)
and new-application / re-review readings."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest

from conftest import enterprise_from

RD_BANDS = [
    {"min": 5, "min_inclusive": True, "points": 20},
    {"min": 3, "min_inclusive": True, "max": 5, "max_inclusive": False, "points": 15},
    {"min": 2, "min_inclusive": True, "max": 3, "max_inclusive": False, "points": 10},
    {"max": 2, "max_inclusive": False, "points": 0},
]
DEBT_BANDS = [
    {"max": 55, "max_inclusive": True, "points": 10},
    {"min": 55, "min_inclusive": False, "max": 75, "max_inclusive": True, "points": 5},
    {"min": 75, "min_inclusive": False, "points": 0},
]


def spec():
    return {
        "pass": 30,
        "total_max": 60,
        "categories": [
            {"id": "inno", "name": {"zh": "创新", "en": "Innovation"}, "max": 30, "min": 10, "indicators": [
                {"id": "rd", "name": {"zh": "研发强度", "en": "R&D intensity"}, "max": 20, "metric": "rd_intensity",
                 "bands": copy.deepcopy(RD_BANDS)},
                {"id": "inst", "name": {"zh": "研发机构", "en": "R&D institution"}, "max": 10,
                 "choice": "rd_institution_level",
                 "points": {"national": 10, "provincial": 8, "municipal": 4, "below_municipal": 2, "none": 0}},
            ]},
            {"id": "mgmt", "name": {"zh": "管理", "en": "Management"}, "max": 30, "indicators": [
                {"id": "debt", "name": {"zh": "资产负债率", "en": "Debt ratio"}, "max": 10,
                 "metric": "asset_liability_ratio", "bands": copy.deepcopy(DEBT_BANDS)},
                {"id": "quality", "name": {"zh": "质量", "en": "Quality"}, "max": 5, "per_item": 3,
                 "items": ["provincial_quality_award", "quality_system_certified", "own_brand"]},
                {"id": "feature", "name": {"zh": "特色", "en": "Featured"}, "max": 10, "declared": "feature_score"},
                {"id": "ip", "name": {"zh": "知识产权", "en": "IP"}, "max": 5, "first": [
                    {"check": {"metric": "ip_class1", "op": ">=", "value": 1}, "points": 5},
                    {"check": {"metric": "ip_class2", "op": ">=", "value": 1}, "points": 2}], "else": 0},
            ]},
        ],
        "direct": [{"flag": "high_tech_enterprise"}],
    }


def ruleset(score=None, extra_conditions=()):
    from zjtx_cli.rules.loader import Ruleset, compile_ruleset

    conds = [{"id": "s", "kind": "required", "text": "score", "citation": "test",
              "check": {"score": score if score is not None else spec()}}]
    conds.extend(extra_conditions)
    data = {"id": "t", "title": "t", "issuer": "t", "source": "t",
            "tiers": [{"id": "tier", "level": "national", "conditions": conds}]}
    return Ruleset(compile_ruleset(data, "test.yaml"), "test.yaml")


BASE = {
    "operating_revenue": {"2025": 10000}, "rd_expense": {"2025": 280},
    "total_assets": {"2025": 1000}, "total_liabilities": {"2025": 500},
    "rd_institution_level": "municipal", "provincial_quality_award": False, "quality_system_certified": True,
    "own_brand": False, "feature_score": 4, "ip_class1": 0, "ip_class2": 3, "high_tech_enterprise": False,
}


def evaluate(values=None, rs=None, review=False, **changes):
    from zjtx_cli.engine.service import assess_track, make_ctx
    from zjtx_cli.inputs.fields import field_dictionary

    rs = rs or ruleset()
    v = copy.deepcopy(values or BASE)
    for k, x in changes.items():
        if x is None:
            v.pop(k, None)
        else:
            v[k] = x
    ctx = make_ctx(enterprise_from(v), field_dictionary(), year=2025, as_of=dt.date(2026, 6, 1), review=review)
    t = rs.tiers[0]
    return assess_track(rs, t, t["tracks"][0], ctx)


def node(a, cid="s"):
    return next(r for r in a.results if r["id"] == cid)["result"]


def points(a, ind_id):
    for cat in node(a)["categories"]:
        for ind in cat["indicators"]:
            if ind["id"] == ind_id:
                return ind["points"]
    raise KeyError(ind_id)


# ------------------------------------------------------------------------- validation
def _bad(mutate, msg):
    from zjtx_cli.rules.loader import RulesetError

    s = spec()
    mutate(s)
    with pytest.raises(RulesetError, match=msg):
        ruleset(s)


def test_valid_spec_loads_and_totals():
    rs = ruleset()
    c = rs.data["tiers"][0]["tracks"][0]["conditions"][0]["check"]
    assert c["type"] == "score" and c["score"]["max"] == "60" and c["score"]["pass"] == "30"
    typed = rs.tiers[0]["tracks"][0]["conditions"][0].check
    assert typed.type == "score" and typed.max == 60 and typed.pass_mark == 30
    import marshal

    marshal.dumps(rs.data)  # compiled form is plain data


@pytest.mark.parametrize("mutate,msg", [
    (lambda s: s["categories"][0]["indicators"][0]["bands"][1].update(min_inclusive=False), "neither"),
    (lambda s: s["categories"][0]["indicators"][0]["bands"][1].update(max_inclusive=True), "both"),
    (lambda s: s["categories"][0]["indicators"][0]["bands"][1].pop("min_inclusive"), "min_inclusive"),
    (lambda s: s["categories"][0]["indicators"][0]["bands"].pop(), "uncovered"),
    (lambda s: s["categories"][0]["indicators"][0]["bands"].pop(0), "uncovered"),
    (lambda s: s["categories"][0]["indicators"][0]["bands"][2].update(min=2.5), "edge to edge"),
    (lambda s: s["categories"][0]["indicators"][0]["bands"][0].update(points=25), "outside"),
    (lambda s: s["categories"][0]["indicators"][0]["bands"][0].update(colour="red"), "unknown key"),
    (lambda s: s["categories"][0].update(max=35), "differs"),
    (lambda s: s.update(total_max=100), "differs"),
    (lambda s: s.update(pass_mark=60), "unknown key"),
    (lambda s: s.update({"pass": 61}), "exceeds"),
    (lambda s: s["categories"][0].update(min=31), "exceeds"),
    (lambda s: s["categories"][0]["indicators"][0].update(metric="no_such_metric"), "unknown indicator"),
    (lambda s: s["categories"][0]["indicators"][1]["points"].pop("none"), "no points"),
    (lambda s: s["categories"][0]["indicators"][1]["points"].update(galactic=3), "not a choice"),
    (lambda s: s["categories"][1]["indicators"][1].update(items=["feature_score"]), "yes/no"),
    (lambda s: s["categories"][1]["indicators"][1].pop("per_item"), "per_item"),
    (lambda s: s["categories"][1]["indicators"][2].update(choice="digital_level"), "exactly one"),
    (lambda s: s["categories"][1]["indicators"][3]["first"][0].update(extra=1), "exactly 'check'"),
    (lambda s: s["categories"][1]["indicators"].append(dict(s["categories"][1]["indicators"][0])), "duplicate"),
    (lambda s: s["direct"].append({"flag": "no_such_flag"}), "not a yes/no field"),
])
def test_strict_validation_names_the_problem(mutate, msg):
    _bad(mutate, msg)


def test_error_names_file_rule_and_indicator():
    from zjtx_cli.rules.loader import RulesetError

    s = spec()
    s["categories"][0]["indicators"][0]["bands"][1]["min_inclusive"] = False
    with pytest.raises(RulesetError) as exc:
        ruleset(s)
    msg = str(exc.value)
    assert "test.yaml" in msg and "rule s" in msg and "indicator rd" in msg


# ------------------------------------------------------------------------- band edges
@pytest.mark.parametrize("rd,pts", [
    (500, 20), (499.99, 15), (300, 15), (299.99, 10), (200, 10), (199.99, 0), (0, 0), (900, 20),
])
def test_rising_bands_edge_goes_to_the_band_that_says_inclusive(rd, pts):
    # revenue 10000: R&D 500 is exactly 5%
    assert points(evaluate(rd_expense={"2025": rd}), "rd") == Decimal(pts)


@pytest.mark.parametrize("liab,pts", [(550, 10), (550.01, 5), (750, 5), (750.01, 0), (0, 10)])
def test_falling_bands(liab, pts):
    assert points(evaluate(total_liabilities={"2025": liab}), "debt") == Decimal(pts)


@pytest.mark.parametrize("flags,pts", [((False, False, False), 0), ((True, False, False), 3),
                                       ((True, True, False), 5), ((True, True, True), 5)])
def test_items_per_item_with_cap(flags, pts):
    a = evaluate(provincial_quality_award=flags[0], quality_system_certified=flags[1], own_brand=flags[2])
    assert points(a, "quality") == Decimal(pts)


def test_items_unknown_but_already_capped_is_known():
    a = evaluate(provincial_quality_award=True, quality_system_certified=True, own_brand=None)
    assert points(a, "quality") == 5


@pytest.mark.parametrize("code,pts", [("national", 10), ("provincial", 8), ("municipal", 4),
                                      ("below_municipal", 2), ("none", 0)])
def test_choice_points(code, pts):
    assert points(evaluate(rd_institution_level=code), "inst") == Decimal(pts)


@pytest.mark.parametrize("c1,c2,pts", [(1, 0, 5), (0, 1, 2), (0, 0, 0), (2, 9, 5)])
def test_first_option_met_wins(c1, c2, pts):
    assert points(evaluate(ip_class1=c1, ip_class2=c2), "ip") == Decimal(pts)


def test_first_unknown_gives_a_range():
    a = evaluate(ip_class1=None, ip_class2=1)
    ind = next(i for c in node(a)["categories"] for i in c["indicators"] if i["id"] == "ip")
    assert ind["points"] is None and ind["lo"] == 2 and ind["hi"] == 5


@pytest.mark.parametrize("v,pts", [(0, 0), (7.5, 7.5), (10, 10), (12, 10)])
def test_declared_score_clamped_to_max(v, pts):
    assert points(evaluate(feature_score=v), "feature") == Decimal(str(pts))


# ------------------------------------------------------------------------------ totals
def test_total_subtotals_and_pass_mark():
    # rd 2.8% -> 10, municipal -> 4, debt 50% -> 10, quality 3, feature 4, class II -> 2 = 33
    a = evaluate()
    n = node(a)
    assert n["total"] == 33 and n["status"] == "met" and a.verdict == "eligible"
    assert [c["points"] for c in n["categories"]] == [14, 19]


def test_just_below_pass_mark_is_unmet():
    a = evaluate(feature_score=0.99)  # 29.99 < 30
    assert node(a)["total"] == Decimal("29.99") and node(a)["status"] == "unmet"
    a = evaluate(feature_score=1)  # exactly 30: 以上 includes the number
    assert node(a)["status"] == "met"


def test_category_minimum_fails_a_passing_total():
    # innovation: rd 1% -> 0, no institution -> 0 (< 10); management 10+5+10+5 = 30 >= 30
    a = evaluate(rd_expense={"2025": 100}, rd_institution_level="none", provincial_quality_award=True,
                 feature_score=10, ip_class1=1)
    n = node(a)
    assert n["total"] == 30 and n["categories"][0]["status"] == "unmet" and n["status"] == "unmet"
    a = evaluate(rd_expense={"2025": 100}, rd_institution_level="below_municipal", provincial_quality_award=True,
                 feature_score=10, ip_class1=1)
    assert node(a)["categories"][0]["points"] == 2 and node(a)["categories"][0]["status"] == "unmet"


def test_category_minimum_exactly_met():
    s = spec()
    s["categories"][0]["min"] = 14
    a = evaluate(rs=ruleset(s))
    assert node(a)["categories"][0]["status"] == "met" and node(a)["status"] == "met"
    s["categories"][0]["min"] = 14.01
    a = evaluate(rs=ruleset(s))
    assert node(a)["categories"][0]["status"] == "unmet" and node(a)["status"] == "unmet"


def test_direct_path_beats_a_low_score():
    low = dict(rd_expense={"2025": 0}, rd_institution_level="none", feature_score=0, ip_class2=0)
    assert node(evaluate(**low))["status"] == "unmet"
    n = node(evaluate(high_tech_enterprise=True, **low))
    assert n["status"] == "met" and n["score_status"] == "unmet" and n["direct_met"] == [0]


def test_unknown_input_is_unknown_unless_settled():
    # feature missing: known points 29, max possible 39 -> unknown
    n = node(evaluate(feature_score=None))
    assert n["status"] == "unknown" and n["total"] is None and (n["total_lo"], n["total_hi"]) == (29, 39)
    assert ["feature_score", None] in n["missing"]
    # already passing without it
    n = node(evaluate(feature_score=None, rd_expense={"2025": 500}))
    assert n["status"] == "met"
    # cannot pass even at full points of the missing indicator
    n = node(evaluate(feature_score=None, rd_expense={"2025": 0}, rd_institution_level="none", ip_class2=0,
                      quality_system_certified=False, total_liabilities={"2025": 800}))
    assert n["total_hi"] < 30 and n["status"] == "unmet"


def test_unknown_score_with_unknown_direct_path_is_unknown():
    n = node(evaluate(feature_score=None, high_tech_enterprise=None))
    assert n["status"] == "unknown"


# -------------------------------------------------------------------------------- gaps
def test_gap_names_cheapest_point_gain_in_wanyuan():
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.outputs.report import describe_gap_item

    a = evaluate(feature_score=0, quality_system_certified=False)  # 10+4+10+0+0+2 = 26 < 30
    assert a.verdict == "not_eligible"
    items = a.gaps[0]["items"]
    # one score item: the point gains and the direct paths are alternatives listed inside it
    assert [i["kind"] for i in items] == ["score"] and items[0]["deficit"] == 4
    assert items[0]["direct"]["kind"] == "score_direct"
    gains = items[0]["gains"]
    gain = next(i for i in gains if i["indicator"]["id"] == "rd")
    assert (gain["gain"], gain["to"], gain["target"]) == (5, 15, 3)
    assert gain["gap"].amount == Decimal(20)  # 3% of 10000 = 300, have 280
    fields = field_dictionary()
    en = describe_gap_item(gain, fields, "en")
    assert "2.8% → ≥ 3%" in en and "from 10 to 15 points" in en and "20 万元" in en
    zh = describe_gap_item(gain, fields, "zh")
    assert "由 10分 升至 15分" in zh and "20 万元" in zh
    # the debt ratio is already in its top band: no gain offered there
    assert all(i["indicator"]["id"] != "debt" for i in gains)
    text = describe_gap_item(items[0], fields, "en")
    assert "cheapest point gains:" in text and "or meet any direct path" in text


def test_gap_for_falling_indicator_asks_to_reduce():
    a = evaluate(feature_score=0, quality_system_certified=False, total_liabilities={"2025": 600})
    gain = next(i for i in a.gaps[0]["items"][0]["gains"] if i["indicator"]["id"] == "debt")
    assert gain["op"] == "<=" and gain["target"] == 55 and gain["gap"].amount == Decimal(50)


def test_report_texts_and_json():
    import json

    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.outputs.report import assessment_json, describe_actual, describe_required

    fields = field_dictionary()
    a = evaluate(feature_score=0, quality_system_certified=False)
    n = node(a)
    assert describe_required(n, fields, "zh").startswith("评价得分 ≥ 30分（创新 ≥ 10）")
    act = describe_actual(n, fields, "en")
    assert act.startswith("score 26/60 (Innovation 14, Management 12)")
    assert "R&D intensity: 2.8% → 10/20" in act
    doc = json.loads(json.dumps(assessment_json(a, fields, "en"), default=str))
    det = doc["conditions"][0]["detail"]
    assert det["total"] == 26 and det["categories"][0]["indicators"][0]["points"] == 10
    assert det["categories"][0]["indicators"][0]["band"] == 2


# ----------------------------------------------------------- declared values and review
PLATFORM = {"zh": "平台", "en": "the platform"}


def declared_rs():
    return ruleset(spec(), extra_conditions=[
        {"id": "ev", "kind": "required", "text": "score", "citation": "test",
         "check": {"review": {
             "new": {"declared_value": "evaluation_score", "op": ">=", "value": 60, "source": PLATFORM},
             "review": {"any": [
                 {"declared_value": "evaluation_score", "op": ">=", "value": 60, "source": PLATFORM},
                 {"declared_value": {"field": "evaluation_score", "year": -1}, "op": ">=", "value": 60,
                  "source": PLATFORM}]}}}},
        {"id": "gr", "kind": "required", "text": "growth", "citation": "test",
         "check": {"review": {"new": {"metric": "operating_revenue_cagr_2y", "op": ">=", "value": 5},
                              "review": "not_examined"}}},
    ])


def test_absent_platform_value_is_pending_with_its_source():
    a = evaluate(rs=declared_rs(), evaluation_score=None)
    r = next(r for r in a.results if r["id"] == "ev")
    assert r["status"] == "pending" and a.verdict == "undetermined"
    assert r["result"]["then"]["pending"]["en"] == "pending: the platform"
    g = next(g for g in a.gaps if g["condition"] == "ev")
    assert [i["kind"] for i in g["items"]] == ["pending"]


@pytest.mark.parametrize("scores,review,status", [
    ({"2025": 60}, False, "met"), ({"2025": 59.9}, False, "unmet"),
    ({"2025": 59.9, "2024": 60}, False, "unmet"), ({"2025": 59.9, "2024": 60}, True, "met"),
    ({"2025": 59.9, "2024": 59.9}, True, "unmet"), ({"2025": 61}, True, "met"),
])
def test_score_either_of_last_two_years_only_on_review(scores, review, status):
    a = evaluate(rs=declared_rs(), review=review, evaluation_score=scores)
    r = next(r for r in a.results if r["id"] == "ev")
    assert r["status"] == status
    assert r["result"]["reading"] == ("review" if review else "new")


def test_growth_not_examined_on_review_and_report_says_so():
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.outputs.report import describe_actual, describe_required

    fields = field_dictionary()
    vals = dict(evaluation_score={"2025": 70}, operating_revenue={"2023": 10000, "2024": 10000, "2025": 10000})
    new = next(r for r in evaluate(rs=declared_rs(), **vals).results if r["id"] == "gr")
    assert new["status"] == "unmet"
    assert describe_required(new["result"], fields, "zh").startswith("[新申报口径]")
    rev = next(r for r in evaluate(rs=declared_rs(), review=True, **vals).results if r["id"] == "gr")
    assert rev["status"] == "met" and rev["result"]["not_examined"]
    assert describe_required(rev["result"], fields, "zh") == "[复核口径] 不考察"
    assert describe_actual(rev["result"], fields, "en") == "not examined on re-review"


def test_declared_value_validation():
    from zjtx_cli.rules.loader import RulesetError

    for bad, msg in [({"declared_value": "own_brand", "op": ">=", "value": 1, "source": "x"}, "numeric"),
                     ({"declared_value": "evaluation_score", "op": ">=", "value": 1}, "source"),
                     ({"declared_value": {"field": "evaluation_score", "year": 1}, "op": ">=", "value": 1,
                       "source": "x"}, "offset"),
                     ({"review": {"new": {"flag": "own_brand"}}}, "exactly 'new' and 'review'")]:
        with pytest.raises(RulesetError, match=msg):
            ruleset(extra_conditions=[{"id": "x", "kind": "required", "text": "x", "citation": "t", "check": bad}])


def test_fields_used_include_score_inputs():
    rs = declared_rs()
    used = rs.fields_used()
    for k in ("rd_expense", "operating_revenue", "rd_institution_level", "feature_score", "own_brand",
              "ip_class1", "ip_class2", "high_tech_enterprise", "evaluation_score", "total_liabilities"):
        assert k in used


def test_gap_for_first_match_indicator_names_the_option():
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.outputs.report import describe_gap_item

    a = evaluate(feature_score=0, quality_system_certified=False)
    gain = next(i for i in a.gaps[0]["items"][0]["gains"] if i["indicator"]["id"] == "ip")
    assert (gain["gain"], gain["to"]) == (3, 5) and gain["gap"].amount == 1
    en = describe_gap_item(gain, field_dictionary(), "en")
    assert en.startswith("IP: ") and "≥ 1" in en and "from 2 to 5 points (+3)" in en


def test_rules_listing_describes_score_and_review():
    from typer.testing import CliRunner

    from zjtx_cli.cli.app import app

    r = CliRunner().invoke(app, ["rules", "miit-2026", "--lang", "en", "--format", "json"])
    assert r.exit_code == 0
    checks = {c["id"]: c["check"] for t in __import__("json").loads(r.stdout)["tiers"]
              for tr in t["tracks"] for c in tr["conditions"]}
    assert checks["lg26-2-growth"].startswith("new application: ") and checks["lg26-2-growth"].endswith(
        "re-review: not examined")
    assert "[3%, 5%) → 15" in checks["in26-score"] and "(55%, 75%] → 5" in checks["in26-score"]
    assert "the score computed by MIIT's gradient-cultivation platform" in checks["lg26-7-score"]


# ----------------------------------------------------------- gap effort, gain order, rounding
def _no_direct_spec():
    s = spec()
    s["direct"] = []
    s["pass"] = 44  # rd 10, inst 10, debt 10, quality 3, feature 4, ip 2 = 39: short by 5
    return s


def test_score_effort_is_the_cheapest_route_not_the_hardest_alternative():
    # short by 5; R&D 2.8% -> 3% (+5) needs 20 of 300 万元 (6.7% < 10%): close
    a = evaluate(rs=ruleset(_no_direct_spec()), rd_institution_level="national")
    g = a.gaps[0]
    assert g["items"][0]["deficit"] == 5 and g["items"][0]["route_effort"] == "near"
    assert g["effort"] == "near"
    # R&D 2% -> 3% needs 100 of 300 万元 (33%): far, and nothing else closes 5 points cheaply
    a = evaluate(rs=ruleset(_no_direct_spec()), rd_institution_level="national", rd_expense={"2025": 200})
    assert a.gaps[0]["effort"] == "far"
    # a direct path that is only a declaration away is cheaper than any point gain
    s = _no_direct_spec()
    s["direct"] = [{"flag": "high_tech_enterprise"}]
    a = evaluate(rs=ruleset(s), rd_institution_level="national", rd_expense={"2025": 200})
    assert a.gaps[0]["items"][0]["route_effort"] == "far" and a.gaps[0]["effort"] == "declaration"


def test_first_match_gains_prefer_the_least_demanding_option_at_equal_cost():
    s = spec()
    s["categories"][1]["indicators"][3]["first"] = [
        {"check": {"metric": "ip_class1_high_value", "op": ">=", "value": 1}, "points": 5},
        {"check": {"metric": "ip_class1_own", "op": ">=", "value": 1}, "points": 4},
        {"check": {"metric": "ip_class1", "op": ">=", "value": 1}, "points": 3},
        {"check": {"metric": "ip_class2", "op": ">=", "value": 1}, "points": 2}]
    a = evaluate(rs=ruleset(s), feature_score=0, quality_system_certified=False, ip_class1_own=0,
                 ip_class1_high_value=0)
    ip = [g for g in a.gaps[0]["items"][0]["gains"] if g["indicator"]["id"] == "ip"]
    # each needs one more item: Ⅰ类 >= 1 (+1) before 自主研发Ⅰ类 (+2); 高价值 (+3) not shown
    assert [(g["to"], g["gain"]) for g in ip] == [(3, 1), (4, 2)]


def test_choice_and_items_gains_are_declarations():
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.outputs.report import describe_gap_item

    a = evaluate(feature_score=0, quality_system_certified=True, own_brand=False, provincial_quality_award=False,
                 rd_expense={"2025": 200}, ip_class2=0)  # 0+4+10+3+0+0 = 17 < 30
    gains = a.gaps[0]["items"][0]["gains"]
    inst = [g for g in gains if g["indicator"]["id"] == "inst"]
    assert inst[0]["declare"] == ["rd_institution_level", "provincial"] and inst[0]["gain"] == 4
    assert inst[0]["effort"] == "declaration"
    q = next(g for g in gains if g["indicator"]["id"] == "quality")
    # 3 per item, capped at 5: one more item adds 2
    assert q["declare_any"] == ["provincial_quality_award", "own_brand"] and (q["gain"], q["to"]) == (2, 5)
    # declarations come before numeric changes
    assert gains[0]["effort"] == "declaration"
    fields = field_dictionary()
    assert "declaring 'provincial' moves this indicator from 4 to 8 points (+4)" in describe_gap_item(
        inst[0], fields, "en")
    assert "再满足一项" in describe_gap_item(q, fields, "zh") and "（+2）" in describe_gap_item(q, fields, "zh")


@pytest.mark.parametrize("rd,shown,amount", [
    (299.996, "2.999% → ≥ 3%", "0.01 万元"),      # 0.004 万元 short: never "3% → ≥ 3% ... 0 万元"
    (299.9999999, "2.999% → ≥ 3%", "0.01 万元"),
    (280, "2.8% → ≥ 3%", "20 万元"),              # exact amounts are not rounded up
    (280.001, "2.8% → ≥ 3%", "20 万元"),          # 19.999 -> 20
])
def test_amounts_near_an_edge_round_up_and_show_enough_decimals(rd, shown, amount):
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.outputs.report import describe_gap_item

    a = evaluate(feature_score=0, quality_system_certified=False, rd_expense={"2025": rd})
    gain = next(g for g in a.gaps[0]["items"][0]["gains"] if g["indicator"]["id"] == "rd")
    assert gain["gap"].amount == Decimal(amount.split()[0])
    en = describe_gap_item(gain, field_dictionary(), "en")
    assert shown in en and f"rise by {amount}" in en
    assert "by 0 万元" not in en


def test_ceiling_replaces_only_the_amount():
    from zjtx_cli.engine.shortfalls import Gap
    from zjtx_cli.engine.kinds.score.gains import ceil_money_gap as _ceil_gap

    g = _ceil_gap(Gap(Decimal("0.004"), "万元", "须增加 0 万元（现有 100 万元）", "rise by 0 万元 (have 100 万元)"))
    assert g.amount == Decimal("0.01")
    assert g.zh == "须增加 0.01 万元（现有 100 万元）" and g.en == "rise by 0.01 万元 (have 100 万元)"
    same = Gap(Decimal("20"), "万元", "x 20 万元", "x 20 万元")
    assert _ceil_gap(same) is same
