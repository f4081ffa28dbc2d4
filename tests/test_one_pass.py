"""One pass per applicant file (issue 11): the file is read once; the zip/XML guard and calamine
work on those bytes, so a file cannot change between the check and the read."""

from __future__ import annotations

import builtins
import io
import zipfile

import openpyxl
import pytest
import python_calamine

from zjtx_cli.inputs import sniff, zipcheck
from zjtx_cli.inputs.fields import field_dictionary
from zjtx_cli.inputs.model import InputError
from zjtx_cli.inputs.reader import read_enterprise

F = field_dictionary()


def write_xlsx(path, rows, fmt=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for coord, f in (fmt or {}).items():
        ws[coord].number_format = f
    wb.save(path)
    return str(path)


@pytest.fixture
def opened(monkeypatch):
    """Paths the reader opens: Python's open, zipfile on a path, calamine on a path."""
    seen: list = []
    real_open, real_zip = builtins.open, zipfile.ZipFile.__init__

    def spy_open(file, *a, **k):
        seen.append(("open", str(file)))
        return real_open(file, *a, **k)

    def spy_zip(self, file, *a, **k):
        if not isinstance(file, io.IOBase):
            seen.append(("zip", str(file)))
        return real_zip(self, file, *a, **k)

    real_wb = python_calamine.CalamineWorkbook

    def from_path(path, *a, **k):
        seen.append(("calamine", str(path)))
        return real_wb.from_path(path, *a, **k)

    spy = type("CalamineWorkbook", (), {"from_path": staticmethod(from_path),
                                         "from_filelike": staticmethod(real_wb.from_filelike)})
    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(zipfile.ZipFile, "__init__", spy_zip)
    monkeypatch.setattr(python_calamine, "CalamineWorkbook", spy)
    return seen


def test_an_applicant_workbook_is_opened_once(tmp_path, opened):
    p = write_xlsx(tmp_path / "a.xlsx", [["指标", 2024, 2025], ["营业收入（万元）", 100, 120],
                                         ["企业名称", "甲公司"], ["研发投入占营业收入比重", 0.035]],
                   fmt={"B4": "0.0%"})
    opened.clear()
    e = read_enterprise(p, F)
    assert e.values["operating_revenue"] == {2024: 100, 2025: 120}
    assert e.values["company_name"] == "甲公司"
    assert [x for x in opened if x[1] == p] == [("open", p)]


def test_formulas_and_percent_styles_come_from_the_same_bytes(tmp_path, opened, monkeypatch):
    """The sheet XML (uncached formulas, percentage formats) is read from the bytes in memory."""
    p = tmp_path / "f.xlsx"
    write_xlsx(p, [["指标", "值"], ["主导产品全国细分市场占有率", 0.35], ["企业名称", None]], fmt={"B2": "0%"})
    # a formula without a cached value in B3: written into the sheet XML by hand
    with zipfile.ZipFile(p) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = sheet.replace('<c r="A3" t="inlineStr"><is><t>企业名称</t></is></c>',
                          '<c r="A3" t="inlineStr"><is><t>企业名称</t></is></c><c r="B3"><f>A1</f></c>')
    if "<f>A1</f>" not in sheet:  # openpyxl writes shared strings: find the row instead
        sheet = sheet.replace('<row r="3">', '<row r="3"><c r="B3"><f>A1</f></c>', 1) if '<c r="B3"' not in sheet \
            else sheet
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(p, "w") as zf:
        for n, b in parts.items():
            zf.writestr(n, b)
    opened.clear()
    with pytest.raises(InputError) as exc:
        read_enterprise(str(p), F)
    lines = [x.line() for x in exc.value.problems]
    assert any("formula without a cached value" in line for line in lines), lines
    assert [x for x in opened if x[1] == str(p)] == [("open", str(p))]


def test_percent_format_read_from_memory(tmp_path, opened):
    p = write_xlsx(tmp_path / "p.xlsx", [["指标", "值"], ["主导产品全国细分市场占有率", 0.35]], fmt={"B2": "0%"})
    opened.clear()
    e = read_enterprise(p, F)
    assert e.values["market_share_national"] == 35
    assert [x for x in opened if x[1] == p] == [("open", p)]


def test_guard_still_refuses_from_the_bytes(tmp_path, monkeypatch):
    """The guards run on the bytes read: a DOCTYPE, a file over the size limit."""
    p = write_xlsx(tmp_path / "d.xlsx", [["企业名称", "甲公司"]])
    with zipfile.ZipFile(p) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["xl/workbook.xml"] = b'<!DOCTYPE x [<!ENTITY a "b">]>' + parts["xl/workbook.xml"]
    with zipfile.ZipFile(p, "w") as zf:
        for n, b in parts.items():
            zf.writestr(n, b)
    with pytest.raises(InputError, match="DOCTYPE"):
        read_enterprise(p, F)
    q = write_xlsx(tmp_path / "big.xlsx", [["企业名称", "甲公司"]])
    monkeypatch.setattr(zipcheck, "MAX_XLSX_BYTES", 1000)
    with pytest.raises(InputError, match="too large"):
        read_enterprise(q, F)


def test_a_large_file_is_not_held_in_memory(tmp_path, monkeypatch, opened):
    """Beyond ONE_PASS_BYTES the guard and calamine read the file themselves, as before."""
    from zjtx_cli.inputs import reader

    p = write_xlsx(tmp_path / "l.xlsx", [["企业名称", "甲公司"]])
    monkeypatch.setattr(reader, "ONE_PASS_BYTES", 100)
    opened.clear()
    assert read_enterprise(p, F).values["company_name"] == "甲公司"
    assert ("zip", p) in opened and ("calamine", p) in opened


def test_read_whole(tmp_path):
    import os

    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):  # refused before anything opens it
        read_enterprise(str(fifo), F)
    big = tmp_path / "x"
    big.write_bytes(b"0" * 11)
    assert sniff.read_whole(str(big), 10) is None
    assert sniff.read_whole(str(big), 11) == b"0" * 11
