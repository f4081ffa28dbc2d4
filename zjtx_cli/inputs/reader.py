"""Read one enterprise from a ``.json`` or ``.xlsx`` file: :func:`read_enterprise`.

The file's content decides how it is read (never its name alone): JSON by
:mod:`~zjtx_cli.inputs.json_reader`, a workbook (xlsx read with python-calamine, never
openpyxl; .xls / .et / .xlsb / .ods in the capped reader process) by
:mod:`~zjtx_cli.inputs.label_sheet` (label/value rows, the layout ``zjtx template``
writes; see docs/input-format.md). Both collect every problem of a file
(:mod:`~zjtx_cli.inputs.collector`) and run the data checks of ``checks.py``.

The pieces live in modules of their own (the names this module used to define are still
importable from here, looked up when first used):

* :mod:`labels`: label and header-cell resolution; :mod:`collector`: values and problems;
* :mod:`json_reader`, :mod:`label_sheet`: the two file layouts;
* :mod:`workbook`: the first visible sheet through calamine; :mod:`sheet_xml`: uncached
  formulas and percentage formats; :mod:`problems`: whole-file problems.
"""

from __future__ import annotations

import os

from zjtx_cli.inputs.model import Enterprise, InputError, Problem
from zjtx_cli.inputs.problems import not_a_spreadsheet, oserror_problem, unsafe_problem
from zjtx_cli.inputs.text import inert

ONE_PASS_BYTES = 16 * 1024 * 1024  # a file up to this size is read once, into memory, and checked and read from there

# old name -> module that defines it now (kept importable from here, resolved on first use)
_MOVED = {
    "read_json": "json_reader", "raw_text_has_surrogate": "json_reader",
    "read_rows": "label_sheet", "read_xlsx": "label_sheet",
    "load_sheet": "workbook", "sheet_warnings": "workbook", "SheetData": "workbook", "kind_by_ext": "workbook",
    "parse_value": "collector", "MAX_SUGGESTIONS": "collector", "MAX_UNKNOWN_LISTED": "collector",
    "UNCACHED_FORMULA": "sheet_xml", "UNCACHED_FORMULA_ZH": "sheet_xml",
    "MAX_APPLICANT_ROWS": "limits",
    # private names of old, now public where they live
    "_year_of": "labels.year_of", "_lookup_label": "labels.lookup_label", "_head_word": "labels.head_word",
    "_SheetXml": "sheet_xml.SheetXml",
}


def __getattr__(name):
    where = _MOVED.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    module, _, new_name = where.partition(".")
    return getattr(importlib.import_module(f"zjtx_cli.inputs.{module}"), new_name or name)


def read_enterprise(path, fields) -> Enterprise:
    """Read a ``.json`` or ``.xlsx`` file and check it; raise InputError listing every problem.

    Warnings (unknown labels, doubtful figures) are on ``Enterprise.warnings``.
    """
    p = str(path)
    if not os.path.exists(p):
        raise InputError([Problem(p, None, "no such file", reason_zh="文件不存在")])
    if os.path.isdir(p):
        raise InputError([Problem(p, None, "is a folder, not a file (use 'zjtx batch' for folders)",
                                  reason_zh="是文件夹，不是文件（文件夹请用 'zjtx batch'）")])
    from zjtx_cli.inputs.limits import UnsafeInput
    from zjtx_cli.inputs.sniff import read_whole, sniff

    try:
        data = read_whole(p, ONE_PASS_BYTES)  # one read: sniffing, the xlsx guard and calamine share it
        kind = sniff(p, data)
    except UnsafeInput as exc:
        raise InputError([unsafe_problem(p, exc)]) from None
    except OSError as exc:
        raise InputError([oserror_problem(p, exc)]) from None
    if kind == "json":
        from zjtx_cli.inputs.json_reader import read_json

        return read_json(p, fields, checks=True, raw=data)
    ext = os.path.splitext(p)[1].lower()
    from zjtx_cli.inputs.workbook import SHEET_KINDS, kind_by_ext

    if kind in SHEET_KINDS or kind_by_ext(ext):
        from zjtx_cli.inputs.label_sheet import read_xlsx

        return read_xlsx(p, fields, checks=True, kind=kind, data=data)
    if kind == "text" and ext in (".csv", ".tsv"):
        base = inert(os.path.basename(p), 80)
        raise InputError([Problem(p, None, "a CSV file is read as a roster (one company per row): "
                                           f"use 'zjtx batch {base}'",
                                  reason_zh=f"CSV 文件按企业名单读取（每行一家企业）：请用 'zjtx batch {base}'")])
    if ext == ".json":
        from zjtx_cli.inputs.json_reader import read_json

        return read_json(p, fields, checks=True)  # says why it is not JSON
    raise InputError([not_a_spreadsheet(p, kind)])
