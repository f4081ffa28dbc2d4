"""Guards for untrusted input files and safe output writing.

Applicants' workbooks and JSON files are untrusted.  Before any parser sees
them, :func:`check_xlsx_file` / :func:`check_json_file` refuse files that are
not what they claim to be or that could exhaust memory or CPU (zip bombs, XML
entity bombs, XXE).  Exports go through :func:`cell_value` / :func:`clean_text`
(formula-injection guard, control characters openpyxl refuses) and are written
atomically (temporary file in the same directory, then ``os.replace``) by
:func:`atomic_write_bytes`, :func:`atomic_save`, :func:`write_csv` and
:func:`open_csv_stream`, none of which will overwrite an input file.

Start-up time matters: only cheap stdlib modules are imported here; ``zipfile``,
``csv``, ``decimal`` and ``datetime`` are imported when first needed, and
openpyxl is never imported.

Residual risks (not handled here): ``check_*`` and the later parse open the
path twice, so a file swapped in between is not re-checked; ``json.loads`` on
very deeply nested input raises ``RecursionError``, which the caller must catch.
"""

import os
import stat

__all__ = [
    "UnsafeInput",
    "OutputError",
    "MAX_JSON_BYTES",
    "MAX_XLSX_BYTES",
    "MAX_ZIP_ENTRIES",
    "MAX_UNCOMPRESSED",
    "MAX_RATIO",
    "check_json_file",
    "check_xlsx_file",
    "check_regular_file",
    "sniff",
    "neutralise",
    "clean_text",
    "cell_value",
    "atomic_write_bytes",
    "atomic_save",
    "write_csv",
    "open_csv_stream",
]

MAX_JSON_BYTES = 5 * 1024 * 1024
MAX_XLSX_BYTES = 50 * 1024 * 1024        # compressed file size
MAX_ZIP_ENTRIES = 10_000
MAX_UNCOMPRESSED = 200 * 1024 * 1024     # total of all entries
MAX_RATIO = 200                          # uncompressed/compressed, per entry over 1 MiB, and overall
# Excel's own limits: a reference beyond XFD1048576 is never a real cell
EXCEL_MAX_ROW = 1_048_576
EXCEL_MAX_COL = 16_384
# The native reader allocates a dense grid over the used area (and reserves the declared
# <dimension>): rows x columns of it, not the number of cells written, is what costs memory.
MAX_SHEET_CELLS = 4_000_000              # area of a sheet's used range (about 300 MiB to read)
# Budget of one read of an untrusted workbook in the capped reader process (isolate.py)
READ_MEMORY = 768 * 1024 * 1024          # address space the reader may add to what it starts with
READ_CPU_SECONDS = 60                    # CPU seconds per file (a roster included)
# a workbook whose sheets are all smaller than this is read in-process after the checks
IN_PROCESS_SHEET_BYTES = 8 * 1024 * 1024
IN_PROCESS_CELLS = 500_000

_RATIO_MIN_SIZE = 1024 * 1024            # entries (and totals) smaller than this are never a bomb
_XML_SCAN_BYTES = 64 * 1024              # how much of each XML part is inspected
_XML_FIRST_BYTES = 4 * 1024              # read first; enough unless the prolog is longer
_REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
_XML_SUFFIXES = (".xml", ".rels", ".vml")

from zjtx_cli.inputs.text import FORMULA_PREFIXES as _FORMULA_PREFIXES
from zjtx_cli.inputs.text import ILLEGAL_XLSX as _ILLEGAL_CHARS
from zjtx_cli.inputs.text import fix_surrogates, inert


# --------------------------------------------------------------------------- errors


def _shown(value, limit: int = 200) -> str:
    """``value`` (a path or zip entry name) made safe for a one-line message."""
    try:
        text = os.fsdecode(value)
    except TypeError:
        text = str(value)
    return inert(text, limit)


class UnsafeInput(Exception):
    """An input file was refused.

    ``str(exc)`` is one English line naming the file and the reason;
    ``exc.reason_zh`` is the same in Chinese.  ``exc.path`` and ``exc.reason``
    hold the parts; ``exc.zh`` is the Chinese reason without the file name.
    """

    def __init__(self, path, reason: str, reason_zh: str | None = None):
        self.path = path
        self.reason = reason
        self._zh = reason_zh
        self.zh = reason_zh or "不安全，已拒绝处理"
        shown = _shown(path)
        self.reason_zh = f"文件 {shown} {reason_zh or '不安全，已拒绝处理'}"
        super().__init__(f"{shown} {reason}")

    def __reduce__(self):  # keep the exception picklable (multiprocessing)
        return (type(self), (self.path, self.reason, self._zh))


class OutputError(ValueError):
    """An output file cannot be written safely (e.g. it would overwrite an input)."""

    def __init__(self, path, reason: str, reason_zh: str | None = None):
        self.path = path
        self.reason = reason
        self._zh = reason_zh
        shown = _shown(path)
        self.reason_zh = f"无法写入 {shown}：{reason_zh or reason}"
        super().__init__(f"refusing to write {shown}: {reason}")

    def __reduce__(self):
        return (type(self), (self.path, self.reason, self._zh))


def _mib(n: float) -> str:
    return f"{n / (1024 * 1024):.1f} MiB"


def _regular_file_size(path) -> int:
    """Size of ``path``; refuses directories, devices, FIFOs (OSError propagates).

    Checked with ``stat`` before anything opens the file: opening a FIFO blocks,
    and ``/dev/zero`` never ends.
    """
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        if stat.S_ISDIR(st.st_mode):
            raise UnsafeInput(path, "is not a regular file (a folder)", "不是普通文件（是文件夹）")
        raise UnsafeInput(path, "is not a regular file (a pipe, device or socket)",
                          "不是普通文件（是管道、设备或套接字）")
    return st.st_size


def check_regular_file(path) -> int:
    """The size of ``path`` if it is a regular file; else UnsafeInput (OSError propagates)."""
    return _regular_file_size(path)


# --------------------------------------------------------------------------- sniffing
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(path) -> str:
    """What a file is, by its content (never its name).

    ``xlsx`` (also .xlsm: an OOXML zip with xl/workbook.xml), ``xlsb``, ``ods``,
    ``ole`` (legacy .xls, WPS .et, or an encrypted workbook), ``json``, ``text``
    (a CSV candidate), ``zip`` (another zip archive), ``empty`` or ``binary``.
    Raises UnsafeInput for a non-regular file, OSError when unreadable.
    """
    size = _regular_file_size(path)
    if size == 0:
        return "empty"
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(OLE2_MAGIC):
        return "ole"
    if head.startswith(b"PK"):
        if os.fspath(path)[-5:].lower() in (".xlsx", ".xlsm"):
            return "xlsx"  # as named: check_xlsx_file looks inside (and says what is missing)
        import zipfile

        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist()[:MAX_ZIP_ENTRIES + 1])
                mimetype = b""
                if "mimetype" in names:
                    info = zf.getinfo("mimetype")
                    if info.file_size < 200:
                        mimetype = zf.read("mimetype")
        except Exception:
            return "xlsx"  # a damaged zip: the xlsx check says why
        if "xl/workbook.bin" in names:
            return "xlsb"
        if "xl/workbook.xml" in names or "[Content_Types].xml" in names:
            return "xlsx"
        if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet") or "content.xml" in names:
            return "ods"
        return "zip"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] in (b"{", b"["):
        return "json"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "text"  # UTF-16 with a byte-order mark
    sample = head[:4096]
    if b"\x00" in sample:
        # UTF-16 without a BOM has a zero in every other byte; anything else with zeros is binary
        odd = sample[1::2]
        even = sample[0::2]
        if odd.count(0) > len(odd) * 0.4 or even.count(0) > len(even) * 0.4:
            return "text"
        return "binary"
    bad = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return "binary" if bad > len(sample) * 0.05 else "text"


# --------------------------------------------------------------------------- JSON


def check_json_file(path) -> None:
    """Refuse a JSON input that is not a regular file or exceeds MAX_JSON_BYTES.

    A missing/unreadable file raises the usual ``OSError``.
    """
    size = _regular_file_size(path)
    if size > MAX_JSON_BYTES:
        raise UnsafeInput(
            path,
            f"is too large for a JSON input ({_mib(size)}; limit {_mib(MAX_JSON_BYTES)})",
            f"过大（{_mib(size)}，JSON 文件上限 {_mib(MAX_JSON_BYTES)}）",
        )


# --------------------------------------------------------------------------- xlsx


def _not_zip(path) -> UnsafeInput:
    reason = "is not an xlsx workbook (not a zip archive)"
    reason_zh = "不是 xlsx 工作簿（不是 zip 压缩包）"
    try:
        with open(path, "rb") as f:
            magic = f.read(8)
    except OSError:
        magic = b""
    if magic == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # OLE2: legacy .xls or encrypted workbook
        reason += "; it looks like a legacy .xls or a password-protected workbook"
        reason_zh += "；看起来是旧版 .xls 或加密的工作簿"
    return UnsafeInput(path, reason, reason_zh)


def _unsafe_entry_name(name: str) -> bool:
    n = name.replace("\\", "/")
    if n.startswith("/") or (len(n) >= 2 and n[1] == ":" and n[0].isascii() and n[0].isalpha()):
        return True
    return ".." in n.split("/")


# Declared encodings under which the ASCII view of the bytes shows all markup.
_ASCII_COMPATIBLE = {
    "utf8", "usascii", "ascii", "iso88591", "latin1", "l1", "iso885915",
    "windows1252", "cp1252", "gb2312", "gbk", "gb18030", "cp936",
}


def _decode_head(data: bytes) -> tuple[str, bool]:
    """Decode the start of an XML part for scanning; returns (text, ascii_view)."""
    boms = (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    )
    for bom, enc in boms:
        if data.startswith(bom):
            return data[len(bom):].decode(enc, "replace"), enc == "utf-8"
    for start, enc in (
        (b"\x00\x00\x00<", "utf-32-be"),
        (b"<\x00\x00\x00", "utf-32-le"),
        (b"\x00<\x00", "utf-16-be"),
        (b"<\x00", "utf-16-le"),
    ):
        if data.startswith(start):
            return data.decode(enc, "replace"), False
    # ASCII-compatible: latin-1 never fails and keeps every ASCII byte as is.
    return data.decode("latin-1"), True


def _declared_encoding(decl: str) -> str | None:
    i = decl.find("encoding")
    if i < 0:
        return None
    rest = decl[i + len("encoding"):].lstrip(" \t\r\n")
    if not rest.startswith("="):
        return None
    rest = rest[1:].lstrip(" \t\r\n")
    if not rest or rest[0] not in "'\"":
        return None
    end = rest.find(rest[0], 1)
    return rest[1:end] if end > 0 else None


def _xml_head_problem(data: bytes, complete: bool) -> tuple[str, str] | None:
    """Why the start of an XML part is unsafe, as (english, chinese), or None.

    Checks the whole window for ``<!DOCTYPE`` / ``<!ENTITY`` and walks the
    prolog (XML declaration, comments, processing instructions) up to the root
    element, so a DOCTYPE cannot hide behind 64 KiB of comments, an unusual
    encoding (UTF-16, UTF-7, EBCDIC) or text before the root element.
    """
    dtd = ("contains an XML DOCTYPE/ENTITY declaration (possible entity bomb / XXE)",
           "含有 XML DOCTYPE/ENTITY 声明（疑似实体炸弹 / XXE 攻击）")
    text, ascii_view = _decode_head(data)
    upper = text.upper()
    if "<!DOCTYPE" in upper or "<!ENTITY" in upper:
        return dtd
    pos, n = 0, len(text)
    while True:
        while pos < n and text[pos] in " \t\r\n":
            pos += 1
        if pos >= n:
            break
        if text.startswith("<?", pos):
            end = text.find("?>", pos + 2)
            if end < 0:
                break
            if ascii_view and text.startswith("<?xml", pos):
                enc = _declared_encoding(text[pos:end])
                key = (enc or "utf-8").lower().replace("-", "").replace("_", "")
                if key not in _ASCII_COMPATIBLE:
                    return (f"declares an unsupported XML encoding {_shown(enc, 40)!r}",
                            f"声明了不支持的 XML 编码 {_shown(enc, 40)}")
            pos = end + 2
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos + 4)
            if end < 0:
                break
            pos = end + 3
        elif text.startswith("<!", pos):
            return dtd
        elif text.startswith("<", pos):
            return None  # root element reached
        else:
            return ("has unexpected content before the root element",
                    "在根元素之前含有无法识别的内容")
    if complete:
        return None  # no root element at all: malformed, the parser will say so
    return _PROLOG_TOO_LONG


_PROLOG_TOO_LONG = (f"has more than {_XML_SCAN_BYTES // 1024} KiB before its root element",
                    f"在根元素之前的内容超过 {_XML_SCAN_BYTES // 1024} KiB，无法安全检查")


def check_xlsx_file(path) -> None:
    """Refuse a workbook that is not a safe-looking xlsx (raises UnsafeInput).

    Sizes come from the zip directory only; apart from the first 64 KiB of each
    XML part, nothing is decompressed.  A missing/unreadable file raises the
    usual ``OSError``.
    """
    import zipfile
    import zlib

    size = _regular_file_size(path)
    if size > MAX_XLSX_BYTES:
        raise UnsafeInput(
            path,
            f"is too large ({_mib(size)}; limit {_mib(MAX_XLSX_BYTES)})",
            f"过大（{_mib(size)}，上限 {_mib(MAX_XLSX_BYTES)}）",
        )
    if size == 0:
        raise _not_zip(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError,
            NotImplementedError, UnicodeDecodeError):
        raise _not_zip(path) from None

    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise UnsafeInput(
                path,
                f"has too many zip entries ({len(infos)}; limit {MAX_ZIP_ENTRIES})",
                f"包含的压缩条目过多（{len(infos)} 个，上限 {MAX_ZIP_ENTRIES} 个）",
            )

        seen: set[str] = set()
        total = total_compressed = 0
        for info in infos:
            name = info.filename
            if _unsafe_entry_name(name):
                raise UnsafeInput(
                    path,
                    f"contains an unsafe entry name {_shown(name)!r} (absolute path or '..')",
                    f"包含不安全的条目名 {_shown(name)}（绝对路径或含 '..'）",
                )
            if name in seen:
                raise UnsafeInput(
                    path,
                    f"contains the entry {_shown(name)!r} twice",
                    f"包含重复的条目 {_shown(name)}",
                )
            seen.add(name)
            total += info.file_size
            total_compressed += info.compress_size
            if info.file_size > _RATIO_MIN_SIZE:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > MAX_RATIO:
                    raise UnsafeInput(
                        path,
                        f"looks like a zip bomb (entry {_shown(name)!r} expands {ratio:.0f}x; "
                        f"limit {MAX_RATIO}x)",
                        f"疑似 zip 炸弹（条目 {_shown(name)} 压缩比 {ratio:.0f} 倍，上限 {MAX_RATIO} 倍）",
                    )
        if total > MAX_UNCOMPRESSED:
            raise UnsafeInput(
                path,
                f"expands to too much data ({_mib(total)} uncompressed; limit {_mib(MAX_UNCOMPRESSED)})",
                f"解压后总大小过大（{_mib(total)}，上限 {_mib(MAX_UNCOMPRESSED)}）",
            )
        if total > _RATIO_MIN_SIZE:
            ratio = total / max(total_compressed, 1)
            if ratio > MAX_RATIO:
                raise UnsafeInput(
                    path,
                    f"looks like a zip bomb (expands {ratio:.0f}x overall; limit {MAX_RATIO}x)",
                    f"疑似 zip 炸弹（整体压缩比 {ratio:.0f} 倍，上限 {MAX_RATIO} 倍）",
                )

        for part in _REQUIRED_PARTS:
            if part not in seen:
                raise UnsafeInput(
                    path,
                    f"is not an xlsx workbook (missing {part})",
                    f"不是有效的 xlsx 工作簿（缺少 {part}）",
                )

        whole: dict = {}
        # Every XML part (a superset of workbook.xml, sharedStrings.xml and the
        # worksheets): openpyxl parses several of them, and duplicates or odd
        # names must not let a DTD slip through.
        for info in infos:
            if info.is_dir() or not info.filename.lower().endswith(_XML_SUFFIXES):
                continue
            try:
                with zf.open(info) as f:
                    # the root element is nearly always within the first few hundred bytes:
                    # read more only when the prolog goes on (a DOCTYPE may only precede the root)
                    if info.filename.startswith("xl/worksheets/") and info.file_size <= _SCAN_CHUNK:
                        head = f.read()  # the sheet checks below need all of it: decompress once
                    else:
                        head = f.read(_XML_FIRST_BYTES)
                    if (info.file_size > _XML_FIRST_BYTES
                            and _xml_head_problem(head, False) == _PROLOG_TOO_LONG):
                        head += f.read(_XML_SCAN_BYTES - _XML_FIRST_BYTES)
            except RuntimeError:  # encrypted entry
                raise UnsafeInput(
                    path,
                    f"has an encrypted part {_shown(info.filename)!r}",
                    f"含有加密的部件 {_shown(info.filename)}",
                ) from None
            except (zipfile.BadZipFile, NotImplementedError, EOFError, ValueError,
                    OSError, zlib.error) as exc:
                raise UnsafeInput(
                    path,
                    f"is corrupt (cannot read {_shown(info.filename)!r}: {_shown(exc, 120)})",
                    f"已损坏（无法读取 {_shown(info.filename)}）",
                ) from None
            if len(head) == info.file_size:
                whole[info.filename] = head  # read in full already: the sheet checks reuse it
            problem = _xml_head_problem(head, info.file_size <= _XML_SCAN_BYTES)
            if problem:
                en, zh = problem
                raise UnsafeInput(
                    path,
                    f"is unsafe: {_shown(info.filename)} {en}",
                    f"不安全：其中的 {_shown(info.filename)} {zh}",
                )

        try:
            return _check_sheets(path, zf, infos, whole)
        except (zipfile.BadZipFile, NotImplementedError, EOFError, ValueError, OSError, zlib.error,
                RuntimeError) as exc:
            raise UnsafeInput(path, f"is corrupt ({_shown(exc, 120)})", "已损坏") from None


# --------------------------------------------------------------------------- sheet extents
import io  # noqa: E402
import re as _re  # noqa: E402 - cheap, already imported by the interpreter at start-up

_SHEET_TAG = _re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(c|row|dimension)(?=[\s/>])([^>]*)>")
_ATTR_R = _re.compile(rb"""(?:^|\s)r\s*=\s*["']([^"']*)["']""")
_ATTR_REF = _re.compile(rb"""(?:^|\s)ref\s*=\s*["']([^"']*)["']""")
_A1 = _re.compile(rb"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_REL_SHEET = _re.compile(rb"""<Relationship\b[^>]*>""")
_SCAN_CHUNK = 1 << 20


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


_C_REF = _re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?(?<=\s)r\s*=\s*["']\$?([A-Z]{1,3})\$?([0-9]{1,7})["']""")
_ROW_REF = _re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?row\s[^>]*?(?<=\s)r\s*=\s*["']([0-9]{1,7})["']""")
_C_REF_PLAIN = _re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_ANY_TAG = _re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(c|row)[\s/>]")
_ROW_REF_PLAIN = _re.compile(rb'<row r="([0-9]{1,7})"')
_DIM = _re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b")
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
    dm = _DIM.search(view)
    if dm is not None:
        close = view.find(b">", dm.end())
        ref = _ATTR_REF.search(view[dm.end():close]) if close > 0 else None
        if ref is None:
            return None
        rcs = [_a1(e) for e in ref.group(1).split(b":")]
        if len(rcs) > 2 or any(rc is None for rc in rcs):
            return None
        dim = (max(rc[0] for rc in rcs), max(rc[1] for rc in rcs))
        if _DIM.search(view, close):
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
    letters = {l for l, _d in refs}
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


def _check_sheets(path, zf, infos, whole=None) -> SheetStats:
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
        name = _shown(info.filename)
        max_r = max_c = 0
        row = 0
        col = 0
        cells = 0
        nrows = 0

        def refuse(en, zh):
            raise UnsafeInput(path, f"is refused: {name} {en}", f"已拒绝：其中的 {name} {zh}")

        def bad_ref(ref):
            shown = _shown(ref.decode("latin-1"), 20)
            refuse(f"has a cell reference {shown!r} outside Excel's limits (XFD1048576)",
                   f"含有超出 Excel 范围（XFD1048576）的单元格引用“{shown}”")

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
                    data_iter = ()
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
                                shown = _shown(v.decode("latin-1"), 20)
                                refuse(f"has a row number {shown!r} outside Excel's limits (1 to 1048576)",
                                       f"含有超出 Excel 范围（1 至 1048576）的行号“{shown}”")
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


# --------------------------------------------------------------------------- cell text


def neutralise(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet would read as a formula."""
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


def clean_text(text: str) -> str:
    """Drop the control characters openpyxl refuses, lone surrogates to U+FFFD, then :func:`neutralise`."""
    return neutralise(fix_surrogates(text.translate(_ILLEGAL_CHARS)))


_PASSTHROUGH: tuple[type, ...] | None = None


def _passthrough_types() -> tuple[type, ...]:
    global _PASSTHROUGH
    if _PASSTHROUGH is None:
        import datetime
        import decimal

        _PASSTHROUGH = (decimal.Decimal, datetime.date, datetime.time, datetime.timedelta)
    return _PASSTHROUGH


def cell_value(value):
    """A value ready for export.

    ``str`` goes through :func:`clean_text`; ``None``, bool, int, float,
    Decimal and date/datetime/time/timedelta are returned unchanged (numbers
    stay numbers); anything else is exported as ``clean_text(str(value))``.
    """
    if isinstance(value, str):
        return clean_text(value)
    if value is None or isinstance(value, (int, float)):
        return value
    if isinstance(value, _passthrough_types()):
        return value
    return clean_text(str(value))


# --------------------------------------------------------------------------- atomic output


def _as_paths(protect) -> list[str]:
    if isinstance(protect, (str, bytes, os.PathLike)):
        protect = (protect,)
    return [os.fsdecode(p) for p in protect if p is not None]


def _check_target(path: str, protect: list[str]) -> None:
    """Refuse to write ``path`` if it is a directory or the same file as an input."""
    if os.path.isdir(path):
        raise OutputError(path, "it is a directory", "目标是一个目录")
    real = os.path.normcase(os.path.realpath(path))
    try:
        target_st = os.stat(path)
    except OSError:
        target_st = None
    for p in protect:
        same = os.path.normcase(os.path.realpath(p)) == real
        if not same and target_st is not None:
            try:
                same = os.path.samestat(target_st, os.stat(p))
            except OSError:
                pass
        if same:
            raise OutputError(
                path,
                f"would overwrite input file {_shown(p)}",
                f"会覆盖输入文件 {_shown(p)}",
            )


def _create_temp(path: str) -> tuple[str, int]:
    """Create a new temporary file next to ``path``; returns (name, fd).

    The name keeps ``path``'s extension (writers that choose a format by
    extension still work); the mode is 0o666 less the umask, like a normal
    ``open(path, 'w')``.
    """
    directory, base = os.path.split(path)
    stem, ext = os.path.splitext(base)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = os.path.join(directory, f".{stem[:60]}.{os.urandom(4).hex()}.tmp{ext[:16]}")
        try:
            return tmp, os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
    raise FileExistsError(f"cannot create a temporary file next to {path}")


def _discard(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass


def _commit(tmp: str, path: str, protect: list[str]) -> None:
    """fsync ``tmp``, give it the old target's permissions, and move it into place."""
    try:
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass
    _check_target(path, protect)  # again: the target may have appeared meanwhile
    try:
        st = os.stat(path)
    except OSError:
        pass
    else:
        if stat.S_ISREG(st.st_mode):
            try:
                os.chmod(tmp, stat.S_IMODE(st.st_mode))
            except OSError:
                pass
    os.replace(tmp, path)


def atomic_write_bytes(path, data: bytes, *, protect=()) -> None:
    """Write ``data`` to ``path`` atomically; never overwrites a ``protect`` file.

    A symlink at ``path`` is replaced, not followed (but one pointing at an
    input file is refused).  Raises OutputError; I/O errors propagate as OSError.
    """
    path = os.fsdecode(path)
    protect = _as_paths(protect)
    _check_target(path, protect)
    tmp, fd = _create_temp(path)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        _commit(tmp, path, protect)
    except BaseException:
        _discard(tmp)
        raise


def atomic_save(path, save_fn, *, protect=()) -> None:
    """Like :func:`atomic_write_bytes` for writers that take a path.

    ``save_fn(tmp_path)`` must write the whole file to ``tmp_path`` (e.g.
    ``workbook.save``); it is moved to ``path`` only if ``save_fn`` returns.
    """
    path = os.fsdecode(path)
    protect = _as_paths(protect)
    _check_target(path, protect)
    tmp, fd = _create_temp(path)
    os.close(fd)
    try:
        save_fn(tmp)
        _commit(tmp, path, protect)
    except BaseException:
        _discard(tmp)
        raise


class _CsvStream:
    """Context manager returned by :func:`open_csv_stream`."""

    def __init__(self, path, protect):
        self.path = os.fsdecode(path)
        self._protect = _as_paths(protect)
        self._tmp: str | None = None
        self._file = None
        self._writer = None
        self.rows_written = 0

    def __enter__(self):
        import csv

        if self._tmp is not None:
            raise RuntimeError("open_csv_stream() context entered twice")
        _check_target(self.path, self._protect)
        self._tmp, fd = _create_temp(self.path)
        try:
            self._file = os.fdopen(fd, "w", encoding="utf-8-sig", newline="")
        except BaseException:
            os.close(fd)
            _discard(self._tmp)
            raise
        self._writer = csv.writer(self._file)
        return self

    def writerow(self, row) -> None:
        if self._writer is None:
            raise RuntimeError("writerow() outside the open_csv_stream() context")
        self._writer.writerow([cell_value(v) for v in row])
        self.rows_written += 1

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)

    def __exit__(self, exc_type, exc, tb):
        file, self._file, self._writer = self._file, None, None
        try:
            file.close()
            if exc_type is None:
                _commit(self._tmp, self.path, self._protect)
        except BaseException:
            _discard(self._tmp)
            raise
        if exc_type is not None:
            _discard(self._tmp)
        return False


def open_csv_stream(path, *, protect=()):
    """Stream CSV rows to ``path`` without holding them in memory.

    ``with open_csv_stream(p, protect=inputs) as out: out.writerow([...])`` —
    rows go to a temporary file next to ``p`` (UTF-8 with BOM, cells through
    :func:`cell_value`), which replaces ``p`` when the block exits normally and
    is deleted if it raises.
    """
    return _CsvStream(path, protect)


def write_csv(path, rows, *, protect=()) -> None:
    """Write ``rows`` (an iterable of lists) as an Excel-friendly CSV, atomically.

    UTF-8 with BOM, every str cell through :func:`clean_text`, numbers
    unchanged; streams, so ``rows`` may be a generator.
    """
    with open_csv_stream(path, protect=protect) as out:
        for row in rows:
            out.writerow(row)
