"""Property-based tests: whatever an applicant's file holds, the reader returns a result or an InputError.

Never a traceback: random JSON documents, random bytes named .json / .xlsx,
mutated real samples (JSON values and xlsx bytes), random spreadsheet rows.
Settings are modest so that the suite stays fast.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from decimal import Decimal

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from conftest import ROOT  # noqa: E402
from zjtx_cli.inputs.fields import field_dictionary  # noqa: E402
from zjtx_cli.inputs.model import Enterprise, InputError  # noqa: E402
from zjtx_cli.inputs.collector import parse_value  # noqa: E402
from zjtx_cli.inputs.label_sheet import read_rows  # noqa: E402
from zjtx_cli.inputs.reader import read_enterprise  # noqa: E402
from zjtx_cli.inputs.values import BadValue, parse_number  # noqa: E402

F = field_dictionary()
KEYS = [f.key for f in F]
LABELS = KEYS + [f.zh for f in F] + [f.zh + "（元）" for f in F if f.unit == "万元"] + ["2024年营业收入"]
SAMPLES = os.path.join(ROOT, "samples")
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOWER = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])  # openpyxl round trips

json_scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
                | st.text(max_size=20) | st.sampled_from(["是", "否", "2,000万元", "20,000,000元", "2015-03-01",
                                                          "１２３", "√", "(12)", "1e400", "制造业", "-", ""]))
json_values = st.recursive(json_scalars, lambda kids: st.lists(kids, max_size=4)
                           | st.dictionaries(st.text(max_size=6) | st.sampled_from(["2024", "2025", "2025年"]),
                                             kids, max_size=4), max_leaves=12)
json_docs = st.dictionaries(st.sampled_from(LABELS) | st.text(max_size=10), json_values, max_size=12)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


def read_file(path) -> Enterprise | None:
    try:
        e = read_enterprise(str(path), F)
    except InputError as exc:
        assert exc.problems, "an InputError lists its problems"
        for p in exc.problems:
            line = p.line()
            assert line.startswith(str(path)) and "\n" not in line and "\r" not in line, line
        return None
    assert isinstance(e, Enterprise)
    for w in e.warnings:
        assert "\n" not in w.line() and "\r" not in w.line()
    return e


def _check_typed(e: Enterprise):
    """Values that come back have the field's type."""
    for k, v in e.values.items():
        f = F[k]
        items = v.values() if f.per_year else [v]
        for x in items:
            if f.type == "number":
                assert isinstance(x, Decimal) and x.is_finite()
            elif f.type == "integer":
                assert isinstance(x, int) and not isinstance(x, bool)
            elif f.type == "bool":
                assert isinstance(x, bool)
            elif f.type == "date":
                assert isinstance(x, dt.date)
            elif f.type == "choice":
                assert x in f.choices
            else:
                assert isinstance(x, str)


@FAST
@given(doc=json_docs)
def test_random_json_documents(workdir, doc):
    p = workdir / "random.json"
    p.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    e = read_file(p)
    if e is not None:
        _check_typed(e)


@FAST
@given(data=st.binary(max_size=400))
@example(data=b"PK\x03\x04")
@example(data=b"\xef\xbb\xbf{}")
@example(data=b"{" * 3000)
def test_random_bytes(workdir, data):
    for name in ("bytes.json", "bytes.xlsx"):
        p = workdir / name
        p.write_bytes(data)
        read_file(p)


def _samples(ext):
    return sorted(os.path.join(SAMPLES, n) for n in os.listdir(SAMPLES) if n.endswith(ext))


@FAST
@given(sample=st.sampled_from(_samples(".json")), key=st.sampled_from(KEYS), value=json_values,
       drop=st.lists(st.sampled_from(KEYS), max_size=3))
def test_mutated_json_samples(workdir, sample, key, value, drop):
    with open(sample, encoding="utf-8") as fh:
        doc = json.load(fh)
    doc[key] = value
    for k in drop:
        doc.pop(k, None)
    p = workdir / "mutated.json"
    p.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    e = read_file(p)
    if e is not None:
        _check_typed(e)


@SLOW
@given(sample=st.sampled_from(_samples(".xlsx")), seed=st.integers(0, 2**32 - 1), flips=st.integers(1, 8))
def test_mutated_xlsx_bytes(workdir, sample, seed, flips):
    data = bytearray(open(sample, "rb").read())
    rnd = random.Random(seed)
    for _ in range(flips):
        data[rnd.randrange(len(data))] = rnd.randrange(256)
    p = workdir / "flipped.xlsx"
    p.write_bytes(bytes(data))
    read_file(p)


@SLOWER
@given(sample=st.sampled_from(_samples(".xlsx")), seed=st.integers(0, 2**32 - 1))
def test_mutated_xlsx_cells(workdir, sample, seed):
    """Valid workbooks with odd cell contents (a well-formed file, not corrupt bytes)."""
    import openpyxl

    rnd = random.Random(seed)
    wb = openpyxl.load_workbook(sample)
    ws = wb.worksheets[0]
    for m in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(m))
    odd = ["=1+1", "-", "1,5", "2015", 2015, -3, 1e300, "", None, "是", "20,000,000元", dt.date(2999, 1, 1),
           "２０００", True, "第3名", "0.35", "\t", "年度", "2024年", "指标"]
    for _ in range(5):
        r, c = rnd.randrange(1, ws.max_row + 2), rnd.randrange(1, ws.max_column + 2)
        ws.cell(row=r, column=c).value = rnd.choice(odd)
    p = workdir / "cells.xlsx"
    wb.save(p)
    e = read_file(p)
    if e is not None:
        _check_typed(e)


cells = (st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats() | st.text(max_size=12)
         | st.sampled_from(LABELS) | st.sampled_from([2023, 2024, 2025, "2025年", "单位", "字段键", "说明", "元"])
         | st.dates())


@FAST
@given(rows=st.lists(st.lists(cells, max_size=6), max_size=10))
def test_random_rows(rows):
    try:
        e = read_rows("rows.xlsx", F, rows)
    except InputError as exc:
        assert exc.problems
    else:
        _check_typed(e)


@FAST
@given(key=st.sampled_from(KEYS), raw=cells | json_scalars)
def test_parse_value_only_raises_badvalue(key, raw):
    try:
        parse_value(F[key], raw)
    except BadValue:
        pass


@FAST
@given(cents=st.integers(min_value=0, max_value=10**13))
def test_yuan_to_wanyuan_is_exact(cents):
    """Any amount in yuan with thousands separators converts to 万元 exactly."""
    yuan = Decimal(cents) / 100
    text = f"{yuan:,.2f}元"
    assert parse_number(text, "万元") == yuan / 10000
    assert parse_number(f"{yuan:.2f}", "万元", "元") == yuan / 10000
