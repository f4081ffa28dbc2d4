"""`zjtx batch` on a roster writes the same output with the columnar status evaluation
(the default) as with the explanatory engine on every row (ZJTX_COLUMNAR=0): the CSV
export byte for byte, the xlsx export cell for cell (every sheet), the terminal summary
and the problems reported, for generated rosters under jinhu (the ladder and every tier
and track), hengyang, miit-2022 and miit-2026, with rows holding bad values, figures the
columnar arithmetic hands back to the engine, and a row the CSV reader cannot split."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-06-30"
ROWS = 120
# figures in the forms the column reader takes (plain decimals, a trailing zero, placeholders)
# and in those it leaves to Roster.row (full-width digits, separators, unit words, spaces)
CELL_FORMS = ["5000.50", "0", "007", "12345.6789", "—", "不适用", "１２３４５", "12,345.6", "1.2亿元",
              " 12345 ", "+12", "12.", "800万元", "(0)"]
EXTRA_ROWS = 8 + len(CELL_FORMS) + 6   # the variants after the generated rows (the blank row not counted)


def _generate(path: Path, rows: int, seed: int):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.pop(0)
    generate.write_roster(str(path), rows, seed)


def _with_bad_rows(src: Path, dst: Path):
    """The generated roster and, after it, rows with bad values and extreme figures."""
    with open(src, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    head, body = rows[0], rows[1:]
    col = {h: i for i, h in enumerate(head)}
    numeric = [i for h, i in col.items() if h.startswith(("营业收入", "研发费用", "主营业务收入"))]
    assert numeric, "the generated roster has revenue columns"

    def variant(k, change):
        r = list(body[k % len(body)])
        r[0] = f"变体企业{k}"
        change(r)
        return r

    extra = [
        variant(1, lambda r: r.__setitem__(numeric[0], "abc")),                # not a number
        variant(2, lambda r: r.__setitem__(numeric[-1], "123456789012")),     # beyond Int128-safe: engine
        variant(3, lambda r: r.__setitem__(numeric[-1], "1234.56789")),       # five decimals: engine
        variant(4, lambda r: r.__setitem__(numeric[-1], "-5")),               # a negative revenue
        variant(5, lambda r: [r.__setitem__(i, "") for i in numeric]),        # every figure missing
        variant(6, lambda r: r.__setitem__(col["成立日期"], "2099-13-45")),    # not a date
        variant(7, lambda r: r.__setitem__(col["统一社会信用代码"], "123")),   # a bad credit code
        variant(8, lambda r: None),                                           # a duplicate company
        # cell forms read column by column (inputs/roster_columns.py) and those left to Roster.row
        *[variant(10 + k, lambda r, k=k, v=v: r.__setitem__(numeric[k % len(numeric)], v))
          for k, v in enumerate(CELL_FORMS)],
        variant(30, lambda r: r.__setitem__(col["净利润2025"], "-35.5")),      # a loss, read here
        variant(31, lambda r: r.__setitem__(col["净利润2025"], "-0")),
        variant(32, lambda r: r.__setitem__(col["从业人员2025"], "120.0")),     # a whole number, general path
        variant(33, lambda r: r.__setitem__(col["从业人员2025"], "120.5")),     # not a whole number: error
        variant(34, lambda r: r.__setitem__(col["国家高新技术企业"], "也许")),   # not yes/no: error
        variant(35, lambda r: r.__setitem__(numeric[0], "0.00000000001")),   # implausibly small: error
        ["", *[""] * (len(head) - 1)],                                        # a blank row
    ]
    extra[7][0] = body[8 % len(body)][0]
    with open(dst, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(head)
        w.writerows(body)
        w.writerows(extra)
        fh.write('"未闭合的引号,1,2\n')  # a row the CSV reader cannot split: reported, not lost


@pytest.fixture(scope="module")
def rosters(tmp_path_factory):
    d = tmp_path_factory.mktemp("rosters")
    gen = d / "gen.csv"
    _generate(gen, ROWS, seed=7)
    bad = d / "roster.csv"
    _with_bad_rows(gen, bad)
    xlsx = d / "roster.xlsx"
    _generate(xlsx, 60, seed=11)
    return {"csv": bad, "xlsx": xlsx}


def _batch(roster: Path, out: Path, columnar: bool, *args):
    env = dict(os.environ, ZJTX_COLUMNAR="1" if columnar else "0", ZJTX_NO_CACHE="1")
    r = subprocess.run([sys.executable, "-m", "zjtx_cli", "batch", str(roster), "--as-of", AS_OF,
                        "--out", str(out), *args], capture_output=True, cwd=ROOT, env=env, timeout=600)
    assert r.returncode in (0, 2, 4), r.stderr.decode("utf-8", "replace")[-2000:]
    err = r.stderr.decode("utf-8", "replace").replace(str(out), "OUT")
    return r.returncode, r.stdout, err


def _same(roster, tmp_path, *args, suffix=".csv"):
    on, off = tmp_path / f"on{suffix}", tmp_path / f"off{suffix}"
    a = _batch(roster, on, True, *args)
    b = _batch(roster, off, False, *args)
    assert a == b  # exit status, summary on stdout, problems on stderr
    if suffix in (".csv", ".jsonl"):
        assert on.read_bytes() == off.read_bytes()
    else:
        assert _cells(on) == _cells(off)
    return on


def _cells(path):
    import openpyxl

    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        out[ws.title] = [[(c.value, c.fill.fgColor.rgb if c.fill and c.fill.fill_type else None,
                           c.comment.text if c.comment else None) for c in row] for row in ws.iter_rows()]
    return out


JINHU_SCOPES = [None, "county", "county-innovation", "jiangsu-pool", "municipal", "municipal-enterprise",
                "provincial", "provincial-innovation", "national-little-giant", "champion", "champion-product"]


@pytest.mark.parametrize("tier", JINHU_SCOPES)
def test_jinhu_every_scope_identical(rosters, tmp_path, tier):
    args = ["-s", "jinhu", "--jobs", "1"] + (["--tier", tier] if tier else [])
    out = _same(rosters["csv"], tmp_path, *args)
    with open(out, encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.reader(fh))
    seen = {int(r[2]) for r in lines[1:] if len(r) > 2 and r[2].isdigit()}
    # every roster row (2 .. ROWS + EXTRA_ROWS + 1; then a blank one) and the broken last one: scored or reported
    assert set(range(2, ROWS + EXTRA_ROWS + 2)) | {ROWS + EXTRA_ROWS + 3} <= seen
    unreadable = [r for r in lines[1:] if r[4] in ("无法读取",)]
    # 'abc', a negative revenue, a date that does not exist, 120.5 people, 也许, 1e-11, and two
    # cell forms that make main-business revenue exceed operating revenue (a data-check error)
    assert len(unreadable) == 9


@pytest.mark.parametrize("scheme", ["hengyang", "miit-2022", "miit-2026"])
def test_other_schemes_identical(rosters, tmp_path, scheme):
    _same(rosters["csv"], tmp_path, "-s", scheme, "--jobs", "1")


def test_jsonl_and_officer_mode_identical(rosters, tmp_path):
    """--out .jsonl and --evidence required take the explanatory engine on every row, with the
    cells read column by column: the same documents and lines as reading them row by row."""
    _same(rosters["csv"], tmp_path, "-s", "jinhu", "--jobs", "1", suffix=".jsonl")
    _same(rosters["csv"], tmp_path, "-s", "hengyang", "--jobs", "1", "--evidence", "required")


def test_english_and_pool_identical(rosters, tmp_path):
    _same(rosters["csv"], tmp_path, "-s", "jinhu", "--jobs", "2", "--lang", "en")


@pytest.mark.parametrize("scheme", ["jinhu", "hengyang"])
def test_xlsx_roster_and_export_identical(rosters, tmp_path, scheme):
    _same(rosters["xlsx"], tmp_path, "-s", scheme, "--jobs", "1", suffix=".xlsx")


def test_columnar_path_is_taken(rosters):
    """The switch matters: with it on, rows are decided by the columnar evaluator (so the
    comparisons above compare two different paths)."""
    from zjtx_cli.batch import runner

    calls = []
    orig = runner.Scorer.score_columnar

    def spy(self, *a, **k):
        rec = orig(self, *a, **k)
        calls.append(rec is not None)
        return rec

    runner.Scorer.score_columnar = spy
    old = os.environ.get("ZJTX_COLUMNAR")
    try:
        os.environ["ZJTX_COLUMNAR"] = "1"
        import contextlib
        import io

        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            runner.run_batch(rosters["csv"], "hengyang", jobs=1, fmt="table")
        n_on = len(calls)
        os.environ["ZJTX_COLUMNAR"] = "0"
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            runner.run_batch(rosters["csv"], "hengyang", jobs=1, fmt="table")
    finally:
        runner.Scorer.score_columnar = orig
        if old is None:
            os.environ.pop("ZJTX_COLUMNAR", None)
        else:
            os.environ["ZJTX_COLUMNAR"] = old
    assert n_on >= ROWS and sum(calls) >= ROWS  # every generated row went through the columnar path
    assert len(calls) == n_on                    # and none with the switch off


def test_cells_are_read_column_by_column(rosters, monkeypatch):
    """With the columnar path on, most rows are read by inputs/roster_columns.py (so the
    comparisons above compare it with Roster.row), the bad ones by Roster.row."""
    import contextlib
    import io

    from zjtx_cli.batch import runner
    from zjtx_cli.inputs import roster_columns

    fast, slow = [], []
    orig = roster_columns.read_chunk

    def spy(roster, chunk):
        got = orig(roster, chunk)
        fast.extend(r for (r, _c), e in zip(chunk, got) if e is not None)
        slow.extend(r for (r, _c), e in zip(chunk, got) if e is None)
        return got

    monkeypatch.setattr(roster_columns, "read_chunk", spy)
    monkeypatch.setenv("ZJTX_COLUMNAR", "1")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        runner.run_batch(rosters["csv"], "hengyang", jobs=1, fmt="table")
    assert len(fast) >= ROWS - 5             # the generated rows (a few hold a data-check warning)
    first_variant = ROWS + 2
    forms = dict(zip(range(first_variant + 8, first_variant + 8 + len(CELL_FORMS)), CELL_FORMS))
    # (the other accepted forms here change figures enough to draw a data-check warning: Roster.row
    # reports it; tests/test_roster_columns.py has each form on a row without one)
    assert {r for r, f in forms.items() if f in ("5000.50", "—")} <= set(fast)
    assert {r for r, f in forms.items() if f in ("１２３４５", "12,345.6", "1.2亿元", " 12345 ", "800万元")} <= set(slow)


@pytest.mark.parametrize("scheme,tier,expect_columnar", [
    ("hengyang", None, False),        # one track: a row that is not eligible shows that track's gaps anyway
    ("jinhu", None, True),            # the ladder: the columnar pass spares the other tracks
    ("jinhu", "municipal", True),     # a tier with several tracks
])
def test_automatic_choice_of_the_columnar_path(rosters, monkeypatch, scheme, tier, expect_columnar):
    """With ZJTX_COLUMNAR unset the columnar statuses are used where they save work: a scope of
    several tracks, not one track (measured in batch/workers.columnar_enabled's docstring)."""
    import contextlib
    import io

    from zjtx_cli.batch import runner

    calls = []
    orig = runner.Scorer.score_columnar

    def spy(self, *a, **k):
        rec = orig(self, *a, **k)
        calls.append(rec is not None)
        return rec

    monkeypatch.setattr(runner.Scorer, "score_columnar", spy)
    monkeypatch.delenv("ZJTX_COLUMNAR", raising=False)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        runner.run_batch(rosters["csv"], scheme, tier=tier, jobs=1, fmt="table")
    assert (sum(calls) >= ROWS) is expect_columnar, (scheme, tier, sum(calls))
