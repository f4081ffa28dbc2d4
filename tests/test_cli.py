"""The command line through Typer's runner: output, JSON schema, exit statuses, bad input."""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from zjtx_cli import __version__
from zjtx_cli.cli.app import app

SAMPLES = os.path.join(ROOT, "samples")


def run(*args):
    runner = CliRunner()
    return runner.invoke(app, list(args), catch_exceptions=False)


def sample(name):
    return os.path.join(SAMPLES, name)


def test_version_and_help():
    r = run("--version")
    assert r.exit_code == 0 and __version__ in r.stdout
    r = run("--help")
    assert r.exit_code == 0
    for cmd in ("assess", "schemes", "rules", "batch", "template"):
        assert cmd in r.stdout
    assert "Exit status" in r.stdout


@pytest.mark.parametrize("name,code,verdict", [
    ("hengyang-eligible.json", 0, "eligible"),
    ("hengyang-near-miss.json", 1, "not_eligible"),
    ("hengyang-missing-data.json", 3, "undetermined"),
])
def test_assess_json_and_exit_codes(name, code, verdict):
    r = run("assess", sample(name), "--scheme", "hengyang", "--format", "json", "--as-of", "2025-06-01")
    assert r.exit_code == code
    doc = json.loads(r.stdout)
    assert doc["format_version"].startswith("1.")
    assert doc["scheme"] == "hengyang" and doc["tier"] == "municipal"
    assert doc["verdict"] == verdict
    for c in doc["conditions"]:
        assert {"id", "kind", "status", "actual", "required", "citation"} <= set(c)
        assert c["citation"].startswith("004_5de2faa6872fe21e.txt")
    assert isinstance(doc["gaps"], list)
    assert (verdict == "eligible") == (doc["gaps"] == [])


def test_excluded_exit_code(tmp_path):
    # bicycle / miit-2020 have exclusions; Hengyang puts accidents under a basic condition,
    # so exercise the 'excluded' exit path through the engine's verdict table instead
    from zjtx_cli.cli.app import VERDICT_EXIT

    assert VERDICT_EXIT == {"eligible": 0, "not_eligible": 1, "excluded": 1, "undetermined": 3, "conditional": 4}


def test_json_gap_figures_near_miss():
    r = run("assess", sample("hengyang-near-miss.json"), "-s", "hengyang", "-f", "json", "--lang", "en")
    doc = json.loads(r.stdout)
    gaps = {g["condition"]: g for g in doc["gaps"]}
    rev = gaps["hy-2-revenue"]["items"][0]
    assert rev["actual"] == 1980 and rev["required"] == 2000 and rev["shortfall"]["amount"] == 20
    assert rev["shortfall"]["unit"] == "万元"
    rd = gaps["hy-4-rd"]["items"][0]["shortfall"]
    assert rd["amount"] == pytest.approx(2.8)


def test_table_output_zh_and_en():
    r = run("assess", sample("hengyang-near-miss.json"), "--scheme", "hengyang")
    assert r.exit_code == 1
    assert "不符合条件" in r.stdout and "差距" in r.stdout and "尚差 20 万元" in r.stdout
    r = run("assess", sample("hengyang-near-miss.json"), "--scheme", "hengyang", "--lang", "en")
    assert "not eligible" in r.stdout and "short by 20 万元" in r.stdout


def test_json_is_never_styled(monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    r = run("assess", sample("hengyang-eligible.json"), "--scheme", "hengyang", "--format", "json")
    assert "\x1b[" not in r.stdout
    json.loads(r.stdout)


def test_no_color_honoured(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("FORCE_COLOR", "1")
    r = run("assess", sample("hengyang-eligible.json"), "--scheme", "hengyang")
    assert "\x1b[3" not in r.stdout  # no colour codes


def test_year_override_changes_assessment_year():
    r = run("assess", sample("hengyang-eligible.json"), "-s", "hengyang", "-f", "json", "--year", "2024")
    doc = json.loads(r.stdout)
    assert doc["assessment_year"] == 2024
    # 2024 alone has no 2022 base for growth and no 2024 assets: undetermined
    assert doc["verdict"] == "undetermined" and r.exit_code == 3


def test_what_if_set_overrides():
    r = run("assess", sample("hengyang-near-miss.json"), "-s", "hengyang", "-f", "json",
            "--set", "main_business_revenue.2025=2000", "--set", "rd_expense.2025=62",
            "--set", "utility_patents=3")
    doc = json.loads(r.stdout)
    assert doc["verdict"] == "eligible" and r.exit_code == 0
    assert any(o.startswith("main_business_revenue.2025") for o in doc["overrides"])
    # the file itself is untouched
    with open(sample("hengyang-near-miss.json"), encoding="utf-8") as fh:
        assert json.load(fh)["main_business_revenue"]["2025"] == 1980


@pytest.mark.parametrize("arg,msg", [
    ("rd_expense=5", "per year"),
    ("nonsense_field=5", "unknown field"),
    ("rd_expense.2025=abc", "not a number"),
    ("noequals", "KEY=VALUE"),
])
def test_bad_set_is_usage_error(arg, msg):
    r = run("assess", sample("hengyang-near-miss.json"), "-s", "hengyang", "--set", arg, "--lang", "en")
    assert r.exit_code == 2
    assert msg in r.stderr and "Traceback" not in r.stderr


def test_unknown_scheme_and_tier():
    r = run("assess", sample("hengyang-eligible.json"), "--scheme", "nowhere", "--lang", "en")
    assert r.exit_code == 2 and "unknown scheme" in r.stderr
    r = run("assess", sample("hengyang-eligible.json"), "--scheme", "hengyang", "--tier", "nope", "--lang", "en")
    assert r.exit_code == 2 and "unknown tier" in r.stderr
    # Chinese by default
    r = run("assess", sample("hengyang-eligible.json"), "--scheme", "nowhere")
    assert r.exit_code == 2 and "zjtx: error: 未知方案 'nowhere'；可用的方案：" in r.stderr and "hengyang" in r.stderr
    r = run("assess", sample("hengyang-eligible.json"), "--scheme", "hengyang", "--tier", "nope")
    assert r.exit_code == 2 and "方案 hengyang 没有层级或类别 'nope'" in r.stderr


def test_usage_errors_exit_2():
    r = run("assess", sample("hengyang-eligible.json"))  # --scheme missing
    assert r.exit_code == 2
    r = run("assess", sample("hengyang-eligible.json"), "-s", "hengyang", "--format", "xml")
    assert r.exit_code == 2 and "--format" in r.stderr
    r = run("assess", sample("hengyang-eligible.json"), "-s", "hengyang", "--lang", "fr")
    assert r.exit_code == 2


def _one_line_error(r, *needles):
    assert r.exit_code == 2
    assert "Traceback" not in r.stderr and r.stdout == ""
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("zjtx: error:")]
    assert len(lines) >= 1
    for n in needles:
        assert n in r.stderr
    return lines


def test_malformed_json_one_line_error(tmp_path):
    p = tmp_path / "broken.json"
    p.write_text('{"company_name": "x", "operating_revenue": {"2025": 100,}', encoding="utf-8")
    lines = _one_line_error(run("assess", str(p), "-s", "hengyang", "--lang", "en"), "broken.json", "not valid JSON")
    assert len(lines) == 1


def test_corrupt_xlsx_one_line_error(tmp_path):
    p = tmp_path / "corrupt.xlsx"
    p.write_bytes(b"PK\x03\x04 this is not really a workbook")
    lines = _one_line_error(run("assess", str(p), "-s", "hengyang"), "corrupt.xlsx")
    assert len(lines) == 1


def test_missing_file_and_wrong_type(tmp_path):
    _one_line_error(run("assess", str(tmp_path / "nope.json"), "-s", "hengyang", "--lang", "en"), "nope.json", "no such file")
    p = tmp_path / "a.txt"
    p.write_text("x")
    _one_line_error(run("assess", str(p), "-s", "hengyang", "--lang", "en"), "a.txt", "unsupported file type")


def test_bad_values_all_reported(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text(json.dumps({"company_name": "坏数据有限公司", "operating_revenue": {"2025": "lots"},
                             "founding_date": "yesterday", "own_brand": "maybe"}, ensure_ascii=False),
                 encoding="utf-8")
    lines = _one_line_error(run("assess", str(p), "-s", "hengyang"), "bad.json", "lots", "yesterday", "maybe")
    assert len(lines) == 3


def test_unknown_label_warns_with_suggestion(tmp_path):
    p = tmp_path / "typo.json"
    with open(sample("hengyang-eligible.json"), encoding="utf-8") as fh:
        d = json.load(fh)
    d["main_busines_revenue"] = d.pop("main_business_revenue")
    p.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    r = run("assess", str(p), "-s", "hengyang", "-f", "json")
    assert "main_busines_revenue" in r.stderr and "main_business_revenue" in r.stderr
    assert json.loads(r.stdout)["verdict"] == "undetermined"


def test_xlsx_label_value_layout(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["指标", "2023", "2024", "2025"])
    with open(sample("hengyang-near-miss.json"), encoding="utf-8") as fh:
        d = json.load(fh)
    from zjtx_cli.inputs.fields import field_dictionary

    fields = field_dictionary()
    for k, v in d.items():
        label = fields[k].zh
        if isinstance(v, dict):
            ws.append([label] + [v.get(y) for y in ("2023", "2024", "2025")])
        elif isinstance(v, bool):
            ws.append([label, "是" if v else "否"])
        else:
            ws.append([label, v])
    # money given in 元 in the label: 19,800,000元 is exactly 1980 万元
    for row in ws.iter_rows():
        if row[0].value == "主营业务收入":
            row[0].value = "主营业务收入（元）"
            for c in row[1:]:
                c.value = c.value * 10000
    p = tmp_path / "company.xlsx"
    wb.save(p)
    r = run("assess", str(p), "-s", "hengyang", "-f", "json")
    doc = json.loads(r.stdout)
    assert doc["verdict"] == "not_eligible"
    rev = [g for g in doc["gaps"] if g["condition"] == "hy-2-revenue"][0]["items"][0]
    assert rev["actual"] == 1980 and rev["shortfall"]["amount"] == 20


def test_schemes_and_rules():
    r = run("schemes", "--format", "json")
    assert r.exit_code == 0
    ids = {s["id"] for s in json.loads(r.stdout)["schemes"]}
    assert "hengyang" in ids
    r = run("schemes")
    assert "hengyang" in r.stdout and "2021–2025" in r.stdout
    r = run("rules", "hengyang")
    assert r.exit_code == 0
    assert "004_5de2faa6872fe21e.txt 四(一)2" in r.stdout and "hy-p4-honour" in r.stdout
    r = run("rules", "hengyang", "--format", "json")
    doc = json.loads(r.stdout)
    conds = doc["tiers"][0]["tracks"][0]["conditions"]
    assert len([c for c in conds if c["kind"] == "required"]) == 16
    assert len([c for c in conds if c["kind"] == "priority"]) == 4


def test_expired_plan_warns_once(tmp_path):
    r = run("assess", sample("hengyang-eligible.json"), "-s", "hengyang", "--as-of", "2026-11-01", "-f", "json")
    warnings = [ln for ln in r.stderr.splitlines() if "2025" in ln and "warning" in ln]
    assert len(warnings) == 1
    r = run("assess", sample("hengyang-eligible.json"), "-s", "hengyang", "--as-of", "2025-06-01", "-f", "json")
    assert "方案执行期" not in r.stderr


def test_figures_not_before_the_assessment_date_warn():
    # 2025 figures assessed as of 2025-06-01: 上年度 would be 2024, say so
    r = run("assess", sample("hengyang-eligible.json"), "-s", "hengyang", "--as-of", "2025-06-01", "-f", "json",
            "--lang", "en")
    assert "上年度 would be 2024" in r.stderr and json.loads(r.stdout)["assessment_year"] == 2025
    r = run("assess", sample("hengyang-eligible.json"), "-s", "hengyang", "--as-of", "2025-06-01", "-f", "json")
    assert "zjtx: warning: " in r.stderr and "（上年度应为 2024 年）" in r.stderr
    r = run("assess", sample("hengyang-eligible.json"), "-s", "hengyang", "--as-of", "2026-01-01", "-f", "json")
    assert "上年度" not in r.stderr


def test_internal_error_is_one_line_not_a_traceback(monkeypatch, capsys):
    import sys

    from zjtx_cli.cli import app as cli

    def boom(*a, **k):
        raise RuntimeError("something broke\nsecond line")

    from zjtx_cli import assessment

    monkeypatch.setattr(assessment, "load_enterprise", boom)
    monkeypatch.setattr(sys, "argv", ["zjtx", "assess", sample("hengyang-eligible.json"), "-s", "hengyang"])
    monkeypatch.delenv("ZJTX_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exc:
        cli.main()
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error: RuntimeError: something broke" in err


def test_set_values_get_the_data_checks():
    r = run("assess", sample("hengyang-eligible.json"), "-s", "hengyang", "--set", "main_business_revenue.2025=-100",
            "--lang", "en")
    assert r.exit_code == 2 and "after --set" in r.stderr and "-100" in r.stderr
    r = run("assess", sample("hengyang-eligible.json"), "-s", "hengyang", "--set", "main_business_revenue.2025=-100")
    assert r.exit_code == 2 and "zjtx: error: --set 之后：" in r.stderr and "负值：金额不能小于 0" in r.stderr
    r = run("assess", sample("hengyang-eligible.json"), "-s", "hengyang", "--set", "rd_staff.2025=9999")
    assert r.exit_code == 2 and "研发人员" in r.stderr


def test_roster_given_to_assess_is_pointed_to_batch(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["企业名称", "成立日期", "主营业务收入2025", "营业收入2025"])
    ws.append(["甲公司", "2015-01-01", 2100, 2300])
    ws.append(["乙公司", "2016-01-01", 900, 1000])
    p = tmp_path / "名单.xlsx"
    wb.save(p)
    lines = _one_line_error(run("assess", str(p), "-s", "hengyang", "--lang", "en"), "looks like a roster", "zjtx batch")
    assert len(lines) == 1
    c = tmp_path / "名单.csv"
    c.write_text("企业名称,营业收入2025\n甲公司,100\n", encoding="utf-8")
    _one_line_error(run("assess", str(c), "-s", "hengyang", "--lang", "en"), "roster", "zjtx batch")
    _one_line_error(run("assess", str(c), "-s", "hengyang"), "CSV 文件按企业名单读取", "zjtx batch")


def test_chinese_wrapping_never_splits_a_number_or_starts_a_line_with_punctuation():
    import io

    from rich.console import Console
    from rich.text import Text

    from zjtx_cli.outputs.report import enable_cjk_wrap

    enable_cjk_wrap()
    text = "制造业企业上年度主营业务收入2000万元以上；软件和信息技术服务业企业1000万元以上，资产负债率不高于70%"
    for width in range(12, 40):
        buf = io.StringIO()
        Console(file=buf, width=width, no_color=True).print(Text(text))
        lines = [ln.strip() for ln in buf.getvalue().splitlines()]
        assert "".join(lines) == text
        joined = "\n".join(lines)
        for number in ("2000万元", "1000万元", "70%"):
            assert number in joined, (width, lines)
        assert not any(ln.startswith(("；", "，", "%")) for ln in lines), (width, lines)
