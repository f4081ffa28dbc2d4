"""Input problems in Chinese by default, in English with --lang en.

Representative problems are checked in both languages, through the command
line (stderr, exit status, the batch workbook's 原因/Reason column) and through
the library (Problem.line, BadValue.zh).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zjtx_cli.cli.app import app
from zjtx_cli.inputs.fields import field_dictionary
from zjtx_cli.inputs.model import InputError, Problem
from zjtx_cli.inputs.values import (BadValue, parse_bool, parse_choice, parse_date, parse_integer, parse_number,
                             parse_text, uscc_problem)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = str(ROOT / "samples" / "hengyang-eligible.json")


def run(*args):
    r = CliRunner().invoke(app, [str(a) for a in args])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r


def both(*args):
    """(Chinese run, English run) of the same command."""
    return run(*args), run(*args, "--lang", "en")


def error_lines(r):
    assert r.exit_code == 2, r.stderr
    assert "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    assert lines and all(ln.startswith(("zjtx: error: ", "zjtx: warning: ")) for ln in lines), lines
    return [ln for ln in lines if ln.startswith("zjtx: error: ")]


def bad_json(tmp_path, **values):
    d = json.loads(Path(SAMPLE).read_text(encoding="utf-8"))
    d.update(values)
    p = tmp_path / "x.json"
    p.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    return p


# --------------------------------------------------------------------------- assess
def test_bad_number_both_languages(tmp_path):
    p = bad_json(tmp_path, operating_revenue={"2024": 9000, "2025": "lots"})
    zh, en = both("assess", p, "-s", "hengyang")
    assert error_lines(zh) == [f"zjtx: error: {p}: operating_revenue (2025): 'lots': 不是数字"]
    assert error_lines(en) == [f"zjtx: error: {p}: operating_revenue (2025): 'lots': not a number"]


def test_bad_date_both_languages(tmp_path):
    p = bad_json(tmp_path, founding_date="yesterday")
    zh, en = both("assess", p, "-s", "hengyang")
    assert error_lines(zh) == [f"zjtx: error: {p}: founding_date: 'yesterday': 不是有效日期（如 2015-03-01）"]
    assert error_lines(en) == [f"zjtx: error: {p}: founding_date: 'yesterday': expected a date such as 2015-03-01"]


def test_bad_yes_no_both_languages(tmp_path):
    p = bad_json(tmp_path, own_brand="maybe")
    zh, en = both("assess", p, "-s", "hengyang")
    assert error_lines(zh)[0].endswith("'maybe': 应为“是/否”")
    assert error_lines(en)[0].endswith("'maybe': expected yes/no (是/否)")


def test_not_json_both_languages(tmp_path):
    p = tmp_path / "broken.json"
    p.write_text('{"company_name": "x",\n  "operating_revenue": {"2025": 100,}}', encoding="utf-8")
    zh, en = both("assess", p, "-s", "hengyang")
    assert error_lines(zh) == [f"zjtx: error: {p}: 不是有效的 JSON（第2行第37列）"]
    assert error_lines(en) == [f"zjtx: error: {p}: not valid JSON: Expecting property name enclosed in double "
                               f"quotes at line 2 column 37"]


def test_corrupt_xlsx_both_languages(tmp_path):
    p = tmp_path / "corrupt.xlsx"
    p.write_bytes(b"hello world")
    zh, en = both("assess", p, "-s", "hengyang")
    assert error_lines(zh) == [f"zjtx: error: {p}: 不是 xlsx 工作簿（不是 zip 压缩包）"]
    assert error_lines(en) == [f"zjtx: error: {p}: is not an xlsx workbook (not a zip archive)"]


def test_missing_file_both_languages(tmp_path):
    p = tmp_path / "nope.json"
    zh, en = both("assess", p, "-s", "hengyang")
    assert error_lines(zh) == [f"zjtx: error: {p}: 文件不存在"]
    assert error_lines(en) == [f"zjtx: error: {p}: no such file"]


def test_data_check_both_languages(tmp_path):
    p = bad_json(tmp_path, operating_revenue={"2024": 9000, "2025": 100})
    zh, en = both("assess", p, "-s", "hengyang")
    [z] = [ln for ln in error_lines(zh) if "main_business_revenue" in ln]
    [e] = [ln for ln in error_lines(en) if "main_business_revenue" in ln]
    assert z.startswith(f"zjtx: error: {p}: 主营业务收入 (main_business_revenue) (2025): ")
    assert z.endswith("主营业务收入是营业收入（100）的一部分，不能大于营业收入")
    assert e.endswith("main-business revenue is part of operating revenue (100) and cannot exceed it")


def test_unknown_label_warning_both_languages(tmp_path):
    p = bad_json(tmp_path, main_busines_revenu=5)
    zh, en = both("assess", p, "-s", "hengyang", "-f", "json")
    assert f"zjtx: warning: {p}: main_busines_revenu: 未知标签，已忽略（是否为“" in zh.stderr
    assert f"zjtx: warning: {p}: main_busines_revenu: unknown label, ignored (did you mean " in en.stderr
    # the JSON document's warnings follow --lang too
    assert "未知标签" in json.loads(zh.stdout)["warnings"][0]
    assert "unknown label" in json.loads(en.stdout)["warnings"][0]


def test_unknown_scheme_and_usage_errors_both_languages():
    zh, en = both("assess", SAMPLE, "-s", "nowhere")
    assert error_lines(zh)[0].startswith("zjtx: error: 未知方案 'nowhere'；可用的方案：")
    assert error_lines(en)[0].startswith("zjtx: error: unknown scheme 'nowhere'; known: ")
    zh, en = both("assess", SAMPLE, "-s", "hengyang", "--format", "xml")
    assert error_lines(zh) == ["zjtx: error: --format 只能是 table、json 之一，不能是 'xml'"]
    assert error_lines(en) == ["zjtx: error: --format must be one of table, json, not 'xml'"]
    zh, en = both("assess", SAMPLE, "-s", "hengyang", "--as-of", "soon")
    assert error_lines(zh) == ["zjtx: error: --as-of：'soon' 不是日期（应为 YYYY-MM-DD）"]
    assert error_lines(en) == ["zjtx: error: --as-of: 'soon' is not a date (YYYY-MM-DD)"]
    # an unknown language is told in both, as we cannot know which the user reads
    r = run("assess", SAMPLE, "-s", "hengyang", "--lang", "fr")
    assert error_lines(r) == ["zjtx: error: --lang 只能是 zh 或 en，不能是 'fr'（--lang must be zh or en, not 'fr'）"]


def test_set_problems_both_languages():
    zh, en = both("assess", SAMPLE, "-s", "hengyang", "--set", "rd_expense.2025=abc", "--set", "rd_expense=5")
    assert error_lines(zh) == ["zjtx: error: --set rd_expense.2025='abc': 不是数字",
                               "zjtx: error: --set 'rd_expense'：rd_expense 按年度填报，请写作 rd_expense.YEAR=VALUE"]
    assert error_lines(en) == ["zjtx: error: --set rd_expense.2025='abc': not a number",
                               "zjtx: error: --set 'rd_expense': rd_expense is given per year: write "
                               "rd_expense.YEAR=VALUE"]


# ---------------------------------------------------------------------------- batch
def test_roster_row_problem_both_languages(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("企业名称,成立日期,营业收入2025,主营业务收入2025\n"
                 "好公司,2015-01-01,3000,2800\n"
                 "坏日期公司,去年,3000,2800\n"
                 "好公司,2015-01-01,3000,2800\n", encoding="utf-8")
    zh, en = both("batch", p, "-s", "hengyang", "--as-of", "2026-01-01")
    assert error_lines(zh) == [f"zjtx: error: {p}: 第3行: 成立日期: '去年': 不是有效日期（如 2015-03-01）"]
    assert error_lines(en) == [f"zjtx: error: {p}: row 3: 成立日期: '去年': expected a date such as 2015-03-01"]
    assert f"zjtx: warning: {p}: 第4行: 企业名称: '好公司': 企业名称重复（第2行也有）" in zh.stderr
    assert f"zjtx: warning: {p}: row 4: 企业名称: '好公司': duplicate company name (also in row 2)" in en.stderr


def test_batch_workbook_reason_column_follows_lang(tmp_path):
    from openpyxl import load_workbook

    d = tmp_path / "in"
    d.mkdir()
    (d / "a.json").write_text(Path(SAMPLE).read_text(encoding="utf-8"), encoding="utf-8")
    (d / "b.json").write_text("{", encoding="utf-8")
    (d / "c.xlsx").write_bytes(b"not a zip")
    for lang, head, bad_json_reason, bad_xlsx_reason in (
            ("zh", "原因", "不是有效的 JSON（第1行第2列）", "不是 xlsx 工作簿（不是 zip 压缩包）"),
            ("en", "Reason", "not valid JSON", "is not an xlsx workbook (not a zip archive)")):
        out = tmp_path / f"{lang}.xlsx"
        r = run("batch", d, "-s", "hengyang", "--as-of", "2026-01-01", "--out", out, "--lang", lang)
        assert r.exit_code == 2
        ws = load_workbook(out).worksheets[2]
        rows = list(ws.iter_rows(values_only=True))
        assert rows[0][5] == head
        reasons = {Path(row[0]).name: row[5] for row in rows[1:]}
        assert reasons["b.json"].startswith(bad_json_reason)
        assert reasons["c.xlsx"] == bad_xlsx_reason
    # the CSV export's gap column carries the whole line, in the run's language
    out = tmp_path / "zh.csv"
    run("batch", d, "-s", "hengyang", "--as-of", "2026-01-01", "--out", out)
    text = out.read_text(encoding="utf-8-sig")
    assert "不是有效的 JSON（第1行第2列）" in text and "not valid JSON" not in text


def test_batch_json_summary_problems_carry_both_reasons(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "b.json").write_text("{", encoding="utf-8")
    r = run("batch", d, "-s", "hengyang", "--as-of", "2026-01-01", "--format", "json")
    [p] = json.loads(r.stdout)["problems"]
    assert p["reason"].startswith("not valid JSON") and p["reason_zh"] == "不是有效的 JSON（第1行第2列）"
    assert p["line"].endswith("不是有效的 JSON（第1行第2列）")


# -------------------------------------------------------------------------- library
def test_problem_line_chooses_language_and_falls_back():
    p = Problem("x.csv", "主营业务收入", "not a number", "200", 2025, row=3, reason_zh="不是数字")
    assert p.line() == "x.csv: row 3: 主营业务收入 (2025): '200': not a number"
    assert p.line("en") == p.line()
    assert p.line("zh") == "x.csv: 第3行: 主营业务收入 (2025): '200': 不是数字"
    q = Problem("x.json", None, "something new")  # no translation: English in both
    assert q.line("zh") == q.line("en") == "x.json: something new"
    assert p.to_json()["reason"] == "not a number" and p.to_json()["reason_zh"] == "不是数字"
    assert InputError([p]).problems == [p]


F = field_dictionary()


@pytest.mark.parametrize("call", [
    lambda: parse_number("abc"), lambda: parse_number("1,23,4"), lambda: parse_number("5 斤"),
    lambda: parse_number(True), lambda: parse_number(None), lambda: parse_number(float("nan")),
    lambda: parse_number("1e16"), lambda: parse_number("5人", "万元"), lambda: parse_number("5万元", "人"),
    lambda: parse_number("5万元", None), lambda: parse_number("5项", "人"), lambda: parse_number("5人", None),
    lambda: parse_integer("2.5", "人"), lambda: parse_bool("maybe"), lambda: parse_date("yesterday"),
    lambda: parse_date(2015), lambda: parse_date("2015-02-30"), lambda: parse_date(True),
    lambda: parse_choice(5, F["industry"].choices),
    lambda: parse_choice("nothing", {"a": {"zh": "甲", "en": "A"}}),
    lambda: parse_text(True), lambda: parse_text(object()),
])
def test_every_bad_value_has_a_chinese_reason(call):
    with pytest.raises(BadValue) as ei:
        call()
    exc = ei.value
    assert exc.zh and exc.zh != str(exc) and any("\u4e00" <= ch <= "\u9fff" for ch in exc.zh), (str(exc), exc.zh)


def test_credit_code_reason_both_languages():
    assert uscc_problem("91350100M000100Y44") == "check character should be '3', not '4'"
    assert uscc_problem("91350100M000100Y44", "zh") == "校验码应为“3”，而不是“4”"
    assert uscc_problem("91350100M000100Y4", "zh") == "应为 18 位，实为 17 位"
    assert uscc_problem("91350100M000100Y43", "zh") is None


def test_data_check_problems_all_translated():
    from zjtx_cli.inputs.checks import check_enterprise
    from zjtx_cli.inputs.model import Enterprise

    e = Enterprise({"operating_revenue": {2023: Decimal(100), 2025: Decimal(-5)},
                    "main_business_revenue": {2025: Decimal(10)},
                    "employees": {2025: 5}, "rd_staff": {2025: 9},
                    "founding_date": dt.date(2099, 1, 1), "credit_code": "91350100M000100Y44"}, "t.json")
    errors, warnings = check_enterprise(e, F, today=dt.date(2026, 1, 1))
    assert errors and warnings
    for p in errors + warnings:
        assert p.reason_zh and p.line("zh") != p.line("en"), p.line()
