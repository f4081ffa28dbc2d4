"""Guards for untrusted input files and safe output writing: one import for all of them.

Applicants' workbooks and JSON files are untrusted.  Before any parser sees
them, :func:`check_xlsx_file` / :func:`check_json_file` refuse files that are
not what they claim to be or that could exhaust memory or CPU (zip bombs, XML
entity bombs, XXE).  Exports go through :func:`cell_value` / :func:`clean_text`
(formula-injection guard, control characters openpyxl refuses) and are written
atomically (temporary file in the same directory, then ``os.replace``) by
:func:`atomic_write_bytes`, :func:`atomic_save`, :func:`write_csv` and
:func:`open_csv_stream`, none of which will overwrite an input file.

Where each piece lives (this module only re-exports them):

* :mod:`~zjtx_cli.inputs.limits`: the budgets, :class:`UnsafeInput`, :class:`OutputError`;
* :mod:`~zjtx_cli.inputs.sniff`: regular-file check, :func:`sniff`, :func:`check_json_file`;
* :mod:`~zjtx_cli.inputs.zipcheck`: :func:`check_xlsx_file` / ``check_xlsx_bytes`` (zip and XML
  prolog), which calls :mod:`~zjtx_cli.inputs.sheetcheck` (sheet extents);
* :mod:`~zjtx_cli.inputs.export_text`: :func:`neutralise`, :func:`clean_text`, :func:`cell_value`;
* :mod:`~zjtx_cli.inputs.atomic`: the atomic writers.

A limit is read where it is used: a test that lowers one patches that module
(``zipcheck.MAX_XLSX_BYTES``, ``sniff.MAX_JSON_BYTES``, ``limits.READ_MEMORY`` …).

Start-up time matters: only cheap stdlib modules are imported; ``zipfile``,
``csv``, ``decimal`` and ``datetime`` are imported when first needed, and
openpyxl is never imported.

Residual risk (not handled here): ``json.loads`` on very deeply nested input raises
``RecursionError``, which the caller must catch.
"""

from zjtx_cli.inputs.atomic import atomic_save, atomic_write_bytes, open_csv_stream, write_csv
from zjtx_cli.inputs.export_text import cell_value, clean_text, neutralise
from zjtx_cli.inputs.limits import (
    EXCEL_MAX_COL,
    EXCEL_MAX_ROW,
    IN_PROCESS_CELLS,
    IN_PROCESS_SHEET_BYTES,
    MAX_JSON_BYTES,
    MAX_RATIO,
    MAX_SHEET_CELLS,
    MAX_UNCOMPRESSED,
    MAX_XLSX_BYTES,
    MAX_ZIP_ENTRIES,
    READ_CPU_SECONDS,
    READ_MEMORY,
    OutputError,
    UnsafeInput,
)
from zjtx_cli.inputs.sniff import OLE2_MAGIC, check_json_file, check_regular_file, sniff
from zjtx_cli.inputs.zipcheck import check_xlsx_bytes, check_xlsx_file

__all__ = [
    "UnsafeInput",
    "OutputError",
    "MAX_JSON_BYTES",
    "MAX_XLSX_BYTES",
    "MAX_ZIP_ENTRIES",
    "MAX_UNCOMPRESSED",
    "MAX_RATIO",
    "MAX_SHEET_CELLS",
    "EXCEL_MAX_ROW",
    "EXCEL_MAX_COL",
    "IN_PROCESS_CELLS",
    "IN_PROCESS_SHEET_BYTES",
    "READ_MEMORY",
    "READ_CPU_SECONDS",
    "OLE2_MAGIC",
    "check_json_file",
    "check_xlsx_file",
    "check_xlsx_bytes",
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
