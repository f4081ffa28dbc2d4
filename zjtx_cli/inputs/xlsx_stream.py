"""A streaming reader for xlsx ROSTERS too large for the whole-sheet path (issue 11).

calamine (python-calamine) reads a whole sheet into memory, so the guards refuse a workbook above
MAX_XLSX_BYTES / MAX_UNCOMPRESSED / MAX_SHEET_CELLS. A roster above those is read here instead, row
by row, with memory bounded by the shared strings and one block of sheet XML:

* the sheet member is inflated from the file with ``zlib.decompressobj`` in bounded blocks
  (``max_length``), under STREAM_MAX_INFLATED bytes and STREAM_MAX_RATIO (inflated/compressed);
* rows and cells are tokenized from the bytes (no XML parser: no DTD is read, no entity but the
  five predefined ones and character references is accepted, a ``<!DOCTYPE`` is refused);
* shared strings are loaded under STREAM_MAX_SHARED_STRINGS strings and STREAM_MAX_SHARED_BYTES;
* each cell's value is what calamine's ``to_python`` gives: numbers as float, shared and inline
  strings, booleans, cached formula values, and date-styled numbers as date/datetime (the
  styles' number formats read as calamine reads them);
* cell references are checked: rows in ascending order, columns ascending within a row, no column
  beyond XFD, no row beyond 1,048,576.

Anything malformed raises :class:`~zjtx_cli.inputs.limits.UnsafeInput` (one line naming the file).
Used only by ``zjtx batch`` for a roster (:mod:`zjtx_cli.batch.xlsxrows`); every workbook the
whole-sheet path reads keeps that path.
"""

from __future__ import annotations

import datetime as dt
import re

from zjtx_cli.inputs.limits import (
    EXCEL_MAX_COL,
    EXCEL_MAX_ROW,
    STREAM_MAX_INFLATED,
    STREAM_MAX_ROW_BYTES,
    STREAM_MAX_SHARED_BYTES,
    STREAM_MAX_SHARED_STRINGS,
    UnsafeInput,
)
from zjtx_cli.inputs.xlsx_parts import _DOCTYPE, _as_datetime, _bad, _styles, _Zip

_P = rb"(?:[A-Za-z_][\w.-]*:)?"  # an optional namespace prefix
_ROW = re.compile(rb"<" + _P + rb"row\b([^>]*?)(/?)>", re.S)
_ROW_END = re.compile(rb"</" + _P + rb"row\s*>")
_CELL = re.compile(rb"<" + _P + rb"c\b([^>]*?)(?:/>|>(.*?)</" + _P + rb"c\s*>)", re.S)
_ATTR = re.compile(rb"""(?:^|\s)([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_V = re.compile(rb"<" + _P + rb"v\b[^>]*?(?:/>|>(.*?)</" + _P + rb"v\s*>)", re.S)
_F = re.compile(rb"<" + _P + rb"f[\s>/]")
_IS = re.compile(rb"<" + _P + rb"is\b[^>]*?(?:/>|>(.*?)</" + _P + rb"is\s*>)", re.S)
_RPH = re.compile(rb"<" + _P + rb"rPh\b.*?</" + _P + rb"rPh\s*>", re.S)
_T = re.compile(rb"<" + _P + rb"t\b[^>]*?(?:/>|>(.*?)</" + _P + rb"t\s*>)", re.S)
_SI = re.compile(rb"<" + _P + rb"si\b[^>]*?(?:/>|>(.*?)</" + _P + rb"si\s*>)", re.S)
_SI_END = re.compile(rb"</" + _P + rb"si\s*>|<" + _P + rb"si\b[^>]*/>")
_REF = re.compile(r"([A-Z]{1,3})(\d{1,7})")
_ENT = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z]+);")
_XESC = re.compile(r"_x([0-9A-Fa-f]{4})_")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


_FAST = rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]{1,6})")?(?: t="(n|s|b|str|e)")?(?:/>|>(?:<v>([^<&]*)</v>)?</c>)'
_FAST_CELL = re.compile(_FAST)
_FAST_ROW = re.compile(b"(?:" + _FAST + b")*")
_COLS: dict = {}


def _col_index(letters: bytes) -> int:
    c = 0
    for ch in letters:
        c = c * 26 + (ch - 64)
    return c - 1


class StreamRow(list):
    """A row's cells, with the columns of percent-formatted cells and of formulas without a cached value."""

    __slots__ = ("pct", "unc")
    pct: set | None
    unc: set | None


def _unescape(path, b: bytes) -> str:
    try:
        s = b.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad(path, "text that is not UTF-8", "文本不是 UTF-8 编码") from None
    if "\r" in s:  # XML's end-of-line handling (a &#13; is kept)
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    if "&" not in s:
        return s

    def one(m):
        e = m.group(1)
        if e[0] == "#":
            try:
                return chr(int(e[2:], 16) if e[1] in "xX" else int(e[1:]))
            except (ValueError, OverflowError):
                raise _bad(path, "a bad character reference", "字符引用无效") from None
        try:
            return _NAMED[e]
        except KeyError:
            raise _bad(path, f"an undeclared entity &{e[:20]};", "含有未声明的实体") from None

    out = _ENT.sub(one, s)
    if "&" in _ENT.sub("", s):
        raise _bad(path, "a bare '&'", "含有未转义的“&”")
    return out


def _attrs(b: bytes) -> dict:
    return {m.group(1).split(b":")[-1]: (m.group(2) if m.group(2) is not None else m.group(3))
            for m in _ATTR.finditer(b)}


def _text(path, body: bytes) -> str:
    """The text of an <si> or <is>: its <t> runs, phonetic runs left out (as calamine does)."""
    if b"rPh" in body:
        body = _RPH.sub(b"", body)
    out = "".join(_unescape(path, m.group(1) or b"") for m in _T.finditer(body))
    if "_x" in out:  # Excel's escape of characters XML cannot hold: _x001B_
        out = _XESC.sub(lambda m: chr(int(m.group(1), 16)), out)
    return out


# ---------------------------------------------------------------------------- the workbook
class Workbook:
    """The parts of an xlsx roster needed to stream its first visible worksheet."""

    def __init__(self, path):
        from defusedxml.ElementTree import fromstring

        self.path = str(path)
        self.z = _Zip(self.path)
        try:
            ct_rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
            wb = fromstring(self.z.read("xl/workbook.xml"))
            rels = fromstring(self.z.read("xl/_rels/workbook.xml.rels"))
        except UnsafeInput:
            self.z.close()
            raise
        except Exception as exc:  # noqa: BLE001
            self.z.close()
            raise _bad(self.path, f"workbook: {str(exc)[:80]}", "工作簿部件无效") from None
        targets = {}
        for el in rels.iter():
            if el.tag.rsplit("}", 1)[-1] == "Relationship":
                targets[el.get("Id")] = (el.get("Type") or "", el.get("Target") or "")
        pr = next((el for el in wb.iter() if el.tag.rsplit("}", 1)[-1] == "workbookPr"), None)
        self.is_1904 = pr is not None and (pr.get("date1904") or "").lower() in ("1", "true")
        sheets = []
        for el in wb.iter():
            if el.tag.rsplit("}", 1)[-1] == "sheet":
                typ, target = targets.get(el.get(f"{{{ct_rel}}}id"), ("", ""))
                if not typ.endswith("/worksheet"):
                    continue
                sheets.append((el.get("name") or "", (el.get("state") or "visible"), self._part(target)))
        visible = [i for i, s in enumerate(sheets) if s[1] == "visible"]
        if not sheets:
            self.z.close()
            raise _bad(self.path, "no worksheet", "没有工作表")
        self.index = (visible or [0])[0]
        self.name = sheets[self.index][0]
        self.hidden = [s[0] for s in sheets[:self.index]]
        self.sheet_part = sheets[self.index][2]
        sst = next((t for t, target in targets.values() if t.endswith("/sharedStrings")), None)
        sty = next((t for t, target in targets.values() if t.endswith("/styles")), None)
        sst_part = next((self._part(tg) for t, tg in targets.values() if t.endswith("/sharedStrings")), None)
        sty_part = next((self._part(tg) for t, tg in targets.values() if t.endswith("/styles")), None)
        del sst, sty
        try:
            self.dates, self.durations, self.percents = _styles(self.z, sty_part)
            self.strings = self._shared(sst_part) if sst_part and self.z.has(sst_part) else []
        except BaseException:
            self.z.close()
            raise

    @staticmethod
    def _part(target: str) -> str:
        import posixpath

        return target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)

    def _shared(self, name: str) -> list:
        out: list[str] = []
        buf = b""
        head = True
        for block in self.z.blocks(name, STREAM_MAX_SHARED_BYTES):
            buf += block
            if head and len(buf) >= 4096 or head and len(buf) > 0 and b"<sst" in buf:
                if _DOCTYPE.search(buf[:max(4096, buf.find(b"<sst"))]):
                    raise _bad(self.path, "a DOCTYPE in the shared strings", "共享字符串中含有 DOCTYPE")
                head = False
            last = None
            for m in _SI_END.finditer(buf):
                last = m
            if last is None:
                if len(buf) > STREAM_MAX_ROW_BYTES:
                    raise _bad(self.path, "a shared string too long", "共享字符串过长")
                continue
            cut = last.end()
            for m in _SI.finditer(buf, 0, cut):
                out.append(_text(self.path, m.group(1) or b""))
            if len(out) > STREAM_MAX_SHARED_STRINGS:
                raise UnsafeInput(self.path, f"has more than {STREAM_MAX_SHARED_STRINGS:,} shared strings",
                                  f"共享字符串超过 {STREAM_MAX_SHARED_STRINGS:,} 个")
            buf = buf[cut:]
        return out

    def close(self):
        self.z.close()

    # ------------------------------------------------------------------ rows
    def rows(self):
        """(row number, StreamRow) for every row that has a cell, in order."""
        path = self.path
        buf = b""
        head = True
        prev_row = 0
        for block in self.z.blocks(self.sheet_part, STREAM_MAX_INFLATED):
            buf += block
            if head:
                at = buf.find(b"<sheetData")
                if at < 0 and len(buf) < (1 << 20):
                    continue
                if _DOCTYPE.search(buf[:at if at >= 0 else len(buf)]):
                    raise _bad(path, "a DOCTYPE in the sheet", "工作表中含有 DOCTYPE")
                head = False
            last = None
            for m in _ROW_END.finditer(buf):
                last = m
            cut = last.end() if last is not None else 0
            if cut == 0:
                if len(buf) > STREAM_MAX_ROW_BYTES:
                    raise _bad(path, f"a row longer than {STREAM_MAX_ROW_BYTES // 1048576} MiB",
                               f"有一行超过 {STREAM_MAX_ROW_BYTES // 1048576} MiB")
                continue
            chunk, buf = buf[:cut], buf[cut:]
            for r, row in self._rows_in(chunk, prev_row):
                prev_row = r
                yield r, row
        if head:
            raise _bad(path, "no sheetData", "缺少 sheetData")
        for r, row in self._rows_in(buf, prev_row):  # self-closing rows after the last </row>
            prev_row = r
            yield r, row

    def _rows_in(self, chunk: bytes, prev_row: int):
        path = self.path
        pos = 0
        n = len(chunk)
        while pos < n:
            m = _ROW.search(chunk, pos)
            if m is None:
                return
            a = _attrs(m.group(1))
            rn = a.get(b"r")
            if rn is None:
                r = prev_row + 1
            else:
                try:
                    r = int(rn)
                except ValueError:
                    raise _bad(path, f"row number {rn[:20]!r}", "行号无效") from None
            if r <= prev_row or r < 1 or r > EXCEL_MAX_ROW:
                raise _bad(path, f"row {r} out of order or out of range (after row {prev_row})",
                           f"第 {r} 行顺序错乱或超出范围（前一行为第 {prev_row} 行）")
            prev_row = r
            if m.group(2):  # <row .../>
                pos = m.end()
                continue
            e = _ROW_END.search(chunk, m.end())
            if e is None:
                raise _bad(path, f"row {r} is not closed", f"第 {r} 行没有闭合")
            row = self._cells(chunk, m.end(), e.start(), r)
            pos = e.end()
            if row is not None:
                yield r, row

    def _cells(self, chunk: bytes, start: int, end: int, r: int):
        path = self.path
        cells = StreamRow()
        cells.pct = None
        cells.unc = None
        body = chunk[start:end]
        if _FAST_ROW.fullmatch(body) is not None:
            return self._fast_cells(cells, body, r)
        col = -1
        for m in _CELL.finditer(chunk, start, end):
            a = _attrs(m.group(1))
            ref = a.get(b"r")
            if ref is None:
                c = col + 1
            else:
                rm = _REF.fullmatch(ref.decode("ascii", "replace").replace("$", ""))
                if rm is None:
                    raise _bad(path, f"cell reference {ref[:20]!r} in row {r}", f"第 {r} 行的单元格引用无效")
                c = 0
                for ch in rm.group(1):
                    c = c * 26 + (ord(ch) - 64)
                c -= 1
                if int(rm.group(2)) != r:
                    raise _bad(path, f"cell {rm.group(0)} in row {r}", f"单元格 {rm.group(0)} 不在第 {r} 行")
            if c <= col or c >= EXCEL_MAX_COL:
                raise _bad(path, f"cell columns out of order or beyond XFD in row {r}",
                           f"第 {r} 行的单元格列顺序错乱或超出 XFD")
            col = c
            body = m.group(2) or b""
            t = a.get(b"t", b"n")
            s = a.get(b"s")
            value = None
            if t == b"inlineStr":
                im = _IS.search(body)
                if im is not None:
                    value = _text(path, im.group(1) or b"")
            else:
                vm = _V.search(body)
                raw = vm.group(1) if vm is not None else None
                if raw:
                    value = self._value(t, raw, s, r, c)
                elif t == b"str" and vm is not None:
                    value = ""
            if value is None or value == "":
                if _F.search(body) and not (vm_text_present(body) or t == b"str"):
                    if cells.unc is None:
                        cells.unc = set()
                    cells.unc.add(c)
                if value is None:
                    continue
            if s is not None and self.percents and s.isdigit() and int(s) in self.percents:
                if cells.pct is None:
                    cells.pct = set()
                cells.pct.add(c)
            if c > len(cells):
                cells.extend([""] * (c - len(cells)))
            cells.append(value)
        return cells

    def _fast_cells(self, cells: StreamRow, body: bytes, r: int):
        """The common row (what Excel, openpyxl and most writers write): every cell ``<c r=".." s=".."
        t=".."><v>..</v></c>`` in that order, no formula, no inline string. The same values and
        checks as the general loop, with one regex for the row."""
        cols = _COLS
        rb = str(r).encode()
        col = -1
        value_of = self._value
        percents = self.percents
        for letters, digits, s, t, v in _FAST_CELL.findall(body):
            c = cols.get(letters)
            if c is None:
                c = _col_index(letters)
                if c < EXCEL_MAX_COL:
                    cols[letters] = c
            if digits != rb:
                raise _bad(self.path, f"cell {(letters + digits).decode()} in row {r}",
                           f"单元格 {(letters + digits).decode()} 不在第 {r} 行")
            if c <= col or c >= EXCEL_MAX_COL:
                raise _bad(self.path, f"cell columns out of order or beyond XFD in row {r}",
                           f"第 {r} 行的单元格列顺序错乱或超出 XFD")
            col = c
            if not v:
                continue
            value = value_of(t or b"n", v, s or None, r, c)
            if s and percents and int(s) in percents:
                if cells.pct is None:
                    cells.pct = set()
                cells.pct.add(c)
            n = len(cells)
            if c > n:
                cells.extend([""] * (c - n))
            cells.append(value)
        return cells

    def _value(self, t: bytes, raw: bytes, s, r: int, c: int):
        path = self.path
        if t == b"n":
            try:
                f = float(raw)
            except ValueError:
                raise _bad(path, f"a bad number in row {r}, column {c + 1}",
                           f"第 {r} 行第 {c + 1} 列的数值无效") from None
            if s is not None and (self.dates or self.durations) and s.isdigit():
                si = int(s)
                if si in self.dates:
                    return _as_datetime(f, self.is_1904)
                if si in self.durations:
                    return dt.timedelta(milliseconds=round(f * 86_400_000.0))
            return f
        if t == b"s":
            try:
                return self.strings[int(raw)]
            except (ValueError, IndexError):
                raise _bad(path, f"shared string {raw[:20]!r} in row {r} does not exist",
                           f"第 {r} 行引用的共享字符串不存在") from None
        if t == b"b":
            return raw != b"0"
        if t == b"str":
            return _unescape(path, raw)
        if t == b"e":
            return ""  # python-calamine gives an error cell as an empty string
        if t == b"d":
            return _unescape(path, raw)
        raise _bad(path, f"cell type {t[:10]!r} in row {r}", f"第 {r} 行的单元格类型无效")


def vm_text_present(body: bytes) -> bool:
    """A <v> with text in it."""
    m = _V.search(body)
    return m is not None and bool(m.group(1))
