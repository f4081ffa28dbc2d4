"""Budgets for reading untrusted files, and the exceptions that refuse a file or an output.

The lowest of the input guards: :mod:`sniff`, :mod:`zipcheck`, :mod:`sheetcheck`,
:mod:`isolate` and :mod:`atomic` read their limits here, and raise :class:`UnsafeInput`
(an input refused) or :class:`OutputError` (an output that cannot be written safely).
Only ``os`` and :mod:`zjtx_cli.inputs.text` are imported (start-up time).
"""

import os

from zjtx_cli.inputs.text import inert

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
MAX_APPLICANT_ROWS = 5000  # filled rows in one applicant's workbook (the template has about 60)
# An xlsx ROSTER above the whole-sheet limits is streamed (xlsx_stream.py, zjtx batch only): the sheet
# is inflated block by block under these caps, and only its shared strings are held whole.
STREAM_XLSX_BYTES = MAX_XLSX_BYTES       # a roster workbook larger than this (or over MAX_UNCOMPRESSED) streams
STREAM_MAX_XLSX_BYTES = 2 * 1024 * 1024 * 1024       # compressed file size of a streamed roster
STREAM_MAX_INFLATED = 16 * 1024 * 1024 * 1024        # the sheet part, inflated (~2.9 million generated rows)
STREAM_MAX_RATIO = 200                   # inflated/compressed of a streamed part, checked past 16 MiB
STREAM_MAX_SHARED_STRINGS = 5_000_000    # strings in sharedStrings.xml (held whole: ~60 B each and their text)
STREAM_MAX_SHARED_BYTES = 256 * 1024 * 1024          # sharedStrings.xml, inflated (1,000,000 generated rows: 93 MiB)
STREAM_MAX_ROW_BYTES = 64 * 1024 * 1024  # one row's (or one shared string's) XML


def shown(value, limit: int = 200) -> str:
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
        name = shown(path)
        self.reason_zh = f"文件 {name} {reason_zh or '不安全，已拒绝处理'}"
        super().__init__(f"{name} {reason}")

    def __reduce__(self):  # keep the exception picklable (multiprocessing)
        return (type(self), (self.path, self.reason, self._zh))


class OutputError(ValueError):
    """An output file cannot be written safely (e.g. it would overwrite an input)."""

    def __init__(self, path, reason: str, reason_zh: str | None = None):
        self.path = path
        self.reason = reason
        self._zh = reason_zh
        name = shown(path)
        self.reason_zh = f"无法写入 {name}：{reason_zh or reason}"
        super().__init__(f"refusing to write {name}: {reason}")

    def __reduce__(self):
        return (type(self), (self.path, self.reason, self._zh))


def mib(n: float) -> str:
    return f"{n / (1024 * 1024):.1f} MiB"

