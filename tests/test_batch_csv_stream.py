"""A large CSV roster is read as it goes (batch/csvrows.py, issue 11): the records, the
encoding, the delimiter and the decoding warning are those of reading the whole file at
once, whatever the line ends, quotes, encodings and block boundaries (blocks of a few bytes
here, so every boundary case occurs: a \\r\\n cut in two, a multi-byte character cut in two)."""

from __future__ import annotations

import pytest

from zjtx_cli.batch import csvrows
from zjtx_cli.inputs.model import InputError

HEAD = "企业名称,主营业务收入2024,从业人员2024\n"
CASES = {
    "plain": HEAD + "甲,100,10\n乙,200,20\n",
    "crlf": (HEAD + "甲,100,10\n乙,200,20\n").replace("\n", "\r\n"),
    "cr only": (HEAD + "甲,100,10\n乙,200,20").replace("\n", "\r"),
    "no final newline": HEAD + "甲,100,10\n乙,200,20",
    "blank lines": HEAD + "\n\n甲,100,10\n\n",
    "quoted line break": HEAD + '"甲\n公司",100,10\n乙,200,20\n',
    "unclosed quote": HEAD + '"甲,100,10\n乙,200,20\n丙,300,30\n',
    "unclosed quote, long": HEAD + '"甲,100,10\n' + "".join(f"x{i}\n" for i in range(30)) + "乙,200,20\n",
    "semicolons": HEAD.replace(",", ";") + "甲;100;10\n",
    "tabs": HEAD.replace(",", "\t") + "甲\t100\t10\n",
    "a cell too long": HEAD + "甲," + "9" * (csvrows.MAX_CSV_CELL + 10) + ",10\n乙,200,20\n",
    "empty": "",
}
ENCODINGS = {
    "utf-8": lambda t: t.encode("utf-8"),
    "utf-8 bom": lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),
    "utf-16 bom": lambda t: t.encode("utf-16"),
    "utf-16-le no bom": lambda t: t.encode("utf-16-le"),
    "utf-16-be no bom": lambda t: t.encode("utf-16-be"),
    "gbk": lambda t: t.encode("gbk"),
    "gbk with bad bytes": lambda t: t.encode("gbk") + b"\x81\x20,\xff\xfe\n",
    "utf-8 with a bad byte late": lambda t: t.encode("utf-8") + b"\xe7\x94,1,2\n",
}


def _both(path, monkeypatch):
    whole = csvrows._csv_records(str(path))
    monkeypatch.setattr(csvrows, "STREAM_CSV_BYTES", -1)
    monkeypatch.setattr(csvrows, "_BLOCK", 5)
    recs, enc, delim, warning = csvrows._csv_records(str(path))
    assert not isinstance(recs, list)  # the streaming path was taken
    streamed = (list(recs), enc, delim, warning)
    monkeypatch.undo()
    return whole, streamed


def _norm(result):
    recs, enc, delim, warning = result
    show = [(r, cells, p.line("en") if p else None) for r, cells, p in recs]
    return show, enc, delim, warning.line("en") if warning else None


@pytest.mark.parametrize("enc", list(ENCODINGS))
@pytest.mark.parametrize("case", list(CASES))
def test_streamed_equals_whole(tmp_path, monkeypatch, case, enc):
    if case == "a cell too long" and enc not in ("utf-8", "gbk"):
        pytest.skip("one encoding is enough for the long cell")
    path = tmp_path / "r.csv"
    path.write_bytes(ENCODINGS[enc](CASES[case]))
    whole, streamed = _both(path, monkeypatch)
    assert _norm(streamed) == _norm(whole)
    if case == "plain" and "bad" not in enc:
        assert [r for r, _c, _p in whole[0]] == [1, 2, 3]


def test_broken_rows_are_reported_on_their_row_when_streamed(tmp_path, monkeypatch):
    path = tmp_path / "r.csv"
    path.write_text(CASES["unclosed quote"], encoding="utf-8")
    _whole, (recs, _e, _d, _w) = _both(path, monkeypatch)
    assert [(r, p is not None) for r, _c, p in recs] == [(1, False), (2, True), (3, False), (4, False)]


def test_the_size_limit_still_applies(tmp_path, monkeypatch):
    path = tmp_path / "r.csv"
    path.write_text(CASES["plain"], encoding="utf-8")
    monkeypatch.setattr(csvrows, "MAX_CSV_BYTES", 10)
    with pytest.raises(InputError) as exc:
        csvrows._csv_records(str(path))
    assert "too large for a CSV roster" in exc.value.problems[0].line("en")


def test_batch_on_a_streamed_roster_writes_the_same(tmp_path, monkeypatch):
    """The whole batch (summary, problems, export, exit status) is the same read either way,
    a broken row, a duplicate and rows above the header included."""
    import contextlib
    import io
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.pop(0)
    gen = tmp_path / "g.csv"
    generate.write_roster(str(gen), 40, 5)
    text = gen.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    dup = text[3].split(",", 1)[1]
    body = ['"title row, above the header\n', *text, text[2].split(",")[0] + "," + dup, '"未闭合,1,2\n']
    path = tmp_path / "roster.csv"
    path.write_text("".join(body), encoding="utf-8")

    from zjtx_cli.batch.runner import run_batch

    def run(out):
        so, se = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(so), contextlib.redirect_stderr(se):
            code = run_batch(str(path), "hengyang", out=str(out), jobs=1, fmt="json", as_of=None)
        return code, so.getvalue(), se.getvalue().replace(str(out), "OUT")

    a = run(tmp_path / "whole.csv")
    monkeypatch.setattr(csvrows, "STREAM_CSV_BYTES", -1)
    monkeypatch.setattr(csvrows, "_BLOCK", 4096)
    b = run(tmp_path / "streamed.csv")
    assert a == b
    assert (tmp_path / "whole.csv").read_bytes() == (tmp_path / "streamed.csv").read_bytes()
    import json

    doc = json.loads(a[1])
    # the title row (its quote opens and never closes) is reported; the last row (an open quote on
    # the last line) is read as one cell, as before; the duplicate is reported
    assert (doc["inputs"], doc["scored"], doc["unreadable"]) == (43, 42, 1)
    assert "第1行" in doc["problems"][0]["line"] and "企业名称重复" in doc["problems"][-1]["line"]
