"""Issue 9: a batch never loses an applicant.

Each promise with a test that fails without it: hostile workbooks refused
before the native reader (and a crash there contained), ``--out`` never an
input, lone surrogates, every CSV row accounted for, every folder entry
scored or listed, inert terminal text, clean stops, and the smaller ones.
The whole hostile corpus runs in ``test_hostile_corpus`` (tests/hostile/corpus.py).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT
from hostile.corpus import (PAYLOADS, applicant_rows, make_xlsx, roster_cases, sample_json, sheet_xml)
from zjtx_cli.inputs.fields import field_dictionary
from zjtx_cli.inputs.model import InputError

SAMPLES = os.path.join(ROOT, "samples")
AS_OF = "2026-06-01"
CONTROL = set(range(0x00, 0x09)) | {0x0B, 0x0C} | set(range(0x0E, 0x20)) | {0x7F} | set(range(0x80, 0xA0)) | \
    {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F}


def cli(*args, timeout=120, env=None):
    e = dict(os.environ, COLUMNS="200", **(env or {}))
    r = subprocess.run([sys.executable, "-m", "zjtx_cli", *map(str, args)], capture_output=True, cwd=ROOT,
                       timeout=timeout, env=e)
    out, err = r.stdout.decode("utf-8"), r.stderr.decode("utf-8")  # valid UTF-8, or this raises
    assert "Traceback" not in err and "Exception ignored" not in err and "internal error" not in err, err
    return r.returncode, out, err


def inert_text(text):
    bad = [hex(ord(c)) for c in text.replace("\n", "").replace("\t", "") if ord(c) in CONTROL]
    assert not bad, bad


def good_xlsx():
    return applicant_rows(sample_json())


# ------------------------------------------------------------------ 1. untrusted xlsx
@pytest.mark.parametrize("ref", ["XFD1048576", "XFD20000", "ZZZZZ99999999", "Z1048576", "CV1048576", "A1048577"])
def test_far_cell_refused_before_the_reader(tmp_path, ref):
    p = tmp_path / "far.xlsx"
    p.write_bytes(make_xlsx([sheet_xml(good_xlsx(), raw_cells=f'<row r="70"><c r="{ref}"><v>1</v></c></row>')]))
    code, out, err = cli("assess", p, "-s", "hengyang", "--lang", "en")
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and "far.xlsx" in lines[0]
    assert ("outside Excel's limits" in lines[0]) or ("cells" in lines[0]), lines


def test_declared_dimension_refused(tmp_path):
    p = tmp_path / "dim.xlsx"
    p.write_bytes(make_xlsx([sheet_xml(good_xlsx(), dimension="A1:XFD1048576")]))
    code, _out, err = cli("assess", p, "-s", "hengyang", "--lang", "en")
    assert code == 2 and "declares a used range" in err


def test_within_limits_still_read(tmp_path):
    # the edge of the limits: a cell at A5000 (area 5000 x 4) is fine
    p = tmp_path / "edge.xlsx"
    p.write_bytes(make_xlsx([sheet_xml(good_xlsx(), raw_cells='<row r="5000"><c r="D5000"><v>1</v></c></row>')]))
    code, out, _err = cli("assess", p, "-s", "hengyang", "--as-of", AS_OF, "-f", "json")
    assert code in (0, 1, 3) and json.loads(out)["verdict"]


def test_capped_reader_contains_a_crash():
    from zjtx_cli.inputs.isolate import CappedReader, ReaderCrashed

    r = CappedReader()
    try:
        assert r.call(len, [1, 2, 3]) == 3
        with pytest.raises(ReaderCrashed, match="memory budget or crashed"):
            r.call(os.abort)
        with pytest.raises(ReaderCrashed):
            r.call(bytearray, 4 * 1024 ** 3)  # over the address-space cap
        assert r.call(len, "again") == 5  # a new child after the crash
    finally:
        r.close()


def test_pool_worker_killed_batch_goes_on(tmp_path):
    """A broken pool does not lose the files: what is left is done in the main process."""
    from zjtx_cli.batch import runner

    seen = []
    runner._pooled(2, (None,) * 7, _kill_self_or_len, [[1], [2], ["die"], [3], [4]], seen.append)
    assert sorted(x for x in seen) == [1, 1, 1, 1, 1]


def _kill_self_or_len(chunk):
    if chunk == ["die"] and os.getpid() != _MAIN_PID:
        os.kill(os.getpid(), signal.SIGKILL)
    return len(chunk)


_MAIN_PID = os.getpid()


# ------------------------------------------------------------------ 2. --out never an input
@pytest.fixture
def apps(tmp_path):
    d = tmp_path / "apps"
    (d / "sub").mkdir(parents=True)
    for n in ("hengyang-eligible.json", "hengyang-near-miss.json"):
        shutil.copy(os.path.join(SAMPLES, n), d / n)
    shutil.copy(os.path.join(SAMPLES, "hengyang-eligible.xlsx"), d / "sub" / "x.xlsx")
    return d


def _refused(code, out, err, *words):
    lines = err.splitlines()
    assert code == 2 and out == "" and len(lines) == 1, (code, out, err)
    for w in words:
        assert w in lines[0], lines[0]


def test_out_inside_the_folder_refused(apps):
    before = (apps / "hengyang-eligible.json").read_bytes()
    _refused(*cli("batch", apps, "-s", "hengyang", "--out", apps / "hengyang-eligible.xlsx", "--lang", "en"),
             "inside the input folder")
    _refused(*cli("batch", apps, "-s", "hengyang", "--recursive", "--out", apps / "sub" / "x.xlsx", "--lang", "en"),
             "inside the input folder")
    assert (apps / "hengyang-eligible.json").read_bytes() == before


def test_out_outside_a_non_recursive_folder_sub_folder_is_fine(apps, tmp_path):
    code, _out, err = cli("batch", apps, "-s", "hengyang", "--as-of", AS_OF, "--out", tmp_path / "r.csv")
    assert code == 0  # the sub-folder is named in a warning, not read (the user chose not to recurse)
    assert "--recursive" in err and (tmp_path / "r.csv").exists()


def test_out_symlink_and_hard_link_refused(apps, tmp_path):
    link = tmp_path / "link.jsonl"
    link.symlink_to(apps / "hengyang-eligible.json")
    hard = tmp_path / "hard.csv"
    os.link(apps / "hengyang-near-miss.json", hard)
    _refused(*cli("batch", apps, "-s", "hengyang", "--out", link, "--lang", "en"), "inside the input folder")
    _refused(*cli("batch", apps, "-s", "hengyang", "--out", hard, "--lang", "en"), "hard link")
    single = apps / "sub" / "x.xlsx"
    xl = tmp_path / "x.xlsx"
    xl.symlink_to(single)
    _refused(*cli("batch", single, "-s", "hengyang", "--out", xl, "--lang", "en"), "would overwrite input file")


def test_out_unwritable_refused_before_any_work(apps, tmp_path):
    t = time.perf_counter()
    _refused(*cli("batch", apps, "-s", "hengyang", "--out", tmp_path / "missing" / "r.xlsx", "--lang", "en"),
             "does not exist")
    (tmp_path / "d.xlsx").mkdir()
    _refused(*cli("batch", apps, "-s", "hengyang", "--out", tmp_path / "d.xlsx", "--lang", "en"), "folder")
    if os.geteuid() != 0:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        _refused(*cli("batch", apps, "-s", "hengyang", "--out", ro / "r.xlsx", "--lang", "en"), "not writable")
    assert time.perf_counter() - t < 30


# ------------------------------------------------------------------ 3. lone surrogates
def test_lone_surrogate_replaced_with_warning(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    raw = json.dumps(sample_json(), ensure_ascii=False).replace('"company_name": "', '"company_name": "衡阳\\ud800')
    (d / "s.json").write_text(raw, encoding="utf-8")
    code, out, err = cli("assess", d / "s.json", "-s", "hengyang", "--as-of", AS_OF, "-f", "json")
    assert json.loads(out)["company"] == "衡阳\ufffd" + sample_json()["company_name"]
    assert "U+FFFD" in err
    for ext in ("csv", "jsonl", "xlsx"):
        code, out, err = cli("batch", d, "-s", "hengyang", "--as-of", AS_OF, "--out", tmp_path / f"r.{ext}")
        assert code == 0 and (tmp_path / f"r.{ext}").stat().st_size > 0


# ------------------------------------------------------------------ 4. CSV rows accounted for
def _csv_accounting(tmp_path, name):
    data, nrows = roster_cases()[name]
    p = tmp_path / name
    p.write_bytes(data)
    code, out, err = cli("batch", p, "-s", "hengyang", "--as-of", AS_OF, "-f", "json")
    doc = json.loads(out)
    rows = {c["row"] for c in doc["companies"]} | {q["row"] for q in doc["problems"] if q["severity"] == "error"}
    return code, doc, rows, nrows, err


def test_unclosed_quote_loses_one_row_not_the_rest(tmp_path):
    code, doc, rows, nrows, err = _csv_accounting(tmp_path, "unclosed-quote-0.csv")
    assert code == 2 and doc["scored"] == nrows - 1 and len(rows) == nrows
    assert any("not closed" in q["reason"] and q["row"] == 4 for q in doc["problems"])


def test_oversized_cell_reported_for_its_row(tmp_path):
    code, doc, rows, nrows, _err = _csv_accounting(tmp_path, "oversized-cell.csv")
    assert code == 2 and doc["scored"] == nrows - 1 and len(rows) == nrows
    assert any("KiB" in q["reason"] and q["row"] == 21 for q in doc["problems"])


def test_multiline_cell_is_not_an_unclosed_quote(tmp_path):
    code, doc, rows, nrows, _err = _csv_accounting(tmp_path, "multiline-cell.csv")
    assert code == 0 and doc["scored"] == nrows


@pytest.mark.parametrize("name", ["gbk.csv", "gb18030.csv", "utf8-bom.csv", "utf16-bom.csv", "utf16le-nobom.csv",
                                  "utf16be-nobom.csv", "tab.csv", "semicolon.csv"])
def test_csv_encodings_and_delimiters(tmp_path, name):
    code, doc, rows, nrows, _err = _csv_accounting(tmp_path, name)
    assert code == 0 and doc["scored"] == nrows
    assert doc["companies"][0]["company"] == "名单企业0000有限公司"


def test_ragged_row_warned(tmp_path):
    code, doc, rows, nrows, err = _csv_accounting(tmp_path, "ragged.csv")
    assert len(rows) == nrows and "超出表头" in err


# ------------------------------------------------------------------ 5. every entry scored or listed
def test_office_formats_and_content_sniffing(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    fx = os.path.join(ROOT, "tests", "hostile", "fixtures")
    shutil.copy(os.path.join(fx, "legacy.xls"), d / "a.xls")
    shutil.copy(os.path.join(fx, "legacy.xls"), d / "b.et")
    shutil.copy(os.path.join(fx, "open.ods"), d / "c.ods")
    shutil.copy(os.path.join(SAMPLES, "hengyang-eligible.xlsx"), d / "d.xlsm")
    shutil.copy(os.path.join(SAMPLES, "hengyang-eligible.json"), d / "noext")
    (d / "notes.txt").write_text("hello", encoding="utf-8")
    code, out, err = cli("batch", d, "-s", "hengyang", "--as-of", AS_OF, "-f", "json", "--lang", "en")
    doc = json.loads(out)
    scored = {os.path.basename(c["source"]) for c in doc["companies"]}
    assert scored == {"a.xls", "b.et", "c.ods", "d.xlsm", "noext"}
    assert {c["verdict"] for c in doc["companies"]} == {"eligible"}
    assert code == 2 and "notes.txt" in err and "not a spreadsheet" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists a chmod 000 folder")
def test_unreadable_sub_folder_reported(tmp_path):
    d = tmp_path / "in"
    (d / "locked").mkdir(parents=True)
    shutil.copy(os.path.join(SAMPLES, "hengyang-eligible.json"), d / "a.json")
    (d / "locked").chmod(0)
    try:
        code, _out, err = cli("batch", d, "--recursive", "-s", "hengyang", "--as-of", AS_OF)
    finally:
        (d / "locked").chmod(0o755)
    assert code == 2 and "locked" in err


def test_fifo_and_dev_zero_do_not_hang(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.csv"
    zero.symlink_to("/dev/zero")
    for p in (fifo, zero):
        code, _out, err = cli("batch", p, "-s", "hengyang", "--lang", "en", timeout=30)
        assert code == 2 and "not a regular file" in err


# ------------------------------------------------------------------ 6. inert terminal text
@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_in_name_and_label_is_inert(tmp_path, payload):
    p = tmp_path / "t.xlsx"
    p.write_bytes(make_xlsx([sheet_xml(applicant_rows(sample_json(), name="公司" + payload, label="标签" + payload,
                                                      value="值"))]))
    code, out, err = cli("assess", p, "-s", "hengyang", "--as-of", AS_OF)
    inert_text(out + err)
    assert all(ln.startswith("zjtx: ") for ln in err.splitlines())
    code, out, err = cli("batch", tmp_path, "-s", "hengyang", "--as-of", AS_OF)
    inert_text(out + err)
    code, out, _err = cli("assess", p, "-s", "hengyang", "--as-of", AS_OF, "-f", "json")
    # JSON keeps the text (escaped); XML itself turns a bare CR into LF
    assert json.loads(out)["company"] == "公司" + payload.replace("\r", "\n")


def test_file_name_with_newline_is_one_line(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "bad\nname\x1b[2J.json").write_text("{", encoding="utf-8")
    code, _out, err = cli("batch", d, "-s", "hengyang")
    errors = [ln for ln in err.splitlines() if "bad" in ln]
    assert code == 2 and len(errors) == 1 and errors[0].startswith("zjtx: error:")
    inert_text(err)


# ------------------------------------------------------------------ 7. clean stops
@pytest.mark.parametrize("sig,code,word", [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")])
def test_clean_stop(tmp_path, sig, code, word):
    d = tmp_path / "in"
    d.mkdir()
    for i in range(400):
        shutil.copy(os.path.join(SAMPLES, "hengyang-eligible.xlsx"), d / f"a{i:03d}.xlsx")
    outdir = tmp_path / "o"
    outdir.mkdir()
    (outdir / "r.xlsx").write_bytes(b"previous")
    spool = tmp_path / "spool"
    spool.mkdir()
    p = subprocess.Popen([sys.executable, "-m", "zjtx_cli", "batch", str(d), "-s", "hengyang", "--jobs", "2",
                          "--out", str(outdir / "r.xlsx")], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=dict(os.environ, TMPDIR=str(spool)))
    time.sleep(1.2)
    p.send_signal(sig)
    _out, err = p.communicate(timeout=60)
    err = err.decode()
    if p.returncode == 0:
        pytest.skip("the batch finished before the signal")
    assert p.returncode == code and err.splitlines()[-1] == f"zjtx: {word}", err[-300:]
    assert "Traceback" not in err
    assert os.listdir(outdir) == ["r.xlsx"] and (outdir / "r.xlsx").read_bytes() == b"previous"
    assert os.listdir(spool) == []


@pytest.mark.parametrize("ext", ["xlsx", "csv", "jsonl"])
def test_full_disk_is_one_line_and_leaves_nothing(tmp_path, ext):
    """A write that fails half-way (a full disk, here a file-size limit): one line, no temp file, no noise."""
    import resource

    d = tmp_path / "in"
    d.mkdir()
    for i in range(60):
        shutil.copy(os.path.join(SAMPLES, "hengyang-eligible.json"), d / f"a{i}.json")
    o = tmp_path / "o"
    o.mkdir()

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))

    r = subprocess.run([sys.executable, "-m", "zjtx_cli", "batch", str(d), "-s", "hengyang", "--as-of", AS_OF,
                        "--out", str(o / f"r.{ext}")], cwd=ROOT, capture_output=True, preexec_fn=limit,
                       env=dict(os.environ, TMPDIR=str(o)))
    err = r.stderr.decode()
    errors = [ln for ln in err.splitlines() if "warning" not in ln]
    assert r.returncode == 2 and len(errors) == 1 and "File too large" in errors[0], err[-500:]
    assert "Exception ignored" not in err and os.listdir(o) == []


# ------------------------------------------------------------------ 8. the smaller ones
def test_small_values():
    from zjtx_cli.inputs.values import BadValue, parse_number

    for bad in ("1 2", "12 345", "1e-999"):
        with pytest.raises(BadValue):
            parse_number(bad, "万元")
    assert parse_number("1,800 万元", "万元") == 1800 and parse_number("0.0001", "万元") > 0


def test_many_unknown_keys_fast(tmp_path):
    d = sample_json()
    for i in range(200000):
        d[f"k{i}"] = i
    p = tmp_path / "big.json"
    p.write_text(json.dumps(d), encoding="utf-8")
    from zjtx_cli.inputs.reader import read_enterprise

    t = time.perf_counter()
    e = read_enterprise(str(p), field_dictionary())
    assert time.perf_counter() - t < 20
    assert len(e.warnings) <= 110 and any("more unknown labels" in w.reason for w in e.warnings)


def test_hidden_first_sheet_and_second_sheet_hint(tmp_path):
    from zjtx_cli.inputs.reader import read_enterprise

    p = tmp_path / "h.xlsx"
    p.write_bytes(make_xlsx([sheet_xml([["企业名称", "隐藏表公司"]]), sheet_xml(good_xlsx())],
                            names=["Hidden", "Visible"], states=["hidden", None]))
    e = read_enterprise(str(p), field_dictionary())
    assert e.values["company_name"] == sample_json()["company_name"]
    assert any("hidden sheet" in w.reason for w in e.warnings)
    p2 = tmp_path / "s.xlsx"
    p2.write_bytes(make_xlsx([sheet_xml([["说明"]]), sheet_xml(good_xlsx())], names=["封面", "数据"]))
    e2 = read_enterprise(str(p2), field_dictionary())
    assert any("数据" in w.reason for w in e2.warnings)


def test_uncached_formula_in_roster_warned(tmp_path):
    data, _n = roster_cases()["roster-uncached.xlsx"]
    p = tmp_path / "r.xlsx"
    p.write_bytes(data)
    code, out, err = cli("batch", p, "-s", "hengyang", "--as-of", AS_OF, "--lang", "en")
    assert any("row 52" in ln and "cached value" in ln for ln in err.splitlines()), err


# ------------------------------------------------------------------ 9. the corpus
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX only")
def test_hostile_corpus(tmp_path):
    from hostile.corpus import build_and_run

    rep = build_and_run(str(tmp_path / "corpus"), quick=True)
    assert rep.cases_total >= 500
    assert rep.failures == [], rep.failures[:20]
