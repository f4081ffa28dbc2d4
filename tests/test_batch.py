"""zjtx batch: folders with bad files, rosters, exports read back, equality with 'assess'."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zjtx_cli.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
AS_OF = "2026-01-01"
HY = ["hengyang-eligible.json", "hengyang-near-miss.json", "hengyang-missing-data.json"]


def run(*args):
    r = CliRunner().invoke(app, [str(a) for a in args])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r


def sample(name):
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def write_applicant_xlsx(path, data, name=None):
    """The label/value layout reader.read_rows accepts: 指标 | 2023 | 2024 | 2025, then label rows."""
    from openpyxl import Workbook

    from zjtx_cli.inputs.fields import field_dictionary

    fd = field_dictionary()
    wb = Workbook()
    ws = wb.active
    ws.append(["指标", 2023, 2024, 2025])
    for key, v in data.items():
        if key == "company_name" and name:
            v = name
        label = fd[key].zh
        if isinstance(v, dict):
            ws.append([label, *(v.get(str(y)) for y in (2023, 2024, 2025))])
        elif isinstance(v, bool):
            ws.append([label, "是" if v else "否"])
        else:
            ws.append([label, v])
    wb.save(path)


def assess_json(path, *extra):
    r = run("assess", path, "--scheme", extra[0] if extra else "hengyang", "--format", "json", "--as-of", AS_OF)
    return json.loads(r.stdout)


# ------------------------------------------------------------------------------- folder
@pytest.fixture
def mixed_folder(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for n in HY:
        shutil.copy(SAMPLES / n, d / n)
    write_applicant_xlsx(d / "good.xlsx", sample("hengyang-eligible.json"), name="衡阳表格测试有限公司")
    (d / "corrupt.xlsx").write_bytes(b"PK\x03\x04 this is not really a zip file at all")
    (d / "empty.json").write_bytes(b"")
    (d / "syntax.json").write_text('{"company_name": "x", "net_profit": {"2025": 1,}}', encoding="utf-8")
    (d / "notes.txt").write_text("ignored: not an applicant file", encoding="utf-8")
    return d


def test_folder_good_scored_bad_reported_exit_2(mixed_folder, tmp_path):
    out = tmp_path / "results.xlsx"
    r = run("batch", mixed_folder, "--scheme", "hengyang", "--as-of", AS_OF, "--out", out)
    assert r.exit_code == 2
    for name in ("衡阳恒远精密机械有限公司", "衡阳湘江新材料科技有限公司", "衡阳云智软件有限公司", "衡阳表格测试有限公司"):
        assert name in r.stdout
    err = r.stderr
    for bad in ("corrupt.xlsx", "empty.json", "syntax.json"):
        assert any(bad in line and "error" in line for line in err.splitlines()), (bad, err)
    assert "syntax.json: 不是有效的 JSON（第1行第" in err  # Chinese by default, like the tables
    # nothing is skipped without a word: a file that is not a spreadsheet is listed with why (issue 9)
    assert any("notes.txt" in line and "不是电子表格" in line for line in err.splitlines()), err
    assert "8 个输入" in r.stdout and "已评价 4" in r.stdout and "无法读取 4" in r.stdout
    # the third sheet lists each unreadable file and why
    from openpyxl import load_workbook

    wb = load_workbook(out)
    probs = list(wb.worksheets[2].iter_rows(min_row=2, values_only=True))
    files = {os.path.basename(p[0]) for p in probs if p[6] == "错误"}
    assert files == {"corrupt.xlsx", "empty.json", "syntax.json", "notes.txt"}
    assert all(p[5] for p in probs)
    reasons = {os.path.basename(p[0]): p[5] for p in probs}
    assert reasons["corrupt.xlsx"].startswith("不是 xlsx 工作簿") and reasons["syntax.json"].startswith("不是有效的 JSON")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root can read a chmod 000 file, so the case cannot be produced")
def test_folder_unreadable_file(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(SAMPLES / HY[0], d / HY[0])
    locked = d / "locked.json"
    shutil.copy(SAMPLES / HY[1], locked)
    locked.chmod(0)
    try:
        r = run("batch", d, "--scheme", "hengyang", "--as-of", AS_OF)
    finally:
        locked.chmod(0o644)
    assert r.exit_code == 2
    assert "locked.json" in r.stderr and "衡阳恒远精密机械有限公司" in r.stdout


def test_all_good_exit_0_and_usage_errors(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(SAMPLES / HY[0], d / HY[0])
    assert run("batch", d, "--scheme", "hengyang", "--as-of", AS_OF).exit_code == 0
    assert run("batch", d, "--scheme", "hengyang", "--out", tmp_path / "x.txt").exit_code == 2
    assert run("batch", d, "--scheme", "no-such-scheme").exit_code == 2
    assert run("batch", d, "--scheme", "hengyang", "--tier", "nope").exit_code == 2
    assert run("batch", tmp_path / "missing", "--scheme", "hengyang").exit_code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("batch", empty, "--scheme", "hengyang").exit_code == 2
    # never overwrite an input
    r = run("batch", d / HY[0], "--scheme", "hengyang", "--out", d / HY[0])
    assert r.exit_code == 2 and json.loads((d / HY[0]).read_text(encoding="utf-8"))["company_name"]


# ------------------------------------------------------------------------------- roster
def _roster_rows():
    """Header in mixed styles (Chinese, English key, English label, bracketed year), 2 companies + dup + blank."""
    el, nm = sample("hengyang-eligible.json"), sample("hengyang-near-miss.json")
    single = ["company_name", "founding_date", "industry", "registered_in_area", "independent_legal_person",
              "invention_patents", "utility_patents", "design_patents", "software_copyrights", "market_leading",
              "key_supplier", "own_brand", "product_certified", "management_sound", "digital_upgrade",
              "major_accident_3y", "serious_violation"]
    from zjtx_cli.inputs.fields import field_dictionary

    fd = field_dictionary()
    header, getters = [], []
    styles = ["zh", "key", "en"]
    for i, k in enumerate(single):
        header.append({"zh": fd[k].zh, "key": k, "en": fd[k].en}[styles[i % 3]])
        getters.append(lambda d, k=k: d.get(k))
    per_year = {"main_business_revenue": "{zh}{y}", "operating_revenue": "{key}.{y}",
                "total_assets": "{zh}（{y}年）", "total_liabilities": "{zh} {y}（万元）", "rd_expense": "{y}年{zh}",
                "employees": "{en} {y}"}
    for k, pat in per_year.items():
        for y in ("2023", "2024", "2025"):
            header.append(pat.format(zh=fd[k].zh, key=k, en=fd[k].en, y=y))
            getters.append(lambda d, k=k, y=y: (d.get(k) or {}).get(y))
    header.append("备注说明")  # not a field: warned about, ignored
    getters.append(lambda d: "x")

    def row(d):
        out = []
        for g in getters:
            v = g(d)
            out.append(("是" if v else "否") if isinstance(v, bool) else v)
        return out

    dup = dict(el)
    return header, [row(el), [None] * len(header), row(nm), row(dup)]


def test_roster_xlsx_headers_years_blank_rows_duplicates(tmp_path):
    from openpyxl import Workbook

    header, rows = _roster_rows()
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    p = tmp_path / "roster.xlsx"
    wb.save(p)
    r = run("batch", p, "--scheme", "hengyang", "--as-of", AS_OF, "--format", "json", "--out", tmp_path / "o.jsonl")
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    comps = doc["companies"]
    assert [c["row"] for c in comps] == [2, 4, 5]  # row 3 is blank: skipped
    assert [c["verdict"] for c in comps] == ["eligible", "not_eligible", "eligible"]
    assert doc["totals"] == {"eligible": 2, "not_eligible": 1, "undetermined": 0, "excluded": 0}
    assert "第5行: 企业名称: '衡阳恒远精密机械有限公司': 企业名称重复（第2行也有）" in r.stderr
    assert "备注说明" in r.stderr and "未知列，已忽略" in r.stderr
    # every per-year style was read: same documents as 'assess' on the JSON samples
    lines = [json.loads(x) for x in (tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()]
    for line, name in zip(lines, ["hengyang-eligible.json", "hengyang-near-miss.json", "hengyang-eligible.json"]):
        single = assess_json(SAMPLES / name)
        assert line["verdict"] == single["verdict"]
        # the roster has no columns for the priority conditions: compare the required ones
        assert [(c["id"], c["status"], c["actual"]) for c in line["conditions"] if c["kind"] == "required"] == \
               [(c["id"], c["status"], c["actual"]) for c in single["conditions"] if c["kind"] == "required"]


def test_roster_csv_bad_cell_reported_with_row(tmp_path):
    header, rows = _roster_rows()
    rows[2][header.index("主营业务收入2025")] = "一千万"
    p = tmp_path / "roster.csv"
    with open(p, "w", encoding="gb18030", newline="") as fh:  # as Excel saves CSV on a Chinese Windows
        w = csv.writer(fh)
        w.writerow(header)
        for row in rows:
            w.writerow(["" if v is None else v for v in row])
    r = run("batch", p, "--scheme", "hengyang", "--as-of", AS_OF, "--lang", "en")
    assert r.exit_code == 2
    assert "row 4: 主营业务收入2025 (2025): '一千万': not a number" in r.stderr
    assert "衡阳恒远精密机械有限公司" in r.stdout and "衡阳湘江新材料科技有限公司" not in r.stdout
    r = run("batch", p, "--scheme", "hengyang", "--as-of", AS_OF)
    assert r.exit_code == 2
    assert "zjtx: error: " in r.stderr and "第4行: 主营业务收入2025 (2025): '一千万': 不是数字" in r.stderr


def test_single_applicant_xlsx_is_not_a_roster(tmp_path):
    p = tmp_path / "one.xlsx"
    write_applicant_xlsx(p, sample("hengyang-near-miss.json"))
    r = run("batch", p, "--scheme", "hengyang", "--as-of", AS_OF, "--format", "json")
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [c["verdict"] for c in doc["companies"]] == ["not_eligible"]
    assert doc["companies"][0]["unmet"] == 3


# ------------------------------------------------------------------------------- exports
@pytest.fixture
def export_folder(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for n in HY:
        shutil.copy(SAMPLES / n, d / n)
    evil = sample("hengyang-eligible.json")
    evil["company_name"] = '=HYPERLINK("x")'
    (d / "zz-evil.json").write_text(json.dumps(evil, ensure_ascii=False), encoding="utf-8")
    (d / "zz-broken.json").write_text("{", encoding="utf-8")
    return d


def test_xlsx_export(export_folder, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "r.xlsx"
    r = run("batch", export_folder, "--scheme", "hengyang", "--as-of", AS_OF, "--out", out)
    assert r.exit_code == 2
    wb = load_workbook(out)
    ws, gs, ps, _es = wb.worksheets  # 4th: documents still to collect (issue 13)
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:")
    head = [c.value for c in ws[1]]
    rows = {row[0]: dict(zip(head, row)) for row in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"衡阳恒远精密机械有限公司", "衡阳湘江新材料科技有限公司", "衡阳云智软件有限公司", "'=HYPERLINK(\"x\")"}
    el = rows["衡阳恒远精密机械有限公司"]
    assert el["结论"] == "符合条件" and el["不满足"] == 0 and el["满足"] == 16
    assert el["hy-2-revenue"] == "满足" and el["hy-p3-listing"] == "优先·不满足"
    assert el["主营业务收入（万元）"] == 6300
    assert el["资产负债率（%）"] == 50  # 4300 / 8600
    nm = rows["衡阳湘江新材料科技有限公司"]
    assert nm["结论"] == "不符合条件" and nm["hy-2-revenue"] == "不满足" and nm["主营业务收入（万元）"] == 1980
    assert "尚差 1 项" in nm["主要差距"]  # the hardest of its gaps (patents, 差距大), not the first
    md = rows["衡阳云智软件有限公司"]
    assert md["结论"] == "无法判定（缺数据）" and md["hy-2-growth"] == "缺数据"
    # coloured status cells (conditional formatting over the status columns)
    rules = [(str(cf.sqref), rule.formula[0], rule.dxf.fill.fgColor.rgb)
             for cf in ws.conditional_formatting for rule in cf.rules]
    assert any(f == '"满足"' and rgb.endswith("C6EFCE") for _s, f, rgb in rules)
    assert any(f == '"不满足"' and rgb.endswith("FFC7CE") for _s, f, rgb in rules)
    # gaps sheet: one row per gap of each company
    gaps = [g for g in gs.iter_rows(min_row=2, values_only=True)]
    expected = {g["condition"] for g in assess_json(SAMPLES / "hengyang-near-miss.json")["gaps"]}
    assert len(expected) == 3 and {g[4] for g in gaps if g[0] == "衡阳湘江新材料科技有限公司"} == expected
    # problems sheet
    probs = list(ps.iter_rows(min_row=2, values_only=True))
    assert len(probs) == 1 and probs[0][0].endswith("zz-broken.json") and "不是有效的 JSON" in probs[0][5]


def test_csv_export_bom_and_neutralised(export_folder, tmp_path):
    out = tmp_path / "r.csv"
    r = run("batch", export_folder, "--scheme", "hengyang", "--as-of", AS_OF, "--out", out, "--lang", "en")
    assert r.exit_code == 2
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    by = {row["Company"]: row for row in rows}
    assert '\'=HYPERLINK("x")' in by and '=HYPERLINK("x")' not in by
    assert by["衡阳恒远精密机械有限公司"]["Verdict"] == "eligible"
    assert by["衡阳湘江新材料科技有限公司"]["hy-2-revenue"] == "unmet"
    assert by["衡阳湘江新材料科技有限公司"]["Main-business revenue (万元)"] == "1980"
    broken = [row for row in rows if row["Verdict"] == "unreadable"]
    assert len(broken) == 1 and broken[0]["Source"].endswith("zz-broken.json")
    assert "not valid JSON" in broken[0]["Largest gap"]


def test_jsonl_equals_single_assess(export_folder, tmp_path):
    out = tmp_path / "r.jsonl"
    r = run("batch", export_folder, "--scheme", "hengyang", "--as-of", AS_OF, "--out", out)
    assert r.exit_code == 2
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 4
    for doc in lines:
        single = assess_json(doc["source_file"])
        assert doc == single  # same schema, same values, key for key


def test_ladder_scheme_batch_equals_assess(tmp_path):
    names = sorted(p.name for p in SAMPLES.glob("jinhu-*.json"))
    if not names:
        pytest.skip("no jinhu samples")
    d = tmp_path / "in"
    d.mkdir()
    for n in names:
        shutil.copy(SAMPLES / n, d / n)
    out = tmp_path / "r.jsonl"
    r = run("batch", d, "--scheme", "jinhu", "--as-of", AS_OF, "--out", out, "--format", "json")
    assert r.exit_code == 0, r.stderr
    summary = json.loads(r.stdout)["companies"]
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    for doc, s in zip(lines, summary):
        single = assess_json(doc["source_file"], "jinhu")
        assert doc == single
        assert s["verdict"] == single["verdict"]
        assert s["highest_tier"] == single.get("highest_tier", s["highest_tier"])


def test_pool_gives_the_same_results(export_folder, tmp_path):
    a = run("batch", export_folder, "--scheme", "hengyang", "--as-of", AS_OF, "--format", "json", "--jobs", "1")
    b = run("batch", export_folder, "--scheme", "hengyang", "--as-of", AS_OF, "--format", "json", "--jobs", "2")
    assert a.exit_code == b.exit_code == 2
    assert json.loads(a.stdout) == json.loads(b.stdout)


def test_roster_rows_get_the_same_data_checks_as_files(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("企业名称,成立日期,营业收入2025,主营业务收入2025,从业人员2025,研发人员2025\n"
                 "好公司,2015-01-01,3000,2800,100,20\n"
                 "坏公司,2015-01-01,100,200,10,50\n"
                 "负数公司,2015-01-01,-5,10,10,1\n", encoding="utf-8")
    r = run("batch", p, "--scheme", "hengyang", "--as-of", AS_OF)
    assert r.exit_code == 2
    err = r.stderr
    # row 3: main-business revenue above operating revenue, R&D staff above employees; row 4: negative money
    assert "第3行" in err and "主营业务收入" in err and "研发人员" in err
    assert "主营业务收入是营业收入（100）的一部分，不能大于营业收入" in err
    assert "第4行" in err and "营业收入" in err
    assert "好公司" in r.stdout and "坏公司" not in r.stdout


def test_xlsx_condition_columns_explain_themselves(tmp_path):
    import openpyxl

    out = tmp_path / "r.xlsx"
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / "hengyang-near-miss.json", folder)
    r = run("batch", folder, "--scheme", "hengyang", "--out", out, "--as-of", AS_OF)
    assert r.exit_code == 0
    ws = openpyxl.load_workbook(out).worksheets[0]
    notes = {c.value: c.comment.text for c in ws[1] if c.comment}
    assert "hy-2-revenue" in notes and "004_5de2faa6872fe21e.txt 四(一)2" in notes["hy-2-revenue"]
    assert "2000万元" in notes["hy-2-revenue"]


def test_a_company_that_cannot_be_assessed_does_not_stop_the_batch(tmp_path, monkeypatch):
    from zjtx_cli.batch import runner as batch

    folder = tmp_path / "in"
    folder.mkdir()
    for name in HY:
        shutil.copy(SAMPLES / name, folder)
    real = batch.Scorer.score

    def flaky(self, e, row=None):
        if "near-miss" in e.source:
            raise ArithmeticError("boom")
        return real(self, e, row=row)

    monkeypatch.setattr(batch.Scorer, "score", flaky)
    out = tmp_path / "r.csv"
    r = run("batch", folder, "--scheme", "hengyang", "--out", out, "--as-of", AS_OF, "--jobs", "1")
    assert r.exit_code == 2
    assert "near-miss" in r.stderr and "ArithmeticError" in r.stderr
    text = out.read_text(encoding="utf-8-sig")
    assert "衡阳恒远精密机械有限公司" in text and "衡阳云智软件有限公司" in text


def test_roster_percent_cells_and_leading_empty_column_read_as_assess_reads_them(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    # the table starts in column B, row 2
    ws["B2"], ws["C2"], ws["D2"] = "企业名称", "主导产品全国细分市场占有率", "营业收入2025"
    ws["B3"], ws["C3"], ws["D3"] = "甲公司", 0.35, 6000
    ws["C3"].number_format = "0%"  # shows 35%: Excel stores 0.35
    ws["B4"], ws["C4"], ws["D4"] = "乙公司", 12, -1  # a bad cell two rows down
    p = tmp_path / "pct.xlsx"
    wb.save(p)
    out = tmp_path / "r.jsonl"
    r = run("batch", p, "--scheme", "miit-2026", "--tier", "little-giant", "--out", out, "--as-of", AS_OF,
            "--jobs", "1", "--lang", "en")
    assert r.exit_code == 2
    assert "row 4" in r.stderr and "营业收入" in r.stderr  # the sheet's own row number
    doc = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    def actuals(node):
        if node.get("metric") == ["market_share_national"]:
            yield node.get("actual")
        for sub in node.get("checks") or []:
            yield from actuals(sub)
        for k in ("when", "then", "fallback"):
            if isinstance(node.get(k), dict):
                yield from actuals(node[k])

    found = [v for c in doc["conditions"] for v in actuals(c["detail"])]
    assert found and set(found) == {35}  # 35%, not 0.35%
