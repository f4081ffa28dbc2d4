"""What calamine does not tell about a worksheet: formulas without a cached value, percentage formats."""

from __future__ import annotations

import re

UNCACHED_FORMULA = "formula without a cached value — open and save the file in Excel"
UNCACHED_FORMULA_ZH = "公式没有缓存值：请在 Excel 中打开并保存后再试"


class SheetXml:
    """What calamine does not tell: formulas without a cached value, percentage formats.

    Read lazily from the first worksheet's XML, once per file, and only when
    needed: formulas when a field's cell is empty (and then only if the sheet
    has a formula at all), percentage formats when a percentage field holds a
    fraction. ``data`` (the workbook's bytes) and ``parts`` (XML parts already
    decompressed by the guard) spare opening the file again.
    """

    _HAS_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*+:)?f[\s>/]")

    def __init__(self, path, index: int = 0, data: bytes | None = None, parts: dict | None = None):
        self.path = path
        self.index = index
        self._bytes = data
        self._parts = parts or {}
        self._data: bytes | None = None
        self._uncached: set | None = None
        self._percent: set | None = None

    @staticmethod
    def _xml():
        try:
            from defusedxml.ElementTree import fromstring, iterparse
        except ImportError:  # pragma: no cover - defusedxml is a dependency
            from xml.etree.ElementTree import fromstring, iterparse
        return fromstring, iterparse

    def _zip(self, lite: bool = True):
        """The workbook's archive: :class:`~zjtx_cli.inputs.ziplite.LiteZip` over the bytes when it
        understands them (no ``zipfile`` import), else ``zipfile``."""
        if lite and self._bytes is not None:
            from zjtx_cli.inputs.ziplite import Fallback, LiteZip

            try:
                return LiteZip(self._bytes)
            except Fallback:
                pass
        import zipfile

        if self._bytes is not None:
            import io

            return zipfile.ZipFile(io.BytesIO(self._bytes))
        return zipfile.ZipFile(self.path)

    def _using_zip(self, work):
        """``work(zf)`` on the archive; redone with ``zipfile`` if the small reader gives up midway
        (a member it will not inflate), so the answer is always zipfile's."""
        from zjtx_cli.inputs.ziplite import Fallback

        try:
            with self._zip() as zf:
                return work(zf)
        except Fallback:
            with self._zip(lite=False) as zf:
                return work(zf)

    def _read(self, zf, name: str) -> bytes:
        known = self._parts.get(name)
        return known if known is not None else zf.read(name)

    def _sheet(self, zf) -> bytes:
        if self._data is None:
            import posixpath

            fromstring, _ = self._xml()
            rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
            wb = fromstring(self._read(zf, "xl/workbook.xml"))
            sheets = [el for el in wb.iter() if el.tag.rsplit("}", 1)[-1] == "sheet"]
            sheet = sheets[self.index] if self.index < len(sheets) else sheets[0]
            rid = sheet.get(rel_ns)
            rels = fromstring(self._read(zf, "xl/_rels/workbook.xml.rels"))
            target = next(el.get("Target") for el in rels.iter() if el.get("Id") == rid)
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
            self._data = self._read(zf, part)
        return self._data

    def _cells(self, data, want):
        """Call want(c_element, (row, col)) for every cell of the sheet."""
        import io

        _, iterparse = self._xml()
        for _ev, el in iterparse(io.BytesIO(data), events=("end",)):
            tag = el.tag.rsplit("}", 1)[-1]
            if tag == "c":
                rc = cell_ref(el.get("r") or "")
                if rc:
                    want(el, rc)
                el.clear()
            elif tag == "row":
                el.clear()

    def _load_formulas(self) -> set:
        found: set = set()
        self._uncached = found
        try:
            def formula_sheet(zf):
                # a small workbook with no formula in any part: nothing to find, and no XML parser needed
                parts = [i for i in zf.infolist() if i.filename.endswith(".xml") and not i.is_dir()]
                if sum(i.file_size for i in parts) <= 1 << 20 and \
                        not any(self._HAS_FORMULA.search(self._read(zf, i.filename)) for i in parts):
                    return None
                return self._sheet(zf)

            data = self._using_zip(formula_sheet)
            if data is None:
                return found
            if not self._HAS_FORMULA.search(data):
                return found

            def want(el, rc):
                kids = {k.tag.rsplit("}", 1)[-1]: k for k in el}
                v = kids.get("v")
                # no cached value: no <v>, or an empty <v/> (openpyxl) that is not an empty-text result
                if "f" in kids and (v is None or (not v.text and el.get("t") != "str")):
                    found.add(rc)

            self._cells(data, want)
        except Exception:  # best effort: the file already passed the safety checks and calamine
            pass
        return found

    def _load_percent(self) -> set:
        found: set = set()
        self._percent = found
        try:
            data, styles = self._using_zip(lambda zf: (self._sheet(zf), self._percent_styles(zf)))
            if not styles:
                return found

            def want(el, rc):
                st = el.get("s")
                if st is not None and st.isdigit() and int(st) in styles:
                    found.add(rc)

            self._cells(data, want)
        except Exception:
            pass
        return found

    def _percent_styles(self, zf) -> set:
        fromstring, _ = self._xml()
        try:
            st = fromstring(self._read(zf, "xl/styles.xml"))
        except KeyError:
            return set()
        fmts = {9, 10}
        for el in st.iter():
            if el.tag.endswith("numFmt") and "%" in (el.get("formatCode") or "").replace('"%"', ""):
                try:
                    fmts.add(int(el.get("numFmtId")))
                except (TypeError, ValueError):
                    pass
        out = set()
        xfs = next((el for el in st.iter() if el.tag.rsplit("}", 1)[-1] == "cellXfs"), None)
        if xfs is not None:
            for i, xf in enumerate(x for x in xfs if x.tag.rsplit("}", 1)[-1] == "xf"):
                try:
                    if int(xf.get("numFmtId", "0")) in fmts:
                        out.add(i)
                except ValueError:
                    pass
        return out

    def uncached(self, row, col) -> bool:
        found = self._uncached if self._uncached is not None else self._load_formulas()
        return (row, col) in found

    def percent(self, row, col) -> bool:
        found = self._percent if self._percent is not None else self._load_percent()
        return (row, col) in found


def cell_ref(ref: str):
    """'D2' -> (2, 3): 1-based row, 0-based column, as calamine's rows are indexed here."""
    m = re.match(r"^\$?([A-Z]{1,3})\$?(\d+)$", ref)
    if not m:
        return None
    col = 0
    for ch in m.group(1):
        col = col * 26 + (ord(ch) - 64)
    return int(m.group(2)), col - 1

