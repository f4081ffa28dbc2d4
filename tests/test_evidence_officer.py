"""Officer mode through the CLI (issue 13): the verdict precedence excluded > not_eligible >
undetermined > conditional > eligible, each with its exit status (1, 1, 3, 4, 0), in `assess`
and in `batch`; and without ``--evidence required`` the verdict and exit status of the same
inputs are what they were before evidence existed (never conditional, never 4).

The ruleset is a user ruleset (``--rules-dir``) with one condition of each kind that matters:
a figure, a declaration, an exclusion and a priority condition."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from zjtx_cli.cli.app import app

RULES = """\
id: officer
title: {zh: 官员模式测试方案, en: Officer-mode test scheme}
issuer: {zh: 测试, en: test}
source: officer-notice.txt
tiers:
  - id: only
    name: {zh: 唯一层级, en: The tier}
    level: county
    conditions:
      - id: o-revenue
        kind: required
        text: {zh: 上年度主营业务收入1000万元以上, en: Main-business revenue 10 million yuan or more}
        citation: officer-notice.txt 第一条
        check: {metric: main_business_revenue, op: ">=", value: 1000}
      - id: o-brand
        kind: required
        text: {zh: 拥有自主品牌, en: Own brand}
        citation: officer-notice.txt 第二条
        check: {flag: own_brand}
      - id: o-accident
        kind: exclusion
        text: {zh: 近三年发生重大事故, en: Major accident in three years}
        citation: officer-notice.txt 第三条
        check: {flag: major_accident_3y}
      - id: o-honour
        kind: priority
        text: {zh: 获得市级荣誉, en: Municipal honour}
        citation: officer-notice.txt 第四条
        check: {flag: municipal_honour}
"""

GOOD = {"main_business_revenue": {"2025": 1200}, "own_brand": True, "major_accident_3y": False,
        "municipal_honour": True}
EVIDENCE = {"main_business_revenue": "2025年度审计报告", "own_brand": "商标注册证 第1号",
            "major_accident_3y": "信用中国信用报告"}


def _company(**changes):
    values = dict(GOOD)
    for k, v in changes.items():
        if v is None:
            values.pop(k, None)
        else:
            values[k] = v
    return values


# (what the company says, the evidence it names, verdict and exit without the flag, with it)
CASES = [
    ("every input evidenced", _company(), EVIDENCE, ("eligible", 0), ("eligible", 0)),
    ("nothing evidenced", _company(), {}, ("eligible", 0), ("conditional", 4)),
    ("the figure evidenced, the declaration not", _company(), {"main_business_revenue": "审计报告",
                                                               "major_accident_3y": "信用报告"},
     ("eligible", 0), ("conditional", 4)),
    ("the exclusion ruled out on the firm's word only", _company(),
     {"main_business_revenue": "审计报告", "own_brand": "商标注册证"}, ("eligible", 0), ("conditional", 4)),
    ("the priority condition never needs evidence", _company(), EVIDENCE, ("eligible", 0), ("eligible", 0)),
    ("undetermined beats conditional", _company(own_brand=None), {}, ("undetermined", 3), ("undetermined", 3)),
    ("not eligible beats undetermined", _company(main_business_revenue={"2025": 999}, own_brand=None), {},
     ("not_eligible", 1), ("not_eligible", 1)),
    ("not eligible beats conditional", _company(own_brand=False), {}, ("not_eligible", 1), ("not_eligible", 1)),
    ("excluded beats not eligible", _company(own_brand=False, major_accident_3y=True), {},
     ("excluded", 1), ("excluded", 1)),
    ("excluded beats conditional", _company(major_accident_3y=True), {}, ("excluded", 1), ("excluded", 1)),
]


def run(*args):
    r = CliRunner().invoke(app, [str(a) for a in args], env={"NO_COLOR": "1", "COLUMNS": "200"})
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture
def rules_dir(tmp_path):
    d = tmp_path / "rules"
    d.mkdir()
    (d / "officer.yaml").write_text(RULES, encoding="utf-8")
    return d


def _write(path, values, evidence):
    doc = {"company_name": "测试公司", **values}
    if evidence:
        doc["evidence"] = evidence
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize("name, values, evidence, plain, officer", CASES, ids=[c[0] for c in CASES])
def test_assess_precedence_and_exit_status(rules_dir, tmp_path, name, values, evidence, plain, officer):
    f = tmp_path / "c.json"
    _write(f, values, evidence)
    base = ["assess", f, "--scheme", "officer", "--rules-dir", rules_dir, "--as-of", "2026-06-30", "--year", "2025",
            "--format", "json"]
    code, out, err = run(*base)
    assert (json.loads(out)["verdict"], code) == plain, err
    code, out, err = run(*base, "--evidence", "required")
    doc = json.loads(out)
    assert (doc["verdict"], code) == officer, err
    assert doc["evidence_required"] is True
    if officer[0] == "conditional":  # what is still needed is named, with the document that proves it
        needed = {x["field"] for c in doc["conditions"] if c["kind"] != "priority" for x in c["evidence_needed"]}
        assert needed and needed <= {"main_business_revenue", "own_brand", "major_accident_3y"}
        assert needed.isdisjoint(evidence)


def test_batch_counts_every_verdict_and_exits_4_in_officer_mode(rules_dir, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i, (_name, values, evidence, _plain, _officer) in enumerate(CASES):
        _write(folder / f"c{i:02d}.json", values, evidence)
    base = ["batch", folder, "--scheme", "officer", "--rules-dir", rules_dir, "--as-of", "2026-06-30", "--year",
            "2025"]
    plain_out, officer_out = tmp_path / "plain.jsonl", tmp_path / "officer.jsonl"
    code, _out, err = run(*base, "--out", plain_out)
    assert code == 0, err  # some company eligible, none unreadable: as before evidence existed
    got = [json.loads(line)["verdict"] for line in plain_out.read_text(encoding="utf-8").splitlines()]
    assert got == [c[3][0] for c in CASES]
    code, _out, err = run(*base, "--evidence", "required", "--out", officer_out)
    assert code == 4, err
    got = [json.loads(line)["verdict"] for line in officer_out.read_text(encoding="utf-8").splitlines()]
    assert got == [c[4][0] for c in CASES]
    # the totals line counts conditional
    code, out, _err = run(*base, "--evidence", "required", "--format", "json")
    totals = json.loads(out)["totals"]
    assert totals["conditional"] == sum(c[4][0] == "conditional" for c in CASES) == 3
    code, out, _err = run(*base, "--format", "json")
    assert "conditional" not in json.loads(out)["totals"]
