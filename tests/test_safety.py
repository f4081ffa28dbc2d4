"""Tests for zjtx_cli.inputs.safety: input guards, formula-injection guard, atomic output."""

import csv
import datetime
import os
import pickle
import random
import stat
import sys
import warnings
import zipfile
from decimal import Decimal

import pytest

from zjtx_cli.inputs import safety as safety
from zjtx_cli.inputs import sniff as sniff_module
from zjtx_cli.inputs import zipcheck
from zjtx_cli.inputs.safety import (
    OutputError,
    UnsafeInput,
    atomic_save,
    atomic_write_bytes,
    cell_value,
    check_json_file,
    check_xlsx_file,
    clean_text,
    neutralise,
    open_csv_stream,
    write_csv,
)

openpyxl = pytest.importorskip("openpyxl")

SHEET = "xl/worksheets/sheet1.xml"
BILLION_LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    b'<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
    b'<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
    b'<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">'
    b'<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
    b'<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">'
    b'<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">'
    b"]>"
)


# --------------------------------------------------------------------------- helpers


def make_workbook(path, rows=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基本信息"
    for row in rows or [["企业名称", "营业收入"], ["某某科技有限公司", 2000], ["中文", 3.5]]:
        ws.append(row)
    wb.create_sheet("研发")["A1"] = "研发费用"
    wb.save(path)
    return path


def rebuild(src, dst, *, replace=None, drop=(), add=()):
    """Copy the zip ``src`` to ``dst``, replacing/dropping/adding entries."""
    replace = replace or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = zin.read(info)
            if info.filename in replace:
                new = replace[info.filename]
                data = new(data) if callable(new) else new
            zout.writestr(info.filename, data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Duplicate name" when a test adds one on purpose
            for name, data in add:
                zout.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return dst


def with_entity_bomb(data: bytes) -> bytes:
    """Put the billion-laughs DTD in front of an XML part and reference it."""
    if data.startswith(b"<?xml"):
        end = data.index(b"?>") + 2
        decl, body = data[:end], data[end:]
    else:
        decl, body = b'<?xml version="1.0" encoding="UTF-8"?>', data
    return decl + BILLION_LAUGHS + body.replace(b"<t>", b"<t>&lol9;", 1)


def refused(path, *words):
    with pytest.raises(UnsafeInput) as info:
        check_xlsx_file(path)
    msg = str(info.value)
    assert os.path.basename(str(path)) in msg
    assert "\n" not in msg
    for word in words:
        assert word in msg
    return info.value


@pytest.fixture
def good(tmp_path):
    return make_workbook(tmp_path / "good.xlsx")


def no_temp_files(directory):
    return [p.name for p in directory.iterdir() if ".tmp" in p.name]


# --------------------------------------------------------------------------- not a zip


@pytest.mark.parametrize(
    "name, content",
    [
        ("random.xlsx", random.Random(1).randbytes(4096)),
        ("renamed-text.xlsx", "企业名称,营业收入\n某某科技,2000\n".encode()),
        ("empty.xlsx", b""),
    ],
)
def test_not_a_zip_is_refused_with_file_name(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    exc = refused(path, "is not an xlsx workbook (not a zip archive)")
    assert name in exc.reason_zh and "zip" in exc.reason_zh
    assert "不是" in exc.reason_zh


def test_legacy_xls_gets_a_hint(tmp_path):
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024))
    refused(path, "not a zip archive", "legacy .xls")


def test_directory_is_refused(tmp_path):
    (tmp_path / "dir.xlsx").mkdir()
    refused(tmp_path / "dir.xlsx", "not a regular file")


def test_unsafe_input_pickles():
    exc = UnsafeInput("a.xlsx", "is bad", "不好")
    back = pickle.loads(pickle.dumps(exc))
    assert str(back) == str(exc) and back.reason_zh == exc.reason_zh and back.path == "a.xlsx"


# --------------------------------------------------------------------------- normal workbooks


def test_openpyxl_workbook_passes(good):
    check_xlsx_file(good)
    check_xlsx_file(str(good))


def test_large_ordinary_workbook_passes(tmp_path):
    # Repetitive rows, sheet XML over 1 MiB (~15x compression): no false zip-bomb alarm.
    rows = [["企业名称", "年份", "营业收入", "备注"]]
    rows += [[f"某某科技有限公司{i % 50}", 2023, 2000, "无"] for i in range(6_000)]
    path = make_workbook(tmp_path / "big.xlsx", rows)
    with zipfile.ZipFile(path) as z:
        assert z.getinfo(SHEET).file_size > 1024 * 1024
    check_xlsx_file(path)


# --------------------------------------------------------------------------- zip bombs and limits


def test_zip_bomb_refused_without_decompressing(good, tmp_path, monkeypatch):
    path = tmp_path / "bomb.xlsx"
    zero = bytes(1024 * 1024)
    rebuild(good, path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z, z.open(SHEET.replace("1", "9"), "w") as f:
        for _ in range(50):  # 50 MiB of zeros, ~50 KiB compressed
            f.write(zero)
    opened = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open",
                        lambda self, name, *a, **k: opened.append(getattr(name, "filename", name))
                        or real_open(self, name, *a, **k))
    refused(path, "zip bomb", "xl/worksheets/sheet9.xml")
    assert "xl/worksheets/sheet9.xml" not in opened


def test_many_small_high_ratio_entries_refused_overall(good, tmp_path):
    # each entry is under 1 MiB (no per-entry check), together 10 MiB at ~1000x
    path = rebuild(good, tmp_path / "spread.xlsx",
                   add=[(f"xl/media/z{i}.bin", bytes(512 * 1024)) for i in range(20)])
    refused(path, "zip bomb", "overall")


def test_total_uncompressed_limit(good, monkeypatch):
    monkeypatch.setattr(zipcheck, "MAX_UNCOMPRESSED", 10_000)
    refused(good, "uncompressed")


def test_compressed_size_limit(good, monkeypatch):
    monkeypatch.setattr(zipcheck, "MAX_XLSX_BYTES", 1_000)
    refused(good, "too large")


def test_too_many_entries(good, monkeypatch):
    with zipfile.ZipFile(good) as z:
        count = len(z.infolist())
    monkeypatch.setattr(zipcheck, "MAX_ZIP_ENTRIES", count)
    check_xlsx_file(good)
    monkeypatch.setattr(zipcheck, "MAX_ZIP_ENTRIES", count - 1)
    refused(good, "too many", str(count))


@pytest.mark.parametrize("part", ["[Content_Types].xml", "xl/workbook.xml"])
def test_missing_required_part(good, tmp_path, part):
    path = rebuild(good, tmp_path / "partial.xlsx", drop={part})
    refused(path, part)


@pytest.mark.parametrize(
    "name", ["../evil.xml", "/etc/evil.xml", "xl/../../evil.xml", "C:/evil.xml", "xl\\..\\..\\evil.xml"]
)
def test_unsafe_entry_names(good, tmp_path, name):
    path = rebuild(good, tmp_path / "names.xlsx", add=[(name, b"<x/>")])
    with zipfile.ZipFile(path) as z:
        assert name in z.namelist()  # the name really is stored that way
    refused(path, "unsafe entry name")


def test_duplicate_entry_refused(good, tmp_path):
    with zipfile.ZipFile(good) as z:
        sheet = z.read(SHEET)
    path = rebuild(good, tmp_path / "dup.xlsx", add=[(SHEET, sheet)])
    refused(path, "twice", SHEET)


# --------------------------------------------------------------------------- XML entity bombs / XXE


@pytest.mark.parametrize("part", [SHEET, "xl/workbook.xml", "xl/sharedStrings.xml"])
def test_entity_bomb_refused(good, tmp_path, part):
    path = tmp_path / "lol.xlsx"
    if part == "xl/sharedStrings.xml":
        strings = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                   b'count="1" uniqueCount="1"><si><t>x</t></si></sst>')
        rebuild(good, path, add=[(part, with_entity_bomb(strings))])
    else:
        rebuild(good, path, replace={part: with_entity_bomb})
    exc = refused(path, "DOCTYPE", part)
    assert "实体" in exc.reason_zh


def test_external_entity_refused(good, tmp_path):
    xxe = b'<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    path = rebuild(good, tmp_path / "xxe.xlsx",
                   replace={SHEET: lambda d: xxe + d.replace(b"<t>", b"<t>&x;", 1)})
    refused(path, "DOCTYPE")


def test_doctype_hidden_behind_64k_of_comments_refused(good, tmp_path):
    padding = b"<!--" + b"x" * (70 * 1024) + b"-->"
    path = rebuild(good, tmp_path / "padded.xlsx",
                   replace={SHEET: lambda d: b'<?xml version="1.0"?>' + padding + BILLION_LAUGHS + d})
    refused(path, SHEET)


def test_utf16_entity_bomb_refused(good, tmp_path):
    def utf16(data):
        text = with_entity_bomb(data).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
        return text.encode("utf-16")  # with BOM: '<!DOCTYPE' is no longer a byte substring
    path = rebuild(good, tmp_path / "utf16.xlsx", replace={SHEET: utf16})
    with zipfile.ZipFile(path) as z:
        assert b"<!DOCTYPE" not in z.read(SHEET)
    refused(path, "DOCTYPE")


def test_utf7_declared_encoding_refused(good, tmp_path):
    path = rebuild(good, tmp_path / "utf7.xlsx", replace={
        SHEET: lambda d: b'<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE x+AD4-' + d})
    refused(path, "UTF-7")


def test_openpyxl_with_defusedxml_refuses_entity_bomb(good, tmp_path):
    """Documents why defusedxml is a dependency: without it openpyxl expands entities."""
    defusedxml = pytest.importorskip("defusedxml")
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML, "openpyxl is not using defusedxml"
    path = rebuild(good, tmp_path / "lol.xlsx", replace={SHEET: with_entity_bomb})
    with pytest.raises(Exception) as info:
        openpyxl.load_workbook(path)
    chain, exc = [], info.value
    while exc is not None:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    assert any(isinstance(e, defusedxml.DefusedXmlException) for e in chain), chain


# --------------------------------------------------------------------------- JSON


def test_json_size_limit(tmp_path, monkeypatch):
    path = tmp_path / "申报.json"
    path.write_text('{"企业名称": "某某科技"}', encoding="utf-8")
    check_json_file(path)
    monkeypatch.setattr(sniff_module, "MAX_JSON_BYTES", 10)
    with pytest.raises(UnsafeInput) as info:
        check_json_file(path)
    assert "申报.json" in str(info.value) and "too large" in str(info.value)
    assert info.value.reason_zh


# --------------------------------------------------------------------------- cell text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@x", "'@x"),
        ("\tfoo", "'\tfoo"),
        ("\rfoo", "'\rfoo"),
        ("abc", "abc"),
        ("中文", "中文"),
        ("", ""),
        ("a=b", "a=b"),
        ("'=x", "'=x"),
    ],
)
def test_neutralise_and_clean_text(text, expected):
    assert neutralise(text) == expected
    assert clean_text(text) == expected


def test_clean_text_strips_what_openpyxl_refuses():
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    for code in range(0x100):
        ch = chr(code)
        illegal = ILLEGAL_CHARACTERS_RE.search(ch) is not None
        assert (clean_text("a" + ch + "b") == "ab") == illegal, hex(code)
    assert clean_text("\x00=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"  # stripped, then neutralised
    assert clean_text("某\x07某\x1f科技\n有限公司") == "某某科技\n有限公司"


@pytest.mark.parametrize(
    "value",
    [0, 2000, -5, 3.5, float("inf"), Decimal("1.50"), None, True, False,
     datetime.date(2024, 1, 1), datetime.datetime(2024, 1, 1, 8, 30)],
)
def test_cell_value_keeps_non_strings(value):
    out = cell_value(value)
    assert out is value or (out == value and type(out) is type(value))


def test_cell_value_cleans_strings():
    assert cell_value("=1+2") == "'=1+2"
    assert cell_value("a\x00b") == "ab"
    assert cell_value("-2") == "'-2"


# --------------------------------------------------------------------------- CSV


def test_write_csv(tmp_path):
    path = tmp_path / "out.csv"
    write_csv(path, [["企业名称", "营业收入", "比率"], ["=HYPERLINK(\"x\")", 2000, Decimal("1.50")],
                     ["a\x00b", -5, 3.5], ["+1", None, "中文,含逗号"]])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows == [
        ["企业名称", "营业收入", "比率"],
        ["'=HYPERLINK(\"x\")", "2000", "1.50"],
        ["ab", "-5", "3.5"],
        ["'+1", "", "中文,含逗号"],
    ]
    assert no_temp_files(tmp_path) == []


def test_csv_stream_writes_to_temp_file_then_renames(tmp_path):
    path = tmp_path / "batch.csv"
    with open_csv_stream(path) as out:
        for i in range(100_000):
            out.writerow([f"企业{i}", i, i * 0.5])
            if i == 50_000:
                # rows are on disk already (not held in memory) and the target is untouched
                temps = [p for p in tmp_path.iterdir() if ".tmp" in p.name]
                assert len(temps) == 1 and temps[0].stat().st_size > 500_000
                assert not path.exists()
    assert out.rows_written == 100_000
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = f.read().splitlines()
    assert len(rows) == 100_000 and rows[-1] == "企业99999,99999,49999.5"
    assert no_temp_files(tmp_path) == []


def test_csv_stream_failure_removes_temp_and_keeps_old_file(tmp_path):
    path = tmp_path / "batch.csv"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(KeyError):
        with open_csv_stream(path) as out:
            out.writerow(["a", 1])
            raise KeyError("boom")
    assert path.read_text(encoding="utf-8") == "old"
    assert no_temp_files(tmp_path) == []


# --------------------------------------------------------------------------- atomic output


def _write_bytes(path, protect):
    atomic_write_bytes(path, b"new", protect=protect)


def _save(path, protect):
    atomic_save(path, lambda tmp: open(tmp, "wb").write(b"new"), protect=protect)


def _csv(path, protect):
    write_csv(path, [["x"]], protect=protect)


def _stream(path, protect):
    with open_csv_stream(path, protect=protect) as out:
        out.writerow(["x"])


WRITERS = [_write_bytes, _save, _csv, _stream]


@pytest.mark.parametrize("writer", WRITERS)
@pytest.mark.parametrize("spelling", ["same", "dot-slash", "absolute", "via-subdir", "symlink", "single-str"])
def test_refuses_to_overwrite_input(tmp_path, monkeypatch, writer, spelling):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    src = tmp_path / "input.xlsx"
    src.write_bytes(b"original input")
    target, protect = "input.xlsx", ["input.xlsx"]
    if spelling == "dot-slash":
        target = "./input.xlsx"
    elif spelling == "absolute":
        protect = [str(src)]
    elif spelling == "via-subdir":
        target = os.path.join("sub", "..", "input.xlsx")
    elif spelling == "symlink":
        os.symlink(src, tmp_path / "link.xlsx")
        target = "link.xlsx"
    elif spelling == "single-str":
        protect = "./input.xlsx"
    with pytest.raises(OutputError) as info:
        writer(target, protect)
    assert "would overwrite input file" in str(info.value)
    assert isinstance(info.value, ValueError) and info.value.reason_zh
    assert src.read_bytes() == b"original input"
    assert no_temp_files(tmp_path) == []


@pytest.mark.parametrize("writer", WRITERS)
def test_other_target_is_allowed_and_replaced_completely(tmp_path, writer):
    src = tmp_path / "input.xlsx"
    src.write_bytes(b"original input")
    out = tmp_path / "report.csv"
    out.write_bytes(b"a much longer previous content " * 100)
    writer(str(out), [str(src)])
    assert out.read_bytes() in (b"new", b"\xef\xbb\xbfx\r\n")
    assert src.read_bytes() == b"original input"
    assert no_temp_files(tmp_path) == []


def test_atomic_write_bytes_failure_leaves_nothing(tmp_path):
    out = tmp_path / "out.bin"
    out.write_bytes(b"old")
    with pytest.raises(TypeError):
        atomic_write_bytes(out, "not bytes")  # type: ignore[arg-type]
    assert out.read_bytes() == b"old"
    assert no_temp_files(tmp_path) == []


def test_atomic_save_failure_leaves_nothing(tmp_path):
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"old")

    def half_written(tmp):
        with open(tmp, "wb") as f:
            f.write(b"partial")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_save(out, half_written)
    assert out.read_bytes() == b"old"
    assert no_temp_files(tmp_path) == []


def test_atomic_save_with_openpyxl(tmp_path):
    out = tmp_path / "结果.xlsx"
    out.write_bytes(b"stale")
    wb = openpyxl.Workbook()
    wb.active.append([cell_value("=1+1"), cell_value(2000), cell_value("a\x01b")])
    atomic_save(out, wb.save)
    check_xlsx_file(out)
    values = [c.value for c in openpyxl.load_workbook(out).active[1]]
    assert values == ["'=1+1", 2000, "ab"]
    assert no_temp_files(tmp_path) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_existing_permissions_kept(tmp_path):
    out = tmp_path / "out.csv"
    out.write_bytes(b"old")
    out.chmod(0o640)
    atomic_write_bytes(out, b"new")
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_directory_target_refused(tmp_path):
    with pytest.raises(OutputError):
        atomic_write_bytes(tmp_path, b"x")
