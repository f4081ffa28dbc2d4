"""The first visible sheet of a workbook, read with python-calamine after the safety checks.

:func:`load_sheet` checks an xlsx first (:mod:`zipcheck`: zip sizes, XML prologs, every
cell reference and the used area) and reads one small enough in-process; any other
workbook (and every .xls / .et / .xlsb / .ods, which cannot be checked beforehand) is
read in the capped reader process (:mod:`isolate`).

One pass per file (issue 11): given the file's bytes (``data``, read once by the
caller), the xlsx guard checks those bytes and calamine reads the same bytes, so the
file is neither opened twice nor swapped between the check and the read; the XML parts
the guard decompressed stay on :class:`SheetData` for :class:`~zjtx_cli.inputs.sheet_xml.SheetXml`.
"""

from __future__ import annotations

import os

from zjtx_cli.inputs.limits import MAX_APPLICANT_ROWS
from zjtx_cli.inputs.model import InputError, Problem
from zjtx_cli.inputs.problems import not_a_spreadsheet, not_readable, oserror_problem, unsafe_problem
from zjtx_cli.inputs.text import inert

_KIND = {"xlsx": "xlsx", "xlsb": "xlsb", "ods": "ods",
         "ole": "legacy .xls / WPS .et (or password-protected)"}


class SheetData:
    """The rows of a workbook's first visible sheet, and what else the reader saw."""

    __slots__ = ("rows", "index", "name", "hidden", "others", "kind", "data", "parts")

    def __init__(self, rows, index=0, name="", hidden=(), others=(), kind="xlsx", data=None, parts=None):
        self.rows, self.index, self.name = rows, index, name
        self.hidden, self.others, self.kind = list(hidden), list(others), kind
        self.data: bytes | None = data  # the workbook's bytes, when read in-process from them
        self.parts: dict | None = parts  # XML parts the guard decompressed in full (name -> bytes)


_EXT_KIND = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xlsb": "xlsb", ".ods": "ods", ".xls": "ole", ".et": "ole",
             ".xla": "ole", ".xlam": "xlsx"}
SHEET_KINDS = ("xlsx", "xlsb", "ods", "ole")


def kind_by_ext(ext: str):
    return _EXT_KIND.get(ext)


def _native_rows(path, kind="xlsx", data: bytes | None = None):
    """Read with python-calamine (in the capped reader, or in-process after the checks; from
    ``data``, the file's bytes, when given).

    Returns (rows, sheet index, sheet name, hidden sheets skipped, other sheets with data).
    """
    import python_calamine as pc

    ext = os.path.splitext(str(path))[1].lower()
    if data is not None:
        import io

        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    elif kind_by_ext(ext) == kind:
        wb = pc.CalamineWorkbook.from_path(str(path))
    else:  # a workbook under another name (or none): calamine tells the format from the content
        with open(path, "rb") as fh:
            wb = pc.CalamineWorkbook.from_filelike(fh)
    meta = wb.sheets_metadata
    if not meta:
        return None
    work = [i for i, m in enumerate(meta) if m.typ == pc.SheetTypeEnum.WorkSheet] or list(range(len(meta)))
    visible = [i for i in work if meta[i].visible == pc.SheetVisibleEnum.Visible]
    index = (visible or work)[0]
    hidden = [meta[i].name for i in work if i < index]
    rows = wb.get_sheet_by_index(index).to_python(skip_empty_area=False)
    others: list = []
    filled = 0
    for row in rows:  # stop at 3: only an (almost) empty sheet needs a look at the others
        if any(v is not None and v != "" for v in row):
            filled += 1
            if filled > 2:
                break
    if filled <= 2:  # (almost) nothing here: is the data on another sheet?
        for i in visible or work:
            if i != index and len(others) < 3:
                try:
                    other = wb.get_sheet_by_index(i).to_python()
                except Exception:
                    continue
                if sum(1 for row in other if any(v not in (None, "") for v in row)) > filled:
                    others.append(meta[i].name)
    return rows, index, meta[index].name, hidden, others


def _reader_crashed():
    from zjtx_cli.inputs.isolate import ReaderCrashed

    return ReaderCrashed


def _call_native(path, capped: bool, kind: str, data: bytes | None = None, parts: dict | None = None):
    if capped:
        data = parts = None  # the capped reader opens the file itself (the bytes stay out of the pipe)
    try:
        if capped:
            from zjtx_cli.inputs.isolate import run_capped

            got = run_capped(_native_rows, str(path), kind)
        else:  # read in-process: the capped reader's module (and pickle) is not needed
            got = _native_rows(str(path), kind, data)
    except _reader_crashed() as exc:  # evaluated only when something was raised
        raise InputError([Problem(str(path), None, exc.reason, reason_zh=exc.zh)]) from None
    except MemoryError:
        raise InputError([Problem(str(path), None, "too large to read within the memory budget",
                                  reason_zh="文件过大，超出读取内存预算")]) from None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine raises several error types; a pyo3 panic too
        raise not_readable(path, exc, _KIND.get(kind, kind)) from None
    if got is None:
        raise InputError([Problem(str(path), None, "the workbook has no sheets", reason_zh="工作簿中没有工作表")])
    rows, index, name, hidden, others = got
    return SheetData(rows, index, name, hidden, others, kind, data, parts)


def too_many_rows(path, n) -> InputError:
    return InputError([Problem(path, None, f"has {n:,} rows; one applicant's file has at most "
                                           f"{MAX_APPLICANT_ROWS:,} (a roster needs a header row naming "
                                           "企业名称 and two more fields)",
                               reason_zh=f"有 {n:,} 行数据；单个企业的申报文件最多 {MAX_APPLICANT_ROWS:,} 行"
                                         "（企业名单需要一行写明企业名称和另外两个字段的表头）")])


def load_sheet(path, kind: str | None = None, max_rows: int | None = None, data: bytes | None = None) -> SheetData:
    """The first visible sheet of a workbook (any format calamine reads), after the safety checks.

    An xlsx is checked first (:func:`zipcheck.check_xlsx_file`: zip sizes, XML
    declarations, every cell reference and the used area); one small enough
    that the checks bound what the reader allocates is read in-process, any
    other workbook (and every .xls / .et / .xlsb / .ods, which cannot be
    checked beforehand) in the capped reader process (:mod:`isolate`).
    ``data``: the file's bytes, read once by the caller (an xlsx is then checked
    and read from them). Raises InputError.
    """
    from zjtx_cli.inputs.limits import UnsafeInput
    from zjtx_cli.inputs.sniff import sniff
    from zjtx_cli.inputs.zipcheck import check_xlsx_bytes, check_xlsx_file

    parts = None
    try:
        if kind is None:
            kind = sniff(path, data)
        if kind not in SHEET_KINDS:
            # named as a workbook but not one: the workbook's own check says why
            kind = kind_by_ext(os.path.splitext(str(path))[1].lower()) or kind
        if kind == "xlsx":
            if data is not None:
                stats, parts = check_xlsx_bytes(path, data)
            else:
                stats = check_xlsx_file(path)
            capped = not stats.small
            if max_rows is not None and stats.rows > max_rows:
                raise too_many_rows(str(path), stats.rows)
        elif kind in ("ole", "xlsb", "ods"):
            from zjtx_cli.inputs.limits import MAX_XLSX_BYTES
            from zjtx_cli.inputs.sniff import check_regular_file

            size = len(data) if data is not None else check_regular_file(path)
            if size > MAX_XLSX_BYTES:
                raise UnsafeInput(path, f"is too large ({size / 1048576:.1f} MiB; limit "
                                        f"{MAX_XLSX_BYTES // 1048576} MiB)",
                                  f"过大（{size / 1048576:.1f} MiB，上限 {MAX_XLSX_BYTES // 1048576} MiB）")
            capped = True
        else:
            raise InputError([not_a_spreadsheet(path, kind)])
    except UnsafeInput as exc:
        raise InputError([unsafe_problem(path, exc)]) from None
    except OSError as exc:
        raise InputError([oserror_problem(path, exc)]) from None
    return _call_native(path, capped, kind, data, parts)



def sheet_warnings(path, sheet: SheetData) -> list:
    """A hidden first sheet that was skipped; data that seems to be on another sheet."""
    out = []
    if sheet.hidden:
        names = "、".join(inert(n, 40) for n in sheet.hidden)
        shown = inert(sheet.name, 40)
        out.append(Problem(str(path), None, f"hidden sheet(s) {names} skipped; read the first visible sheet "
                                            f"{shown!r}", severity="warning",
                           reason_zh=f"已跳过隐藏的工作表 {names}，读取第一个可见工作表“{shown}”"))
    if sheet.others:
        names = "、".join(inert(n, 40) for n in sheet.others)
        shown = inert(sheet.name, 40)
        out.append(Problem(str(path), None, f"sheet {shown!r} is (almost) empty but sheet(s) {names} hold data: only "
                                            "the first visible sheet is read — move the data there",
                           severity="warning",
                           reason_zh=f"工作表“{shown}”（几乎）为空，而工作表 {names} 中有数据：只读取第一个可见工作表，"
                                     "请把数据移到该表"))
    return out

