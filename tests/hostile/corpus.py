"""A hostile corpus for ``zjtx``: build it, run it through the whole CLI, check the promises.

    python tests/hostile/corpus.py [--keep DIR] [--json FILE]

Most cases are generated here (deterministic, seeded) rather than committed:
only two small real workbooks are kept (``fixtures/legacy.xls`` and
``fixtures/open.ods``, a sample saved by LibreOffice). Classes:

* ``xlsx``   hand-built workbooks: references past XFD1048576, huge declared
  dimensions, sparse far cells, inflated parts, zip bombs, DTDs, hidden first
  sheets, data on a second sheet, uncached formulas, control / bidi / markup
  text in labels, names and values;
* ``mutxlsx`` byte flips and truncations of every sample workbook;
* ``json``   lone surrogates, 1e-999, ``1 2``, deep nesting, huge numbers,
  200,000 unknown keys, control text; ``mutjson`` mutated samples;
* ``format`` .xls / .et / .ods / extension-less / fake .xlsb / not a spreadsheet;
* ``roster`` CSV rosters: unclosed quotes, ragged rows, oversized cells,
  GBK / GB18030 / UTF-16 / BOM, comma / tab / semicolon, NUL bytes, control
  text; xlsx rosters;
* ``names``  file names with ESC, newline, bidi overrides, invalid UTF-8;
* ``special`` FIFO and /dev/zero rosters, an unreadable sub-folder;
* ``out``    ``--out`` that is an input (path, symlink, hard link, inside the
  folder, in a sub-folder with --recursive), unwritable, a folder;
* ``signal`` SIGINT and SIGTERM during a pooled batch.

Every case runs in a child process (``python -m zjtx_cli``) under a time
limit; its peak memory (the whole process tree, ``wait4``) is measured. The
checks: no traceback or internal error, no abort or signal death, no hang, no
process over 1 GiB, no control character on stdout/stderr, every input scored
or reported (every CSV row too), no input changed, exit 2 when anything could
not be read.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SAMPLES = os.path.join(ROOT, "samples")
AS_OF = "2026-06-01"
TIMEOUT = 120
GIB = 1024 * 1024 * 1024
ZJTX = [sys.executable, "-m", "zjtx_cli"]

# text an attacker would put in a name, label or value
PAYLOADS = [
    "\x1b]0;pwned\x07",                      # OSC: window title
    "\x1b[2J\x1b[H",                          # clear screen
    "\x1b[31m符合条件\x1b[0m",                  # a red fake verdict
    "A\u202eexl.exe",                          # bidi override
    "line1\nline2\rline3",                    # one message must stay one line
    "\x9b31m C1 CSI",                          # C1 control
    "[/]",                                     # rich markup that crashed
    "[bold red]假结论[/bold red]",
    "tab\there\x00nul\x7fdel",
    "\u2066isolate\u2069\u200f",
    "=HYPERLINK(\"http://x\",\"y\")",         # formula injection
    "\\",
]
CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


# ----------------------------------------------------------------------------- xlsx by hand
def _esc(text: str) -> str:
    out = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    # XML 1.0 cannot hold most C0 characters: Excel writes them as _xHHHH_
    return "".join(f"_x{ord(c):04X}_" if ord(c) < 0x20 and c not in "\t\n\r" else c for c in out)


def _cell(ref, value, formula=None, cached=True):
    r = f' r="{ref}"' if ref else ""
    if formula is not None:
        v = f"<v>{value}</v>" if cached and value is not None else ""
        return f"<c{r}><f>{_esc(formula)}</f>{v}</c>"
    if value is None:
        return f"<c{r}/>"
    if isinstance(value, (int, float)):
        return f"<c{r}><v>{value}</v></c>"
    return f'<c{r} t="inlineStr"><is><t xml:space="preserve">{_esc(str(value))}</t></is></c>'


def col_name(n: int) -> str:
    s = ""
    while n:
        n, rem = divmod(n - 1, 26)
        s = chr(65 + rem) + s
    return s


def sheet_xml(rows, dimension=None, raw_cells=""):
    """rows: list of lists (row i+1, column j+1) or of (row_attr, [(ref, value)...])."""
    parts = []
    for i, row in enumerate(rows, 1):
        if isinstance(row, tuple):
            rattr, cells = row
            ra = f' r="{rattr}"' if rattr is not None else ""
            parts.append(f"<row{ra}>" + "".join(_cell(ref, v) for ref, v in cells) + "</row>")
        else:
            parts.append(f'<row r="{i}">' + "".join(_cell(f"{col_name(j)}{i}", v)
                                                     for j, v in enumerate(row, 1) if v is not None) + "</row>")
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"{dim}<sheetData>{''.join(parts)}{raw_cells}</sheetData></worksheet>")


def make_xlsx(sheets, extra=None, names=None, states=None, compress=zipfile.ZIP_DEFLATED, prolog=""):
    """sheets: list of worksheet XML texts. Returns bytes."""
    names = names or [f"Sheet{i}" for i in range(1, len(sheets) + 1)]
    states = states or [None] * len(sheets)
    ct = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
          'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
          'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
          'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.'
                    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, len(sheets) + 1))
          + "</Types>")
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    wb = (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<workbook xmlns="http://schemas.openxmlformats.org/'
          'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
          "<sheets>" + "".join(
              f'<sheet name="{_esc(n)}" sheetId="{i}"{f" state={chr(34)}{s}{chr(34)}" if s else ""} r:id="rId{i}"/>'
              for i, (n, s) in enumerate(zip(names, states), 1)) + "</sheets></workbook>")
    wbrels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
              'package/2006/relationships">' + "".join(
                  f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                  f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(sheets) + 1))
              + "</Relationships>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compress) as zf:
        zf.writestr("[Content_Types].xml", ct)
        zf.writestr("_rels/.rels", rels)
        zf.writestr("xl/workbook.xml", wb)
        zf.writestr("xl/_rels/workbook.xml.rels", wbrels)
        for i, sx in enumerate(sheets, 1):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", sx)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def applicant_rows(data, name=None, label=None, value=None):
    """The label/value layout of samples/*.json, as rows."""
    from zjtx_cli.inputs.fields import field_dictionary

    fd = field_dictionary()
    rows = [["指标", 2023, 2024, 2025]]
    for key, v in data.items():
        if key.startswith("_"):
            continue
        if key == "company_name" and name is not None:
            v = name
        lab = fd[key].zh
        if isinstance(v, dict):
            rows.append([lab, *(v.get(str(y)) for y in (2023, 2024, 2025))])
        elif isinstance(v, bool):
            rows.append([lab, "是" if v else "否"])
        else:
            rows.append([lab, v])
    if label is not None:
        rows.append([label, value])
    return rows


def sample_json(name="hengyang-eligible.json"):
    with open(os.path.join(SAMPLES, name), encoding="utf-8") as fh:
        return json.load(fh)


# ----------------------------------------------------------------------------- the cases
def xlsx_cases():
    good = applicant_rows(sample_json())
    out = {}
    refs = ["XFD1048576", "XFD20000", "ZZZZZ99999999", "XFE1", "A1048577", "A0", "AAAA1", "Z1048576",
            "CV1048576", "A99999999999", "1A", "A-1", "", "$XFD$1048576", "xfd1048576", "A1:B2", "ZZ9" * 30,
            "A" + "9" * 40, "CV100000", "IV65536"]
    for i, ref in enumerate(refs):
        cells = f'<row r="1"><c r="{ref}"><v>1</v></c></row>' if ref else '<row r="1"><c r=""><v>1</v></c></row>'
        out[f"ref-cell-{i:02d}.xlsx"] = make_xlsx([sheet_xml(good, raw_cells=cells.replace('<row r="1">', '<row r="60">'))])
        out[f"ref-dim-{i:02d}.xlsx"] = make_xlsx([sheet_xml(good, dimension=f"A1:{ref}" if ref else "A1:")])
    for i, r in enumerate(["1048577", "99999999999", "0", "-5", "abc", "1e9"]):
        out[f"ref-row-{i:02d}.xlsx"] = make_xlsx([sheet_xml(good, raw_cells=f'<row r="{r}"><c><v>1</v></c></row>')])
    # a row with more cells than Excel has columns (no references)
    out["ref-wide-row.xlsx"] = make_xlsx([sheet_xml(good, raw_cells='<row r="70">' + "<c><v>1</v></c>" * 16500
                                                    + "</row>")])
    # many cells within the limits, one per row (inflates well)
    out["cells-many.xlsx"] = make_xlsx([sheet_xml(good, raw_cells="".join(
        f'<row r="{r}"><c r="A{r}"><v>1</v></c></row>' for r in range(100, 300000)))])
    # inflated: a huge shared-strings part just under the ratio limit, and a real zip bomb
    out["inflate-sst.xlsx"] = make_xlsx([sheet_xml(good)], extra={
        "xl/sharedStrings.xml": "<sst><si><t>" + "y" * (60 * 1024 * 1024) + "</t></si></sst>"})
    out["bomb-sheet.xlsx"] = _bomb(sheet_xml(good), 300)
    out["dtd.xlsx"] = make_xlsx([sheet_xml(good)], prolog='<!DOCTYPE x [<!ENTITY a "aaaaaaaa">]>')
    out["no-sheets.xlsx"] = make_xlsx([])
    # hidden first sheet, data on a second sheet, an uncached formula
    out["hidden-first.xlsx"] = make_xlsx([sheet_xml([["指标", "x"], ["企业名称", "隐藏表公司"]]), sheet_xml(good)],
                                         names=["Hidden", "Visible"], states=["hidden", None])
    out["second-sheet.xlsx"] = make_xlsx([sheet_xml([["说明：数据在第二张表"]]), sheet_xml(good)],
                                         names=["封面", "数据"])
    rows = [r[:] for r in good]
    fsheet = sheet_xml(rows).replace("</sheetData>", '<row r="90"><c r="A90" t="inlineStr"><is><t>研发人员数</t></is>'
                                                     '</c><c r="B90"><f>SUM(C1:C2)</f></c></row></sheetData>')
    out["uncached-formula.xlsx"] = make_xlsx([fsheet])
    # text from the file that must reach the terminal inert
    for i, p in enumerate(PAYLOADS):
        out[f"text-name-{i:02d}.xlsx"] = make_xlsx([sheet_xml(applicant_rows(sample_json(), name="公司" + p))])
        out[f"text-label-{i:02d}.xlsx"] = make_xlsx([sheet_xml(applicant_rows(sample_json(), label="标签" + p,
                                                                                value="值" + p))])
        out[f"text-value-{i:02d}.xlsx"] = make_xlsx([sheet_xml(applicant_rows(sample_json(), label="研发人员数",
                                                                                value=p))])
        out[f"text-sheetname-{i:02d}.xlsx"] = make_xlsx([sheet_xml([["x"]]), sheet_xml(good)],
                                                        names=["S" + p[:20].replace("/", "") or "S", "数据"])
    return out


def _bomb(sheet, mib):
    """A workbook whose sheet inflates to ``mib`` MiB of blanks, written in chunks (the generator stays small)."""
    base = make_xlsx([sheet])
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                head, tail = data.split(b"</sheetData>")
                with zf.open(info.filename, "w", force_zip64=True) as w:
                    w.write(head + b"</sheetData>")
                    chunk = b" " * (1024 * 1024)
                    for _ in range(mib):
                        w.write(chunk)
                    w.write(tail)
            else:
                zf.writestr(info, data)
    return buf.getvalue()


def mutated_xlsx(seed=20261130, per_sample=16):
    rnd = random.Random(seed)
    out = {}
    for name in sorted(os.listdir(SAMPLES)):
        if not name.endswith(".xlsx"):
            continue
        with open(os.path.join(SAMPLES, name), "rb") as fh:
            data = fh.read()
        base = name[:-5]
        for k in range(per_sample):
            b = bytearray(data)
            for _ in range(rnd.choice([1, 2, 4, 16])):
                b[rnd.randrange(len(b))] = rnd.randrange(256)
            out[f"mut-{base}-{k:02d}.xlsx"] = bytes(b)
        out[f"mut-{base}-trunc.xlsx"] = data[: len(data) // 2]
        # rewrite the sheet with a far cell or a stretched dimension (what random flips found in 36 of 1,000)
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            parts = {i.filename: zf.read(i) for i in zf.infolist()}
        sheet = next(n for n in parts if n.startswith("xl/worksheets/") and n.endswith(".xml"))
        for j, ref in enumerate(["XFD1048576", "Z1048576", "CV1048576"]):
            p2 = dict(parts)
            p2[sheet] = re.sub(rb'r="([A-Z]+)(\d+)"', lambda m, ref=ref: b'r="' + ref.encode() + b'"'
                               if m.group(2) == b"3" and len(m.group(1)) == 1 else m.group(0), parts[sheet], count=1)
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
                for n, d in p2.items():
                    zf.writestr(n, d)
            out[f"mut-{base}-far{j}.xlsx"] = buf.getvalue()
    return out


def json_cases():
    s = sample_json()
    out = {}
    raw = json.dumps(s, ensure_ascii=False)
    out["surrogate-name.json"] = raw.replace('"company_name": "', '"company_name": "衡阳\\ud800').encode()
    out["surrogate-key.json"] = raw.replace("{", '{"\\udc80key": 1, ', 1).encode()
    out["surrogate-value.json"] = raw.replace('"company_name": "', '"company_name": "\\udfff\\ud83d').encode()
    for i, v in enumerate(['"1e-999"', "1e-999", '"1 2"', '"12 345 万元"', "1e400", "-1e400", "NaN", "Infinity",
                           "1" * 5000, '"' + "9" * 400 + '"', "true", "[]", "{}", "null", '"\\u0000"']):
        d = raw.replace('"2025": ', f'"2025": {v}, "2099": ', 1)
        out[f"value-{i:02d}.json"] = d.encode()
    out["deep.json"] = ("[" * 100000 + "]" * 100000).encode()
    out["deep-obj.json"] = ('{"a":' * 50000 + "1" + "}" * 50000).encode()
    out["not-object.json"] = b"[1, 2, 3]"
    out["bom.json"] = b"\xef\xbb\xbf" + raw.encode()
    out["utf16.json"] = raw.encode("utf-16")
    out["gbk.json"] = raw.encode("gbk")
    out["dup-keys.json"] = raw.replace("{", '{"company_name": "甲", "company_name": "乙", ', 1).encode()
    for i, p in enumerate(PAYLOADS):
        d = dict(s, company_name="公司" + p)
        d["标签" + p] = "值" + p
        out[f"text-{i:02d}.json"] = json.dumps(d, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return out


def big_json_cases():
    """Large ones, generated at run time only (never committed)."""
    s = sample_json()
    d = dict(s)
    for i in range(200000):
        d[f"unknown_key_{i}"] = i
    return {"unknown-200k.json": json.dumps(d).encode()[: 5 * 1024 * 1024 - 10] + b"}" * 0}


def mutated_json(seed=7, per_sample=6):
    rnd = random.Random(seed)
    out = {}
    for name in sorted(os.listdir(SAMPLES)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(SAMPLES, name), encoding="utf-8") as fh:
            text = fh.read()
        for k in range(per_sample):
            t = list(text)
            for _ in range(rnd.choice([1, 3, 8])):
                i = rnd.randrange(len(t))
                t[i] = rnd.choice(['"', "{", "}", ",", ":", "\\", "\x1b", "\u202e", "\ud800", "0", "e", "-", " ",
                                   "\n", "[", "]", "9" * 20])
            out[f"mut-{name[:-5]}-{k}.json"] = "".join(t).encode("utf-8", "surrogatepass")
    return out


def format_cases():
    out = {}
    with open(os.path.join(HERE, "fixtures", "legacy.xls"), "rb") as fh:
        xls = fh.read()
    with open(os.path.join(HERE, "fixtures", "open.ods"), "rb") as fh:
        ods = fh.read()
    with open(os.path.join(SAMPLES, "hengyang-near-miss.xlsx"), "rb") as fh:
        xlsx = fh.read()
    with open(os.path.join(SAMPLES, "hengyang-near-miss.json"), "rb") as fh:
        js = fh.read()
    out.update({"good-legacy.xls": xls, "good-wps.et": xls, "good-open.ods": ods, "good-noext-xls": xls,
                "good-noext-xlsx": xlsx, "good-macro.xlsm": xlsx, "good-noext-json": js,
                "good-wrongext.txt": xlsx})
    out["fake.xlsb"] = make_xlsx([sheet_xml([["x"]])], extra={"xl/workbook.bin": b"\x00\x01garbage"})
    out["notes.txt"] = "这不是电子表格\n".encode()
    out["image.png"] = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    out["empty.xlsx"] = b""
    out["ole-garbage.xls"] = xls[:512] + b"\x00" * 4096
    out["ole-trunc.et"] = xls[: len(xls) // 3]
    out["archive.zip"] = make_xlsx([]).replace(b"xl/workbook.xml", b"xx/workbook.xml")
    return out


# ----------------------------------------------------------------------------- rosters
ROSTER_HEAD = ["企业名称", "统一社会信用代码", "营业收入2025", "营业收入2024", "研发费用2025", "从业人员数"]


def roster_rows(n, rnd):
    rows = []
    for i in range(n):
        rows.append([f"名单企业{i:04d}有限公司", "", str(rnd.randint(1000, 90000)), str(rnd.randint(1000, 90000)),
                     str(rnd.randint(10, 900)), str(rnd.randint(10, 900))])
    return rows


def csv_text(rows, delim=","):
    buf = io.StringIO()
    import csv

    w = csv.writer(buf, delimiter=delim, lineterminator="\r\n")
    w.writerow(ROSTER_HEAD)
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def roster_cases():
    """name -> (bytes, number of physical data rows after the header)."""
    rnd = random.Random(99)
    out = {}
    rows = roster_rows(200, rnd)
    base = csv_text(rows)
    lines = base.split("\r\n")[:-1]

    def put(name, text_lines, enc="utf-8", nrows=None):
        data = "\r\n".join(text_lines) + "\r\n"
        out[name] = (data.encode(enc) if isinstance(enc, str) else enc(data), nrows if nrows is not None
                     else len(text_lines) - 1)

    for k, at in enumerate([3, 50, 199]):
        ls = list(lines)
        ls[at] = ls[at].replace("名单企业", '"名单企业', 1)
        put(f"unclosed-quote-{k}.csv", ls)
    ls = list(lines)
    ls[10] += ",extra,cells,here"
    ls[11] = ls[11].split(",")[0]
    put("ragged.csv", ls)
    ls = list(lines)
    ls[20] = ls[20].replace("名单企业", "名单企业" + "x" * (200 * 1024), 1)
    put("oversized-cell.csv", ls)
    ls = list(lines)
    ls[30] = ls[30].replace("名单企业", '"名单\n企业', 1).replace(",", '",', 1)  # a legal multi-line cell
    put("multiline-cell.csv", ls, nrows=200)
    put("gbk.csv", lines, enc="gbk")
    put("gb18030.csv", lines + ["𠀀企业有限公司,,100,100,10,10"], enc="gb18030")
    put("utf8-bom.csv", lines, enc="utf-8-sig")
    put("utf16-bom.csv", lines, enc="utf-16")
    put("utf16le-nobom.csv", lines, enc="utf-16-le")
    put("utf16be-nobom.csv", lines, enc="utf-16-be")
    put("tab.csv", [ln.replace(",", "\t") for ln in lines])
    put("semicolon.csv", [ln.replace(",", ";") for ln in lines])
    ls = list(lines)
    ls[40] = ls[40].replace("名单", "名\x00单")
    put("nul.csv", ls)
    ls = list(lines)
    ls[41] = ls[41].replace("90", "9 0", 1) if "90" in ls[41] else ls[41].replace(",", ",1 2", 1)
    put("spaced-number.csv", ls)
    for i, p in enumerate(PAYLOADS):
        ls = list(lines)
        q = p.replace('"', '""')
        ls[0] = ls[0] + f',"头{q}"'
        ls[5] = f'"名单{q}公司"' + ls[5][ls[5].index(","):]
        put(f"text-{i:02d}.csv", ls)
    put("header-only.csv", lines[:1])
    put("no-header.csv", lines[1:], nrows=199)
    out["empty.csv"] = (b"", 0)
    out["binary.csv"] = (bytes(range(256)) * 20, 0)
    # a title row above the header, and a broken row above it
    put("title-above.csv", ['"名单标题', "说明,,,"] + lines, nrows=200)
    # xlsx rosters
    rrows = [ROSTER_HEAD] + [[*r[:2], *(int(x) for x in r[2:])] for r in rows[:50]]
    out["roster.xlsx"] = (make_xlsx([sheet_xml(rrows)]), 50)
    rr = [r[:] for r in rrows]
    sx = sheet_xml(rr).replace('</sheetData>', '<row r="52"><c r="A52" t="inlineStr"><is><t>公式企业</t></is></c>'
                                              '<c r="C52"><f>C2*2</f></c></row></sheetData>')
    out["roster-uncached.xlsx"] = (make_xlsx([sx]), 51)
    rr = [r[:] for r in rrows]
    rr[3][0] = "企业\x1b]0;x\x07[/]"
    out["roster-text.xlsx"] = (make_xlsx([sheet_xml(rr)]), 50)
    out["roster-far.xlsx"] = (make_xlsx([sheet_xml(rrows, dimension="A1:XFD1048576")]), 0)
    return out


def name_cases():
    data = open(os.path.join(SAMPLES, "hengyang-eligible.json"), "rb").read()
    return {"esc\x1b]0;title\x07.json": data, "new\nline.json": data, "bidi\u202enosj.json": data,
            "rich[bold]x[red].json": data, "tab\tname.json": data, b"latin1-\xe9.json": data}


# ----------------------------------------------------------------------------- running
def _write(folder, name, data):
    if isinstance(name, bytes):
        path = os.path.join(os.fsencode(folder), name)
    else:
        path = os.path.join(folder, name)
    with open(path, "wb") as fh:
        fh.write(data)
    return os.fsdecode(path)


def _digest(paths):
    out = {}
    for p in paths:
        try:
            with open(p, "rb") as fh:
                out[p] = hashlib.sha256(fh.read()).hexdigest()
        except OSError:
            out[p] = None
    return out


def run_cli(args, timeout=TIMEOUT, env=None, send=None):
    """(exit code, stdout, stderr, seconds, peak RSS bytes of the process tree, hung).

    The peak is ``wait4``'s: the child's own and that of every descendant it reaped.
    """
    import threading

    t = time.perf_counter()
    e = dict(os.environ, COLUMNS="200", **(env or {}))
    p = subprocess.Popen([*ZJTX, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=e,
                         start_new_session=True)
    bufs = {}

    def drain(name, stream):
        bufs[name] = stream.read()

    readers = [threading.Thread(target=drain, args=(n, s)) for n, s in (("out", p.stdout), ("err", p.stderr))]
    for r in readers:
        r.start()
    hung = []

    def kill():
        hung.append(True)
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except OSError:
            pass

    timer = threading.Timer(timeout, kill)
    timer.start()
    if send is not None:
        delay, sig = send
        time.sleep(delay)
        try:
            os.kill(p.pid, sig)
        except OSError:
            pass
    _pid, status, ru = os.wait4(p.pid, 0)
    timer.cancel()
    p.returncode = os.waitstatus_to_exitcode(status)
    for r in readers:
        r.join()
    p.stdout.close()
    p.stderr.close()
    return p.returncode, bufs.get("out", b""), bufs.get("err", b""), time.perf_counter() - t, ru.ru_maxrss * 1024, \
        bool(hung)


class Report:
    def __init__(self):
        self.cases = 0
        self.failures = []
        self.figures = {"tracebacks": 0, "aborts": 0, "hangs": 0, "silently_skipped": 0, "control_chars": 0,
                        "inputs_overwritten": 0, "over_1gib": 0, "internal_errors": 0, "max_rss_mib": 0}

    def fail(self, case, why):
        self.failures.append(f"{case}: {why}")

    def check_run(self, case, res, allow_tab_stdout=True):
        code, out, err, _secs, rss, hung = res
        text_out = out.decode("utf-8", "replace")
        text_err = err.decode("utf-8", "replace")
        try:
            out.decode("utf-8")
            err.decode("utf-8")
        except UnicodeDecodeError:
            self.fail(case, "output is not valid UTF-8")
        if hung:
            self.figures["hangs"] += 1
            self.fail(case, "hung")
        if code is not None and (code < 0 or code in (134, 137, 139)):
            self.figures["aborts"] += 1
            self.fail(case, f"died with {code}: {text_err[-300:]}")
        if "Traceback" in text_err or "Exception ignored" in text_err:
            self.figures["tracebacks"] += 1
            self.fail(case, "traceback: " + text_err[-500:])
        if "internal error" in text_err:
            self.figures["internal_errors"] += 1
            self.fail(case, "internal error: " + text_err[-300:])
        bad = CONTROL_RE.findall(text_err) + CONTROL_RE.findall(text_out.replace("\t", "") if allow_tab_stdout
                                                                 else text_out)
        if bad:
            self.figures["control_chars"] += 1
            self.fail(case, f"control characters reached the terminal: {bad[:5]!r}")
        self.figures["max_rss_mib"] = max(self.figures["max_rss_mib"], rss // (1024 * 1024))
        if rss > GIB:
            self.figures["over_1gib"] += 1
            self.fail(case, f"peak memory {rss // 1048576} MiB")
        return code, text_out, text_err


def run_folder(rep, folder, files, label, expect_good=(), extra=(), outs=(None, "r.csv", "r.jsonl", "r.xlsx")):
    """One batch over a folder of hostile files: every entry accounted for; exit 2."""
    before = _digest(files)
    for fmt_out in outs:
        outdir = tempfile.mkdtemp(prefix="zjtx-out-")
        args = ["batch", folder, "--scheme", "hengyang", "--as-of", AS_OF, "--format", "json", *extra]
        if fmt_out:
            args += ["--out", os.path.join(outdir, fmt_out)]
        res = run_cli(args)
        case = f"{label} (--out {fmt_out})"
        rep.cases += 1
        code, out, err = rep.check_run(case, res)
        if code != 2:
            rep.fail(case, f"exit {code}, expected 2")
        try:
            doc = json.loads(out)
        except ValueError:
            rep.fail(case, "stdout is not the JSON summary: " + out[:200])
            shutil.rmtree(outdir, ignore_errors=True)
            continue
        seen = {c["source"] for c in doc["companies"]}
        bad = {p["file"] for p in doc["problems"] if p["severity"] == "error"}
        listed = seen | bad
        for f in files:
            shown = (os.fsdecode(f) if isinstance(f, bytes) else f).encode("utf-8", "surrogateescape").decode(
                "utf-8", "replace")
            if not any(shown == x or os.path.basename(shown) in x or x.endswith(os.path.basename(shown)[-8:])
                       for x in listed):
                rep.figures["silently_skipped"] += 1
                rep.fail(case, f"{shown!r} neither scored nor reported")
        if doc["inputs"] != doc["scored"] + doc["unreadable"] or doc["inputs"] < len(files):
            rep.figures["silently_skipped"] += 1
            rep.fail(case, f"inputs {doc['inputs']} != scored {doc['scored']} + unreadable {doc['unreadable']} "
                           f"(files {len(files)})")
        for g in expect_good:
            if g not in seen:
                rep.fail(case, f"good applicant {os.path.basename(g)} has no result")
        if fmt_out:
            target = os.path.join(outdir, fmt_out)
            if not os.path.exists(target):
                rep.fail(case, "no --out written")
            elif fmt_out == "r.jsonl":
                with open(target, "rb") as fh:
                    lines = fh.read().decode("utf-8").splitlines()  # valid UTF-8
                srcs = {json.loads(x)["source_file"] for x in lines}
                for g in expect_good:
                    if g not in srcs:
                        rep.fail(case, f"good applicant {os.path.basename(g)} missing from the jsonl")
        shutil.rmtree(outdir, ignore_errors=True)
    after = _digest(files)
    changed = [f for f in files if before[f] != after[f]]
    if changed:
        rep.figures["inputs_overwritten"] += len(changed)
        rep.fail(label, f"inputs changed: {changed[:3]}")


def run_rosters(rep, folder, cases):
    from concurrent.futures import ThreadPoolExecutor

    def one(item):
        name, nrows = item
        path = os.path.join(folder, name)
        res = run_cli(["batch", path, "--scheme", "hengyang", "--as-of", AS_OF, "--format", "json"])
        return name, nrows, path, res

    with ThreadPoolExecutor(4) as ex:
        for name, nrows, path, res in ex.map(one, sorted(cases.items())):
            rep.cases += 1
            case = f"roster {name}"
            code, out, err = rep.check_run(case, res)
            if code not in (0, 2):
                rep.fail(case, f"exit {code}: {err[-300:]}")
                continue
            if code == 2 and not out.strip():
                continue  # refused as a whole, with its reason on stderr
            try:
                doc = json.loads(out)
            except ValueError:
                rep.fail(case, "stdout is not JSON: " + out[:200])
                continue
            rows_seen = {c["row"] for c in doc["companies"]} | {p["row"] for p in doc["problems"]
                                                                if p["severity"] == "error"}
            if nrows and len(rows_seen - {None}) < nrows:
                rep.figures["silently_skipped"] += 1
                rep.fail(case, f"{nrows} rows, only {len(rows_seen - {None})} accounted for")


def run_special(rep, base):
    # a FIFO and /dev/zero as rosters; a folder with a FIFO and an unreadable sub-folder
    fifo = os.path.join(base, "pipe.csv")
    os.mkfifo(fifo)
    zero = os.path.join(base, "zero.csv")
    os.symlink("/dev/zero", zero)
    for p in (fifo, zero):
        rep.cases += 1
        code, out, err = rep.check_run(f"special {os.path.basename(p)}",
                                       run_cli(["batch", p, "--scheme", "hengyang"], timeout=30))
        if code != 2:
            rep.fail(f"special {p}", f"exit {code}")
    d = os.path.join(base, "tree")
    os.makedirs(os.path.join(d, "locked"))
    os.makedirs(os.path.join(d, "open"))
    shutil.copy(os.path.join(SAMPLES, "hengyang-eligible.json"), os.path.join(d, "open", "a.json"))
    shutil.copy(os.path.join(SAMPLES, "hengyang-eligible.json"), os.path.join(d, "locked", "b.json"))
    os.mkfifo(os.path.join(d, "open", "fifo.json"))
    os.chmod(os.path.join(d, "locked"), 0)
    try:
        rep.cases += 1
        code, out, err = rep.check_run("special tree", run_cli(["batch", d, "--recursive", "--scheme", "hengyang",
                                                               "--as-of", AS_OF], timeout=30))
        if code != 2 or "fifo.json" not in err or (os.geteuid() != 0 and "locked" not in err):
            rep.figures["silently_skipped"] += 1
            rep.fail("special tree", f"exit {code}: {err[-400:]}")
        rep.cases += 1
        code, out, err = rep.check_run("special tree non-recursive",
                                       run_cli(["batch", d, "--scheme", "hengyang", "--as-of", AS_OF], timeout=30))
        if "open" not in err or "--recursive" not in err:
            rep.figures["silently_skipped"] += 1
            rep.fail("special tree non-recursive", f"sub-folders not mentioned: {err[-300:]}")
    finally:
        os.chmod(os.path.join(d, "locked"), 0o755)


def run_out(rep, base):
    d = os.path.join(base, "apps")
    os.makedirs(os.path.join(d, "sub"))
    for n in ("hengyang-eligible.json", "hengyang-near-miss.json"):
        shutil.copy(os.path.join(SAMPLES, n), os.path.join(d, n))
    shutil.copy(os.path.join(SAMPLES, "hengyang-eligible.xlsx"), os.path.join(d, "sub", "x.xlsx"))
    os.symlink(os.path.join(d, "hengyang-eligible.json"), os.path.join(base, "link.jsonl"))
    os.link(os.path.join(d, "hengyang-near-miss.json"), os.path.join(base, "hard.csv"))
    os.symlink(os.path.join(d, "sub", "x.xlsx"), os.path.join(base, "xlink.xlsx"))
    ro = os.path.join(base, "ro")
    os.makedirs(ro)
    os.chmod(ro, 0o555)
    files = [os.path.join(d, n) for n in os.listdir(d) if n.endswith(".json")] + [os.path.join(d, "sub", "x.xlsx")]
    before = _digest(files)
    single = os.path.join(d, "hengyang-eligible.json")
    cases = [
        (["batch", d, "--out", os.path.join(d, "x.xlsx")], "inside the folder"),
        (["batch", d, "--out", os.path.join(d, "hengyang-eligible.csv")], "inside the folder (new name)"),
        (["batch", d, "--recursive", "--out", os.path.join(d, "sub", "x.xlsx")], "an input in a sub-folder"),
        (["batch", d, "--recursive", "--out", os.path.join(d, "sub", "new.csv")], "inside a sub-folder"),
        (["batch", d, "--out", os.path.join(base, "link.jsonl")], "a symlink to an input"),
        (["batch", d, "--out", os.path.join(base, "hard.csv")], "a hard link of an input"),
        (["batch", d, "--recursive", "--out", os.path.join(base, "xlink.xlsx")], "a symlink to a sub-folder input"),
        (["batch", single, "--out", single.replace(".json", ".jsonl")], "other file, ok"),
        (["batch", os.path.join(d, "sub", "x.xlsx"), "--out", os.path.join(base, "xlink.xlsx")], "single via symlink"),
        (["batch", d, "--out", os.path.join(base, "missing", "r.xlsx")], "missing folder"),
        (["batch", d, "--out", os.path.join(ro, "r.xlsx")], "read-only folder"),
        (["batch", d, "--out", ro + ".xlsx"], "ok elsewhere"),
        (["batch", d, "--out", base], "a folder"),
    ]
    os.makedirs(base + ".xlsx", exist_ok=True)  # "--out base.xlsx" is a folder
    cases[-2] = (["batch", d, "--out", base + ".xlsx"], "a folder named .xlsx")
    for args, what in cases:
        rep.cases += 1
        t0 = time.perf_counter()
        code, out, err = rep.check_run(f"--out {what}", run_cli([*args, "--scheme", "hengyang", "--as-of", AS_OF]))
        errs = [ln for ln in err.splitlines() if ln.startswith("zjtx: error")]
        if what == "other file, ok":
            if code != 0:
                rep.fail(f"--out {what}", f"exit {code}: {err[-200:]}")
            continue
        if what == "read-only folder" and os.geteuid() == 0:
            continue  # root writes anyway
        if code != 2 or len(errs) != 1 or out.strip():
            rep.fail(f"--out {what}", f"expected refusal before any work (exit 2, one line, no output); got "
                                      f"exit {code}, {len(errs)} error lines, stdout {out[:80]!r}")
    after = _digest(files)
    changed = [f for f in files if before[f] != after[f]]
    if changed:
        rep.figures["inputs_overwritten"] += len(changed)
        rep.fail("--out", f"inputs changed: {changed}")
    os.chmod(ro, 0o755)


def run_signals(rep, base, folder):
    """SIGINT / SIGTERM during a pooled batch with --out: clean stop, no leftovers, previous --out intact."""
    for sig, code_want, word in ((signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")):
        outdir = os.path.join(base, f"sig{int(sig)}")
        os.makedirs(outdir)
        target = os.path.join(outdir, "r.xlsx")
        with open(target, "wb") as fh:
            fh.write(b"previous results")
        tmpdir = os.path.join(outdir, "tmp")
        os.makedirs(tmpdir)
        rep.cases += 1
        case = f"signal {sig.name}"
        res = run_cli(["batch", folder, "--scheme", "hengyang", "--as-of", AS_OF, "--jobs", "2", "--out", target],
                      env={"TMPDIR": tmpdir}, send=(1.5, sig))
        code, out, err = rep.check_run(case, res)
        if code not in (code_want, 2, 0):
            rep.fail(case, f"exit {code}: {err[-300:]}")
        if code == code_want and f"zjtx: {word}" not in err:
            rep.fail(case, f"no 'zjtx: {word}' line")
        left = [n for n in os.listdir(outdir) if n not in ("r.xlsx", "tmp")] + os.listdir(tmpdir)
        if left:
            rep.fail(case, f"left behind: {left}")
        with open(target, "rb") as fh:
            if code == code_want and fh.read() != b"previous results":
                rep.fail(case, "previous --out was changed")
        time.sleep(0.5)
        stray = subprocess.run(["pgrep", "-f", f"zjtx_cli batch {folder}"], capture_output=True, text=True).stdout
        if stray.strip():
            rep.fail(case, f"processes left running: {stray.split()}")


def generate(base, quick=False):
    """Write the corpus under ``base``; returns the manifest (also written to base/manifest.json)."""
    files_dir = os.path.join(base, "files")
    os.makedirs(files_dir)
    cases = {}
    cases.update({f"x-{k}": v for k, v in xlsx_cases().items()})
    cases.update({f"m-{k}": v for k, v in mutated_xlsx(per_sample=16).items()})
    cases.update({f"j-{k}": v for k, v in json_cases().items()})
    cases.update({f"mj-{k}": v for k, v in mutated_json(per_sample=6).items()})
    cases.update({f"f-{k}": v for k, v in format_cases().items()})
    if not quick:
        cases.update(big_json_cases())
    paths = [_write(files_dir, k, v) for k, v in sorted(cases.items())]
    cases.clear()
    for name, data in name_cases().items():
        paths.append(_write(files_dir, name, data))
    # good applicants among them: every one must have its result
    good = []
    for n in sorted(os.listdir(SAMPLES)):
        if n.startswith("hengyang") and n.endswith((".json", ".xlsx")):
            p = os.path.join(files_dir, "good-" + n)
            shutil.copy(os.path.join(SAMPLES, n), p)
            paths.append(p)
            good.append(p)
    rosters = roster_cases()
    rdir = os.path.join(base, "rosters")
    os.makedirs(rdir)
    for name, (data, _n) in rosters.items():
        _write(rdir, name, data)
    manifest = {"files": [os.fsencode(p).decode("latin-1") for p in paths], "good": good,
                "rosters": {k: n for k, (_d, n) in rosters.items()}}
    with open(os.path.join(base, "manifest.json"), "w") as fh:
        json.dump(manifest, fh)
    return manifest


def build_and_run(base, quick=False):
    rep = Report()
    t0 = time.perf_counter()
    # generated in a child process: this one stays small, so the peaks measured are zjtx's own
    # (Linux hands a child the high-water mark of the process it was forked from)
    subprocess.run([sys.executable, os.path.abspath(__file__), "--generate-only", base,
                    *(["--quick"] if quick else [])], check=True, cwd=ROOT)
    with open(os.path.join(base, "manifest.json")) as fh:
        manifest = json.load(fh)
    paths = [os.fsdecode(p.encode("latin-1")) for p in manifest["files"]]
    good = manifest["good"]
    files_dir = os.path.join(base, "files")
    rep.file_cases = len(paths)
    run_folder(rep, files_dir, paths, "hostile folder", expect_good=good)
    run_folder(rep, files_dir, paths, "hostile folder serial", expect_good=good, extra=["--jobs", "1"],
               outs=(None,) if quick else (None, "r.csv", "r.jsonl", "r.xlsx"))
    rosters = manifest["rosters"]
    run_rosters(rep, os.path.join(base, "rosters"), rosters)
    run_special(rep, base)
    run_out(rep, os.path.join(base, "out"))
    run_signals(rep, base, files_dir)
    rep.cases_total = rep.file_cases + len(rosters) + 3 + 13 + 2
    rep.seconds = time.perf_counter() - t0
    return rep


def main(argv=None):
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--keep", help="build the corpus in this folder (kept)")
    ap.add_argument("--quick", action="store_true", help="fewer mutations (CI)")
    ap.add_argument("--json", help="write the figures to this file")
    ap.add_argument("--generate-only", metavar="DIR", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.generate_only:
        generate(a.generate_only, a.quick)
        return 0
    base = a.keep or tempfile.mkdtemp(prefix="zjtx-hostile-")
    os.makedirs(base, exist_ok=True)
    rep = build_and_run(base, quick=a.quick)
    figures = dict(rep.figures, cases=rep.cases_total, file_cases=rep.file_cases, runs=rep.cases,
                   failures=len(rep.failures), seconds=round(rep.seconds, 1))
    print(json.dumps(figures, indent=2))
    for f in rep.failures[:100]:
        print("FAIL", f.encode("unicode_escape").decode("ascii")[:400])
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(dict(figures, failure_list=rep.failures), fh, indent=2, ensure_ascii=True)
    if not a.keep:
        shutil.rmtree(base, ignore_errors=True)
    return 1 if rep.failures else 0


if __name__ == "__main__":
    sys.path.insert(0, ROOT)
    raise SystemExit(main())
