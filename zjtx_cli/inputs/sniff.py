"""What a file is, by its content: regular-file check, format sniffing, the JSON size check.

Start-up time matters: only ``os`` and ``stat`` are imported here; :mod:`ziplite` when a
zip archive has to be looked into, and ``zipfile`` only for one it does not fully understand.
"""

import os
import stat

from zjtx_cli.inputs.limits import MAX_JSON_BYTES, MAX_ZIP_ENTRIES, UnsafeInput, mib


def regular_file_size(path) -> int:
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
    return regular_file_size(path)


# --------------------------------------------------------------------------- sniffing
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_whole(path, limit: int) -> bytes | None:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes, else None (one read
    then serves the sniffing, the guards and the reader). UnsafeInput for a non-regular file;
    OSError when unreadable."""
    if regular_file_size(path) > limit:
        return None
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    return data if len(data) <= limit else None


def sniff(path, data: bytes | None = None) -> str:
    """What a file is, by its content (never its name).

    ``xlsx`` (also .xlsm: an OOXML zip with xl/workbook.xml), ``xlsb``, ``ods``,
    ``ole`` (legacy .xls, WPS .et, or an encrypted workbook), ``json``, ``text``
    (a CSV candidate), ``zip`` (another zip archive), ``empty`` or ``binary``.
    ``data``: the file's bytes when already read (:func:`read_whole`).
    Raises UnsafeInput for a non-regular file, OSError when unreadable.
    """
    if data is not None:
        if not data:
            return "empty"
        head = data[:4096]
    else:
        if regular_file_size(path) == 0:
            return "empty"
        with open(path, "rb") as fh:
            head = fh.read(4096)
    if head.startswith(OLE2_MAGIC):
        return "ole"
    if head.startswith(b"PK"):
        if os.fspath(path)[-5:].lower() in (".xlsx", ".xlsm"):
            return "xlsx"  # as named: check_xlsx_file looks inside (and says what is missing)
        found = None
        if data is not None:
            from zjtx_cli.inputs.ziplite import Fallback, LiteZip

            try:  # the common archive without zipfile (start-up time); anything unusual: zipfile
                found = _zip_names(LiteZip(data))
            except Fallback:
                pass
        if found is None:
            import io
            import zipfile

            try:
                with zipfile.ZipFile(path if data is None else io.BytesIO(data)) as zf:
                    found = _zip_names(zf)
            except Exception:
                return "xlsx"  # a damaged zip: the xlsx check says why
        names, mimetype = found
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


def _zip_names(zf) -> tuple[set[str], bytes]:
    """The entry names of an open archive (``zipfile.ZipFile`` or ``ziplite.LiteZip``) and its
    ``mimetype`` member when small."""
    names = set(zf.namelist()[:MAX_ZIP_ENTRIES + 1])
    mimetype = b""
    if "mimetype" in names:
        info = zf.getinfo("mimetype")
        if info.file_size < 200:
            mimetype = zf.read("mimetype")
    return names, mimetype


# --------------------------------------------------------------------------- JSON


def check_json_file(path, size: int | None = None) -> None:
    """Refuse a JSON input that is not a regular file or exceeds MAX_JSON_BYTES (``size``: of the
    bytes already read, when they were).

    A missing/unreadable file raises the usual ``OSError``.
    """
    if size is None:
        size = regular_file_size(path)
    if size > MAX_JSON_BYTES:
        raise UnsafeInput(
            path,
            f"is too large for a JSON input ({mib(size)}; limit {mib(MAX_JSON_BYTES)})",
            f"过大（{mib(size)}，JSON 文件上限 {mib(MAX_JSON_BYTES)}）",
        )

