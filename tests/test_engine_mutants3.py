"""Behaviours found unpinned by a third, unbiased mutation sample of the engine (issue 10).

``python tools/mutate.py --sample 100 --seed 2027`` after the engine was split into more modules
(docs/mutation.md, "Second sample after the layout split"): each test here pins a behaviour that a surviving
mutant of that sample changed without any test noticing. As in ``test_engine_mutants2.py``, everything goes
through the command line (its JSON document, its error line and exit code) or a public entry point
(``engine.sme.classify``), never through the engine's internal names; rulesets of our own are written to a
temporary folder (``--rules-dir``); figures and thresholds otherwise come from the built-in rulesets and samples.
"""

from __future__ import annotations

import json
import os

import pytest
import yaml
from typer.testing import CliRunner

from zjtx_cli.cli.app import app

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(*args):
    r = CliRunner().invoke(app, [str(a) for a in args], env={"NO_COLOR": "1", "COLUMNS": "200"})
    return r.exit_code, r.stdout, r.stderr


def sample(name: str) -> dict:
    with open(os.path.join(ROOT, "samples", name), encoding="utf-8") as fh:
        return json.load(fh)


def ruleset_yaml(name: str) -> dict:
    with open(os.path.join(ROOT, "rulesets", name), encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def assess_json(tmp_path, values: dict, *args):
    p = tmp_path / "company.json"
    p.write_text(json.dumps(values, ensure_ascii=False), encoding="utf-8")
    code, out, err = run("assess", p, "--format", "json", *args)
    assert out.strip(), err
    return code, json.loads(out)


def user_rules(tmp_path, text: str):
    d = tmp_path / "rules"
    d.mkdir(exist_ok=True)
    (d / "demo.yaml").write_text(text, encoding="utf-8")
    return d


from demo_rules import HEAD, ORDERS_FIELD  # noqa: E402  (the demo ruleset header and its user field)



# ------------------------------------------------------------------ the label of a 'review' check
REVIEW = HEAD + ORDERS_FIELD + """\
tiers:
  - id: county
    name: {zh: 县培育库, en: County pool}
    level: county
    conditions:
      - id: demo-orders
        kind: required
        text: {zh: 上年度订单100笔以上（复核不考察）, en: 100 orders or more last year (not examined on re-review)}
        citation: demo-notice.txt 第二条
        check:
          review:
            new: {metric: demo_orders, op: ">=", value: 100}
            review: not_examined
LABEL"""

REVIEW_LABEL = {"zh": "订单100笔以上（复核时不考察）", "en": "100 orders or more (not examined on re-review)"}


@pytest.mark.parametrize("labelled", [True, False])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_review_check_with_a_label_is_described_by_its_label(tmp_path, labelled, lang):
    label = (f"          label: {{zh: {REVIEW_LABEL['zh']}, en: {REVIEW_LABEL['en']}}}\n" if labelled else "")
    d = user_rules(tmp_path, REVIEW.replace("LABEL", label))
    own = {"zh": "新申报：年度订单数 ≥ 100 笔；复核：不考察",
           "en": "new application: Orders per year ≥ 100 笔; re-review: not examined"}[lang]
    expected = REVIEW_LABEL[lang] if labelled else own
    code, out, err = run("rules", "demo", "--rules-dir", d, "--format", "json", "--lang", lang)
    assert code == 0, err
    assert json.loads(out)["tiers"][0]["tracks"][0]["conditions"][0]["check"] == expected
    # 99 orders: unmet on a new application, and the gap names what is required in the same words
    got, doc = assess_json(tmp_path, {"company_name": "演示公司", "demo_orders": {"2025": 99}}, "--scheme", "demo",
                           "--rules-dir", d, "--as-of", "2026-01-01", "--lang", lang)
    cond = doc["conditions"][0]
    assert (got, doc["verdict"], cond["status"]) == (1, "not_eligible", "unmet")
    if labelled:
        assert cond["required"] == REVIEW_LABEL[lang]
    else:
        assert cond["required"] != REVIEW_LABEL[lang] and "100" in cond["required"]


# ------------------------------------------------------------------ the gap of a points table (miit-2022 annex 1)
def _in22_direct_labels(lang):
    # the direct paths of 工信部企业〔2022〕63号 附件1, with the labels the ruleset gives them
    tier = next(t for t in ruleset_yaml("miit-2022.yaml")["tiers"] if t["id"] == "innovation")
    cond = next(c for c in tier["conditions"] if c["id"] == "in22-score")
    return [d["label"][lang] for d in cond["check"]["score"]["direct"]]


def _score_item(doc):
    gap = next(g for g in doc["gaps"] if g["condition"] == "in22-score")
    return next(i for i in gap["items"] if i["kind"] == "score")


def _low_innovation(rd_2023):
    # the 2023 figures of the 专精特新 SME sample, with no own class-I IP (8 class-II: 5 points) and no R&D
    # institution (so the direct path 'provincial R&D institution' is not met)
    v = sample("miit-2022-zjtx-sme.json")
    v.update(ip_class1_own=0, ip_class1=0, ip_class1_high_value=0, rd_institution_level="none")
    v["rd_expense"] = dict(v["rd_expense"], **{"2023": rd_2023})
    return v


def test_a_score_short_in_total_says_by_how_much_and_lists_the_unmet_direct_paths_by_their_rules(tmp_path):
    # 附件1: 60 points, innovation >= 20. IP: 8 class-II -> 5; R&D 20 of 3800 万元 = 0.53% (< 1%) -> 0;
    # growth 3100 -> 3100 = 0% -> 5, debt 2400 / 5000 = 48% -> 10; field 10, main-business share 3100 / 3800 -> 20.
    # Total 50: 10 short of 60, innovation 5: 15 short of 20
    v = _low_innovation(20)
    v["main_business_revenue"] = dict(v["main_business_revenue"], **{"2023": 3100})
    code, doc = assess_json(tmp_path, v, "--scheme", "miit-2022", "--tier", "innovation", "--as-of", "2025-06-30")
    assert (code, doc["verdict"]) == (1, "not_eligible")
    lines = _score_item(doc)["text"].split("\n")
    assert lines[0] == "总分尚差 10分（现 50，须 ≥ 60）；创新能力尚差 15分"
    # every direct path is unmet (not unknown): each is named by what it requires, not by its own shortfall
    assert lines[-1].strip() == "或满足任一直通条件：" + " | ".join(_in22_direct_labels("zh"))


def test_an_unknown_direct_path_asks_for_its_data_and_an_unmet_one_names_its_rule(tmp_path):
    v = _low_innovation(20)
    v["main_business_revenue"] = dict(v["main_business_revenue"], **{"2023": 3100})
    del v["equity_financing"]  # the 4th direct path (equity financing over 3 years) cannot be decided
    code, doc = assess_json(tmp_path, v, "--scheme", "miit-2022", "--tier", "innovation", "--as-of", "2025-06-30",
                            "--lang", "en")
    last = _score_item(doc)["text"].split("\n")[-1].strip()
    assert last.startswith("or meet any direct path: ")
    options = last.removeprefix("or meet any direct path: ").split(" | ")
    labels = _in22_direct_labels("en")
    assert options[:3] == labels[:3]
    assert options[3].startswith("provide: ") and options[3] != labels[3]


def test_a_score_that_reaches_the_total_but_not_a_category_minimum_names_only_the_category(tmp_path):
    # as above but with the sample's growth, 3100 -> 3500 = 12.9% (15 points): innovation 5 + growth 25 +
    # specialisation 30 = 60, exactly the pass mark, yet innovation is 15 short of its minimum 20
    v = _low_innovation(20)
    code, doc = assess_json(tmp_path, v, "--scheme", "miit-2022", "--tier", "innovation", "--as-of", "2025-06-30")
    assert (code, doc["verdict"]) == (1, "not_eligible")
    head = _score_item(doc)["text"].split("\n")[0]
    assert head == "创新能力尚差 15分"


# ------------------------------------------------------------------ the order of a points table's cheapest gains
GAINS = HEAD + """\
tiers:
  - id: county
    name: {zh: 县培育库, en: County pool}
    level: county
    conditions:
      - id: demo-score
        kind: required
        text: {zh: 评价得分PASS分以上, en: A score of PASS or more}
        citation: demo-notice.txt 第二条
        check:
          score:
            pass: PASS
            categories:
              - id: all
                name: {zh: 综合, en: Overall}
                indicators:
INDICATORS"""


def _gain_lines(tmp_path, indicators: str, passmark: int, values: dict):
    d = user_rules(tmp_path, GAINS.replace("PASS", str(passmark)).replace("INDICATORS", indicators))
    code, doc = assess_json(tmp_path, {"company_name": "演示公司", **values}, "--scheme", "demo", "--rules-dir", d,
                            "--as-of", "2026-01-01")
    assert (code, doc["verdict"]) == (1, "not_eligible")
    item = doc["gaps"][0]["items"][0]
    assert item["kind"] == "score"
    return [ln.strip()[2:] for ln in item["text"].split("\n") if ln.strip().startswith("· ")]


@pytest.mark.parametrize("band_points,option_points", [(10, 5), (5, 10)])
def test_at_equal_cost_the_larger_point_gain_comes_first(tmp_path, band_points, option_points):
    # two gains of equal effort and equal relative shortfall (0 of 2 class-II IP for the band, 0 of 1 class-I IP
    # for the option: the whole target is missing either way): the one worth more points is listed first
    indicators = (
        f"                  - {{id: b, name: {{zh: 二类知识产权, en: Class-II IP}}, max: {band_points}, "
        f"metric: ip_class2, bands: [{{min: 2, min_inclusive: true, points: {band_points}}}, "
        f"{{max: 2, max_inclusive: false, points: 0}}]}}\n"
        f"                  - {{id: f, name: {{zh: 一类知识产权, en: Class-I IP}}, max: {option_points}, "
        f"first: [{{check: {{metric: ip_class1, op: '>=', value: 1}}, points: {option_points}}}], else: 0}}\n")
    lines = _gain_lines(tmp_path, indicators, 15, {"ip_class2": 0, "ip_class1": 0})
    names = [ln.split(" ")[0].split("：")[0] for ln in lines]
    larger_first = ["二类知识产权", "一类知识产权"] if band_points > option_points else ["一类知识产权", "二类知识产权"]
    assert names == larger_first


@pytest.mark.parametrize("per_item,flag_points", [(4, 3), (2, 3)])
def test_declarations_worth_more_points_come_first(tmp_path, per_item, flag_points):
    # declaring one more yes/no item and declaring the flag of a first-match option are both declarations:
    # neither is nearer than the other, so the larger gain is listed first
    indicators = (
        f"                  - {{id: q, name: {{zh: 质量管理, en: Quality}}, max: {2 * per_item}, "
        f"items: [provincial_quality_award, leads_standards], per_item: {per_item}}}\n"
        f"                  - {{id: br, name: {{zh: 自主品牌, en: Own brand}}, max: {flag_points}, "
        f"first: [{{check: {{flag: own_brand}}, points: {flag_points}}}], else: 0}}\n")
    lines = _gain_lines(tmp_path, indicators, 2 * per_item + flag_points,
                        {"provincial_quality_award": False, "leads_standards": False, "own_brand": False})
    names = [ln.split("：")[0] for ln in lines]
    assert names == (["质量管理", "自主品牌"] if per_item > flag_points else ["自主品牌", "质量管理"])


# ------------------------------------------------------------------ a lower tier reached conditionally (officer mode)
from demo_rules import LADDER  # noqa: E402  (the demo county -> city ladder)


@pytest.mark.parametrize("lang,conditional,eligible", [("zh", "有条件符合（待补证）", "符合条件"),
                                                       ("en", "conditional (subject to evidence)", "eligible")])
@pytest.mark.parametrize("evidence", [False, True])
def test_a_lower_tier_reached_conditionally_satisfies_a_tier_condition(tmp_path, lang, conditional, eligible,
                                                                       evidence):
    # docs/evidence.md: with --evidence required, a pass resting on figures without evidence is conditional
    # (exit 4); the county's 100 orders then satisfy the city's {tier: county} on the figures given, and the
    # city too is conditional, not undetermined
    d = user_rules(tmp_path, LADDER)
    ev = ["--evidence", "demo_orders.2025=2025年订单台账"] if evidence else []
    code, doc = assess_json(tmp_path, {"company_name": "演示公司", "demo_orders": {"2025": 100}}, "--scheme", "demo",
                            "--tier", "city", "--rules-dir", d, "--as-of", "2026-01-01", "--lang", lang,
                            "--evidence", "required", *ev)
    cond = doc["conditions"][0]
    assert (cond["id"], cond["status"]) == ("demo-county", "met")
    assert cond["actual"] == (eligible if evidence else conditional)
    assert (code, doc["verdict"]) == ((0, "eligible") if evidence else (4, "conditional"))


# ------------------------------------------------------------------ the names an unknown --tier is told to use
def _offered(scheme):
    code, _out, err = run("assess", os.path.join(ROOT, "samples", "miit-2022-zjtx-sme.json"), "--scheme", scheme,
                          "--tier", "nope", "--as-of", "2025-06-30")
    line = [ln for ln in err.splitlines() if "'nope'" in ln]
    assert code == 2 and len(line) == 1 and "可用：" in line[0]
    return line[0].split("可用：", 1)[1].split("、")


@pytest.mark.parametrize("scheme", ["miit-2022", "bicycle", "jinhu"])
def test_an_unknown_tier_is_answered_with_each_tier_and_track_once(scheme):
    # a tier of one track is offered once (by its track's id, the tier's own when it names no tracks); a tier
    # of several tracks by its own id (assess them all) as well as each track's
    tiers = [t for t in ruleset_yaml(f"{scheme}.yaml")["tiers"]]
    tracks = [tr["id"] for t in tiers for tr in (t.get("tracks") or [t])]
    several = [t["id"] for t in tiers if len(t.get("tracks") or []) > 1]
    offered = _offered(scheme)
    assert len(offered) == len(set(offered))
    assert offered == tracks + several


# ------------------------------------------------------------------ SME sizing as a dict
@pytest.mark.parametrize("industry,row_zh", [("manufacturing", "工业"), ("software_it", "软件和信息技术服务业")])
def test_the_sme_result_as_a_dict_names_the_row_of_300hao_in_both_languages(industry, row_zh):
    # 工信部联企业〔2011〕300号 第四条 rows (national-standards.md): the dict names the row its explanation uses
    from decimal import Decimal

    from zjtx_cli.engine.sme import classify

    d = classify(industry, 50, Decimal(1000), None).to_dict()
    assert d["row_zh"] == row_zh and d["explain_zh"].startswith(row_zh + "：")
    assert d["row_en"] and d["explain_en"].startswith(d["row_en"] + ":")
    assert d["size"] == "small" and d["is_sme"] is True
