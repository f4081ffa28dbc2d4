"""The small zip reader (inputs/ziplite.py) changes no verdict (issue 11 (d)).

Differential: every file below goes through the guard twice, with the small reader
(``check_xlsx_bytes``, falling back to zipfile for anything it does not understand) and
with zipfile only (``_check_bytes_zipfile``, the code as it was), and must get the same
answer: accepted with the same statistics and decompressed parts, or refused with the
same English and Chinese message. The files: the hostile corpus's workbooks, mutations
and format cases, every sample, templates, an openpyxl workbook, the LibreOffice .ods,
archives built to need the fallback, and seeded truncations and byte flips of a sample
(concentrated on the end record, the central directory and the local headers). Sniffing
and the formula / percentage lookup are compared the same way.
"""

from __future__ import annotations

import io
import os
import random
import struct
import subprocess
import sys
import zipfile
import zlib

import openpyxl
import pytest

from zjtx_cli.inputs import zipcheck
from zjtx_cli.inputs.limits import UnsafeInput
from zjtx_cli.inputs.sheet_xml import SheetXml
from zjtx_cli.inputs.sniff import sniff
from zjtx_cli.inputs.ziplite import MEMBER_CAP, Fallback, LiteZip

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SAMPLES = os.path.join(ROOT, "samples")
sys.path.insert(0, HERE)

from hostile.corpus import format_cases, make_xlsx, mutated_xlsx, sheet_xml, xlsx_cases  # noqa: E402


def sample_paths():
    return sorted(os.path.join(SAMPLES, n) for n in os.listdir(SAMPLES) if n.endswith(".xlsx"))


def read(path):
    with open(path, "rb") as fh:
        return fh.read()


def verdict(check, data, name="f.xlsx"):
    try:
        stats, whole = check(name, data)
    except UnsafeInput as exc:
        return ("refused", str(exc), exc.reason_zh)
    return ("accepted", stats.sheet_bytes, stats.cells, stats.rows, whole)


def same_verdict(data, name="f.xlsx"):
    new = verdict(zipcheck.check_xlsx_bytes, data, name)
    old = verdict(zipcheck._check_bytes_zipfile, data, name)
    assert new == old, name
    return new


def lite_reads(data) -> bool:
    """Whether the small reader takes the archive (the guard then never imports zipfile)."""
    try:
        LiteZip(data)
    except Fallback:
        return False
    return True


def openpyxl_workbook() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["企业名称", "测试公司"])
    ws.append(["研发人员数", 12])
    ws.append(["占比", 0.25])
    ws["B3"].number_format = "0.00%"
    ws["B4"] = "=SUM(B2:B3)"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template_workbooks(tmp_path):
    from zjtx_cli.outputs.template import write_template

    out = []
    for i, scheme in enumerate((None, "hengyang", "miit-2022")):
        p = tmp_path / f"template-{i}.xlsx"
        kw = {"scheme": scheme} if scheme else {}
        assert write_template(str(p), year=2025, **kw) == 0
        out.append(read(p))
    return out


# ----------------------------------------------------------------------------- the corpus
@pytest.fixture(scope="module")
def hostile():
    cases = {}
    cases.update({f"x-{k}": v for k, v in xlsx_cases().items()})
    cases.update({f"m-{k}": v for k, v in mutated_xlsx(per_sample=16).items()})
    cases.update({f"f-{k}": v for k, v in format_cases().items()})
    return cases


def test_hostile_corpus_same_verdicts(hostile):
    refused = accepted = lite = 0
    for name, data in sorted(hostile.items()):
        if len(data) > zipcheck.MAX_XLSX_BYTES:
            continue
        v = same_verdict(data, name)
        refused += v[0] == "refused"
        accepted += v[0] == "accepted"
        lite += lite_reads(data)
    # the corpus exercises both outcomes, and the small reader takes most of it
    assert refused >= 50 and accepted >= 50
    assert lite >= len(hostile) // 2


def test_samples_templates_openpyxl_same_verdicts_and_no_fallback(tmp_path):
    files = [read(p) for p in sample_paths()] + template_workbooks(tmp_path) + [openpyxl_workbook()]
    assert len(files) >= 10
    for data in files:
        v = same_verdict(data)
        assert v[0] == "accepted"
        assert lite_reads(data)  # the common case never needs zipfile


def test_libreoffice_ods_same_verdict():
    data = read(os.path.join(HERE, "hostile", "fixtures", "open.ods"))
    assert lite_reads(data)
    v = same_verdict(data, "open.xlsx")
    assert v[0] == "refused" and "missing [Content_Types].xml" in v[1]


def _header_positions(data):
    """Offsets of the end record, every central directory entry and every local header."""
    out = [len(data) - 22]
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            out.append(info.header_offset)
    pos = data.rfind(b"PK\x01\x02")
    while pos > 0:
        out.append(pos)
        pos = data.rfind(b"PK\x01\x02", 0, pos)
    return out


@pytest.mark.parametrize("sample", ["hengyang-eligible.xlsx", "miit-2022-zjtx-sme.xlsx"])
def test_fuzzed_mutations_same_verdicts(sample):
    data = read(os.path.join(SAMPLES, sample))
    rnd = random.Random(20261130)
    heads = _header_positions(data)
    outcomes = set()
    cases = [data[:n] for n in range(0, len(data), max(1, len(data) // 97))]  # truncations
    cases += [data[:-1], data[:-22], data + b"\x00", b"junk" + data, data + b"PK\x05\x06"]
    for _ in range(600):  # one to four bytes flipped in a header (end record, directory, local)
        b = bytearray(data)
        for _ in range(rnd.choice([1, 1, 2, 4])):
            at = rnd.choice(heads) + rnd.randrange(46)
            if at < len(b):
                b[at] = rnd.randrange(256) if rnd.random() < 0.5 else b[at] ^ (1 << rnd.randrange(8))
        cases.append(bytes(b))
    for _ in range(200):  # anywhere
        b = bytearray(data)
        b[rnd.randrange(len(b))] = rnd.randrange(256)
        cases.append(bytes(b))
    for case in cases:
        v = same_verdict(case)
        outcomes.add(v[0] if v[0] == "accepted" else v[1].split(" (")[0])
    assert "accepted" in outcomes and len(outcomes) >= 3


# ----------------------------------------------------------------------------- built to fall back
def _fallback_cases():
    base = read(os.path.join(SAMPLES, "hengyang-eligible.xlsx"))
    out = {}
    with_comment = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(with_comment, "w", zipfile.ZIP_DEFLATED) as d:
        d.comment = b"a comment"
        for info in src.infolist():
            d.writestr(info, src.read(info))
    out["comment"] = with_comment.getvalue()
    out["prefix"] = b"MZ" + b"\x00" * 100 + base
    z64 = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(z64, "w", zipfile.ZIP_DEFLATED) as d:
        for info in src.infolist():
            with d.open(info.filename, "w", force_zip64=True) as w:
                w.write(src.read(info))
    out["zip64"] = z64.getvalue()
    bz = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(bz, "w", zipfile.ZIP_BZIP2) as d:
        for info in src.infolist():
            d.writestr(info.filename, src.read(info))
    out["bzip2"] = bz.getvalue()
    cp437 = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(cp437, "w", zipfile.ZIP_DEFLATED) as d:
        for info in src.infolist():
            d.writestr(info.filename, src.read(info))
        d.writestr("docProps/caf\u00e9.xml", b"<a/>")  # non-ASCII: written with the UTF-8 flag
    data = bytearray(cp437.getvalue())
    # clear the UTF-8 flag of that entry (central and local): zipfile then reads the name as cp437
    for sig, flag_at in ((b"PK\x01\x02", 8), (b"PK\x03\x04", 6)):
        pos = data.find(sig)
        while pos >= 0:
            name_len_at = 28 if sig == b"PK\x01\x02" else 26
            name_at = 46 if sig == b"PK\x01\x02" else 30
            (n,) = struct.unpack_from("<H", data, pos + name_len_at)
            if b"caf" in data[pos + name_at:pos + name_at + n]:
                (flags,) = struct.unpack_from("<H", data, pos + flag_at)
                struct.pack_into("<H", data, pos + flag_at, flags & ~0x800)
            pos = data.find(sig, pos + 4)
    out["cp437-name"] = bytes(data)
    enc = bytearray(base)
    pos = enc.find(b"PK\x01\x02")
    (flags,) = struct.unpack_from("<H", enc, pos + 8)
    struct.pack_into("<H", enc, pos + 8, flags | 1)  # the encryption flag on the first entry
    out["encrypted-flag"] = bytes(enc)
    dup = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(dup, "w", zipfile.ZIP_DEFLATED) as d:
        for info in src.infolist():
            d.writestr(info.filename, src.read(info))
        d.writestr("xAy.xml", b"<a/>")
    out["nul-name"] = dup.getvalue().replace(b"xAy.xml", b"x\x00y.xml")  # zipfile cuts a name at a NUL
    return out


def test_archives_it_does_not_understand_fall_back_with_the_same_verdict():
    cases = _fallback_cases()
    for name, data in cases.items():
        assert not lite_reads(data), name
        same_verdict(data, name)
    assert verdict(zipcheck.check_xlsx_bytes, cases["encrypted-flag"])[0] == "refused"
    assert verdict(zipcheck.check_xlsx_bytes, cases["comment"])[0] == "accepted"


def test_a_member_inflating_past_its_declared_size_is_not_read():
    """A bomb that lies about its size: the reader stops at the declared size + 1 and gives up."""
    big = b"<a>" + b" " * (4 * 1024 * 1024) + b"</a>"
    base = make_xlsx([sheet_xml([["x"]])], extra={"xl/big.xml": big.decode()})
    data = bytearray(base)
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        (n,) = struct.unpack_from("<H", data, pos + 28)
        if data[pos + 46:pos + 46 + n] == b"xl/big.xml":
            struct.pack_into("<L", data, pos + 24, 1000)  # declared uncompressed size
        pos = data.find(b"PK\x01\x02", pos + 4)
    pos = data.find(b"PK\x03\x04")
    while pos >= 0:
        (n,) = struct.unpack_from("<H", data, pos + 26)
        if data[pos + 30:pos + 30 + n] == b"xl/big.xml":
            struct.pack_into("<L", data, pos + 22, 1000)
        pos = data.find(b"PK\x03\x04", pos + 4)
    data = bytes(data)
    zf = LiteZip(data)
    with pytest.raises(Fallback):
        zf.read("xl/big.xml")
    same_verdict(data)
    assert MEMBER_CAP < zipcheck.MAX_UNCOMPRESSED


def test_members_read_are_the_bytes_zipfile_gives():
    for path in sample_paths()[:5]:
        data = read(path)
        lite = LiteZip(data)
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            assert [i.filename for i in lite.infolist()] == zf.namelist()
            for info in zf.infolist():
                li = lite.getinfo(info.filename)
                assert (li.file_size, li.compress_size, li.CRC) == (info.file_size, info.compress_size, info.CRC)
                assert lite.read(info.filename) == zf.read(info)
                if info.compress_type == zipfile.ZIP_DEFLATED:
                    raw = data[li.data_offset:li.data_offset + li.compress_size]
                    assert zlib.decompress(raw, -15) == zf.read(info)
    with pytest.raises(KeyError):
        LiteZip(read(sample_paths()[0])).read("no/such.xml")


# ----------------------------------------------------------------------------- sniff and sheet_xml
def test_sniff_same_as_zipfile(hostile, tmp_path):
    """sniff on bytes (small reader) and on the path (zipfile) agree, for names that make it look inside."""
    names = [n for n, d in sorted(hostile.items()) if d.startswith(b"PK") and len(d) < 8 * 1024 * 1024]
    for case in _fallback_cases().items():
        hostile = dict(hostile, **{f"fb-{case[0]}": case[1]})
        names.append(f"fb-{case[0]}")
    kinds = set()
    for n in names:
        p = tmp_path / "probe.bin"  # not .xlsx: sniff then looks inside
        p.write_bytes(hostile[n])
        a, b = sniff(str(p), hostile[n]), sniff(str(p))
        assert a == b, n
        kinds.add(a)
    assert {"xlsx", "ods", "xlsb", "zip"} <= kinds


def test_sheet_xml_same_as_zipfile(hostile, tmp_path):
    datas = [read(p) for p in sample_paths()] + [openpyxl_workbook(), hostile["x-uncached-formula.xlsx"]]
    datas += [v for k, v in sorted(hostile.items()) if k.startswith("m-hengyang")]
    found = 0
    for data in datas:
        p = tmp_path / "w.xlsx"
        p.write_bytes(data)
        lite, old = SheetXml(str(p), 0, data), SheetXml(str(p), 0)  # bytes: small reader; path: zipfile
        assert lite._load_formulas() == old._load_formulas()
        assert lite._load_percent() == old._load_percent()
        found += bool(lite._uncached) + bool(lite._percent)
    assert found >= 2  # formulas and percentages are found at all


def test_guard_path_does_not_import_zipfile():
    code = ("import sys; from zjtx_cli.inputs.zipcheck import check_xlsx_bytes; "
            f"p = {sample_paths()[0]!r}; check_xlsx_bytes(p, open(p, 'rb').read()); "
            "from zjtx_cli.inputs.sniff import sniff; sniff('x.bin', open(p, 'rb').read()); "
            "print('zipfile' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_two_directory_entries_over_one_member_fall_back():
    """A quoted-overlap bomb (two directory entries over the same local data): not read here."""
    base = make_xlsx([sheet_xml([["x"]])])
    cd = base.find(b"PK\x01\x02")
    end = base.rfind(b"PK\x05\x06")
    (n, e, c) = struct.unpack_from("<3H", base, cd + 28)
    first = base[cd:cd + 46 + n + e + c]
    count, size, offset = struct.unpack_from("<HLL", base, end + 10)
    tail = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count + 1, count + 1, size + len(first), offset, 0)
    data = base[:end] + first + tail
    with pytest.raises(Fallback):
        LiteZip(data)
    v = same_verdict(data)
    assert v[0] == "refused" and "twice" in v[1]
