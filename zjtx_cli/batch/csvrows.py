"""CSV rosters for ``zjtx batch``: decoding (UTF-8 / UTF-16 / GB18030), the delimiter, and
every physical row accounted for (a broken row is reported on its row, the rows after it
are read)."""

from __future__ import annotations

from zjtx_cli.inputs.model import InputError, Problem
from zjtx_cli.inputs.text import inert

# ---------------------------------------------------------------------------- CSV
MAX_CSV_BYTES = 200 * 1024 * 1024
MAX_CSV_CELL = 128 * 1024            # a cell longer than this is reported for its row
MAX_RECORD_LINES = 20                # a quoted cell may span lines; more than this is an unclosed quote
_LINE_SPLIT = None


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


def _csv_records(path):
    """Every physical row of a CSV roster: list of (row number, cells or None, Problem or None).

    A record may span lines (a quoted cell with line breaks) only up to
    MAX_RECORD_LINES and within the header's width; otherwise the quote is
    reported as unclosed on its row and reading goes on with the next row. A
    cell over MAX_CSV_CELL is reported for its row. Raises InputError.
    """
    import csv
    import re

    from zjtx_cli.inputs.reader import oserror_problem, unsafe_problem
    from zjtx_cli.inputs.safety import UnsafeInput, check_regular_file

    try:
        size = check_regular_file(path)
        if size > MAX_CSV_BYTES:
            raise UnsafeInput(path, f"is too large for a CSV roster ({size / 1048576:.1f} MiB; limit "
                                    f"{MAX_CSV_BYTES // 1048576} MiB)",
                              f"过大（{size / 1048576:.1f} MiB，CSV 名单上限 {MAX_CSV_BYTES // 1048576} MiB）")
        with open(path, "rb") as fh:
            data = fh.read(MAX_CSV_BYTES + 1)
    except UnsafeInput as exc:
        raise InputError([unsafe_problem(path, exc)]) from None
    except OSError as exc:
        raise InputError([oserror_problem(path, exc)]) from None
    text, enc, warning = _decode_csv(path, data)
    lines = re.split(r"(?<=\n)|(?<=\r)(?!\n)", text)
    if lines and lines[-1] == "":
        lines.pop()
    delim = _sniff_delimiter(lines)
    csv.field_size_limit(MAX_CSV_CELL)
    out: list[tuple[int, list[str] | None, Problem | None]] = []
    n = len(lines)
    width = None
    i = 0
    while i < n:
        base = [i]  # where the record being read starts

        def feed(i=i, base=base):
            for j in range(i, n):
                if j - base[0] > MAX_RECORD_LINES:  # an unclosed quote: stop, do not read to the end
                    return
                yield lines[j]

        rd = csv.reader(feed(), delimiter=delim)
        consumed = 0
        restart = None
        try:
            for rec in rd:
                start = i + consumed
                span = rd.line_num - consumed
                if span > 1 and (span > MAX_RECORD_LINES or (width is not None and len(rec) != width)
                                 or _swallowed_rows(rec, delim, width)):
                    out.append((start + 1, None, Problem(
                        str(path), None, "a quote opened in this row is not closed (the row is not read; the rows "
                                         "after it are)", row=start + 1,
                        reason_zh="本行的引号没有闭合（本行未读取，其后各行照常读取）")))
                    restart = start + 1
                    break
                if width is None and any(c.strip() for c in rec):
                    width = len(rec)
                out.append((start + 1, rec, None))
                consumed = rd.line_num
                base[0] = i + consumed
        except csv.Error as exc:
            start = i + consumed
            why = str(exc)
            if "field larger" in why:
                reason = f"a cell is longer than {MAX_CSV_CELL // 1024} KiB (the row is not read)"
                zh = f"有单元格超过 {MAX_CSV_CELL // 1024} KiB（本行未读取）"
            else:
                reason, zh = f"not valid CSV ({inert(why, 80)})", f"不是有效的 CSV（{inert(why, 80)}）"
            out.append((start + 1, None, Problem(str(path), None, reason, row=start + 1, reason_zh=zh)))
            restart = start + 1
        i = n if restart is None else restart
    return out, enc, delim, warning
