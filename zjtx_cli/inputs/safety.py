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

from zjtx_cli.inputs.text import FORMULA_PREFIXES as _FORMULA_PREFIXES
from zjtx_cli.inputs.text import ILLEGAL_XLSX as _ILLEGAL_CHARS
from zjtx_cli.inputs.text import fix_surrogates, inert

TYPE_CHECKING = False  # not typing's: importing typing costs start-up time

if TYPE_CHECKING:
    from zjtx_cli.inputs.sheetcheck import SheetStats

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
IN_PROCESS_SHEET_BYTES = 64 * 1024 * 1024
IN_PROCESS_CELLS = 2_000_000

_RATIO_MIN_SIZE = 1024 * 1024            # entries (and totals) smaller than this are never a bomb
_XML_SCAN_BYTES = 64 * 1024              # how much of each XML part is inspected
_XML_FIRST_BYTES = 4 * 1024              # read first; enough unless the prolog is longer
_REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
_XML_SUFFIXES = (".xml", ".rels", ".vml")

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


def check_xlsx_file(path) -> "SheetStats":
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
                    if info.filename.startswith("xl/worksheets/") and info.file_size <= 1 << 20:
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

        from zjtx_cli.inputs.sheetcheck import check_sheets  # imported on the first workbook only

        try:
            return check_sheets(path, zf, infos, whole)
        except (zipfile.BadZipFile, NotImplementedError, EOFError, ValueError, OSError, zlib.error,
                RuntimeError) as exc:
            raise UnsafeInput(path, f"is corrupt ({_shown(exc, 120)})", "已损坏") from None


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
        tmp = self._tmp
        assert file is not None and tmp is not None  # __enter__ opened both or raised
        try:
            file.close()
            if exc_type is None:
                _commit(tmp, self.path, self._protect)
        except BaseException:
            _discard(tmp)
            raise
        if exc_type is not None:
            _discard(tmp)
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
