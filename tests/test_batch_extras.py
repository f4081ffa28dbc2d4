"""zjtx batch: evidence (issue 13), --match and --report-dir (issue 14), through the CLI.

Every expected figure comes from what `zjtx assess` / `zjtx match` say about the same file, so
the batch is checked against the single-company commands, not against numbers written here.
"""

from __future__ import annotations

import csv
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from zjtx_cli.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
AS_OF = "2025-06-30"  # the Hengyang plan ran 2021–2025: current on this date
FILES = ["hengyang-eligible.json", "hengyang-evidenced.json", "hengyang-near-miss.json"]


def run(*args):
    r = CliRunner().invoke(app, [str(a) for a in args])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for f in FILES:
        shutil.copy(SAMPLES / f, d / f)
    return d


def assess(path, *extra):
    r = run("assess", path, "--scheme", "hengyang", "--as-of", AS_OF, "--format", "json", *extra)
    return r.exit_code, json.loads(r.stdout)


def declared(doc):
    return sum(1 for c in doc["conditions"] if c["kind"] in ("required", "exclusion") and c["evidence"] == "declared")


def rows(ws):
    it = ws.iter_rows(values_only=True)
    head = list(next(it))
    return head, [dict(zip(head, r, strict=False)) for r in it]


# ------------------------------------------------------------------------------- evidence
def test_evidence_column_and_sheet_agree_with_assess(folder, tmp_path):
    out = tmp_path / "r.xlsx"
    r = run("batch", folder, "--scheme", "hengyang", "--as-of", AS_OF, "--out", out)
    assert r.exit_code == 0, r.output
    wb = load_workbook(out)
    head, res = rows(wb.worksheets[0])
    assert head[-1] == "待补证条件数"
    _h, docs = rows(wb.worksheets[3])
    assert wb.sheetnames[3] == "待补证材料"
    seen = set()
    for row in res:
        f = Path(row["来源"]).name
        _code, doc = assess(folder / f, "--checklist")
        assert row["待补证条件数"] == declared(doc), f
        expected = {it["document"] for it in doc["checklist"]["items"]}
        got = {d["证明材料"] for d in docs if d["来源"] == row["来源"]}
        assert got == expected, f
        assert all(d["企业名称"] == row["企业名称"] for d in docs if d["来源"] == row["来源"])
        seen.add(f)
    assert seen == set(FILES)
    by = {Path(r["来源"]).name: r for r in res}
    # both sides: the same company with and without evidence named
    assert by["hengyang-eligible.json"]["待补证条件数"] > 0
    assert by["hengyang-evidenced.json"]["待补证条件数"] == 0
    assert not [d for d in docs if d["来源"].endswith("hengyang-evidenced.json")]


def test_officer_mode_exit_4_and_totals_count_conditional(folder):
    expected = {}
    for f in FILES:
        code, doc = assess(folder / f, "--evidence", "required")
        expected[f] = (code, doc["verdict"])
    assert expected["hengyang-eligible.json"][1] == "conditional"
    assert expected["hengyang-evidenced.json"][1] == "eligible"
    n_cond = sum(1 for _c, v in expected.values() if v == "conditional")
    r = run("batch", folder, "--scheme", "hengyang", "--as-of", AS_OF, "--evidence", "required", "--format", "json")
    assert r.exit_code == 4, r.output
    doc = json.loads(r.stdout)
    assert doc["totals"]["conditional"] == n_cond
    for c in doc["companies"]:
        assert c["verdict"] == expected[Path(c["source"]).name][1]
    # the text totals line counts it too
    r = run("batch", folder, "--scheme", "hengyang", "--as-of", AS_OF, "--evidence", "required")
    assert r.exit_code == 4
    assert f"有条件符合（待补证） {n_cond}" in r.stdout.splitlines()[-1]
    # without the flag: verdicts and exit status as before, no conditional anywhere
    r = run("batch", folder, "--scheme", "hengyang", "--as-of", AS_OF, "--format", "json")
    assert r.exit_code == 0
    doc = json.loads(r.stdout)
    assert "conditional" not in doc["totals"]
    assert all(c["verdict"] != "conditional" for c in doc["companies"])


def test_officer_mode_unreadable_input_is_exit_2(folder):
    (folder / "broken.json").write_text("{", encoding="utf-8")
    r = run("batch", folder, "--scheme", "hengyang", "--as-of", AS_OF, "--evidence", "required")
    assert r.exit_code == 2


def test_officer_mode_nothing_conditional_is_exit_0(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(SAMPLES / "hengyang-evidenced.json", d)
    r = run("batch", d, "--scheme", "hengyang", "--as-of", AS_OF, "--evidence", "required")
    assert r.exit_code == 0, r.output


def test_evidence_option_other_than_required_is_a_usage_error(folder):
    r = run("batch", folder, "--scheme", "hengyang", "--as-of", AS_OF, "--evidence", "own_brand=商标注册证")
    assert r.exit_code == 2
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "--evidence" in lines[0]


def _roster(path, data, evidence):
    from zjtx_cli.inputs.fields import field_dictionary

    fd = field_dictionary()
    head, row = [], []
    for k, v in data.items():
        if k.startswith("_") or k == "evidence":
            continue
        if isinstance(v, dict):
            for y, x in v.items():
                head.append(f"{fd[k].zh}{y}")
                row.append(x)
        else:
            head.append(fd[k].zh)
            row.append("是" if v is True else "否" if v is False else v)
    for k, text in evidence.items():
        head.append(f"{fd[k].zh}证明材料" if "." not in k else f"{k} evidence")
        row.append(text)
    head.append("不存在的字段证明材料")
    row.append("x")
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(head)
        w.writerow(row)


def test_roster_evidence_columns_are_read(tmp_path):
    data = json.loads((SAMPLES / "hengyang-evidenced.json").read_text(encoding="utf-8"))
    ev = data["evidence"]
    p = tmp_path / "roster.csv"
    _roster(p, data, ev)
    out = tmp_path / "r.xlsx"
    r = run("batch", p, "--scheme", "hengyang", "--as-of", AS_OF, "--out", out, "--evidence", "required")
    assert r.exit_code == 0, r.output  # every input evidenced: eligible, not conditional
    assert "不存在的字段证明材料" in r.stderr  # an unknown evidence column is named, and ignored
    _h, res = rows(load_workbook(out).worksheets[0])
    assert res[0]["待补证条件数"] == 0
    assert res[0]["结论"] == "符合条件"
    # the same roster with one evidence column left out: that input's conditions are 待补证
    ev2 = {k: v for k, v in ev.items() if k != "own_brand"}
    _roster(p, data, ev2)
    r = run("batch", p, "--scheme", "hengyang", "--as-of", AS_OF, "--out", out, "--evidence", "required")
    assert r.exit_code == 4
    _h, res = rows(load_workbook(out).worksheets[0])
    j = tmp_path / "a.json"
    j.write_text(json.dumps({**data, "evidence": ev2}, ensure_ascii=False), encoding="utf-8")
    _code, doc = assess(j, "--evidence", "required")
    assert res[0]["待补证条件数"] == declared(doc) > 0
    assert res[0]["结论"] == "有条件符合（待补证）"


# ---------------------------------------------------------------------------------- match
def test_match_columns_agree_with_zjtx_match(folder, tmp_path):
    out = tmp_path / "r.xlsx"
    r = run("batch", folder, "--scheme", "hengyang", "--as-of", AS_OF, "--out", out, "--match")
    assert r.exit_code == 0, r.output
    head, res = rows(load_workbook(out).worksheets[0])
    assert head[-2:] == ["可申报项目", "最省事的下一步"]
    from zjtx_cli.match.render import cheapest_line

    for row in res:
        m = json.loads(run("match", row["来源"], "--as-of", AS_OF, "--format", "json").stdout)
        ids = [f"[{e['scheme']}/{e['tier']}]" for e in m["groups"]["eligible"]]
        cell = row["可申报项目"]
        if ids:
            assert all(i in cell for i in ids) and cell.count("[") == len(ids)
        else:
            assert cell == "无"
        assert row["最省事的下一步"] == cheapest_line(m, "zh").split("：", 1)[1]
    eligible = {Path(r["来源"]).name: r["可申报项目"] for r in res}
    assert "[hengyang/" in eligible["hengyang-eligible.json"]
    assert "[hengyang/" not in eligible["hengyang-near-miss.json"]


def test_match_json_summary(folder):
    r = run("batch", folder, "--scheme", "hengyang", "--as-of", AS_OF, "--match", "--format", "json", "--lang", "en")
    assert r.exit_code == 0
    for c in json.loads(r.stdout)["companies"]:
        # the 待补证 count is shown in officer mode and in the results workbook only (plain runs keep
        # the columnar path): not here
        assert c["cheapest_next_step"] and "eligible_programmes" in c and "evidence_needed" not in c
    r = run("batch", folder, "--scheme", "hengyang", "--as-of", AS_OF, "--match", "--format", "json", "--lang", "en",
            "--evidence", "required")
    for c in json.loads(r.stdout)["companies"]:
        assert c["cheapest_next_step"] and "eligible_programmes" in c and "evidence_needed" in c


def test_match_and_report_refuse_a_roster(tmp_path):
    data = json.loads((SAMPLES / "hengyang-eligible.json").read_text(encoding="utf-8"))
    p = tmp_path / "roster.csv"
    _roster(p, data, {})
    for opt in (["--match"], ["--report-dir", tmp_path / "rep"]):
        r = run("batch", p, "--scheme", "hengyang", "--as-of", AS_OF, *opt)
        assert r.exit_code == 2
        lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1 and "企业名单" in lines[0] and opt[0] in lines[0]
        assert r.stdout == ""  # refused before any work
    assert not (tmp_path / "rep").exists()


# --------------------------------------------------------------------------------- reports
class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def html_text(path):
    p = _Text()
    p.feed(Path(path).read_text(encoding="utf-8"))
    return " ".join(p.parts)


def test_report_dir_writes_one_html_per_company(folder, tmp_path):
    rep = tmp_path / "reports"
    r = run("batch", folder, "--scheme", "hengyang", "--as-of", AS_OF, "--report-dir", rep)
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in rep.iterdir()) == sorted(f.replace(".json", ".html") for f in FILES)
    for f in FILES:
        _code, doc = assess(folder / f)
        text = html_text(rep / f.replace(".json", ".html"))
        assert doc["company"] in text
        for c in doc["conditions"]:
            assert c["id"] in text, (f, c["id"])
    # the verdicts differ, and each report states its own (the cover's verdict badge)
    import re

    for f in FILES:
        _code, doc = assess(folder / f)
        html = (rep / f.replace(".json", ".html")).read_text(encoding="utf-8")
        assert re.search(r'class="verdict v-(\w+)" id="verdict"', html).group(1) == doc["verdict"], f


def test_report_dir_xlsx_format(folder, tmp_path):
    rep = tmp_path / "reports"
    r = run("batch", folder, "--scheme", "hengyang", "--as-of", AS_OF, "--report-dir", rep, "--report-format", "xlsx")
    assert r.exit_code == 0, r.output
    for f in FILES:
        wb = load_workbook(rep / f.replace(".json", ".xlsx"))
        cover = " ".join(str(c) for row in wb.worksheets[0].iter_rows(values_only=True) for c in row if c)
        _code, doc = assess(folder / f)
        assert doc["company"] in cover


def test_report_dir_refuses_existing_files_unless_force(folder, tmp_path):
    rep = tmp_path / "reports"
    rep.mkdir()
    old = rep / "hengyang-near-miss.html"
    old.write_text("mine", encoding="utf-8")
    r = run("batch", folder, "--scheme", "hengyang", "--as-of", AS_OF, "--report-dir", rep)
    assert r.exit_code == 2
    assert "hengyang-near-miss.html" in r.stderr and "--force" in r.stderr
    assert old.read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in rep.iterdir()) == ["hengyang-near-miss.html"]  # nothing written: refused first
    r = run("batch", folder, "--scheme", "hengyang", "--as-of", AS_OF, "--report-dir", rep, "--force")
    assert r.exit_code == 0, r.output
    assert "衡阳" in html_text(old) and len(list(rep.iterdir())) == len(FILES)


def test_report_dir_never_the_input_folder(folder):
    before = sorted(p.name for p in folder.iterdir())
    r = run("batch", folder, "--scheme", "hengyang", "--as-of", AS_OF, "--report-dir", folder)
    assert r.exit_code == 2 and "--report-dir" in r.stderr
    assert sorted(p.name for p in folder.iterdir()) == before


def test_report_of_a_single_file_is_not_written_over_it(tmp_path):
    # an applicant JSON named like the report it would get: refused, the input kept
    p = tmp_path / "x.html"
    shutil.copy(SAMPLES / "hengyang-eligible.json", p)
    before = p.read_bytes()
    r = run("batch", p, "--scheme", "hengyang", "--as-of", AS_OF, "--report-dir", tmp_path, "--force")
    assert r.exit_code == 2 and "x.html" in r.stderr
    assert p.read_bytes() == before


def test_report_format_needs_report_dir_and_a_known_format(folder, tmp_path):
    r = run("batch", folder, "--scheme", "hengyang", "--report-format", "pdf")
    assert r.exit_code == 2 and "--report-dir" in r.stderr
    r = run("batch", folder, "--scheme", "hengyang", "--report-dir", tmp_path / "r", "--report-format", "docx")
    assert r.exit_code == 2 and "--report-format" in r.stderr
