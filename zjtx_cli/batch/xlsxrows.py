"""xlsx rosters too large for the whole-sheet path, streamed for ``zjtx batch`` (issue 11).

A roster workbook larger than STREAM_XLSX_BYTES (or whose parts inflate beyond MAX_UNCOMPRESSED)
is read row by row by :mod:`zjtx_cli.inputs.xlsx_stream` instead of calamine, and its rows go to
the scorer in chunks as a large CSV roster's do: memory does not grow with the rows (only with
the shared strings). Every workbook below those sizes keeps the whole-sheet path, unchanged.
The cells are what calamine gives, so a roster gives the same output either way
(tests/test_xlsx_stream.py runs both on the same files).

What calamine does not tell (percent formats, formulas without a cached value) travels with each
row (:class:`~zjtx_cli.inputs.xlsx_stream.StreamRow`) and is handed to the roster chunk by chunk
(:func:`mark_chunk`), instead of the whole-sheet :class:`~zjtx_cli.inputs.sheet_xml.SheetXml`.
"""

from __future__ import annotations

import os

from zjtx_cli.inputs.model import InputError, Problem

_ENV = "ZJTX_XLSX_STREAM_BYTES"  # private: the size above which a roster streams (tests lower it)


def _threshold() -> int:
    from zjtx_cli.inputs.limits import STREAM_XLSX_BYTES

    v = os.environ.get(_ENV)
    if v:
        try:
            return int(v)
        except ValueError:
            pass
    return STREAM_XLSX_BYTES


def wants_stream(path) -> bool:
    """Whether an xlsx is too large for the whole-sheet path and should be streamed as a roster."""
    from zjtx_cli.inputs.limits import MAX_UNCOMPRESSED

    try:
        size = os.stat(path).st_size
    except OSError:
        return False
    if size > _threshold():
        return True
    if size <= (1 << 20):  # too small to inflate past MAX_UNCOMPRESSED within the guard's 200x ratio
        return False
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            return sum(i.file_size for i in zf.infolist()) > MAX_UNCOMPRESSED
    except Exception:  # noqa: BLE001 - not a zip zipfile reads: the whole-sheet path says why
        return False


class ChunkMarks:
    """SheetXml's two questions, answered from the rows of one chunk."""

    __slots__ = ("_pct", "_unc")

    def __init__(self, chunk):
        self._pct = {}
        self._unc = {}
        for r, cells in chunk:
            p = getattr(cells, "pct", None)
            if p:
                self._pct[r] = p
            u = getattr(cells, "unc", None)
            if u:
                self._unc[r] = u

    def percent(self, row, col) -> bool:
        s = self._pct.get(row)
        return s is not None and col in s

    def uncached(self, row, col) -> bool:
        s = self._unc.get(row)
        return s is not None and col in s


def mark_chunk(roster, chunk):
    """Before a chunk of streamed rows is read: the roster's percent/formula marks are the chunk's."""
    if chunk and hasattr(chunk[0][1], "unc"):
        roster._sheet_xml = ChunkMarks(chunk)


def _rows(wb, path):
    """(row, cells) of the sheet, then nothing; a fault midway is one unreadable row, and the end."""
    from zjtx_cli.inputs.limits import UnsafeInput

    last = 0
    try:
        for r, cells in wb.rows():
            last = r
            yield r, cells
    except UnsafeInput as exc:
        yield last + 1, Problem(str(path), None, exc.reason + " (reading stopped here)", row=last + 1,
                                reason_zh=exc.zh + "（读取在此停止）")
    except MemoryError:
        yield last + 1, Problem(str(path), None, "too large to read within the memory budget (reading stopped "
                                                 "here)", row=last + 1, reason_zh="超出读取内存预算（读取在此停止）")
    finally:
        wb.close()


def open_stream(path, fields):
    """A large xlsx roster opened for streaming: (header row, header cells, rows iterator, warnings,
    sheet index); None when the workbook is not large (or holds no roster header: the whole-sheet
    path then reads it, or says why it cannot). Raises InputError for a workbook it refuses."""
    if not wants_stream(path):
        return None
    from zjtx_cli.inputs.limits import STREAM_MAX_XLSX_BYTES, UnsafeInput
    from zjtx_cli.inputs.problems import unsafe_problem
    from zjtx_cli.inputs.roster import find_header
    from zjtx_cli.inputs.xlsx_stream import Workbook

    try:
        size = os.stat(path).st_size
        if size > STREAM_MAX_XLSX_BYTES:
            raise UnsafeInput(path, f"is too large for an xlsx roster ({size / 1048576:.1f} MiB; limit "
                                    f"{STREAM_MAX_XLSX_BYTES // 1048576} MiB)",
                              f"过大（{size / 1048576:.1f} MiB，xlsx 名单上限 {STREAM_MAX_XLSX_BYTES // 1048576} MiB）")
        wb = Workbook(path)
    except UnsafeInput as exc:
        raise InputError([unsafe_problem(path, exc)]) from None
    it = _rows(wb, path)
    head = []
    for item in it:
        head.append(item)
        if len(head) >= 50:
            break

    def dense():
        n = 1
        for r, cells in head:
            if isinstance(cells, Problem):
                return
            while n < r:
                yield []
                n += 1
            yield cells
            n += 1

    hr, header, _consumed = find_header(dense(), fields)
    if hr is None:
        bad = next((cells for _r, cells in head if isinstance(cells, Problem)), None)
        it.close()
        if bad is not None:
            raise InputError([bad])
        return None
    import itertools

    body = itertools.chain((item for item in head if item[0] > hr), it)
    from zjtx_cli.inputs.workbook import SheetData, sheet_warnings

    warnings = sheet_warnings(path, SheetData([], wb.index, wb.name, wb.hidden, ()))
    # calamine pads every row to the sheet's width, so no row is ever wider than its header: the same here
    from zjtx_cli.inputs.limits import EXCEL_MAX_COL

    return hr, list(header) + [""] * (EXCEL_MAX_COL - len(header)), body, warnings, wb.index
