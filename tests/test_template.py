"""Fill-in template (template.py): layout, validation, round trip for every scheme, sample twins."""

from __future__ import annotations

import datetime as dt
import json
import os
import zipfile
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from zjtx_cli.cli.app import app
from zjtx_cli.inputs.fields import field_dictionary
from zjtx_cli.inputs.json_reader import read_json
from zjtx_cli.inputs.label_sheet import read_xlsx
from zjtx_cli.inputs.reader import read_enterprise
from zjtx_cli.rules.loader import get_ruleset, ruleset_paths
from zjtx_cli.outputs.template import (SHEET_HELP, SHEET_LISTS, SHEET_MAIN, build_workbook, template_keys,
                               write_template, year_list)

openpyxl = pytest.importorskip("openpyxl")
F = field_dictionary()
SCHEMES = sorted(ruleset_paths())
SAMPLES = os.path.join(ROOT, "samples")
YEARS = [2023, 2024, 2025]


def run(*args):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def fill(keys, years=YEARS):
    """A typed value for every field, as the reader would return them (tricky numbers included)."""
    out = {}
    for n, k in enumerate(keys):
        f = F[k]
        if f.type == "text":
            v = {"company_name": "=HYPERLINK(\"http://x\",\"点我\")测试有限公司",
                 "credit_code": "91350100M000100Y43"}.get(k, f"-文本 {k}")
        elif f.type == "bool":
            v = n % 2 == 0
        elif f.type == "date":
            v = dt.date(2015, 3, 1 + n % 28)
        elif f.type == "choice":
            v = list(f.choices)[n % len(f.choices)]
        elif f.unit == "%":
            v = Decimal("35.5")
        elif f.type == "integer":
            v = 1 + n
        else:
            v = Decimal("1999.99") + n
        if f.per_year:
            v = {y: (v + i if not isinstance(v, (bool, str, dt.date)) else v) for i, y in enumerate(years)}
        out[k] = v
    return out


@pytest.mark.parametrize("scheme", SCHEMES)
def test_round_trip_every_scheme(tmp_path, scheme):
    rs = get_ruleset(scheme)
    keys = template_keys(F, rs)
    assert "company_name" in keys and set(rs.fields_used()) <= set(keys)
    values = fill(keys)
    p = tmp_path / f"{scheme}.xlsx"
    assert write_template(p, scheme=scheme, year=2025, years=3, values=values) == 0
    got = read_xlsx(str(p), F, checks=False)
    assert got.values == values
    assert got.warnings == []
    # and the JSON skeleton
    pj = tmp_path / f"{scheme}.json"
    assert write_template(pj, scheme=scheme, year=2025, years=3, fmt="json", values=values) == 0
    assert read_json(str(pj), F, checks=False).values == values


def test_round_trip_full_dictionary(tmp_path):
    keys = template_keys(F)
    assert keys == [f.key for f in F]
    values = fill(keys)
    p = tmp_path / "all.xlsx"
    assert write_template(p, year=2025, values=values) == 0
    assert read_xlsx(str(p), F, checks=False).values == values


def test_empty_template_reads_as_nothing(tmp_path):
    for fmt in ("xlsx", "json"):
        p = tmp_path / f"t.{fmt}"
        assert write_template(p, fmt=fmt) == 0
        e = read_enterprise(str(p), F)
        assert e.values == {} and e.warnings == []


def test_template_layout(tmp_path):
    p = tmp_path / "t.xlsx"
    assert write_template(p, scheme="hengyang", year=2024, years=2) == 0
    wb = openpyxl.load_workbook(p)
    assert wb.sheetnames == [SHEET_MAIN, SHEET_HELP, SHEET_LISTS]
    assert wb[SHEET_LISTS].sheet_state == "hidden"
    ws = wb[SHEET_MAIN]
    assert [c.value for c in ws[1]] == ["指标 Indicator", "字段键 Key", "单位 Unit", "2023年", "2024年", "证明材料 Evidence",
                                      "填写说明 Hint"]
    assert ws.freeze_panes == "D2"
    assert ws.column_dimensions["A"].width >= 30
    rows = {ws.cell(row=r, column=2).value: r for r in range(2, ws.max_row + 1)}
    r = rows["operating_revenue"]
    assert ws.cell(row=r, column=1).value == "营业收入" and ws.cell(row=r, column=3).value == "万元"
    assert ws.cell(row=r, column=6).value is None  # the 证明材料 cell, empty
    assert ws.cell(row=r, column=7).value  # a hint
    # data validation: 是/否 dropdowns, choice lists, non-negative money, dates
    by_cell = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for cells in rng.cells:  # (row, column) pairs
                by_cell[ws.cell(*cells).coordinate] = dv
    bool_dv = by_cell[f"D{rows['own_brand']}"]
    assert bool_dv.type == "list" and bool_dv.formula1 == '"是,否"'
    ind = by_cell[f"D{rows['industry']}"]
    assert ind.type == "list" and SHEET_LISTS in ind.formula1
    money = by_cell[f"E{r}"]
    assert money.type == "decimal" and money.operator == "greaterThanOrEqual" and money.formula1 == "0"
    assert by_cell[f"D{rows['founding_date']}"].type == "date"
    # choice list holds the Chinese labels
    lists = wb[SHEET_LISTS]
    col = [c.value for c in next(c for c in lists.iter_cols() if c[0].value == "industry")]
    assert "制造业" in col
    # single-valued fields span the year columns
    assert any(str(m).startswith(f"D{rows['company_name']}:") for m in ws.merged_cells.ranges)
    # the help sheet explains every field
    help_text = " ".join(str(c.value) for row in wb[SHEET_HELP].iter_rows() for c in row if c.value)
    assert "operating_revenue" in help_text and "Operating revenue" in help_text


def test_scheme_template_is_smaller():
    assert len(template_keys(F, get_ruleset("hengyang"))) < len(template_keys(F))


def test_default_years():
    last = dt.date.today().year - 1
    assert year_list(None, 3) == [last - 2, last - 1, last]
    assert year_list(2025, 1) == [2025]


def test_text_never_becomes_a_formula(tmp_path):
    """Applicant text beginning with = + - @ stays text in the file (and reads back unchanged)."""
    evil = ["=1+1", "+SUM(A1:A2)", "-2+3", "@cmd", "=HYPERLINK(\"http://evil\",\"x\")", "\t=1", "a\x07b"]
    for i, name in enumerate(evil):
        p = tmp_path / f"e{i}.xlsx"
        wb = build_workbook(F, ["company_name"], [2025], {"company_name": name})
        wb.save(p)
        with zipfile.ZipFile(p) as z:
            sheet = z.read("xl/worksheets/sheet1.xml")
        assert b"<f>" not in sheet and b"<f " not in sheet
        cell = openpyxl.load_workbook(p)[SHEET_MAIN]["D2"]
        assert cell.data_type == "s"
        assert read_xlsx(str(p), F, checks=False).values["company_name"] == name.replace("\x07", "").strip()


def test_neutralised_export_text_reads_back():
    # safety.cell_value prefixes ' to formula-like text in exports; such a file reads back unchanged
    from zjtx_cli.inputs.label_sheet import read_rows
    from zjtx_cli.inputs.safety import cell_value

    e = read_rows("x.xlsx", F, [["企业名称", cell_value("=1+1公司")]])
    assert e.values["company_name"] == "=1+1公司"


# ---------------------------------------------------------------------------- CLI
def test_cli_template_refuses_to_overwrite(tmp_path):
    p = str(tmp_path / "company.xlsx")
    r = run("template", "--out", p)
    assert r.exit_code == 0 and os.path.exists(p)
    before = open(p, "rb").read()
    r = run("template", "--out", p, "--scheme", "hengyang")
    assert r.exit_code == 2 and "already exists" in r.stderr and "--force" in r.stderr
    assert open(p, "rb").read() == before
    r = run("template", "--out", p, "--scheme", "hengyang", "--force")
    assert r.exit_code == 0 and open(p, "rb").read() != before
    assert [n for n in os.listdir(tmp_path) if n.endswith(".tmp.xlsx")] == []


@pytest.mark.parametrize("args,needle", [
    (["--out", "x.json"], "--format json"),
    (["--out", "x.xlsx", "--format", "json"], ".json"),
    (["--out", "x.xlsx", "--scheme", "nowhere"], "unknown scheme"),
    (["--out", "x.xlsx", "--years", "0"], "--years"),
    (["--out", "x.xlsx", "--year", "1066"], "--year"),
    (["--out", "no/such/folder/x.xlsx"], "does not exist"),
    (["--out", "x.xlsx", "--format", "csv"], "--format"),
])
def test_cli_template_usage_errors(tmp_path, monkeypatch, args, needle):
    monkeypatch.chdir(tmp_path)
    r = run("template", *args)
    assert r.exit_code == 2 and needle in r.stderr and "Traceback" not in r.stderr
    assert os.listdir(tmp_path) == []


def test_cli_template_json(tmp_path):
    p = tmp_path / "c.json"
    r = run("template", "--out", str(p), "--format", "json", "--scheme", "hengyang", "--year", "2025")
    assert r.exit_code == 0
    doc = json.loads(p.read_text(encoding="utf-8"))
    assert doc["operating_revenue"] == {"2023": None, "2024": None, "2025": None}
    assert doc["own_brand"] is None and "operating_revenue" in doc["_fields"]


# ---------------------------------------------------------------------- sample twins
JSON_SAMPLES = sorted(n for n in os.listdir(SAMPLES) if n.endswith(".json"))


def test_every_json_sample_has_a_current_xlsx_twin():
    import subprocess
    import sys

    r = subprocess.run([sys.executable, os.path.join(SAMPLES, "make_xlsx.py"), "--check"], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr + "\nrun: python samples/make_xlsx.py"


def _scheme_for(name):
    for s in sorted(SCHEMES, key=len, reverse=True):
        if name.startswith(s + "-"):
            return s
    return "hengyang"


@pytest.mark.parametrize("name", JSON_SAMPLES)
def test_xlsx_twin_assesses_identically(name):
    scheme = _scheme_for(name)
    outs = []
    for path in (os.path.join(SAMPLES, name), os.path.join(SAMPLES, name[:-5] + ".xlsx")):
        r = run("assess", path, "-s", scheme, "-f", "json", "--as-of", "2026-06-01")
        outs.append((r.exit_code, r.stdout.replace(os.path.basename(path), "SAMPLE").replace(path, "SAMPLE"),
                     r.stderr.replace(path, "SAMPLE")))
    assert outs[0] == outs[1]


def test_template_years_cover_what_the_scheme_reads(tmp_path):
    # jinhu's 近3年营业收入平均增长率 needs revenue for four years (Y-3 to Y)
    from zjtx_cli.rules.loader import get_ruleset
    from zjtx_cli.outputs.template import write_template

    assert get_ruleset("jinhu").years_needed() == 4
    assert get_ruleset("hengyang").years_needed() == 3  # 近两年年均增长: Y-2 to Y
    out = tmp_path / "j.json"
    assert write_template(out=out, scheme="jinhu", year=2024, fmt="json") == 0
    import json

    doc = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(doc["operating_revenue"]) == ["2021", "2022", "2023", "2024"]
    out2 = tmp_path / "h.json"
    assert write_template(out=out2, scheme="hengyang", year=2025, fmt="json", years=2) == 0
    assert sorted(json.loads(out2.read_text(encoding="utf-8"))["operating_revenue"]) == ["2024", "2025"]
