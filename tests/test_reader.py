"""Reading JSON and xlsx files (reader.py): layouts, units, formulas, every problem reported."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import zipfile
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from zjtx_cli.cli.app import app
from zjtx_cli.inputs.fields import field_dictionary
from zjtx_cli.inputs.model import InputError
from zjtx_cli.inputs.json_reader import read_json
from zjtx_cli.inputs.label_sheet import read_rows, read_xlsx
from zjtx_cli.inputs.reader import read_enterprise
from zjtx_cli.inputs.sheet_xml import UNCACHED_FORMULA

openpyxl = pytest.importorskip("openpyxl")
F = field_dictionary()
D = Decimal


def run(*args):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def one_line_error(r, *needles):
    assert r.exit_code == 2, r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""
    lines = r.stderr.splitlines()
    assert lines and all(ln.startswith("zjtx: ") for ln in lines)
    for n in needles:
        assert n in r.stderr
    return [ln for ln in lines if ln.startswith("zjtx: error:")]


def write_json(tmp_path, data, name="e.json"):
    p = tmp_path / name
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(p)


def write_xlsx(tmp_path, rows, name="e.xlsx", fmt=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    if fmt:
        for coord, f in fmt.items():
            ws[coord].number_format = f
    p = tmp_path / name
    wb.save(p)
    return str(p)


def problems(excinfo):
    return [p.line() for p in excinfo.value.problems]


# ------------------------------------------------------------------------------- JSON
def test_json_keys_labels_and_units(tmp_path):
    p = write_json(tmp_path, {
        "企业名称": "某某科技有限公司",
        "营业收入（元）": {"2024": "18,000,000", "2025": 20000000},
        "main_business_revenue": {"2025": "1,900万元"},
        "2024年主营业务收入": 1700,
        "研发费用(万元)": {"2025年": "１２０"},
        "own_brand": "是", "key_supplier": "×",
        "founding_date": "2015年3月1日",
        "industry": "制造业",
        "_comment": "ignored",
    })
    e = read_enterprise(p, F)
    assert e.values["operating_revenue"] == {2024: D(1800), 2025: D(2000)}
    assert e.values["main_business_revenue"] == {2024: D(1700), 2025: D(1900)}
    assert e.values["rd_expense"] == {2025: D(120)}
    assert e.values["own_brand"] is True and e.values["key_supplier"] is False
    assert e.values["founding_date"] == dt.date(2015, 3, 1)
    assert e.values["industry"] == "manufacturing"
    assert e.warnings == []


def test_json_several_mistakes_all_reported(tmp_path):
    p = write_json(tmp_path, {
        "operating_revenue": {"2025": "lots", "20x5": 1},
        "founding_date": "yesterday",
        "own_brand": "maybe",
        "employees": 12,                        # per-year field given as one value
        "invention_patents": {"2025": 3},       # single value given per year
        "industry": "太空采矿",
    })
    with pytest.raises(InputError) as ei:
        read_enterprise(p, F)
    lines = problems(ei)
    assert len(lines) == 7, lines
    for needle in ("lots", "20x5", "yesterday", "maybe", "employees", "invention_patents", "太空采矿"):
        assert any(needle in ln for ln in lines), needle
    assert all(ln.startswith(p) for ln in lines)


def test_json_duplicate_key_is_an_error(tmp_path):
    p = tmp_path / "dup.json"
    p.write_text('{"own_brand": true, "own_brand": false}', encoding="utf-8")
    with pytest.raises(InputError, match="own_brand.*twice"):
        read_enterprise(str(p), F)
    # a label and a key for the same field with different values
    p2 = write_json(tmp_path, {"own_brand": True, "拥有自主品牌": "否"}, "dup2.json")
    with pytest.raises(InputError, match="given twice"):
        read_enterprise(p2, F)


@pytest.mark.parametrize("content,needle", [
    (b'{"company_name": "x",}', "not valid JSON"),
    (b'[1, 2, 3]', "JSON object"),
    (b'"just text"', "JSON object"),
    (b'\xff\xfe\x00garbage', "UTF-8"),
    (b'', "not valid JSON"),
    (b'[' * 100000, "not valid JSON"),
    (b'{"employees": {"2025": ' + b'9' * 5000 + b'}}', "not valid JSON"),
])
def test_json_malformed_one_line_exit_2(tmp_path, content, needle):
    p = tmp_path / "bad.json"
    p.write_bytes(content)
    with pytest.raises(InputError, match=needle):
        read_enterprise(str(p), F)
    lines = one_line_error(run("assess", str(p), "-s", "hengyang", "--lang", "en"), "bad.json", needle)
    assert len(lines) == 1


def test_json_bom_accepted(tmp_path):
    p = tmp_path / "bom.json"
    p.write_bytes(b"\xef\xbb\xbf" + json.dumps({"own_brand": True}).encode())
    assert read_enterprise(str(p), F).values == {"own_brand": True}


def test_json_too_large(tmp_path, monkeypatch):
    from zjtx_cli.inputs import sniff as sniff_module

    monkeypatch.setattr(sniff_module, "MAX_JSON_BYTES", 100)
    p = write_json(tmp_path, {"company_name": "x" * 200})
    with pytest.raises(InputError, match="too large"):
        read_enterprise(p, F)


def test_unknown_label_warns_with_suggestion(tmp_path):
    p = write_json(tmp_path, {"主营业务收人": {"2025": 100}, "own_brand": True})  # 人 for 入
    e = read_enterprise(p, F)
    assert e.values == {"own_brand": True}
    [w] = e.warnings
    assert w.severity == "warning" and "unknown label" in w.reason and "main_business_revenue" in w.reason


def test_unknown_label_through_cli(tmp_path):
    with open(os.path.join(ROOT, "samples", "hengyang-eligible.json"), encoding="utf-8") as fh:
        d = json.load(fh)
    d["研发费 用合计"] = d.pop("rd_expense")
    r = run("assess", write_json(tmp_path, d), "-s", "hengyang", "-f", "json")
    assert "zjtx: warning:" in r.stderr and "rd_expense" in r.stderr


# ------------------------------------------------------------------------------- xlsx
def test_xlsx_plain_label_value_rows(tmp_path):
    p = write_xlsx(tmp_path, [
        ["企业名称", "某某科技有限公司"],
        ["成立日期", dt.date(2015, 3, 1)],
        ["拥有自主品牌", "√"],
        ["有效发明专利（项）", "3项"],
        [None, "2024年", "2025年"],
        ["营业收入（元）", 18000000, "20,000,000"],
        ["  研发人员  ", 10, 12],
    ])
    e = read_enterprise(p, F)
    assert e.values == {"company_name": "某某科技有限公司", "founding_date": dt.date(2015, 3, 1), "own_brand": True,
                        "invention_patents": 3, "operating_revenue": {2024: D(1800), 2025: D(2000)},
                        "rd_staff": {2024: 10, 2025: 12}}


def test_xlsx_header_columns_key_unit_hint(tmp_path):
    p = write_xlsx(tmp_path, [
        ["指标", "字段键", "单位", 2024, 2025, "填写说明"],
        ["企业名称", "company_name", None, None, None, "营业执照上的全称"],   # left blank: the hint is not a value
        ["营业收入", "operating_revenue", "元", 18000000, 20000000, "单位万元"],
        ["主营业务收入", "main_business_revenue", "万元", "1,700", 1900.0, "x"],
        ["Edited label", "net_profit", "万元", -20, 35, ""],  # label changed by hand: the key column tells
        ["拥有自主品牌", "own_brand", None, "是", None, "下拉选择"],
    ])
    e = read_enterprise(p, F)
    assert "company_name" not in e.values
    assert e.values["operating_revenue"] == {2024: D(1800), 2025: D(2000)}
    assert e.values["main_business_revenue"] == {2024: D(1700), 2025: D(1900)}
    assert e.values["net_profit"] == {2024: D(-20), 2025: D(35)}
    assert e.values["own_brand"] is True


def test_xlsx_year_header_in_label_column(tmp_path):
    p = write_xlsx(tmp_path, [[2023, 2024, 2025], ["营业收入", 1, 2, 3]])
    with pytest.raises(InputError):  # years start in column A: the label column has no heading
        read_xlsx(p, F)
    p = write_xlsx(tmp_path, [["年度", 2023, 2024, 2025], ["营业收入", 1, 2, 3]], "b.xlsx")
    assert read_xlsx(p, F).values == {"operating_revenue": {2023: 1, 2024: 2, 2025: 3}}


def test_xlsx_per_year_row_without_years(tmp_path):
    p = write_xlsx(tmp_path, [["营业收入", 1800]])
    with pytest.raises(InputError, match="header row naming the years"):
        read_enterprise(p, F)


def test_xlsx_percent_formatted_cell(tmp_path):
    # typing 35% in Excel stores 0.35 with a percentage format: read it as the 35 shown
    p = write_xlsx(tmp_path, [["主导产品全国细分市场占有率", 0.35], ["主导产品全国细分市场占有率", None]],
                   fmt={"B1": "0%"})
    assert read_xlsx(p, F).values["market_share_national"] == D(35)
    p = write_xlsx(tmp_path, [["主导产品全国细分市场占有率", 35]], "plain.xlsx")
    assert read_xlsx(p, F).values["market_share_national"] == D(35)


def _formula_workbook(tmp_path, cached: str | None):
    """A workbook whose B2 holds =B1*2, with or without a cached value."""
    p = write_xlsx(tmp_path, [["年度", 2025], ["营业收入", 900], ["研发费用", "=B2/10"]], f"f{cached}.xlsx")
    if cached is None:
        return p
    src = zipfile.ZipFile(p)
    out = str(tmp_path / "cached.xlsx")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"(<f>B2/10</f>)(<v\s*/>|<v></v>)?", rb"\1<v>" + cached.encode() + b"</v>", data)
                assert cached.encode() in data
            dst.writestr(info, data)
    return out


def test_xlsx_formula_with_cached_value(tmp_path):
    e = read_xlsx(_formula_workbook(tmp_path, "90"), F)
    assert e.values["rd_expense"] == {2025: D(90)}


def test_xlsx_formula_without_cached_value_is_reported(tmp_path):
    p = _formula_workbook(tmp_path, None)  # openpyxl never computes formulas
    with pytest.raises(InputError) as ei:
        read_enterprise(p, F)
    [line] = problems(ei)
    assert "研发费用" in line and "2025" in line and UNCACHED_FORMULA in line


def test_xlsx_unknown_label_and_comment_rows(tmp_path):
    p = write_xlsx(tmp_path, [
        ["# 填表说明：金额单位万元"],
        ["基本信息"],
        ["企业名称", "某某公司"],
        ["注册资本", 500],
    ])
    e = read_enterprise(p, F)
    assert e.values == {"company_name": "某某公司"}
    [w] = e.warnings
    assert w.row == 4 and "注册资本" in w.line()


def test_xlsx_several_mistakes_all_reported(tmp_path):
    p = write_xlsx(tmp_path, [
        ["指标", "2024", "2025"],
        ["营业收入", "很多", 2000],
        ["研发人员", 2.5, 3],
        ["成立日期", "2015-02-30"],
        ["拥有自主品牌", "也许"],
        ["所属行业", "太空采矿"],
    ])
    with pytest.raises(InputError) as ei:
        read_enterprise(p, F)
    lines = problems(ei)
    assert len(lines) == 5, lines
    assert "row 2: 营业收入 (2024): '很多'" in lines[0]
    r = run("assess", p, "-s", "hengyang")
    assert r.exit_code == 2 and len(one_line_error(r)) == 5


@pytest.mark.parametrize("content,needle", [
    (b"PK\x03\x04 this is not really a workbook", "not an xlsx workbook"),
    (b"hello world", "not an xlsx workbook"),
    (b"", "not an xlsx workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "legacy .xls"),
])
def test_corrupt_xlsx_one_line_exit_2(tmp_path, content, needle):
    p = tmp_path / "corrupt.xlsx"
    p.write_bytes(content)
    with pytest.raises(InputError, match=needle):
        read_enterprise(str(p), F)
    assert len(one_line_error(run("assess", str(p), "-s", "hengyang", "--lang", "en"), "corrupt.xlsx", needle)) == 1


def test_truncated_xlsx(tmp_path):
    good = write_xlsx(tmp_path, [["企业名称", "x"]])
    data = open(good, "rb").read()
    p = tmp_path / "cut.xlsx"
    p.write_bytes(data[: len(data) // 2])
    assert len(one_line_error(run("assess", str(p), "-s", "hengyang"), "cut.xlsx")) == 1


def test_entity_bomb_refused_through_cli(tmp_path):
    good = write_xlsx(tmp_path, [["企业名称", "x"]])
    p = str(tmp_path / "bomb.xlsx")
    dtd = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;">]>'
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(p, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = dtd + data.replace(b"<t>x</t>", b"<t>&lol1;</t>")
                assert b"&lol1;" in data
            dst.writestr(info, data)
    one_line_error(run("assess", p, "-s", "hengyang"), "bomb.xlsx", "DOCTYPE")


def test_zip_bomb_refused_through_cli(tmp_path):
    good = write_xlsx(tmp_path, [["企业名称", "x"]])
    p = str(tmp_path / "zipbomb.xlsx")
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        dst.writestr("xl/media/padding.bin", b"\0" * (20 * 1024 * 1024))
    one_line_error(run("assess", p, "-s", "hengyang", "--lang", "en"), "zipbomb.xlsx", "zip bomb")


def test_legacy_xls_extension(tmp_path):
    p = tmp_path / "old.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0")
    # .xls is read now (issue 9); a broken one is one line naming the format
    one_line_error(run("assess", str(p), "-s", "hengyang", "--lang", "en"), "old.xls", "legacy .xls")


def test_read_rows_for_other_sources():
    # rows from any source (e.g. a CSV) read the same way; checks are on by default
    e = read_rows("roster.csv", F, [["年度", "2025"], ["营业收入", "2,000"], ["主营业务收入", "1,900"]])
    assert e.values == {"operating_revenue": {2025: D(2000)}, "main_business_revenue": {2025: D(1900)}}
    with pytest.raises(InputError, match="cannot exceed"):
        read_rows("roster.csv", F, [["年度", "2025"], ["营业收入", "1,000"], ["主营业务收入", "1,900"]])
    assert read_rows("roster.csv", F, [["年度", "2025"], ["营业收入", "1,000"], ["主营业务收入", "1,900"]],
                     checks=False).values["main_business_revenue"] == {2025: D(1900)}


def test_json_data_argument_skips_checks():
    # tests and the --set path build enterprises from data; the checks run on files
    e = read_json("t.json", F, data={"operating_revenue": {"2025": 100}, "main_business_revenue": {"2025": 200}})
    assert e.values["main_business_revenue"] == {2025: D(200)}
