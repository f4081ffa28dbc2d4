"""docs/writing-rules.md works as written: its files are extracted, checked, tested and assessed."""

from __future__ import annotations

import json
import os
import re

from typer.testing import CliRunner

from zjtx_cli.cli.app import app

DOC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "writing-rules.md")
BLOCK = re.compile(r"```\w+ (?:file=(?P<file>\S+)(?P<draft> draft)?|output=(?P<out>\S+))\n(?P<body>.*?)```", re.S)


def blocks():
    text = open(DOC, encoding="utf-8").read()
    files, drafts, outputs = {}, {}, {}
    for m in BLOCK.finditer(text):
        if m.group("out"):
            outputs[m.group("out")] = m.group("body")
        elif m.group("draft"):
            drafts[m.group("file")] = m.group("body")
        else:
            files[m.group("file")] = m.group("body")
    return files, drafts, outputs


def run(*args):
    r = CliRunner().invoke(app, list(args), env={"NO_COLOR": "1", "COLUMNS": "200"})
    return r.exit_code, r.stdout


def write(tmp_path, name, body):
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(body, encoding="utf-8")


def test_doc_has_the_example_files():
    files, drafts, outputs = blocks()
    assert {"myrules/hy-screen.yaml", "myrules/hy-screen.tests.yaml", "company.json"} <= set(files)
    assert "myrules/hy-screen.yaml" in drafts
    assert {"check-draft", "check-draft-2", "test"} <= set(outputs)


def test_draft_gives_the_documented_problems(tmp_path, monkeypatch):
    files, drafts, outputs = blocks()
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "myrules/hy-screen.yaml", drafts["myrules/hy-screen.yaml"])
    code, out = run("rules", "check", "myrules/")
    assert code == 2 and out == outputs["check-draft"]
    fixed = drafts["myrules/hy-screen.yaml"].replace('op: "=<"', 'op: "<="')
    write(tmp_path, "myrules/hy-screen.yaml", fixed)
    code, out = run("rules", "check", "myrules/")
    assert code == 2 and out == outputs["check-draft-2"]


def test_example_checks_tests_and_assesses(tmp_path, monkeypatch):
    files, _drafts, outputs = blocks()
    monkeypatch.chdir(tmp_path)
    for name, body in files.items():
        write(tmp_path, name, body)
    code, out = run("rules", "check", "myrules/")
    assert code == 0 and out == ""
    code, out = run("rules", "test", "myrules/")
    assert code == 0 and out == outputs["test"]
    code, out = run("assess", "company.json", "--scheme", "hy-screen", "--rules-dir", "myrules", "--format", "json",
                    "--as-of", "2025-06-01")
    doc = json.loads(out)
    assert code == 0 and doc["verdict"] == "eligible" and doc["next_tier"] == "hengyang:municipal"
    code, _ = run("template", "--out", "申报表.xlsx", "--scheme", "hy-screen", "--rules-dir", "myrules")
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "申报表.xlsx")
    assert code == 0 and any(c.value == "registered_in_hengyang" for ws in wb for r in ws.iter_rows() for c in r)
    code, out = run("rules", "hy-screen", "--rules-dir", "myrules")
    assert code == 0 and "registered_in_hengyang" in out
    code, out = run("schemes", "--rules-dir", "myrules")
    assert code == 0 and "用户：myrules" in out
    monkeypatch.setenv("ZJTX_RULES_PATH", str(tmp_path / "myrules"))
    code, out = run("assess", "company.json", "--scheme", "hy-screen", "--format", "json", "--as-of", "2025-06-01")
    assert code == 0 and json.loads(out)["scheme"] == "hy-screen"


def test_a_broken_expectation_fails_as_documented(tmp_path, monkeypatch):
    files, _drafts, _outputs = blocks()
    monkeypatch.chdir(tmp_path)
    for name, body in files.items():
        write(tmp_path, name, body)
    tests = files["myrules/hy-screen.tests.yaml"].replace("main_business_revenue: {2024: 1999}",
                                                          "main_business_revenue: {2024: 2000}")
    write(tmp_path, "myrules/hy-screen.tests.yaml", tests)
    code, out = run("rules", "test", "myrules/")
    assert code == 1
    assert "FAIL myrules/hy-screen.tests.yaml: 主营业务收入1999万元：差1万元\n" in out
    assert "  condition hs-revenue: expected unmet, actual met\n" in out
    assert out.endswith("4 passed, 1 failed\n")
