"""Evidence states per condition, officer mode and the checklist (issue 13).

Every kind of check is tried in each state: evidenced (every input it used names evidence),
declared (one does not), not_applicable (unmet or unknown), with the evidence given through
the same JSON ``"evidence"`` object a file carries."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT

import zjtx_cli as zjtx
from zjtx_cli.evidence import parse
from zjtx_cli.inputs.fields import field_dictionary

F = field_dictionary()
AS_OF = dt.date(2026, 6, 1)
S = os.path.join(ROOT, "samples")


def _ruleset(conditions):
    from zjtx_cli.rules.loader import Ruleset, compile_ruleset

    conds = [{"id": cid, "kind": kind, "text": cid, "citation": "test", "check": check}
             for cid, kind, check in conditions]
    data = {"id": "t", "title": "t", "issuer": "t", "source": "t",
            "tiers": [{"id": "tier", "level": "national", "conditions": conds}]}
    return Ruleset(compile_ruleset(data, "test.yaml"), "test.yaml")


def run(conditions, values, evidence=None, required=False):
    from zjtx_cli.engine.service import assess
    from zjtx_cli.inputs.json_reader import read_json

    e = read_json("t.json", F, data=json.loads(json.dumps(values)), checks=False)
    ev = parse.from_json(evidence or {}, F, "t.json")
    assert not ev.problems
    e.evidence = ev.items
    return assess(e, _ruleset(conditions), fields=F, as_of=AS_OF, evidence_required=required)


def state(conditions, values, evidence=None, cid="c"):
    a = run(conditions, values, evidence)
    r = next(r for r in a.track.results if r.id == cid)
    return r.evidence, [list(i) for i in r.evidence_needed]


REV = {"main_business_revenue": {"2023": 1000, "2024": 1100, "2025": 1300}}


# ------------------------------------------------------------------------------ a figure
def test_figure():
    c = [("c", "required", {"metric": "main_business_revenue", "op": ">=", "value": 1200})]
    assert state(c, REV, {"main_business_revenue.2025": "2025年度审计报告"}) == ("evidenced", [])
    # evidence for another year only: the year used has none
    assert state(c, REV, {"main_business_revenue.2024": "2024年度审计报告"}) == \
        ("declared", [["main_business_revenue", 2025]])
    assert state(c, REV, {"main_business_revenue": "审计报告"}) == ("evidenced", [])  # all years
    assert state(c, REV) == ("declared", [["main_business_revenue", 2025]])
    # unmet, unknown: nothing to evidence yet
    assert state(c, {"main_business_revenue": {"2025": 1199}}, {"main_business_revenue": "x"})[0] == \
        "not_applicable"
    assert state(c, {"operating_revenue": {"2025": 1}})[0] == "not_applicable"


def test_empty_evidence_is_no_evidence():
    c = [("c", "required", {"metric": "main_business_revenue", "op": ">=", "value": 1200})]
    assert state(c, REV, {"main_business_revenue": "   "}) == ("declared", [["main_business_revenue", 2025]])


# ----------------------------------------------------------------------- a computed metric
def test_computed_metric_rests_on_every_figure_of_its_formula():
    c = [("c", "required", {"metric": "main_business_revenue_avg_growth_2y", "op": ">=", "value": 10})]
    three = {f"main_business_revenue.{y}": "审计报告" for y in (2023, 2024, 2025)}
    assert state(c, REV, three) == ("evidenced", [])
    two = dict(three)
    del two["main_business_revenue.2023"]
    assert state(c, REV, two) == ("declared", [["main_business_revenue", 2023]])
    assert state(c, {"main_business_revenue": {"2023": 1000, "2024": 1000, "2025": 1000}}, three)[0] == \
        "not_applicable"  # 0% growth: unmet


def test_ratio_needs_both_figures():
    c = [("c", "required", {"metric": "asset_liability_ratio", "op": "<=", "value": 70})]
    v = {"total_liabilities": {"2025": 40}, "total_assets": {"2025": 100}}
    assert state(c, v, {"total_liabilities": "资产负债表", "total_assets": "资产负债表"}) == ("evidenced", [])
    assert state(c, v, {"total_assets": "资产负债表"}) == ("declared", [["total_liabilities", 2025]])


# ---------------------------------------------------------------------------- a declaration
def test_declaration():
    c = [("c", "required", {"flag": "own_brand"})]
    assert state(c, {"own_brand": True}, {"own_brand": "商标注册证 第12345678号"}) == ("evidenced", [])
    assert state(c, {"own_brand": True}) == ("declared", [["own_brand", None]])
    assert state(c, {"own_brand": False}, {"own_brand": "x"})[0] == "not_applicable"
    assert state(c, {})[0] == "not_applicable"


def test_choice_and_date():
    c = [("c", "required", {"choice": "industry", "in": ["manufacturing"]})]
    assert state(c, {"industry": "manufacturing"}, {"industry": "法人单位基本情况表"}) == ("evidenced", [])
    assert state(c, {"industry": "manufacturing"}) == ("declared", [["industry", None]])
    d = [("c", "required", {"date_within": "founding_date", "years": 20})]
    assert state(d, {"founding_date": "2012-06-18"}, {"founding_date": "营业执照"}) == ("evidenced", [])
    assert state(d, {"founding_date": "2012-06-18"}) == ("declared", [["founding_date", None]])


# ---------------------------------------------------------------------------- alternatives
ALT = [("c", "required", {"any": [{"metric": "invention_patents", "op": ">=", "value": 1},
                                  {"metric": ["utility_patents", "design_patents", "software_copyrights"],
                                   "op": ">=", "value": 3}]})]
BOTH = {"invention_patents": 1, "utility_patents": 2, "design_patents": 1, "software_copyrights": 0}


def test_alternatives_the_met_branch_decides():
    # both branches met; the invention patent is evidenced, the utility patents are not: evidenced
    assert state(ALT, BOTH, {"invention_patents": "专利证书"}) == ("evidenced", [])
    # the other way round: the second branch is wholly evidenced
    ev = {"utility_patents": "证书", "design_patents": "证书", "software_copyrights": "登记证书"}
    assert state(ALT, BOTH, ev) == ("evidenced", [])
    # neither branch wholly evidenced: declared, naming the first met branch's inputs
    assert state(ALT, BOTH, {"utility_patents": "证书"}) == ("declared", [["invention_patents", None]])
    # only the second branch met: evidence for the first does not count
    only2 = dict(BOTH, invention_patents=0, utility_patents=3)
    assert state(ALT, only2, {"invention_patents": "专利证书"})[0] == "declared"


def test_alternatives_unmet_or_unknown_is_not_applicable():
    ev = {k: "证书" for k in BOTH}
    none = {"invention_patents": 0, "utility_patents": 1, "design_patents": 1, "software_copyrights": 0}
    assert state(ALT, none, ev) == ("not_applicable", [])  # neither branch met: nothing to evidence
    # the first branch unknown, the second unmet: unknown, still nothing to evidence
    assert state(ALT, {"utility_patents": 1, "design_patents": 0, "software_copyrights": 0}, ev) == \
        ("not_applicable", [])


def test_cases_unmet_is_not_applicable():
    c = [("c", "required", {"cases": [
        {"when": {"choice": "industry", "in": ["manufacturing"]},
         "then": {"metric": "main_business_revenue", "op": ">=", "value": 1400}},
        {"else": {"metric": "main_business_revenue", "op": ">=", "value": 500}}]})]
    v = dict(REV, industry="manufacturing")  # 1300 < 1400
    assert state(c, v, {"main_business_revenue": "审计报告", "industry": "基本情况表"}) == ("not_applicable", [])


def test_an_else_case_rests_on_the_whens_it_ruled_out():
    c = [("c", "required", {"cases": [
        {"when": {"choice": "industry", "in": ["manufacturing"]},
         "then": {"metric": "main_business_revenue", "op": ">=", "value": 1400}},
        {"else": {"metric": "main_business_revenue", "op": ">=", "value": 500}}]})]
    # not manufacturing, so the lower bar applies: that rests on the industry as much as the revenue
    sw = dict(REV, industry="software_it")
    assert state(c, sw, {"main_business_revenue": "审计报告"}) == ("declared", [["industry", None]])
    assert state(c, sw, {"main_business_revenue": "审计报告", "industry": "基本情况表"}) == ("evidenced", [])


def test_all_needs_every_part():
    c = [("c", "required", {"all": [{"flag": "own_brand"}, {"flag": "product_certified"}]})]
    v = {"own_brand": True, "product_certified": True}
    assert state(c, v, {"own_brand": "x", "product_certified": "y"}) == ("evidenced", [])
    assert state(c, v, {"own_brand": "x"}) == ("declared", [["product_certified", None]])
    assert state(c, dict(v, product_certified=False), {"own_brand": "x", "product_certified": "y"}) == \
        ("not_applicable", [])


def test_cases_rest_on_the_case_and_its_threshold():
    c = [("c", "required", {"cases": [
        {"when": {"choice": "industry", "in": ["manufacturing"]},
         "then": {"metric": "main_business_revenue", "op": ">=", "value": 1200}},
        {"else": {"metric": "main_business_revenue", "op": ">=", "value": 500}}]})]
    v = dict(REV, industry="manufacturing")
    assert state(c, v, {"main_business_revenue": "审计报告", "industry": "基本情况表"}) == ("evidenced", [])
    assert state(c, v, {"main_business_revenue": "审计报告"}) == ("declared", [["industry", None]])


# ------------------------------------------------------------------------------ exclusions
def test_exclusion_ruled_out_only_by_the_firms_word_is_declared():
    c = [("c", "exclusion", {"flag": "major_accident_3y"})]
    assert state(c, {"major_accident_3y": False}, {"major_accident_3y": "信用中国信用报告"}) == ("evidenced", [])
    assert state(c, {"major_accident_3y": False}) == ("declared", [["major_accident_3y", None]])
    # an exclusion that applies needs no evidence; one not known is not ruled out
    assert state(c, {"major_accident_3y": True})[0] == "not_applicable"
    assert state(c, {})[0] == "not_applicable"


# ------------------------------------------------------------------------- scored standards
SCORE = [("c", "required", {"score": {
    "pass": 10,
    "categories": [{"id": "cat", "name": {"zh": "类", "en": "cat"}, "indicators": [
        {"id": "rd", "name": {"zh": "研发", "en": "R&D"}, "max": 10, "metric": "rd_intensity",
         "bands": [{"min": 5, "min_inclusive": True, "points": 10},
                   {"max": 5, "max_inclusive": False, "points": 0}]},
        {"id": "brand", "name": {"zh": "品牌", "en": "brand"}, "max": 5, "items": ["own_brand"], "per_item": 5}]}],
    "direct": [{"flag": "high_tech_enterprise"}]}})]
RD = {"rd_expense": {"2025": 60}, "operating_revenue": {"2025": 1000}, "own_brand": False}


def test_scored_standard_rests_on_the_indicators_that_scored():
    ev = {"rd_expense": "审计报告", "operating_revenue": "审计报告"}
    assert state(SCORE, RD, ev) == ("evidenced", [])  # own_brand scored 0 points: not counted
    assert state(SCORE, RD, {"rd_expense": "审计报告"}) == ("declared", [["operating_revenue", 2025]])
    low = dict(RD, rd_expense={"2025": 10})
    assert state(SCORE, low, ev)[0] == "not_applicable"  # 0 + 0 < 10


def test_scored_standard_met_by_a_direct_path_that_is_evidenced():
    v = dict(RD, high_tech_enterprise=True)
    assert state(SCORE, v, {"high_tech_enterprise": "高新技术企业证书"}) == ("evidenced", [])
    assert state(SCORE, v)[0] == "declared"


def test_sme_rests_on_the_figures_that_decided_it():
    c = [("c", "required", {"sme": True})]
    v = {"industry": "manufacturing", "employees": {"2025": 260}, "operating_revenue": {"2025": 6900}}
    used = run(c, v).track.results[0].inputs
    assert ("industry", None) in used and ("operating_revenue", 2025) in used
    assert state(c, v, {"industry": "x", "employees": "社保", "operating_revenue": "审计报告"}) == ("evidenced", [])
    assert state(c, {"sme_declared": True}, {"sme_declared": "声明"}) == ("evidenced", [])
    assert state(c, {"sme_declared": True}) == ("declared", [["sme_declared", None]])


# --------------------------------------------------------------------------- officer mode
BASE = [("r", "required", {"flag": "own_brand"}), ("x", "exclusion", {"flag": "major_accident_3y"}),
        ("p", "priority", {"flag": "municipal_honour"})]
GOOD = {"own_brand": True, "major_accident_3y": False, "municipal_honour": True}
FULL = {"own_brand": "商标注册证", "major_accident_3y": "信用报告"}


@pytest.mark.parametrize("values, evidence, plain, officer", [
    (GOOD, FULL, "eligible", "eligible"),
    (GOOD, {"own_brand": "商标注册证"}, "eligible", "conditional"),  # exclusion on the firm's word
    (GOOD, {"major_accident_3y": "信用报告"}, "eligible", "conditional"),
    (GOOD, {}, "eligible", "conditional"),
    (dict(GOOD, own_brand=None), FULL, "undetermined", "undetermined"),  # undetermined > conditional
    (dict(GOOD, own_brand=False), {}, "not_eligible", "not_eligible"),
    (dict(GOOD, major_accident_3y=True), {}, "excluded", "excluded"),
])
def test_officer_mode_precedence(values, evidence, plain, officer):
    values = {k: v for k, v in values.items() if v is not None}
    assert run(BASE, values, evidence).verdict == plain  # without the flag: as before
    assert run(BASE, values, evidence, required=True).verdict == officer


def test_priority_conditions_never_make_it_conditional():
    a = run(BASE, GOOD, FULL, required=True)
    p = next(r for r in a.track.results if r.id == "p")
    assert p.evidence == "declared" and a.verdict == "eligible"


def test_undetermined_beats_conditional_with_an_unevidenced_pass_beside_it():
    conds = BASE + [("m", "required", {"flag": "product_certified"})]
    assert run(conds, GOOD, {}, required=True).verdict == "undetermined"


# ------------------------------------------------------------------------------- the CLI
def _cli(*args):
    return subprocess.run([sys.executable, "-m", "zjtx_cli", *args], capture_output=True, text=True, cwd=ROOT)


def test_done_when_conditional_exit_4_and_checklist():
    # the Hengyang plan ran 2021-2025: assessed as of 2025-06-30
    r = _cli("assess", f"{S}/hengyang-eligible.json", "--scheme", "hengyang", "--evidence", "required",
             "--as-of", "2025-06-30", "--format", "json", "--checklist")
    assert r.returncode == 4, r.stderr
    doc = json.loads(r.stdout)
    assert doc["verdict"] == "conditional" and doc["evidence_required"] is True
    docs = " ".join(i["document"] for i in doc["checklist"]["items"])
    assert "商标注册证" in docs and "2023、2024、2025年" in docs
    ids = {c for i in doc["checklist"]["items"] for c in i["conditions"]}
    assert {"hy-5-brand", "hy-6-record", "hy-2-growth"} <= ids


def test_done_when_evidenced_sample_is_eligible():
    r = _cli("assess", f"{S}/hengyang-evidenced.json", "--scheme", "hengyang", "--evidence", "required",
             "--as-of", "2025-06-30", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["verdict"] == "eligible" and doc["counts"]["evidence_needed"] == 0
    assert "未知标签" not in r.stderr  # the "evidence" key is not an unknown label
    # the utility-patent branch names no evidence, and is not needed
    ip = next(c for c in doc["conditions"] if c["id"] == "hy-4-ip")
    assert ip["evidence"] == "evidenced"
    # --evidence KEY= takes one away: conditional again, naming it
    r2 = _cli("assess", f"{S}/hengyang-evidenced.json", "--scheme", "hengyang", "--evidence", "required",
              "--as-of", "2025-06-30", "--format", "json", "--evidence", "own_brand=")
    assert r2.returncode == 4
    brand = next(c for c in json.loads(r2.stdout)["conditions"] if c["id"] == "hy-5-brand")
    assert brand["evidence"] == "declared" and brand["evidence_needed"][0]["field"] == "own_brand"
    assert "商标注册证" in brand["evidence_needed"][0]["document"]


def test_without_the_flag_verdict_and_exit_are_unchanged():
    r = _cli("assess", f"{S}/hengyang-eligible.json", "--scheme", "hengyang", "--as-of", "2025-06-30")
    assert r.returncode == 0
    assert "满足·待补证" in r.stdout  # the state is still shown


def test_bad_evidence_option_is_one_line():
    r = _cli("assess", f"{S}/hengyang-eligible.json", "--scheme", "hengyang", "--evidence", "own_brnd=x")
    assert r.returncode == 2 and "own_brnd" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_table_checklist_and_english():
    r = _cli("assess", f"{S}/hengyang-eligible.json", "--scheme", "hengyang", "--evidence", "required",
             "--as-of", "2025-06-30", "--checklist", "--lang", "en")
    assert r.returncode == 4
    assert "evidence needed" in r.stdout and "Documents still to collect" in r.stdout


def test_fast_path_serves_the_new_options(capsys):
    from typer.testing import CliRunner

    from zjtx_cli.cli import fastpath
    from zjtx_cli.cli.app import app

    argv = ["assess", f"{S}/hengyang-eligible.json", "--scheme", "hengyang", "--evidence", "required",
            "--evidence", "own_brand=商标注册证", "--checklist", "--as-of", "2025-06-30", "-f", "json"]
    expected = CliRunner().invoke(app, argv, catch_exceptions=False)
    assert fastpath.try_main(argv) == expected.exit_code == 4
    assert capsys.readouterr().out == expected.stdout


def test_fast_path_table_agrees_with_the_typer_declaration():
    import click
    import typer.main

    from zjtx_cli.cli import fastpath
    from zjtx_cli.cli.app import app

    cmd = typer.main.get_command(app).commands["assess"]
    declared = {o for p in cmd.params if isinstance(p, click.Option) for o in p.opts}  # --rules-dir: "typer" kind
    assert set(fastpath.ASSESS_OPTIONS) == declared


# ------------------------------------------------------------------------- library API
def test_library_api_evidence():
    a = zjtx.assess(f"{S}/hengyang-eligible.json", scheme="hengyang", as_of="2025-06-30", evidence_required=True)
    assert a.verdict == "conditional"
    b = zjtx.assess(f"{S}/hengyang-evidenced.json", scheme="hengyang", as_of="2025-06-30", evidence_required=True)
    assert b.verdict == "eligible"
    c = zjtx.assess(f"{S}/hengyang-evidenced.json", scheme="hengyang", as_of="2025-06-30", evidence_required=True,
                    evidence={"own_brand": ""})
    assert c.verdict == "eligible"  # empty evidence over the file's is ignored in a dict (no what-if here)
    with pytest.raises(zjtx.InputError):
        zjtx.assess(f"{S}/hengyang-eligible.json", scheme="hengyang", as_of="2025-06-30", evidence={"own_brnd": "x"})


# --------------------------------------------------------------------- template round trip
def test_template_round_trip_of_the_evidence_column(tmp_path):
    from zjtx_cli.inputs.evidence_cells import evidence_from_rows
    from zjtx_cli.inputs.workbook import load_sheet
    from zjtx_cli.outputs.template import build_workbook

    ev = {("own_brand", None): "商标注册证 第12345678号", ("main_business_revenue", 2024): "2024年度审计报告",
          ("main_business_revenue", 2025): "2024年度审计报告"}
    wb = build_workbook(F, ["own_brand", "main_business_revenue"], [2024, 2025],
                        {"own_brand": True, "main_business_revenue": {2024: 1, 2025: 2}}, evidence=ev)
    p = tmp_path / "t.xlsx"
    wb.save(p)
    got = evidence_from_rows(load_sheet(str(p)).rows, str(p), F)
    assert got.problems == []
    assert got.items == {("own_brand", None): "商标注册证 第12345678号",
                         ("main_business_revenue", None): "2024年度审计报告"}


def test_xlsx_reader_reads_the_evidence_column(tmp_path):
    from zjtx_cli.inputs.reader import read_enterprise
    from zjtx_cli.outputs.template import build_workbook

    wb = build_workbook(F, ["own_brand"], [2025], {}, evidence={("own_brand", None): "商标注册证"})
    p = tmp_path / "t.xlsx"
    wb.save(p)
    e = read_enterprise(str(p), F)  # the value is empty: the evidence text must not be read as the value
    assert e.values == {} and e.evidence == {("own_brand", None): "商标注册证"}


def test_ladder_reached_conditionally_exits_4_and_says_so():
    r = _cli("assess", f"{S}/jinhu-provincial.json", "--scheme", "jinhu", "--as-of", "2025-06-30",
             "--evidence", "required")
    assert r.returncode == 4 and "有条件：待补证" in r.stdout
    plain = _cli("assess", f"{S}/jinhu-provincial.json", "--scheme", "jinhu", "--as-of", "2025-06-30")
    assert plain.returncode == 0 and "有条件" not in plain.stdout


def test_officer_mode_documents_validate_against_the_schema():
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    from schema_lite import errors

    with open(os.path.join(ROOT, "docs", "assessment.schema.json"), encoding="utf-8") as fh:
        schema = json.load(fh)
    for args in (["samples/jinhu-provincial.json", "--scheme", "jinhu", "--as-of", "2025-06-30"],
                 ["samples/hengyang-eligible.json", "--scheme", "hengyang", "--as-of", "2025-06-30"],
                 ["samples/miit-2026-little-giant.json", "--scheme", "miit-2026", "--as-of", "2026-06-30",
                  "--tier", "little-giant"],
                 # a tier with several tracks: its document carries the checklist too
                 ["samples/jinhu-municipal.json", "--scheme", "jinhu", "--as-of", "2024-06-30", "--tier",
                  "municipal"]):
        r = _cli("assess", *args, "--evidence", "required", "--checklist", "--format", "json")
        doc = json.loads(r.stdout)
        assert errors(doc, schema) == [], args
        assert doc["evidence_required"] is True and "checklist" in doc


def test_without_the_flag_no_golden_document_is_conditional():
    """The golden outputs (every sample x scheme x tier) never say conditional without the flag,
    and every condition carries its state; before/after: tests/golden/verify_evidence_keys.py."""
    import gzip

    with gzip.open(os.path.join(ROOT, "tests", "golden", "assess.jsonl.gz"), "rt", encoding="utf-8") as fh:
        cases = [json.loads(line) for line in fh]
    states = set()
    for c in cases:
        assert c["exit"] != 4, c["name"]
        if not c["stdout"].strip():
            continue
        doc = json.loads(c["stdout"])
        docs = doc.get("tracks") or [doc]
        for d in docs:
            assert d.get("verdict") != "conditional" and not d.get("evidence_required", False), c["name"]
            for cond in d.get("conditions", ()):
                states.add(cond["evidence"])
                assert (cond["evidence"] == "declared") == bool(cond["evidence_needed"]), (c["name"], cond["id"])
    assert states == {"evidenced", "declared", "not_applicable"}
