"""The xlsx guard: zip directory sizes, entry names, XML prologs, then the sheet extents.

:func:`check_xlsx_file` refuses a workbook that is not a safe-looking xlsx before
any parser sees it (zip bombs, XML entity bombs, XXE, a used area the native reader
would allocate without bound); :func:`check_xlsx_bytes` does the same on bytes already
read, so that one read of a file serves the guard and the reader (issue 11).
"""


from zjtx_cli.inputs.limits import (
    MAX_RATIO,
    MAX_UNCOMPRESSED,
    MAX_XLSX_BYTES,
    MAX_ZIP_ENTRIES,
    UnsafeInput,
    mib,
    shown,
)
from zjtx_cli.inputs.sniff import regular_file_size

TYPE_CHECKING = False  # not typing's: importing typing costs start-up time
if TYPE_CHECKING:
    from zjtx_cli.inputs.sheetcheck import SheetStats

_RATIO_MIN_SIZE = 1024 * 1024            # entries (and totals) smaller than this are never a bomb
_XML_SCAN_BYTES = 64 * 1024              # how much of each XML part is inspected
_XML_FIRST_BYTES = 4 * 1024              # read first; enough unless the prolog is longer
_REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
_XML_SUFFIXES = (".xml", ".rels", ".vml")


def _not_zip(path, magic: bytes | None = None) -> UnsafeInput:
    reason = "is not an xlsx workbook (not a zip archive)"
    reason_zh = "不是 xlsx 工作簿（不是 zip 压缩包）"
    if magic is None:
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
                    return (f"declares an unsupported XML encoding {shown(enc, 40)!r}",
                            f"声明了不支持的 XML 编码 {shown(enc, 40)}")
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
    size = regular_file_size(path)
    _check_size(path, size)
    return _check_archive(path, path, size, None)[0]


def check_xlsx_bytes(path, data: bytes) -> "tuple[SheetStats, dict[str, bytes]]":
    """:func:`check_xlsx_file` on the bytes of ``path`` already read (one read serves the guard
    and the reader); returns the sheet statistics and the XML parts it decompressed in full
    (name -> bytes: worksheets up to 1 MiB, small parts), for the reader to reuse."""
    _check_size(path, len(data))
    if data:
        from zjtx_cli.inputs.ziplite import MEMBER_CAP, Fallback, LiteZip

        try:  # the common workbook, without zipfile (its import costs ~5 ms of start-up)
            zf = LiteZip(data)
            infos = zf.infolist()
            if any(i.file_size > MEMBER_CAP and i.filename.lower().endswith(_XML_SUFFIXES) for i in infos):
                raise Fallback("a large XML part: zipfile reads only its start, or streams it")
            return _check_entries(path, zf, infos, _LITE_CORRUPT)
        except Fallback:
            pass  # anything the small reader does not fully understand: zipfile decides, as before
    return _check_bytes_zipfile(path, data)


def _check_bytes_zipfile(path, data: bytes) -> "tuple[SheetStats, dict[str, bytes]]":
    """:func:`check_xlsx_bytes` through ``zipfile`` only (the fallback; the differential tests'
    reference)."""
    import io

    _check_size(path, len(data))
    return _check_archive(path, io.BytesIO(data), len(data), data[:8])


def _check_size(path, size: int) -> None:
    if size > MAX_XLSX_BYTES:
        raise UnsafeInput(
            path,
            f"is too large ({mib(size)}; limit {mib(MAX_XLSX_BYTES)})",
            f"过大（{mib(size)}，上限 {mib(MAX_XLSX_BYTES)}）",
        )


def _check_archive(path, source, size: int, magic: bytes | None) -> "tuple[SheetStats, dict[str, bytes]]":
    """The checks of :func:`check_xlsx_file` on ``source`` (the path, or a file object over its bytes)."""
    import zipfile
    import zlib

    if size == 0:
        raise _not_zip(path, magic)
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError,
            NotImplementedError, UnicodeDecodeError):
        raise _not_zip(path, magic) from None

    corrupt = (zipfile.BadZipFile, NotImplementedError, EOFError, ValueError, OSError, zlib.error)
    with zf:
        return _check_entries(path, zf, zf.infolist(), corrupt)


# what reading a member may raise that makes the file corrupt (ziplite raises Fallback instead)
_LITE_CORRUPT = (NotImplementedError, EOFError, ValueError, OSError)


def _check_entries(path, zf, infos, corrupt) -> "tuple[SheetStats, dict[str, bytes]]":
    """The checks on an open archive (a ``zipfile.ZipFile`` or a ``ziplite.LiteZip``): ``corrupt``,
    the exceptions that mean a member cannot be read."""
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
                f"contains an unsafe entry name {shown(name)!r} (absolute path or '..')",
                f"包含不安全的条目名 {shown(name)}（绝对路径或含 '..'）",
            )
        if name in seen:
            raise UnsafeInput(
                path,
                f"contains the entry {shown(name)!r} twice",
                f"包含重复的条目 {shown(name)}",
            )
        seen.add(name)
        total += info.file_size
        total_compressed += info.compress_size
        if info.file_size > _RATIO_MIN_SIZE:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_RATIO:
                raise UnsafeInput(
                    path,
                    f"looks like a zip bomb (entry {shown(name)!r} expands {ratio:.0f}x; "
                    f"limit {MAX_RATIO}x)",
                    f"疑似 zip 炸弹（条目 {shown(name)} 压缩比 {ratio:.0f} 倍，上限 {MAX_RATIO} 倍）",
                )
    if total > MAX_UNCOMPRESSED:
        raise UnsafeInput(
            path,
            f"expands to too much data ({mib(total)} uncompressed; limit {mib(MAX_UNCOMPRESSED)})",
            f"解压后总大小过大（{mib(total)}，上限 {mib(MAX_UNCOMPRESSED)}）",
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
                problem, settled = None, False
                if info.file_size > _XML_FIRST_BYTES:
                    problem = _xml_head_problem(head, False)
                    settled = problem != _PROLOG_TOO_LONG  # (else the walk ran out of bytes)
                    if not settled:
                        head += f.read(_XML_SCAN_BYTES - _XML_FIRST_BYTES)
        except RuntimeError:  # encrypted entry
            raise UnsafeInput(
                path,
                f"has an encrypted part {shown(info.filename)!r}",
                f"含有加密的部件 {shown(info.filename)}",
            ) from None
        except corrupt as exc:
            raise UnsafeInput(
                path,
                f"is corrupt (cannot read {shown(info.filename)!r}: {shown(exc, 120)})",
                f"已损坏（无法读取 {shown(info.filename)}）",
            ) from None
        if len(head) == info.file_size:
            whole[info.filename] = head  # read in full already: the sheet checks reuse it
        if not settled:  # a verdict reached on these bytes is the same with complete= either way
            problem = _xml_head_problem(head, info.file_size <= _XML_SCAN_BYTES)
        if problem:
            en, zh = problem
            raise UnsafeInput(
                path,
                f"is unsafe: {shown(info.filename)} {en}",
                f"不安全：其中的 {shown(info.filename)} {zh}",
            )

    from zjtx_cli.inputs.sheetcheck import check_sheets  # imported on the first workbook only

    try:
        return check_sheets(path, zf, infos, whole), whole
    except (*corrupt, RuntimeError) as exc:
        raise UnsafeInput(path, f"is corrupt ({shown(exc, 120)})", "已损坏") from None

