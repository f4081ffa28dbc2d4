"""Sheet extents: what the native reader will be asked to allocate, checked before it runs.

Part of :func:`zjtx_cli.inputs.zipcheck.check_xlsx_file`, in a module of its own
so that its regular expressions are compiled only when a workbook is read
(``zjtx assess x.json`` never pays for them).
"""

from __future__ import annotations

import functools
import io
import re as _re
from collections.abc import Iterable

from zjtx_cli.inputs.limits import (
    EXCEL_MAX_COL,
    EXCEL_MAX_ROW,
    IN_PROCESS_CELLS,
    IN_PROCESS_SHEET_BYTES,
    MAX_SHEET_CELLS,
    UnsafeInput,
    shown,
)

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; NoReturn is only read by the type checker
    from typing import NoReturn

_SHEET_TAG = _re.compile(rb"<(?:[A-Za-z_][\w.-]*+:)?(c|row|dimension)(?=[\s/>])([^>]*)>")
_ATTR_R = _re.compile(rb"""(?:^|\s)r\s*=\s*["']([^"']*)["']""")
_ATTR_REF = _re.compile(rb"""(?:^|\s)ref\s*=\s*["']([^"']*)["']""")
_A1 = _re.compile(rb"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_REL_SHEET = _re.compile(rb"""<Relationship\b[^>]*>""")
_SCAN_CHUNK = 1 << 20
# A tag name's prefix ([\w.-]*+ possessive, Python 3.11): a name cannot end before a ':' that follows
# it, so not backtracking changes no match and spares trying every shorter prefix at every '<'.


class SheetStats:
    """What :func:`check_xlsx_file` learnt: the largest worksheet part and used area."""

    __slots__ = ("sheet_bytes", "cells", "rows")

    def __init__(self, sheet_bytes=0, cells=0, rows=0):
        self.sheet_bytes, self.cells, self.rows = sheet_bytes, cells, rows

    @property
    def small(self) -> bool:
        """Small enough to read in-process: the checks bound what the reader allocates."""
        return self.sheet_bytes <= IN_PROCESS_SHEET_BYTES and self.cells <= IN_PROCESS_CELLS


def _a1(ref: bytes):
    """(row, col), both 1-based, of an A1 reference; None when it is not one within Excel's limits."""
    m = _A1.match(ref)
    if not m:
        return None
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ch - 64
    row = int(m.group(2))
    if not (1 <= row <= EXCEL_MAX_ROW and 1 <= col <= EXCEL_MAX_COL):
        return None
    return row, col


def _sheet_parts(zf, infos, whole=None) -> list:
    """Every worksheet part: under xl/worksheets/, and any part the workbook's rels call a worksheet."""
    import posixpath

    names = {i.filename: i for i in infos}
    parts = {n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")}
    rels = names.get("xl/_rels/workbook.xml.rels")
    if rels is not None and rels.file_size <= 4 * 1024 * 1024:
        data = (whole or {}).get(rels.filename)
        for m in _REL_SHEET.finditer(data if data is not None else zf.read(rels)):
            tag = m.group(0)
            if b"/worksheet" not in tag:
                continue
            t = _re.search(rb"""Target\s*=\s*["']([^"']*)["']""", tag)
            if t:
                target = t.group(1).decode("utf-8", "replace")
                part = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
                if part in names:
                    parts.add(part)
    return [names[p] for p in sorted(parts)]


_C_REF = _re.compile(rb"""<(?:[A-Za-z_][\w.-]*+:)?c\s[^>]*?(?<=\s)r\s*=\s*["']\$?([A-Z]{1,3})\$?([0-9]{1,7})["']""")
_ROW_REF = _re.compile(rb"""<(?:[A-Za-z_][\w.-]*+:)?row\s[^>]*?(?<=\s)r\s*=\s*["']([0-9]{1,7})["']""")
_C_REF_PLAIN = _re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_ANY_TAG = _re.compile(rb"<(?:[A-Za-z_][\w.-]*+:)?(c|row)[\s/>]")
_ROW_REF_PLAIN = _re.compile(rb'<row r="([0-9]{1,7})"')
_DIM = _re.compile(rb"<(?:[A-Za-z_][\w.-]*+:)?dimension\b")
_COLS: dict = {}


def _col_number(letters: bytes) -> int:
    n = _COLS.get(letters)
    if n is None:
        n = 0
        for ch in letters:
            n = n * 26 + ch - 64
        if len(_COLS) < 20000:
            _COLS[letters] = n
    return n


def _fast_scan(data: bytes, end: int):
    """(cells, rows, max row, max column, None) when every <c> and <row> in ``data[:end]`` has a
    plain reference within Excel's limits (what Excel and every library write); None otherwise,
    and the tag-by-tag scan decides (and says what is wrong)."""
    view = data[:end] if end != len(data) else data
    dim = None
    dm = _DIM.search(view) if b"dimension" in view else None
    if dm is not None:
        close = view.find(b">", dm.end())
        ref = _ATTR_REF.search(view[dm.end():close]) if close > 0 else None
        if ref is None:
            return None
        rcs = [_a1(e) for e in ref.group(1).split(b":")]
        if len(rcs) > 2 or any(rc is None for rc in rcs):
            return None
        dim = (max(rc[0] for rc in rcs), max(rc[1] for rc in rcs))
        if view.find(b"dimension", close) >= 0 and _DIM.search(view, close):
            return None
    tags = _ANY_TAG.findall(view)  # one pass: every <c> and <row>, prefixed or not
    n_c = tags.count(b"c")
    n_row = len(tags) - n_c
    refs = _C_REF_PLAIN.findall(view)  # what Excel and the libraries write: r first, double quotes
    if len(refs) != n_c:
        refs = _C_REF.findall(view)
        if len(refs) != n_c:
            return None
    digits = [d for _l, d in refs]
    letters = {letter for letter, _d in refs}
    row_refs = _ROW_REF_PLAIN.findall(view)
    if len(row_refs) != n_row:
        row_refs = _ROW_REF.findall(view)
        if len(row_refs) != n_row:
            return None
    max_row = max(map(int, row_refs), default=0)
    max_col = 0
    if digits:
        nums = list(map(int, digits))
        max_row = max(max_row, max(nums))
        max_col = max(map(_col_number, letters))
        if min(nums) < 1:
            return None
    if max_row > EXCEL_MAX_ROW or max_col > EXCEL_MAX_COL or (row_refs and min(map(int, row_refs)) < 1):
        return None
    return n_c, len(row_refs), max_row, max_col, dim


def _refuse(path, name, en, zh) -> NoReturn:
    raise UnsafeInput(path, f"is refused: {name} {en}", f"已拒绝：其中的 {name} {zh}")


def _bad_ref(path, name, ref) -> NoReturn:
    text = shown(ref.decode("latin-1"), 20)
    _refuse(path, name, f"has a cell reference {text!r} outside Excel's limits (XFD1048576)",
            f"含有超出 Excel 范围（XFD1048576）的单元格引用“{text}”")


def check_sheets(path, zf, infos, whole=None) -> SheetStats:
    """Refuse a worksheet that would make the native reader allocate too much.

    Every cell and row reference, and the declared ``<dimension>``, must lie
    within Excel's XFD1048576, and the used area (rows x columns between the
    outermost cells) must stay under MAX_SHEET_CELLS. The part is decompressed
    in 1 MiB chunks, never whole.
    """
    stats = SheetStats()
    whole = whole or {}
    for info in _sheet_parts(zf, infos, whole):
        stats.sheet_bytes = max(stats.sheet_bytes, info.file_size)
        name = shown(info.filename)
        max_r = max_c = 0
        row = 0
        col = 0
        cells = 0
        nrows = 0

        refuse = functools.partial(_refuse, path, name)
        bad_ref = functools.partial(_bad_ref, path, name)

        tail = b""
        known = whole.get(info.filename)
        with (io.BytesIO(known) if known is not None else zf.open(info)) as fh:
            ahead = fh.read(_SCAN_CHUNK)
            while True:
                chunk, ahead = ahead, (fh.read(_SCAN_CHUNK) if ahead else b"")
                if chunk and not ahead:  # the last piece: scan it with the tail, once
                    tail, chunk = tail + chunk, b""
                data = tail + chunk
                if not chunk:
                    end = len(data)
                else:
                    end = data.rfind(b"<")  # the last tag may be cut: keep it for the next round
                    if end <= 0:
                        if len(data) > 4 * _SCAN_CHUNK:
                            refuse("has a tag longer than 4 MiB", "含有超过 4 MiB 的标签")
                        tail = data
                        continue
                fast = _fast_scan(data, end)
                if fast is not None:  # every tag carries a valid reference: no per-tag Python work
                    n_cells, n_rows, f_row, f_col, dim = fast
                    cells += n_cells
                    nrows += n_rows
                    max_r, max_c = max(max_r, f_row), max(max_c, f_col)
                    if dim is not None:
                        dim_area = dim[0] * dim[1]
                        if dim_area > MAX_SHEET_CELLS:
                            refuse(f"declares a used range of {dim_area:,} cells (limit {MAX_SHEET_CELLS:,})",
                                   f"声明的使用区域有 {dim_area:,} 个单元格（上限 {MAX_SHEET_CELLS:,} 个）")
                    if f_row:
                        row = f_row  # only used by cells without a reference, and there are none
                    data_iter: Iterable[_re.Match[bytes]] = ()
                else:
                    data_iter = _SHEET_TAG.finditer(data, 0, end)
                for m in data_iter:
                    kind, attrs = m.group(1), m.group(2)
                    if kind == b"c":
                        cells += 1
                        r = _ATTR_R.search(attrs)
                        if r:
                            rc = _a1(r.group(1))
                            if rc is None:
                                bad_ref(r.group(1))
                            row, col = rc
                        else:
                            col += 1
                            if col > EXCEL_MAX_COL:
                                refuse("has a row with more than 16384 cells", "有一行超过 16384 个单元格")
                        if row > max_r:
                            max_r = row
                        if col > max_c:
                            max_c = col
                    elif kind == b"row":
                        col = 0
                        nrows += 1
                        r = _ATTR_R.search(attrs)
                        if r:
                            v = r.group(1)
                            if not v.isdigit() or not 1 <= int(v[:8]) <= EXCEL_MAX_ROW:
                                text = shown(v.decode("latin-1"), 20)
                                refuse(f"has a row number {text!r} outside Excel's limits (1 to 1048576)",
                                       f"含有超出 Excel 范围（1 至 1048576）的行号“{text}”")
                            row = int(v)
                        else:
                            row += 1
                            if row > EXCEL_MAX_ROW:
                                refuse("has more rows than Excel allows", "行数超过 Excel 上限")
                    else:  # dimension
                        ref = _ATTR_REF.search(attrs)
                        if ref:
                            ends = ref.group(1).split(b":")
                            if len(ends) > 2:
                                bad_ref(ref.group(1))
                            rcs = [_a1(e) for e in ends]
                            if any(rc is None for rc in rcs):
                                bad_ref(ref.group(1))
                            area = max(rc[0] for rc in rcs) * max(rc[1] for rc in rcs)
                            if area > MAX_SHEET_CELLS:
                                refuse(f"declares a used range of {area:,} cells (limit {MAX_SHEET_CELLS:,})",
                                       f"声明的使用区域有 {area:,} 个单元格（上限 {MAX_SHEET_CELLS:,} 个）")
                if cells > MAX_SHEET_CELLS:
                    refuse(f"has more than {MAX_SHEET_CELLS:,} cells", f"单元格超过 {MAX_SHEET_CELLS:,} 个")
                if not chunk:
                    break
                tail = data[end:]
        if max_r:
            area = max_r * max_c  # the reader pads the rows and columns above and left of the data
            if area > MAX_SHEET_CELLS:
                refuse(f"spans {area:,} cells from A1 to its last cell (limit {MAX_SHEET_CELLS:,}; "
                       "a stray cell far away makes the reader allocate the whole range)",
                       f"从 A1 到最后一个单元格的区域有 {area:,} 个单元格（上限 {MAX_SHEET_CELLS:,} 个；"
                       "远处的一个孤立单元格会使读取程序为整个区域分配内存）")
            stats.cells = max(stats.cells, area)
        stats.rows = max(stats.rows, nrows)
    return stats
