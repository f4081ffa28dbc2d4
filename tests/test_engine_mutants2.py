"""Behaviours found unpinned by a second, unbiased mutation sample of the engine (issue 10).

``python tools/mutate.py --sample 200 --seed 2026`` (docs/mutation.md): each test here pins a behaviour that a
surviving mutant of that sample changed without any test noticing. Everything goes through the command line
(its JSON document and exit code) or the library API, never through the engine's internal names, so the tests
survive a reshuffle of the modules. Rulesets of our own are written to a temporary folder (``--rules-dir``);
figures and thresholds otherwise come from the built-in rulesets and their samples.
"""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from zjtx_cli.cli.app import app

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(*args):
    r = CliRunner().invoke(app, [str(a) for a in args], env={"NO_COLOR": "1", "COLUMNS": "200"})
    return r.exit_code, r.stdout, r.stderr


def sample(name: str) -> dict:
    with open(os.path.join(ROOT, "samples", name), encoding="utf-8") as fh:
        return json.load(fh)


def assess_json(tmp_path, values: dict, *args):
    p = tmp_path / "company.json"
    p.write_text(json.dumps(values, ensure_ascii=False), encoding="utf-8")
    code, out, err = run("assess", p, "--format", "json", *args)
    assert out.strip(), err
    return code, json.loads(out)


# A county pool of our own: one condition, a points table whose only indicator is a score the county
# bureau declares (a 'declared' indicator: no built-in ruleset has one), passed at 60 of 100.
DECLARED_SCORE = """\
id: demo
title: {zh: 演示县培育库, en: Demo county pool}
issuer: {zh: 演示县工信局, en: Demo county industry bureau}
source: demo-notice.txt
fields:
  - key: demo_score
    zh: 县级评价得分
    en: County evaluation score
    type: number
    unit: 分
    hint_zh: 县工信局评价得分
    hint_en: the county bureau's score
tiers:
  - id: county
    name: {zh: 县培育库, en: County pool}
    level: county
    conditions:
      - id: demo-score
        kind: required
        text: {zh: 评价得分60分以上, en: Score 60 or more}
        citation: demo-notice.txt 第二条
        check:
          score:
            pass: 60
            categories:
              - id: all
                name: {zh: 综合, en: Overall}
                max: 100
                indicators:
                  - id: s1
                    name: {zh: 县级评价, en: County evaluation}
                    max: 100
                    declared: demo_score
"""


@pytest.fixture
def declared_rules(tmp_path):
    d = tmp_path / "rules"
    d.mkdir()
    (d / "demo.yaml").write_text(DECLARED_SCORE, encoding="utf-8")
    return d


# ------------------------------------------------------------------ a declared score indicator
@pytest.mark.parametrize("lang,expected", [
    ("zh", "县级评价：自报得分（县级评价得分，0–100）"),
    ("en", "County evaluation: declared score (County evaluation score, 0-100)"),
])
def test_the_rule_text_of_a_declared_score_indicator_names_its_field_and_range(declared_rules, lang, expected):
    code, out, err = run("rules", "demo", "--rules-dir", declared_rules, "--format", "json", "--lang", lang)
    assert code == 0, err
    check = json.loads(out)["tiers"][0]["tracks"][0]["conditions"][0]["check"]
    assert expected in check.splitlines()[-1] and "None" not in check


@pytest.mark.parametrize("score,verdict,code", [(60, "eligible", 0), (59.5, "not_eligible", 1)])
def test_a_declared_score_on_both_sides_of_the_pass_mark(declared_rules, tmp_path, score, verdict, code):
    got, doc = assess_json(tmp_path, {"company_name": "演示公司", "demo_score": score},
                           "--scheme", "demo", "--rules-dir", declared_rules)
    assert (got, doc["verdict"]) == (code, verdict)
    assert doc["conditions"][0]["actual"].startswith(f"得分 {score:g}/100")


# ------------------------------------------------------------------ {zh, en} texts of a rule file
@pytest.mark.parametrize("title", ["{zh: 演示县培育库, en: Demo county pool, fr: Pépinière}",
                                   "{en: Demo county pool}", "{zh: 演示县培育库}"])
def test_a_text_pair_with_a_missing_or_an_extra_language_is_refused_in_one_line(declared_rules, title):
    text = DECLARED_SCORE.replace("title: {zh: 演示县培育库, en: Demo county pool}", f"title: {title}")
    (declared_rules / "demo.yaml").write_text(text, encoding="utf-8")
    code, out, err = run("rules", "demo", "--rules-dir", declared_rules)
    assert code == 2 and "Traceback" not in out + err
    assert "'title' must have 'zh' and 'en' texts" in err and err.strip().count("\n") == 0


@pytest.mark.parametrize("label", ["{zh: 得分达标, en: Score met, fr: Note}", "{en: Score met}"])
def test_a_check_label_with_a_missing_or_an_extra_language_is_refused(declared_rules, label):
    text = DECLARED_SCORE.replace("        check:\n          score:", f"        check:\n          label: {label}\n"
                                  "          score:")
    (declared_rules / "demo.yaml").write_text(text, encoding="utf-8")
    code, out, err = run("rules", "check", declared_rules)
    assert code == 2 and "Traceback" not in out + err
    assert "'label' must have 'zh' and 'en' texts" in out


# ------------------------------------------------------------------ a banded rule whose band is not known
def test_every_branch_of_an_unknown_case_has_when_and_then_in_the_json_detail(tmp_path):
    # 衡阳 hy-2-revenue (004 四(一)2): 制造业 2000万元 / 软件和信息技术服务业 1000万元, no other case; with the
    # industry not given, detail.branches lists both cases and the 'no case applies' one (docs/ruleset-format.md)
    values = sample("hengyang-eligible.json")
    del values["industry"]
    code, doc = assess_json(tmp_path, values, "--scheme", "hengyang")
    assert code == 3 and doc["verdict"] == "undetermined"
    cond = next(c for c in doc["conditions"] if c["id"] == "hy-2-revenue")
    branches = cond["detail"]["branches"]
    assert [b["then"]["value"] if b["then"] else None for b in branches] == [2000, 1000, None]
    assert all({"when", "then"} <= set(b) for b in branches)
    assert branches[-1] == {"when": None, "then": None, "no_case": True}


# ------------------------------------------------------------------ which lever rates a ratio's gap
RD_RATIO = """\
id: demo
title: {zh: 演示县研发投入, en: Demo county R&D}
issuer: {zh: 演示县工信局, en: Demo county industry bureau}
source: demo-notice.txt
tiers:
  - id: county
    name: {zh: 县研发示范, en: County R&D pool}
    level: county
    conditions:
      - id: demo-rd
        kind: required
        text: {zh: 研发费用不低于营业收入的1.2倍, en: R&D at least 1.2 times operating revenue}
        citation: demo-notice.txt 第三条
        check: {metric: rd_intensity, op: ">=", value: 120}
"""


@pytest.mark.parametrize("rd,effort", [(1080, "near"), (1079, "far")])
def test_a_cheaper_revenue_cut_rates_the_gap_by_its_own_share_of_revenue(tmp_path, rd, effort):
    # above 100% the cut in revenue is the cheaper lever (1000 - 1080/1.2 = 100 万元 < 1200 - 1080 = 120 万元), and
    # the gap is rated by it: 100 of 1000 万元 is the 10% a near gap may be; 1079 needs 100.83 万元, far
    d = tmp_path / "rules"
    d.mkdir()
    (d / "demo.yaml").write_text(RD_RATIO, encoding="utf-8")
    code, doc = assess_json(tmp_path, {"company_name": "演示公司", "rd_expense": {"2025": rd},
                                       "operating_revenue": {"2025": 1000}}, "--scheme", "demo", "--rules-dir", d)
    assert (code, doc["verdict"]) == (1, "not_eligible")
    item = doc["gaps"][0]["items"][0]
    assert [lv["lever"] for lv in item["shortfall"]["levers"]] == ["reduce_operating_revenue", "raise_rd_expense"]
    assert item["effort"] == doc["gaps"][0]["effort"] == effort


# ------------------------------------------------------------------ a points band above the company's figure
def _weak_innovation_company(liabilities):
    # the miit-2022 sample with no IP, no R&D institution, 1% R&D intensity: 45 of 100 points, so the score's gap
    # lists the cheapest gain of each indicator
    v = sample("miit-2022-zjtx-sme.json")
    v.update(rd_institution_level="none", ip_class1=0, ip_class1_own=0, ip_class2=0,
             strategic_emerging_industry=False, rd_expense={"2022": 150, "2023": 38},
             total_liabilities={"2023": liabilities})
    return v


@pytest.mark.parametrize("liabilities,line", [
    # miit-2022 a1-debt (工信部企业〔2022〕63号 附件1 上年度资产负债率): ≤ 55% 10 points, (55%, 75%] 5, > 75% 0;
    # total assets 5000 万元
    (3751, "上年度资产负债率 75.02% → ≤ 75%，该项由 0分 升至 5分（+5）："
           "以下任一即可（按所需金额从小到大）：(1) 负债须减少 1 万元"),
    (3750, "上年度资产负债率 75% → ≤ 55%，该项由 5分 升至 10分（+5）："
           "以下任一即可（按所需金额从小到大）：(1) 负债须减少 1000 万元"),
])
def test_a_better_band_below_the_figure_is_reached_through_its_upper_edge(tmp_path, liabilities, line):
    code, doc = assess_json(tmp_path, _weak_innovation_company(liabilities), "--scheme", "miit-2022",
                            "--tier", "innovation")
    assert (code, doc["verdict"]) == (1, "not_eligible")
    item = next(g for g in doc["gaps"] if g["condition"] == "in22-score")["items"][0]
    assert item["kind"] == "score"
    assert [x.strip(" ·") for x in item["text"].splitlines() if "资产负债率" in x][0].startswith(line)


# ------------------------------------------------------------------ a points table's categories
@pytest.mark.parametrize("category", ["- {name: {zh: 综合, en: Overall}, max: 100, indicators: []}", "- 综合"])
def test_a_category_without_an_id_is_refused_in_one_line(declared_rules, category):
    text = DECLARED_SCORE.replace("- id: all\n                name: {zh: 综合, en: Overall}",
                                  category + "\n              - id: all\n                name: {zh: 综合, en: Overall}")
    (declared_rules / "demo.yaml").write_text(text, encoding="utf-8")
    code, out, err = run("rules", "check", declared_rules)
    assert code == 2 and "Traceback" not in out + err
    assert "category #1: a category needs an 'id'" in out


# ------------------------------------------------------------------ SME (工信部联企业〔2011〕300号)
@pytest.mark.parametrize("lang,head", [("zh", "缺：从业人员（2023）"), ("en", "missing: Employees (2023)")])
def test_an_undecided_sme_condition_names_the_missing_figures_in_the_document_language(tmp_path, lang, head):
    v = sample("miit-2022-zjtx-sme.json")
    for k in ("employees", "operating_revenue", "total_assets"):
        del v[k]
    code, doc = assess_json(tmp_path, v, "--scheme", "miit-2022", "--tier", "innovation", "--lang", lang)
    assert (code, doc["verdict"]) == (3, "undetermined")
    cond = next(c for c in doc["conditions"] if c["id"] == "in22-sme")
    assert cond["status"] == "unknown" and cond["actual"].startswith(head)


@pytest.mark.parametrize("employees,verdict", [(1000, "not_eligible"), (999, "eligible")])
@pytest.mark.parametrize("lang,head", [("zh", "须为中小企业："), ("en", "must be an SME: ")])
def test_a_large_firm_is_told_it_must_be_an_sme(tmp_path, employees, verdict, lang, head):
    # 300号 第四条（二）工业: 从业人员1000人以上 且 营业收入40000万元以上 is large (以上 includes the number)
    v = sample("miit-2022-zjtx-sme.json")
    v["employees"] = {"2023": employees}
    v["operating_revenue"] = dict(v["operating_revenue"], **{"2023": 40000})
    code, doc = assess_json(tmp_path, v, "--scheme", "miit-2022", "--tier", "innovation", "--lang", lang)
    assert doc["verdict"] == verdict
    gaps = [g for g in doc["gaps"] if g["condition"] == "in22-sme"]
    if verdict == "eligible":
        assert code == 0 and not gaps
        return
    cond = next(c for c in doc["conditions"] if c["id"] == "in22-sme")
    item = gaps[0]["items"][0]
    assert code == 1 and item["kind"] == "declaration"
    assert item["text"] == head + cond["actual"] and ("大型" in item["text"] or "large" in item["text"])


# ------------------------------------------------------------------ a condition on a lower tier ({tier: ID})
from demo_rules import LADDER  # noqa: E402  (the demo county -> city ladder)


@pytest.fixture
def ladder_rules(tmp_path):
    d = tmp_path / "ladder"
    d.mkdir()
    (d / "demo.yaml").write_text(LADDER, encoding="utf-8")
    return d


@pytest.mark.parametrize("orders,code,verdict", [(100, 0, "eligible"), (99, 1, "not_eligible")])
@pytest.mark.parametrize("lang,required", [("zh", "已达到“县培育库”"), ("en", "holds the tier 'County pool'")])
def test_a_lower_tier_condition_names_that_tier_in_the_document_language(
        ladder_rules, tmp_path, orders, code, verdict, lang, required):
    got, doc = assess_json(tmp_path, {"company_name": "演示公司", "demo_orders": {"2025": orders}}, "--scheme", "demo",
                           "--tier", "city", "--rules-dir", ladder_rules, "--as-of", "2026-01-01", "--lang", lang)
    assert (got, doc["verdict"]) == (code, verdict)
    cond = doc["conditions"][0]
    assert cond["id"] == "demo-county" and cond["required"] == required
    assert [i["text"] for g in doc["gaps"] for i in g["items"]] == ([] if code == 0 else [required])


def test_the_rule_text_of_a_lower_tier_condition_names_the_tier_id(ladder_rules):
    code, out, err = run("rules", "demo", "--rules-dir", ladder_rules, "--format", "json")
    assert code == 0, err
    checks = [c["check"] for t in json.loads(out)["tiers"] for tr in t["tracks"] for c in tr["conditions"]]
    assert checks == ["年度订单数 ≥ 100 笔", "已达到“county”"]


# ------------------------------------------------------------------ the levers offered for a ratio's gap
@pytest.mark.parametrize("rd,levers", [(0, None), (1, ["raise_rd_expense", "reduce_operating_revenue"])])
def test_no_revenue_cut_is_offered_when_there_is_no_rd_to_keep(tmp_path, rd, levers):
    # 工信部企业〔2022〕63号 附件2 一(二): 研发费用占营业收入总额比重不低于3%; revenue 3800 万元 in 2023. With no
    # R&D at all, no smaller revenue reaches 3% (0 / anything is 0): only more R&D spending is offered
    v = sample("miit-2022-zjtx-sme.json")
    v["rd_expense"] = dict(v["rd_expense"], **{"2023": rd})
    code, doc = assess_json(tmp_path, v, "--scheme", "miit-2022", "--tier", "zjtx-sme")
    assert (code, doc["verdict"]) == (1, "not_eligible")
    gap = next(g for g in doc["gaps"] if g["condition"] == "zs22-2-rd")
    item = next(i for i in gap["items"] if i.get("metric") == ["rd_intensity"])
    assert (item["shortfall"].get("levers") and [lv["lever"] for lv in item["shortfall"]["levers"]]) == levers
    assert item["shortfall"]["amount"] == 114 - rd  # 3% of 3800 is 114


SOLVENT = """\
id: demo
title: {zh: 演示县培育库, en: Demo county pool}
issuer: {zh: 演示县工信局, en: Demo county industry bureau}
source: demo-notice.txt
tiers:
  - id: county
    name: {zh: 县培育库, en: County pool}
    level: county
    conditions:
      - id: demo-solvent
        kind: required
        text: {zh: 资产负债率不高于100%（未资不抵债）, en: Asset-liability ratio no higher than 100% (not insolvent)}
        citation: demo-notice.txt 第四条
        check: {metric: asset_liability_ratio, op: "<=", value: 100}
"""


@pytest.mark.parametrize("liabilities,verdict", [(5000, "eligible"), (5001, "not_eligible")])
def test_at_a_100_percent_cap_repaying_debt_from_own_funds_is_not_offered(tmp_path, liabilities, verdict):
    # repaying x from the company's own funds turns L/A into (L-x)/(A-x), which never falls to 100% from above:
    # only a debt-to-equity swap or new equity close the gap
    d = tmp_path / "rules"
    d.mkdir()
    (d / "demo.yaml").write_text(SOLVENT, encoding="utf-8")
    code, doc = assess_json(tmp_path, {"company_name": "演示公司", "total_liabilities": {"2025": liabilities},
                                       "total_assets": {"2025": 5000}}, "--scheme", "demo", "--rules-dir", d,
                            "--as-of", "2026-01-01")
    assert doc["verdict"] == verdict
    if verdict == "eligible":
        assert code == 0 and doc["gaps"] == []
        return
    shortfall = doc["gaps"][0]["items"][0]["shortfall"]
    assert code == 1 and [lv["lever"] for lv in shortfall["levers"]] == ["debt_to_equity", "add_equity"]
    assert [lv["amount"] for lv in shortfall["levers"]] == [1, 1]


def test_below_a_100_percent_cap_repaying_debt_from_own_funds_is_offered(tmp_path):
    # 衡阳 hy-2-debt (004 四(一)2): 资产负债率不高于70%; 4000 of 5000 is 80%: swap 500, add equity 714.29,
    # repay (4000 - 3500) / 0.3 = 1666.67 万元
    v = sample("hengyang-eligible.json")
    year = max(int(y) for y in v["total_assets"])
    v["total_assets"] = {str(year): 5000}
    v["total_liabilities"] = {str(year): 4000}
    code, doc = assess_json(tmp_path, v, "--scheme", "hengyang")
    shortfall = next(g for g in doc["gaps"] if g["condition"] == "hy-2-debt")["items"][0]["shortfall"]
    assert [lv["lever"] for lv in shortfall["levers"]] == ["debt_to_equity", "add_equity", "repay_from_own_funds"]
    assert [round(lv["amount"], 2) for lv in shortfall["levers"]] == [500, 714.29, 1666.67]


# ------------------------------------------------------------------ how many years of figures a scheme reads
@pytest.mark.parametrize("offset,years", [(-2, ["2023", "2024", "2025"]), (-3, ["2022", "2023", "2024", "2025"])])
def test_the_template_has_a_column_for_every_year_a_raw_figure_is_read(ladder_rules, tmp_path, offset, years):
    # a figure read `offset` years before the assessment year needs that year's column and every one after it;
    # three columns are the least a template has
    text = LADDER.replace('{metric: demo_orders, op: ">=", value: 100}',
                          f'{{metric: demo_orders, op: ">=", value: 100, year: {offset}}}')
    (ladder_rules / "demo.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "t.json"
    code, _o, err = run("template", "--out", out, "--format", "json", "--scheme", "demo", "--rules-dir", ladder_rules,
                        "--year", "2025")
    assert code == 0, err
    assert list(json.loads(out.read_text(encoding="utf-8"))["demo_orders"]) == years


@pytest.mark.parametrize("evidence,state,needed", [
    ([], "declared", [("demo_orders", 2025)]),
    (["--evidence", "demo_orders.2025=2025年订单台账"], "evidenced", []),
])
def test_a_lower_tier_condition_rests_on_what_that_tier_rested_on(ladder_rules, tmp_path, evidence, state, needed):
    # docs/evidence.md: a {tier: ID} condition is evidenced when the figures the lower tier's required conditions
    # used name their evidence (here the county's 100 orders of 2025)
    code, doc = assess_json(tmp_path, {"company_name": "演示公司", "demo_orders": {"2025": 100}}, "--scheme", "demo",
                            "--tier", "city", "--rules-dir", ladder_rules, "--as-of", "2026-01-01", *evidence)
    assert (code, doc["verdict"]) == (0, "eligible")
    cond = doc["conditions"][0]
    assert (cond["id"], cond["status"], cond["evidence"]) == ("demo-county", "met", state)
    assert [(e["field"], e["year"]) for e in cond["evidence_needed"]] == needed


# ------------------------------------------------------------------ SME sizing: what decided it, and its figures
@pytest.mark.parametrize("employees,decided_by", [(1000, ["operating_revenue"]),
                                                  (999, ["employees", "operating_revenue"])])
def test_only_figures_below_their_ceiling_decide_that_a_firm_is_an_sme(tmp_path, employees, decided_by):
    # 300号 工业: 大型 is 从业人员1000人及以上 且 营业收入40000万元及以上, so a figure below either ceiling makes the
    # firm 中小微; 1000 people is on the ceiling (it decides nothing), 39999 万元 revenue is below it
    v = sample("miit-2022-zjtx-sme.json")
    v["employees"] = {"2023": employees}
    v["operating_revenue"] = dict(v["operating_revenue"], **{"2023": 39999})
    code, doc = assess_json(tmp_path, v, "--scheme", "miit-2022", "--tier", "innovation")
    cond = next(c for c in doc["conditions"] if c["id"] == "in22-sme")
    assert (cond["status"], cond["detail"]["decided_by"]) == ("met", decided_by)


@pytest.mark.parametrize("revenue,is_sme,decided_by", [("39999", True, ["operating_revenue"]), ("40000", None, [])])
def test_the_sme_result_as_a_dict_names_the_missing_and_the_deciding_figures(revenue, is_sme, decided_by):
    from decimal import Decimal

    from zjtx_cli.engine.sme import classify

    d = classify("manufacturing", None, Decimal(revenue), None).to_dict()
    assert (d["is_sme"], d["missing"], d["decided_by"]) == (is_sme, ["employees"], decided_by)


@pytest.mark.parametrize("revenue", ["0", "1", "2"])
def test_the_sme_explanation_shows_a_small_revenue_as_given(revenue):
    from decimal import Decimal

    from zjtx_cli.engine.sme import classify

    r = classify("manufacturing", 5, Decimal(revenue), None)
    assert r.size == "micro"  # 工业 微型: 从业人员20人以下或营业收入300万元以下
    assert f"营业收入 {revenue} 万元 → 微型" in r.explain("zh")
    assert f"operating revenue {revenue} → micro" in r.explain("en")


# ------------------------------------------------------------------ years in operation
@pytest.mark.parametrize("as_of,status", [("2026-06-01", "met"), ("2026-05-31", "unmet")])
def test_the_anniversary_itself_completes_a_year_of_operation(tmp_path, as_of, status):
    # 衡阳 hy-1-years (004 四(一)1): 注册成立1年以上 ("以上" includes 1; 民法典 第二百零一条: a period of years ends on
    # the corresponding day)
    v = sample("hengyang-eligible.json")
    v["founding_date"] = "2025-06-01"
    _code, doc = assess_json(tmp_path, v, "--scheme", "hengyang", "--as-of", as_of)
    cond = next(c for c in doc["conditions"] if c["id"] == "hy-1-years")
    assert cond["status"] == status
    assert cond["detail"]["actual"] == (1 if status == "met" else 0)


# ------------------------------------------------------------------ a 3-year mean ratio's gap: near or far
MEAN_RD = """\
id: demo
title: {zh: 演示县研发投入, en: Demo county R&D}
issuer: {zh: 演示县工信局, en: Demo county industry bureau}
source: demo-notice.txt
tiers:
  - id: county
    name: {zh: 县研发示范, en: County R&D pool}
    level: county
    conditions:
      - id: demo-rd-mean
        kind: required
        text: {zh: 近3年研发费用占营业收入比重均值3%以上, en: 3-year mean R&D intensity 3% or more}
        citation: demo-notice.txt 第五条
        check: {metric: rd_intensity_avg_3y, op: ">=", value: 3}
"""


@pytest.mark.parametrize("rd,short,effort", [(27, 3, "near"), (26, 4, "far")])
def test_a_mean_ratio_gap_is_near_within_a_tenth_of_what_the_year_needs(tmp_path, rd, short, effort):
    # revenue 1000 万元 a year and 30 万元 of R&D in the two earlier years: a 3% mean needs 30 万元 in 2025;
    # a shortfall of 3 is a tenth of that (near), 4 is more (far)
    d = tmp_path / "rules"
    d.mkdir()
    (d / "demo.yaml").write_text(MEAN_RD, encoding="utf-8")
    values = {"company_name": "演示公司", "operating_revenue": {"2023": 1000, "2024": 1000, "2025": 1000},
              "rd_expense": {"2023": 30, "2024": 30, "2025": rd}}
    code, doc = assess_json(tmp_path, values, "--scheme", "demo", "--rules-dir", d, "--as-of", "2026-01-01")
    assert (code, doc["verdict"]) == (1, "not_eligible")
    item = doc["gaps"][0]["items"][0]
    assert item["shortfall"]["amount"] == short and item["effort"] == effort


# ------------------------------------------------------------------ an implausibly large figure
@pytest.mark.parametrize("value,ok", [(10 ** 15 - 1, True), (10 ** 15, False), (-(10 ** 15), False)])
def test_figures_of_a_thousand_trillion_and_more_are_refused(value, ok):
    from decimal import Decimal

    from zjtx_cli.inputs.values import BadValue, parse_number

    if ok:
        assert parse_number(value) == Decimal(value)
    else:
        with pytest.raises(BadValue, match="implausibly large"):
            parse_number(value)


def test_a_large_figure_in_an_applicant_file_is_one_line_naming_field_and_value(tmp_path):
    v = sample("hengyang-eligible.json")
    year = max(v["total_assets"])
    v["total_assets"] = {year: 10 ** 15}
    p = tmp_path / "c.json"
    p.write_text(json.dumps(v, ensure_ascii=False), encoding="utf-8")
    code, out, err = run("assess", p, "--scheme", "hengyang", "--format", "json")
    assert code == 2 and "Traceback" not in err and "total_assets" in err and "1000000000000000" in err


# ------------------------------------------------------------------ rules check reports every problem
def test_rules_check_goes_on_past_fields_written_as_a_mapping(ladder_rules):
    # 'fields' given as a mapping (not a list of entries) and a misspelt key: both reported, and the rules
    # are still checked (the field they test is then unknown)
    text = LADDER.replace("fields:\n  - key: demo_orders", "fields: {demo_orders: 1}\nxfields:\n  - key: demo_orders")
    (ladder_rules / "demo.yaml").write_text(text, encoding="utf-8")
    code, out, _err = run("rules", "check", ladder_rules)
    lines = [x.split(": ", 1)[1] for x in out.splitlines() if x.startswith(str(ladder_rules))]
    assert code == 2
    assert lines == ["-: 'fields' must be a list of field entries",
                     "-: unknown key 'xfields' (did you mean 'fields'?)",
                     "demo-orders: unknown indicator 'demo_orders' (not in the field dictionary or metrics)"]


@pytest.mark.parametrize("founded,years", [("2026-03-01", 0), ("2025-03-01", 0), ("2025-02-01", 1)])
def test_completed_years_are_never_negative(tmp_path, founded, years):
    # a founding date after the assessment date (here 2026-02-01; zjtx warns about it) is no years of operation,
    # as is one less than a year before it; the anniversary completes the first year
    v = sample("hengyang-eligible.json")
    v["founding_date"] = founded
    _code, doc = assess_json(tmp_path, v, "--scheme", "hengyang", "--as-of", "2026-02-01")
    cond = next(c for c in doc["conditions"] if c["id"] == "hy-1-years")
    assert (cond["detail"]["actual"], cond["status"]) == (years, "met" if years >= 1 else "unmet")
