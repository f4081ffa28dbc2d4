"""Mutated workbooks, CSV rosters and JSON files through the whole pipeline, in a child process.

read -> score -> render (the terminal table) -> export (xlsx, csv, jsonl): each
example runs in a forked child, so that an abort or a native crash is a test
failure (a signal or a non-zero status other than zjtx's own), not a lost run.
The child's stdout/stderr are checked too: no traceback, no control character.
"""

from __future__ import annotations

import os
import random
import signal
import sys
import tempfile
import time

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from conftest import ROOT  # noqa: E402

SAMPLES = os.path.join(ROOT, "samples")
SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                           HealthCheck.function_scoped_fixture])
CONTROL = set(range(0x00, 0x09)) | {0x0B, 0x0C} | set(range(0x0E, 0x20)) | {0x7F} | set(range(0x80, 0xA0)) | \
    set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))
XLSX = sorted(os.path.join(SAMPLES, n) for n in os.listdir(SAMPLES) if n.endswith(".xlsx"))
JSONS = sorted(os.path.join(SAMPLES, n) for n in os.listdir(SAMPLES) if n.endswith(".json"))
INSERTS = [b'"', b"\n", b"\r", b"\x00", b"\x1b[2J", "\u202e".encode(), b"\xff\xfe", b",", b"\t", b";",
           b'<c r="XFD1048576"><v>1</v></c>', b"\\ud800", b"1e-999", b"[/]"]


def _pipeline(path, outdir, fmt):
    """In the child: batch with every export, then assess with the table (the rendering)."""
    from zjtx_cli.batch.runner import run_batch
    from zjtx_cli.cli.commands import run_assess

    code = 0
    for ext in ("xlsx", "csv", "jsonl"):
        try:
            c = run_batch(path, "hengyang", out=os.path.join(outdir, f"r.{ext}"), fmt=fmt, as_of=None, jobs=1)
        except SystemExit as exc:
            c = exc.code
        if c not in (0, 2):
            code = 90
    if not path.endswith(".csv"):
        try:
            c = run_assess(path, "hengyang", fmt="table")
        except SystemExit as exc:
            c = exc.code
        if c not in (0, 1, 2, 3):
            code = 91
    return code


def run_in_child(path, fmt="table", timeout=60):
    """(status, stdout+stderr text) of the pipeline run in a forked child."""
    outdir = tempfile.mkdtemp(prefix="zjtx-fuzz-")
    log = os.path.join(outdir, "log.txt")
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 99
        try:
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
            sys.stderr = open(2, "w", encoding="utf-8", closefd=False)
            code = _pipeline(path, outdir, fmt)
        except BaseException:
            import traceback

            traceback.print_exc()
            code = 98
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "hang", ""
        time.sleep(0.01)
    with open(log, "rb") as fh:
        text = fh.read().decode("utf-8")  # valid UTF-8, or this raises
    import shutil

    shutil.rmtree(outdir, ignore_errors=True)
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}", text
    return os.WEXITSTATUS(status), text


def _check(status, text):
    assert status == 0, (status, text[-800:])
    assert "Traceback" not in text and "internal error" not in text, text[-800:]
    bad = [hex(ord(c)) for c in text if ord(c) in CONTROL]
    assert not bad, bad[:10]


def _mutate(data: bytes, seed: int, n: int) -> bytes:
    rnd = random.Random(seed)
    b = bytearray(data)
    for _ in range(n):
        op = rnd.randrange(3)
        i = rnd.randrange(len(b) or 1)
        if op == 0 and b:
            b[i] = rnd.randrange(256)
        elif op == 1:
            b[i:i] = rnd.choice(INSERTS)
        elif b:
            del b[i:i + rnd.randrange(1, 8)]
    return bytes(b)


@SETTINGS
@given(sample=st.sampled_from(XLSX), seed=st.integers(0, 2 ** 32), n=st.integers(1, 6))
def test_mutated_workbook_through_pipeline(tmp_path, sample, seed, n):
    with open(sample, "rb") as fh:
        data = fh.read()
    p = tmp_path / f"m{seed}.xlsx"
    p.write_bytes(_mutate(data, seed, n))
    _check(*run_in_child(str(p)))


@SETTINGS
@given(sample=st.sampled_from(XLSX), seed=st.integers(0, 2 ** 32), ref=st.sampled_from(
    ["XFD1048576", "Z1048576", "CV1048576", "A1048576", "ZZZZ1", "B2", "XFD1"]))
def test_workbook_with_a_far_cell_through_pipeline(tmp_path, sample, seed, ref):
    """Structure-aware: a cell written far away inside a valid zip (what random flips rarely produce)."""
    import io
    import zipfile

    with zipfile.ZipFile(sample) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    sheet = next(n for n in sorted(parts) if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    parts[sheet] = parts[sheet].replace(b"</sheetData>", f'<row r="{ref[-7:].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}">'
                                        f'<c r="{ref}"><v>{seed % 1000}</v></c></row></sheetData>'.encode())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, d in parts.items():
            zf.writestr(n, d)
    p = tmp_path / f"far{seed}.xlsx"
    p.write_bytes(buf.getvalue())
    _check(*run_in_child(str(p)))


@SETTINGS
@given(sample=st.sampled_from(JSONS), seed=st.integers(0, 2 ** 32), n=st.integers(1, 6))
def test_mutated_json_through_pipeline(tmp_path, sample, seed, n):
    with open(sample, "rb") as fh:
        data = fh.read()
    p = tmp_path / f"m{seed}.json"
    p.write_bytes(_mutate(data, seed, n))
    _check(*run_in_child(str(p), fmt="json"))


@SETTINGS
@given(seed=st.integers(0, 2 ** 32), n=st.integers(1, 10),
       enc=st.sampled_from(["utf-8", "utf-8-sig", "gbk", "utf-16"]), delim=st.sampled_from([",", "\t", ";"]))
def test_mutated_roster_through_pipeline(tmp_path, seed, n, enc, delim):
    from hostile.corpus import ROSTER_HEAD, roster_rows

    rows = roster_rows(30, random.Random(seed))
    text = "\r\n".join(delim.join(r) for r in [ROSTER_HEAD, *rows]) + "\r\n"
    p = tmp_path / f"r{seed}.csv"
    p.write_bytes(_mutate(text.encode(enc), seed, n))
    _check(*run_in_child(str(p), fmt="json"))
