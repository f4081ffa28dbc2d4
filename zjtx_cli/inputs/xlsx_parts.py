"""The parts of an xlsx the streaming roster reader (:mod:`xlsx_stream`) needs besides the sheet:
the zip members inflated in bounded blocks, and the styles' number formats read as calamine reads them."""

from __future__ import annotations

import datetime as dt
import re
import zlib

from zjtx_cli.inputs.limits import MAX_ZIP_ENTRIES, STREAM_MAX_RATIO, UnsafeInput

_BLOCK = 1 << 20          # compressed bytes read at a time
_OUT = 4 << 20            # inflated bytes produced at a time
_RATIO_FROM = 16 << 20    # the ratio is checked once this much has been inflated
_META_MAX = 64 << 20      # workbook.xml, its rels, styles.xml: small parts, read whole under this
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.I)

def _bad(path, what: str, zh: str):
    return UnsafeInput(path, f"is not a readable xlsx roster ({what})", f"不是可读取的 xlsx 名单（{zh}）")



# ---------------------------------------------------------------------------- the zip
class _Zip:
    def __init__(self, path):
        import zipfile

        self.path = path
        try:
            self.zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise _bad(path, f"not a zip archive: {str(exc)[:80]}", "不是 zip 压缩包") from None
        infos = self.zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise _bad(path, f"{len(infos)} zip entries", f"zip 条目过多（{len(infos)}）")
        self.names = {i.filename: i for i in infos}

    def close(self):
        self.zf.close()

    def has(self, name: str) -> bool:
        return name in self.names

    def blocks(self, name: str, limit: int):
        """The member's inflated bytes, in blocks, bounded by ``limit`` bytes and STREAM_MAX_RATIO."""
        import struct

        info = self.names.get(name)
        if info is None:
            raise _bad(self.path, f"no part {name[:80]}", f"缺少部件 {name[:80]}")
        if info.flag_bits & 0x1:
            raise _bad(self.path, "an encrypted part", "部件已加密")
        if info.compress_type not in (0, 8):
            raise _bad(self.path, f"compression method {info.compress_type}", f"不支持的压缩方式 {info.compress_type}")
        fh = self.zf.fp
        assert fh is not None
        fh.seek(info.header_offset)
        head = fh.read(30)
        if len(head) != 30 or head[:4] != b"PK\x03\x04":
            raise _bad(self.path, "a bad local file header", "zip 本地文件头无效")
        n, m = struct.unpack("<HH", head[26:30])
        fh.seek(info.header_offset + 30 + n + m)
        left = info.compress_size
        if info.compress_type == 0:
            if left > limit:
                raise self._too_big(name, limit)
            while left:
                b = fh.read(min(_BLOCK, left))
                if not b:
                    raise _bad(self.path, "a truncated part", "部件被截断")
                left -= len(b)
                yield b
            return
        d = zlib.decompressobj(-15)
        total = 0
        used = 0
        pending = b""
        try:
            while True:
                if not pending:
                    if left <= 0:
                        break
                    pending = fh.read(min(_BLOCK, left))
                    if not pending:
                        raise _bad(self.path, "a truncated part", "部件被截断")
                    left -= len(pending)
                    used += len(pending)
                out = d.decompress(pending, _OUT)
                pending = d.unconsumed_tail
                total += len(out)
                if total > limit:
                    raise self._too_big(name, limit)
                if total > _RATIO_FROM and total > STREAM_MAX_RATIO * max(used, 1):
                    raise UnsafeInput(self.path, f"part {name[:80]} inflates more than {STREAM_MAX_RATIO} times "
                                                 "(a zip bomb?)",
                                      f"部件 {name[:80]} 解压后超过压缩大小的 {STREAM_MAX_RATIO} 倍（疑似 zip 炸弹）")
                if out:
                    yield out
                if d.eof:
                    break
            rest = d.flush()
            if rest:
                total += len(rest)
                if total > limit:
                    raise self._too_big(name, limit)
                yield rest
        except zlib.error as exc:
            raise _bad(self.path, f"a damaged part {name[:80]}: {str(exc)[:60]}", f"部件 {name[:80]} 已损坏") from None

    def _too_big(self, name, limit):
        return UnsafeInput(self.path, f"part {name[:80]} inflates to more than {limit // 1048576} MiB",
                           f"部件 {name[:80]} 解压后超过 {limit // 1048576} MiB")

    def read(self, name: str, limit: int = _META_MAX) -> bytes:
        data = b"".join(self.blocks(name, limit))
        if _DOCTYPE.search(data[:4096]) or _DOCTYPE.search(data):
            raise _bad(self.path, f"a DOCTYPE in {name[:80]}", f"{name[:80]} 中含有 DOCTYPE")
        return data


# ---------------------------------------------------------------------------- number formats (as calamine)
_BUILTIN_DATE = {14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 47}
_BUILTIN_DURATION = {46}


def format_kind(code: str) -> str:
    """'date', 'duration' or '' for a custom number format (calamine's detect_custom_number_format)."""
    escaped = is_quote = ap = hms = False
    brackets = 0
    prev = " "
    for s in code:
        if escaped:
            escaped = False
        elif s in "_\\":
            escaped = True
        elif is_quote:
            if s == '"':
                is_quote = False
        elif s == '"':
            is_quote = True
        elif s == ";":
            return ""
        elif s == "[":
            brackets += 1
        elif s == "]" and brackets == 1 and hms:
            return "duration"
        elif s == "]":
            brackets = max(0, brackets - 1)
        elif s in "aA" and not ap and brackets == 0:
            ap = True
        elif s in "pm/PM" and ap and brackets == 0:
            return "date"
        elif s in "dmhysDMHYS" and not ap and brackets == 0:
            return "date"
        else:
            if not (hms and s.lower() == prev.lower()):
                hms = prev == "[" and s in "mhsMHS"
        prev = s
    return ""


def _styles(z: _Zip, name: str | None):
    """(date style indexes, duration style indexes, percent style indexes)."""
    if name is None or not z.has(name):
        return set(), set(), set()
    from defusedxml.ElementTree import fromstring

    try:
        st = fromstring(z.read(name))
    except UnsafeInput:
        raise
    except Exception as exc:  # noqa: BLE001 - defusedxml refusals and parse errors alike
        raise _bad(z.path, f"styles: {str(exc)[:80]}", "样式部件无效") from None
    custom: dict[int, str] = {}
    pct_fmts = {9, 10}
    for el in st.iter():
        if el.tag.rsplit("}", 1)[-1] == "numFmt":
            try:
                fid = int(el.get("numFmtId") or "")
            except ValueError:
                continue
            code = el.get("formatCode") or ""
            custom[fid] = code
            if "%" in code.replace('"%"', ""):
                pct_fmts.add(fid)
    dates, durs, pcts = set(), set(), set()
    xfs = next((el for el in st.iter() if el.tag.rsplit("}", 1)[-1] == "cellXfs"), None)
    if xfs is not None:
        for i, xf in enumerate(x for x in xfs if x.tag.rsplit("}", 1)[-1] == "xf"):
            try:
                fid = int(xf.get("numFmtId", "0"))
            except ValueError:
                continue
            kind = format_kind(custom[fid]) if fid in custom else (
                "date" if fid in _BUILTIN_DATE else "duration" if fid in _BUILTIN_DURATION else "")
            if kind == "date":
                dates.add(i)
            elif kind == "duration":
                durs.add(i)
            if fid in pct_fmts:
                pcts.add(i)
    return dates, durs, pcts


_EPOCH = dt.datetime(1899, 12, 30)


def _as_datetime(f: float, is_1904: bool):
    """calamine's ExcelDateTime.as_datetime, then python-calamine's date/datetime/time choice."""
    raw = f
    if is_1904:
        f += 1462.0
    if f < 60.0:  # Excel's 1900 leap-year bug: serials before 1900-03-01 are one day off
        f += 1.0
    ms = round(f * 86_400_000.0)
    try:
        d = _EPOCH + dt.timedelta(milliseconds=ms)
    except OverflowError:
        return f
    if d.time() == dt.time(0):
        return d.date()
    if raw < 1.0:  # a time of day
        return d.time()
    return d
