"""CSV rosters for ``zjtx batch``: decoding (UTF-8 / UTF-16 / GB18030), the delimiter, and
every physical row accounted for (a broken row is reported on its row, the rows after it
are read)."""

from __future__ import annotations

from zjtx_cli.inputs.model import InputError, Problem
from zjtx_cli.inputs.text import inert

# ---------------------------------------------------------------------------- CSV
# A roster above STREAM_CSV_BYTES is read as it goes (memory does not grow with its rows), so the
# limit is no longer memory's: 4 GiB is some 4 million rows of 168 columns.
MAX_CSV_BYTES = 4 * 1024 * 1024 * 1024
STREAM_CSV_BYTES = 8 * 1024 * 1024
MAX_CSV_CELL = 128 * 1024            # a cell longer than this is reported for its row
MAX_RECORD_LINES = 20                # a quoted cell may span lines; more than this is an unclosed quote


def _decode_csv(path, data: bytes):
    """(text, encoding name, warning or None): UTF-8 / UTF-16 (BOM or not) / GB18030 (GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "UTF-8", None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
        return data[2:].decode(enc, "replace"), "UTF-16", None
    head = data[:4096]
    if head and b"\x00" in head:
        odd, even = head[1::2], head[0::2]
        if odd.count(0) > len(odd) * 0.4:
            return data.decode("utf-16-le", "replace"), "UTF-16", None
        if even.count(0) > len(even) * 0.4:
            return data.decode("utf-16-be", "replace"), "UTF-16", None
    try:
        return data.decode("utf-8"), "UTF-8", None
    except UnicodeDecodeError:
        pass
    text = data.decode("gb18030", "replace")
    bad = text.count("\ufffd")
    warning = None
    if bad:
        warning = Problem(str(path), None, f"{bad} byte sequence(s) are neither UTF-8 nor GBK/GB18030: shown as U+FFFD",
                          severity="warning",
                          reason_zh=f"有 {bad} 处字节既不是 UTF-8 也不是 GBK/GB18030，已显示为 U+FFFD")
    return text, "GB18030", warning


def _sniff_delimiter(lines) -> str:
    """Comma, tab or semicolon: the one that splits the first lines most consistently."""
    sample = [ln for ln in lines[:20] if ln.strip()][:10]
    best, best_score = ",", 0
    for d in (",", "\t", ";"):
        counts = [ln.count(d) for ln in sample]
        if not counts or counts[0] < 2:
            continue
        score = sum(1 for c in counts if c >= 2) * 1000 + counts[0]
        if score > best_score:
            best, best_score = d, score
    return best


def _swallowed_rows(rec, delim, width) -> bool:
    """A cell that spans lines and holds what looks like whole rows: a quote left open, not a note."""
    need = max(1, (width or 2) - 1)
    for cell in rec:
        if "\n" in cell or "\r" in cell:
            for line in cell.splitlines()[1:]:
                if line.count(delim) >= need:
                    return True
    return False


_LINE_END = None


def _split_lines(text: str) -> list[str]:
    """Lines with their ends kept: after every \\n, and after a \\r not followed by \\n."""
    global _LINE_END
    if _LINE_END is None:
        import re

        _LINE_END = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")
    return _LINE_END.split(text)


class _Lines:
    """The lines of a roster, read on demand from an iterator, forgetting those behind the reader."""

    def __init__(self, it):
        self._it = it
        self._buf: list[str] = []
        self._base = 0
        self._done = False

    def get(self, j: int):
        """Line ``j`` (0-based), or None past the end."""
        buf = self._buf
        while j - self._base >= len(buf):
            if self._done:
                return None
            nxt = next(self._it, None)
            if nxt is None:
                self._done = True
                return None
            buf.append(nxt)
        return buf[j - self._base]

    def forget_before(self, j: int):
        k = j - self._base
        if k > 4096:
            del self._buf[:k]
            self._base = j


def _csv_records(path):
    """Every physical row of a CSV roster: (records, encoding name, delimiter, warning or None), where
    records are (row number, cells or None, Problem or None) in row order: a list for a file up to
    STREAM_CSV_BYTES, else an iterator that reads the file as it goes (memory does not grow with
    the rows; issue 11).

    A record may span lines (a quoted cell with line breaks) only up to
    MAX_RECORD_LINES and within the header's width; otherwise the quote is
    reported as unclosed on its row and reading goes on with the next row. A
    cell over MAX_CSV_CELL is reported for its row. Raises InputError.
    """
    from zjtx_cli.inputs.problems import oserror_problem, unsafe_problem
    from zjtx_cli.inputs.safety import UnsafeInput, check_regular_file

    try:
        size = check_regular_file(path)
        if size > MAX_CSV_BYTES:
            raise UnsafeInput(path, f"is too large for a CSV roster ({size / 1048576:.1f} MiB; limit "
                                    f"{MAX_CSV_BYTES // 1048576} MiB)",
                              f"过大（{size / 1048576:.1f} MiB，CSV 名单上限 {MAX_CSV_BYTES // 1048576} MiB）")
        if size > STREAM_CSV_BYTES:
            lines, enc, warning = _stream_lines(path)
        else:
            with open(path, "rb") as fh:
                data = fh.read(MAX_CSV_BYTES + 1)
            text, enc, warning = _decode_csv(path, data)
            whole = _split_lines(text)
            if whole and whole[-1] == "":
                whole.pop()
            lines = _Lines(iter(whole))
    except UnsafeInput as exc:
        raise InputError([unsafe_problem(path, exc)]) from None
    except OSError as exc:
        raise InputError([oserror_problem(path, exc)]) from None
    head = []
    for j in range(20):
        ln = lines.get(j)
        if ln is None:
            break
        head.append(ln)
    delim = _sniff_delimiter(head)
    recs = _records(path, lines, delim)
    return (recs if size > STREAM_CSV_BYTES else list(recs)), enc, delim, warning


def _stream_lines(path):
    """(lines, encoding name, warning) of a large CSV roster, decoded block by block as
    _decode_csv decodes the whole (the same encoding, the same U+FFFD count)."""

    with open(path, "rb") as fh:
        head = fh.read(4096)
    skip, errors, warning = 0, "replace", None
    if head.startswith(b"\xef\xbb\xbf"):
        codec, enc, skip = "utf-8", "UTF-8", 3
    elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec, enc, skip = ("utf-16-le" if head.startswith(b"\xff\xfe") else "utf-16-be"), "UTF-16", 2
    elif head and b"\x00" in head and head[1::2].count(0) > len(head[1::2]) * 0.4:
        codec, enc = "utf-16-le", "UTF-16"
    elif head and b"\x00" in head and head[0::2].count(0) > len(head[0::2]) * 0.4:
        codec, enc = "utf-16-be", "UTF-16"
    elif _decodes(path, "utf-8", "strict") is not None:
        codec, enc, errors = "utf-8", "UTF-8", "strict"
    else:
        codec, enc = "gb18030", "GB18030"
        bad = _decodes(path, codec, "replace")
        if bad:
            warning = Problem(str(path), None, f"{bad} byte sequence(s) are neither UTF-8 nor GBK/GB18030: shown as "
                                               "U+FFFD", severity="warning",
                              reason_zh=f"有 {bad} 处字节既不是 UTF-8 也不是 GBK/GB18030，已显示为 U+FFFD")
    return _Lines(_line_iter(path, codec, errors, skip)), enc, warning


_BLOCK = 1 << 20


def _text_blocks(path, codec, errors, skip=0):
    import codecs

    dec = codecs.getincrementaldecoder(codec)(errors)
    with open(path, "rb") as fh:
        if skip:
            fh.read(skip)
        while True:
            b = fh.read(_BLOCK)
            if not b:
                break
            yield dec.decode(b)
        yield dec.decode(b"", final=True)


def _decodes(path, codec, errors):
    """The number of U+FFFD in the file decoded with ``codec``; None when it does not decode."""
    n = 0
    try:
        for t in _text_blocks(path, codec, errors):
            n += t.count("\ufffd")
    except UnicodeDecodeError:
        return None
    return n


def _line_iter(path, codec, errors, skip):
    carry = ""
    for t in _text_blocks(path, codec, errors, skip):
        t = carry + t
        if not t:
            continue
        hold = ""
        if t.endswith("\r"):  # perhaps the first half of \r\n
            t, hold = t[:-1], "\r"
        parts = _split_lines(t)
        carry = parts.pop() + hold
        yield from parts
    if carry:
        parts = _split_lines(carry)
        if parts[-1] == "":
            parts.pop()
        yield from parts


def _records(path, lines: _Lines, delim):
    import csv

    csv.field_size_limit(MAX_CSV_CELL)
    width = None
    i = 0
    while lines.get(i) is not None:
        base = [i]  # where the record being read starts
        lines.forget_before(i)

        def feed(i=i, base=base):
            j = i
            while True:
                if j - base[0] > MAX_RECORD_LINES:  # an unclosed quote: stop, do not read to the end
                    return
                ln = lines.get(j)
                if ln is None:
                    return
                yield ln
                j += 1

        rd = csv.reader(feed(), delimiter=delim)
        consumed = 0
        restart = None
        try:
            for rec in rd:
                start = i + consumed
                span = rd.line_num - consumed
                if span > 1 and (span > MAX_RECORD_LINES or (width is not None and len(rec) != width)
                                 or _swallowed_rows(rec, delim, width)):
                    yield (start + 1, None, Problem(
                        str(path), None, "a quote opened in this row is not closed (the row is not read; the rows "
                                         "after it are)", row=start + 1,
                        reason_zh="本行的引号没有闭合（本行未读取，其后各行照常读取）"))
                    restart = start + 1
                    break
                if width is None and any(c.strip() for c in rec):
                    width = len(rec)
                yield (start + 1, rec, None)
                consumed = rd.line_num
                base[0] = i + consumed
                lines.forget_before(base[0])
        except csv.Error as exc:
            start = i + consumed
            why = str(exc)
            if "field larger" in why:
                reason = f"a cell is longer than {MAX_CSV_CELL // 1024} KiB (the row is not read)"
                zh = f"有单元格超过 {MAX_CSV_CELL // 1024} KiB（本行未读取）"
            else:
                reason, zh = f"not valid CSV ({inert(why, 80)})", f"不是有效的 CSV（{inert(why, 80)}）"
            yield (start + 1, None, Problem(str(path), None, reason, row=start + 1, reason_zh=zh))
            restart = start + 1
        if restart is None:
            return
        i = restart
