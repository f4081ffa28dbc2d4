"""Read one enterprise from a ``.json`` or ``.xlsx`` file.

JSON: an object keyed by field key (a Chinese or English label is accepted
too); per-year fields are objects keyed by year, ``{"2024": 1800, "2025": 2000}``
(or one key per year: ``"2024年营业收入": 1800``). Keys starting with ``_``
are comments.

xlsx (read with python-calamine, never openpyxl; first sheet only): rows of
label / value. The label is the Chinese label, the English label, the key or
an alias, optionally with a unit in brackets (``营业收入（元）``) or a year
(``2024年营业收入``). A header row says what the columns hold: years
(``2023 2024 2025``, ``2024年``) for the per-year rows below it, and columns
headed 字段键/key, 单位/unit and 填写说明/说明/hint/备注 are not values. A row of a
single-valued field takes the first value to the right of its label. A unit
column (万元 / 元 / 亿元) is honoured. This is the layout ``zjtx template``
writes (see docs/input-format.md).

A formula cell is read through its cached value; a formula that was never
computed (written by a program, not saved by Excel) is reported for that
field instead of being read as empty. A number in a cell formatted as a
percentage (35% is stored as 0.35) is read as the percentage shown.

Problems are collected, not raised one at a time: a file with three mistakes
reports all three. :func:`read_enterprise` also runs the data checks of
``checks.py`` on what it read.
"""

from __future__ import annotations

import errno
import functools
import json
import os
import re

from zjtx_cli.inputs.model import Enterprise, InputError, Problem
from zjtx_cli.inputs.text import FORMULA_PREFIXES as _FORMULA_START
from zjtx_cli.inputs.text import inert, is_blank
from zjtx_cli.inputs.values import (
    BadValue,
    nfkc,
    normalize_label,
    parse_bool,
    parse_choice,
    parse_date,
    parse_integer,
    parse_number,
    parse_text,
    split_label,
)

_YEAR_RE = re.compile(r"^\s*((?:19|20)\d{2})\s*(?:年度|年|FY)?\s*$")
_UNIT_CELLS = {"万元", "元", "亿元", "千元", "百万元", "%", "人", "项", "年", "个", "件", "分"}
_MONEY_CELLS = ("元", "亿元", "千元", "百万元", "万元")
# words that head a label column (or a section) and are not fields
_HEADER_WORDS = {"指标", "项目", "字段", "名称", "指标名称", "field", "indicator", "item", "年度", "年份", "year",
                 "基本信息", "年度数据", "年度指标", "财务数据", "申报信息", "填报项目", "label"}
# column headings of columns that never hold values
_KEY_HEADS = {"字段键", "key", "键", "英文键"}
_UNIT_HEADS = {"单位", "unit", "计量单位"}
_HINT_HEADS = {"说明", "填写说明", "hint", "备注", "注释", "notes", "note", "remark", "remarks", "提示",
               "证明材料", "佐证材料", "evidence"}  # the evidence column (issue 13) is read by evidence/read.py
_VALUE_HEADS = {"值", "数值", "填写值", "value", "内容", "填报值", "填写"}
_COMMENT_PREFIXES = ("#", "注:", "说明:", "填表说明", "note:")
_YEAR_LABEL = (re.compile(r"^((?:19|20)\d{2})\s*(?:年度|年)?\s*(.+)$"),
               re.compile(r"^(.+?)\s*[(\[]?\s*((?:19|20)\d{2})\s*(?:年度|年)?\s*[)\]]?$"))
UNCACHED_FORMULA = "formula without a cached value — open and save the file in Excel"
UNCACHED_FORMULA_ZH = "公式没有缓存值：请在 Excel 中打开并保存后再试"


def parse_value(field, raw, label_unit=None):
    """One raw cell to the field's type (raises BadValue)."""
    t = field.type
    if t == "number":
        return parse_number(raw, field.unit, label_unit)
    if t == "integer":
        return parse_integer(raw, field.unit, label_unit)
    if t == "bool":
        return parse_bool(raw)
    if t == "date":
        return parse_date(raw)
    if t == "choice":
        return parse_choice(raw, field.choices)
    return parse_text(raw)


_empty = is_blank  # the one definition of a blank cell (inputs/text.py)


def _year_of(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)) and v == v and abs(v) < 1e6 and v == int(v) and 1900 <= int(v) <= 2100:
        return int(v)
    if isinstance(v, str):
        m = _YEAR_RE.match(nfkc(v))
        if m:
            return int(m.group(1))
    return None


_LABEL_MEMO: dict = {}


def _lookup_label(fields, label: str):
    """(key, year, label_unit) for a row label or JSON key; key None when unknown.

    Labels repeat from file to file, so answers are remembered per field dictionary.
    """
    memo_key = (id(fields), label)
    hit = _LABEL_MEMO.get(memo_key)
    if hit is None:
        if len(_LABEL_MEMO) > 50000:
            _LABEL_MEMO.clear()
        hit = _LABEL_MEMO[memo_key] = _lookup_label_uncached(fields, label)
    return hit


def _lookup_label_uncached(fields, label: str):
    """(key, year, label_unit) for a row label or JSON key; key None when unknown.

    Besides the plain label, a year in the label is understood for per-year
    fields: ``2024年营业收入``, ``营业收入（2024年）``, ``营业收入2024``.
    """
    key = fields.lookup(label)
    _name, unit = split_label(label)
    if key is not None:
        return key, None, unit
    name = nfkc(_name)
    for rx in _YEAR_LABEL:
        m = rx.match(name)
        if not m:
            continue
        a, b = m.groups()
        year, rest = (int(a), b) if a.isdigit() else (int(b), a)
        k = fields.lookup(rest)
        if k is not None and fields[k].per_year:
            return k, year, unit or split_label(rest)[1]
    return None, None, unit


def _head_word(v) -> str | None:
    """The first word of a header cell, normalised: '指标 Indicator' -> '指标'."""
    if not isinstance(v, str):
        return None
    text = nfkc(v).strip()
    if not text:
        return None
    first = re.split(r"[\s/|]+", text, maxsplit=1)[0]
    return normalize_label(first)


def _is_comment(label: str) -> bool:
    t = nfkc(label).lower()
    return t.startswith(_COMMENT_PREFIXES)


def _oneline(label):
    """A label from the file, safe inside a one-line message."""
    if label is None:
        return None
    return inert(label, 80)


_SINGLE_ZH = "应为单个值"
MAX_SUGGESTIONS = 20       # unknown labels that get a "did you mean"
MAX_UNKNOWN_LISTED = 100   # unknown labels listed one by one; the rest are counted
MAX_APPLICANT_ROWS = 5000  # filled rows in one applicant's workbook (the template has about 60)
_OS_ZH = {errno.ENOENT: "文件不存在", errno.EACCES: "没有读取权限", errno.EPERM: "没有读取权限",
          errno.EISDIR: "是文件夹，不是文件", errno.ENOTDIR: "路径中有一段不是文件夹",
          errno.ENAMETOOLONG: "文件名过长"}


def oserror_problem(path, exc: OSError) -> Problem:
    """A file that the system would not let us read (missing, no permission …)."""
    why = exc.strerror or str(exc)
    zh = _OS_ZH.get(exc.errno, why) if exc.errno is not None else why
    return Problem(str(path), None, f"cannot read file: {why}", reason_zh=f"无法读取文件：{zh}")


def unsafe_problem(path, exc) -> Problem:
    """A file refused by :mod:`safety` (``UnsafeInput``), with its Chinese reason."""
    return Problem(str(path), None, exc.reason, reason_zh=getattr(exc, "zh", None) or "不安全，已拒绝处理")


class _Collector:
    def __init__(self, path, fields):
        self.path = str(path)
        self.fields = fields
        self.values: dict = {}
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.n_unknown = 0

    def error(self, field, reason, value=None, year=None, row=None, zh=None):
        self.errors.append(Problem(self.path, _oneline(field), reason, value, year, row=row, reason_zh=zh))

    def put(self, key, raw, year=None, label_unit=None, shown=None, row=None):
        f = self.fields[key]
        label = shown or f.zh
        if _empty(raw):
            return
        try:
            v = parse_value(f, raw, label_unit)
        except BadValue as exc:
            self.error(label, str(exc), raw, year, row=row, zh=exc.zh)
            return
        except (ArithmeticError, ValueError, TypeError, OverflowError) as exc:  # never a traceback
            self.error(label, f"cannot read this value ({type(exc).__name__})", raw, year, row=row,
                       zh=f"无法读取该值（{type(exc).__name__}）")
            return
        if f.per_year:
            if year is None:
                self.error(label, "a per-year figure needs a year", raw, row=row, zh="按年度填报的指标需要注明年度")
                return
            slot = self.values.setdefault(key, {})
            if year in slot and slot[year] != v:
                a, b = _oneline(slot[year]), _oneline(v)
                self.error(label, f"given twice with different values ({a} and {b})", raw, year, row=row,
                           zh=f"填写了两次且数值不同（{a} 和 {b}）")
                return
            slot[year] = v
        else:
            if year is not None:
                self.error(label, "is not given per year: give a single value", raw, year, row=row,
                           zh="不按年度填报：请只填一个值")
                return
            if key in self.values and self.values[key] != v:
                a, b = _oneline(self.values[key]), _oneline(v)
                self.error(label, f"given twice with different values ({a} and {b})", raw, row=row,
                           zh=f"填写了两次且数值不同（{a} 和 {b}）")
                return
            self.values[key] = v

    def unknown(self, label, row=None):
        # "did you mean" costs a fuzzy match over every label: only for the first few; and a
        # file with thousands of unknown labels gets one summary line instead of thousands
        self.n_unknown += 1
        if self.n_unknown > MAX_UNKNOWN_LISTED:
            return
        hint = self.fields.suggest(label) if self.n_unknown <= MAX_SUGGESTIONS and len(label) <= 100 else None
        reason = "unknown label, ignored" + (f" (did you mean {hint}?)" if hint else "")
        zh = "未知标签，已忽略" + (f"（是否为“{hint}”？）" if hint else "")
        self.warnings.append(Problem(self.path, _oneline(label), reason, severity="warning", row=row,
                                     reason_zh=zh))

    def result(self, checks: bool = False) -> Enterprise:
        if self.n_unknown > MAX_UNKNOWN_LISTED:
            more = self.n_unknown - MAX_UNKNOWN_LISTED
            self.warnings.append(Problem(self.path, None, f"{more} more unknown labels ignored", severity="warning",
                                         reason_zh=f"另有 {more} 个未知标签，已忽略"))
        e = Enterprise(self.values, self.path, self.warnings)
        errors = list(self.errors)
        if checks:
            from zjtx_cli.inputs.checks import check_enterprise

            more_errors, more_warnings = check_enterprise(e, self.fields)
            errors.extend(more_errors)
            e.warnings.extend(more_warnings)
        if errors:
            err = InputError(errors)
            # reported too: the file is listed in full (InputError in inputs/model.py does not declare it)
            err.warnings = e.warnings  # type: ignore[attr-defined]
            raise err
        return e


# --------------------------------------------------------------------------------- JSON
class _DuplicateKey(Exception):
    pass


_SURROGATE_ESCAPE = re.compile(rb"\\[uU][dD][89a-fA-F]")


def raw_text_has_surrogate(raw) -> bool:
    """Can the JSON text hold a lone surrogate? Only through a \\uD800-\\uDFFF escape."""
    return raw is not None and _SURROGATE_ESCAPE.search(raw) is not None


def _fix_surrogates(obj):
    """``obj`` with every string's lone surrogates replaced; (new obj, number of strings changed)."""
    from zjtx_cli.inputs.text import fix_surrogates

    n = 0

    def walk(x, depth=0):
        nonlocal n
        if isinstance(x, str):
            y = fix_surrogates(x)
            if y is not x:
                n += 1
            return y
        if depth > 200:
            return x
        if isinstance(x, dict):
            return {walk(k, depth + 1): walk(v, depth + 1) for k, v in x.items()}
        if isinstance(x, list):
            return [walk(v, depth + 1) for v in x]
        return x

    return walk(obj), n


def _no_duplicates(pairs):
    d: dict = {}
    for k, v in pairs:
        if k in d and d[k] != v:
            raise _DuplicateKey(k)
        d[k] = v
    return d


def read_json(path, fields, data=None, checks: bool | None = None) -> Enterprise:
    """A JSON file (or already-parsed ``data``) to an enterprise.

    The data checks run by default when a file is read, not when ``data`` is
    given (tests build enterprises that way); ``checks`` overrides.
    """
    if checks is None:
        checks = data is None
    path = str(path)
    col = _Collector(path, fields)
    raw = b"\\ud800" if data is not None else None  # given data: walk it
    if data is None:
        from zjtx_cli.inputs.safety import UnsafeInput, check_json_file

        try:
            check_json_file(path)
            with open(path, "rb") as fh:
                raw = fh.read()
        except UnsafeInput as exc:
            raise InputError([unsafe_problem(path, exc)]) from None
        except OSError as exc:
            raise InputError([oserror_problem(path, exc)]) from None
        try:
            data = json.loads(raw.decode("utf-8-sig"), object_pairs_hook=_no_duplicates)
        except UnicodeDecodeError:
            raise InputError([Problem(path, None, "not UTF-8 text (save the file as UTF-8)",
                                      reason_zh="不是 UTF-8 编码的文本（请另存为 UTF-8 编码）")]) from None
        except json.JSONDecodeError as exc:
            raise InputError([Problem(path, None, f"not valid JSON: {exc.msg} at line {exc.lineno} "
                                                  f"column {exc.colno}",
                                      reason_zh=f"不是有效的 JSON（第{exc.lineno}行第{exc.colno}列）")]) from None
        except _DuplicateKey as exc:
            raise InputError([Problem(path, str(exc.args[0]), "key given twice with different values",
                                      reason_zh="同一个键填写了两次且数值不同")]) from None
        except RecursionError:
            raise InputError([Problem(path, None, "not valid JSON: nested too deeply",
                                      reason_zh="不是有效的 JSON：嵌套层数过多")]) from None
        except ValueError as exc:  # e.g. an integer literal with thousands of digits
            raise InputError([Problem(path, None, f"not valid JSON: {str(exc)[:80]}",
                                      reason_zh=f"不是有效的 JSON：{str(exc)[:80]}")]) from None
    if raw_text_has_surrogate(raw):
        data, n = _fix_surrogates(data)
        if n:
            col.warnings.append(Problem(path, None, f"{n} text value(s) held an invalid character (a lone UTF-16 "
                                                    "surrogate), replaced by U+FFFD", severity="warning",
                                        reason_zh=f"有 {n} 处文字含无效字符（单独的 UTF-16 代理项），已替换为 U+FFFD"))
    if not isinstance(data, dict):
        raise InputError([Problem(path, None, "expected a JSON object of field: value pairs",
                                  reason_zh="应为由“字段: 值”组成的 JSON 对象")])
    for label, raw in data.items():
        label = str(label)
        if label.startswith("_") or label in ("$schema", "format", "notes", "comment", "evidence"):
            continue
        key, lyear, label_unit = _lookup_label(fields, label)
        if key is None:
            col.unknown(label)
            continue
        f = fields[key]
        if lyear is not None:
            if isinstance(raw, (dict, list)):
                col.error(label, "expected a single value", json.dumps(raw, ensure_ascii=False)[:40], lyear,
                          zh=_SINGLE_ZH)
            else:
                col.put(key, raw, lyear, label_unit, label)
            continue
        if f.per_year:
            if not isinstance(raw, dict):
                if _empty(raw):
                    continue
                col.error(label, 'a per-year figure is an object keyed by year, e.g. {"2024": 1800}',
                          json.dumps(raw, ensure_ascii=False)[:40] if isinstance(raw, list) else raw,
                          zh='按年度填报的指标应写成以年度为键的对象，如 {"2024": 1800}')
                continue
            for ys, v in raw.items():
                y = _year_of(ys)
                if y is None:
                    col.error(label, "not a year", ys, zh="不是年度")
                    continue
                if isinstance(v, (dict, list)):
                    col.error(label, "expected a single value", json.dumps(v, ensure_ascii=False)[:40], y,
                              zh=_SINGLE_ZH)
                    continue
                col.put(key, v, y, label_unit, label)
        else:
            if isinstance(raw, (dict, list)):
                col.error(label, "expected a single value", json.dumps(raw, ensure_ascii=False)[:40],
                          zh=_SINGLE_ZH)
                continue
            col.put(key, raw, None, label_unit, label)
    e = col.result(checks)
    if isinstance(data, dict) and data.get("evidence") is not None:  # what each figure rests on (issue 13)
        from zjtx_cli.evidence.read import evidence_from_json

        ev = evidence_from_json(data, path, fields)
        e.evidence = dict(ev.items)
        e.warnings.extend(ev.problems)
    return e


# --------------------------------------------------------------------------------- xlsx
class _SheetXml:
    """What calamine does not tell: formulas without a cached value, percentage formats.

    Read lazily from the first worksheet's XML, once per file, and only when
    needed: formulas when a field's cell is empty (and then only if the sheet
    has a formula at all), percentage formats when a percentage field holds a
    fraction.
    """

    _HAS_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")

    def __init__(self, path, index: int = 0):
        self.path = path
        self.index = index
        self._data: bytes | None = None
        self._uncached: set | None = None
        self._percent: set | None = None

    @staticmethod
    def _xml():
        try:
            from defusedxml.ElementTree import fromstring, iterparse
        except ImportError:  # pragma: no cover - defusedxml is a dependency
            from xml.etree.ElementTree import fromstring, iterparse
        return fromstring, iterparse

    def _sheet(self, zf) -> bytes:
        if self._data is None:
            import posixpath

            fromstring, _ = self._xml()
            rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
            wb = fromstring(zf.read("xl/workbook.xml"))
            sheets = [el for el in wb.iter() if el.tag.rsplit("}", 1)[-1] == "sheet"]
            sheet = sheets[self.index] if self.index < len(sheets) else sheets[0]
            rid = sheet.get(rel_ns)
            rels = fromstring(zf.read("xl/_rels/workbook.xml.rels"))
            target = next(el.get("Target") for el in rels.iter() if el.get("Id") == rid)
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
            self._data = zf.read(part)
        return self._data

    def _cells(self, data, want):
        """Call want(c_element, (row, col)) for every cell of the sheet."""
        import io

        _, iterparse = self._xml()
        for _ev, el in iterparse(io.BytesIO(data), events=("end",)):
            tag = el.tag.rsplit("}", 1)[-1]
            if tag == "c":
                rc = _cell_ref(el.get("r") or "")
                if rc:
                    want(el, rc)
                el.clear()
            elif tag == "row":
                el.clear()

    def _load_formulas(self) -> set:
        import zipfile

        found: set = set()
        self._uncached = found
        try:
            with zipfile.ZipFile(self.path) as zf:
                # a small workbook with no formula in any part: nothing to find, and no XML parser needed
                parts = [i for i in zf.infolist() if i.filename.endswith(".xml") and not i.is_dir()]
                if sum(i.file_size for i in parts) <= 1 << 20 and \
                        not any(self._HAS_FORMULA.search(zf.read(i)) for i in parts):
                    return found
                data = self._sheet(zf)
            if not self._HAS_FORMULA.search(data):
                return found

            def want(el, rc):
                kids = {k.tag.rsplit("}", 1)[-1]: k for k in el}
                v = kids.get("v")
                # no cached value: no <v>, or an empty <v/> (openpyxl) that is not an empty-text result
                if "f" in kids and (v is None or (not v.text and el.get("t") != "str")):
                    found.add(rc)

            self._cells(data, want)
        except Exception:  # best effort: the file already passed the safety checks and calamine
            pass
        return found

    def _load_percent(self) -> set:
        import zipfile

        found: set = set()
        self._percent = found
        try:
            with zipfile.ZipFile(self.path) as zf:
                data = self._sheet(zf)
                styles = self._percent_styles(zf)
            if not styles:
                return found

            def want(el, rc):
                st = el.get("s")
                if st is not None and st.isdigit() and int(st) in styles:
                    found.add(rc)

            self._cells(data, want)
        except Exception:
            pass
        return found

    def _percent_styles(self, zf) -> set:
        fromstring, _ = self._xml()
        try:
            st = fromstring(zf.read("xl/styles.xml"))
        except KeyError:
            return set()
        fmts = {9, 10}
        for el in st.iter():
            if el.tag.endswith("numFmt") and "%" in (el.get("formatCode") or "").replace('"%"', ""):
                try:
                    fmts.add(int(el.get("numFmtId")))
                except (TypeError, ValueError):
                    pass
        out = set()
        xfs = next((el for el in st.iter() if el.tag.rsplit("}", 1)[-1] == "cellXfs"), None)
        if xfs is not None:
            for i, xf in enumerate(x for x in xfs if x.tag.rsplit("}", 1)[-1] == "xf"):
                try:
                    if int(xf.get("numFmtId", "0")) in fmts:
                        out.add(i)
                except ValueError:
                    pass
        return out

    def uncached(self, row, col) -> bool:
        found = self._uncached if self._uncached is not None else self._load_formulas()
        return (row, col) in found

    def percent(self, row, col) -> bool:
        found = self._percent if self._percent is not None else self._load_percent()
        return (row, col) in found


def _cell_ref(ref: str):
    """'D2' -> (2, 3): 1-based row, 0-based column, as calamine's rows are indexed here."""
    m = re.match(r"^\$?([A-Z]{1,3})\$?(\d+)$", ref)
    if not m:
        return None
    col = 0
    for ch in m.group(1):
        col = col * 26 + (ord(ch) - 64)
    return int(m.group(2)), col - 1


def _not_readable(path, exc, kind="xlsx") -> InputError:
    msg = inert(str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__, 120)
    return InputError([Problem(str(path), None, f"not a readable {kind} workbook ({msg})",
                               reason_zh=f"不是有效的 {kind} 工作簿（{msg}）")])


# what sniffing found -> the name used in messages
_KIND = {"xlsx": "xlsx", "xlsb": "xlsb", "ods": "ods",
         "ole": "legacy .xls / WPS .et (or password-protected)"}


class SheetData:
    """The rows of a workbook's first visible sheet, and what else the reader saw."""

    __slots__ = ("rows", "index", "name", "hidden", "others", "kind")

    def __init__(self, rows, index=0, name="", hidden=(), others=(), kind="xlsx"):
        self.rows, self.index, self.name = rows, index, name
        self.hidden, self.others, self.kind = list(hidden), list(others), kind


_EXT_KIND = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xlsb": "xlsb", ".ods": "ods", ".xls": "ole", ".et": "ole",
             ".xla": "ole", ".xlam": "xlsx"}
_SHEET_KINDS = ("xlsx", "xlsb", "ods", "ole")


def kind_by_ext(ext: str):
    return _EXT_KIND.get(ext)


def _native_rows(path, kind="xlsx"):
    """Read with python-calamine (in the capped reader, or in-process after the checks).

    Returns (rows, sheet index, sheet name, hidden sheets skipped, other sheets with data).
    """
    import python_calamine as pc

    ext = os.path.splitext(str(path))[1].lower()
    if kind_by_ext(ext) == kind:
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


def _call_native(path, capped: bool, kind: str):
    try:
        if capped:
            from zjtx_cli.inputs.isolate import run_capped

            got = run_capped(_native_rows, str(path), kind)
        else:  # read in-process: the capped reader's module (and pickle) is not needed
            got = _native_rows(str(path), kind)
    except _reader_crashed() as exc:  # evaluated only when something was raised
        raise InputError([Problem(str(path), None, exc.reason, reason_zh=exc.zh)]) from None
    except MemoryError:
        raise InputError([Problem(str(path), None, "too large to read within the memory budget",
                                  reason_zh="文件过大，超出读取内存预算")]) from None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine raises several error types; a pyo3 panic too
        raise _not_readable(path, exc, _KIND.get(kind, kind)) from None
    if got is None:
        raise InputError([Problem(str(path), None, "the workbook has no sheets", reason_zh="工作簿中没有工作表")])
    rows, index, name, hidden, others = got
    return SheetData(rows, index, name, hidden, others, kind)


def _too_many_rows(path, n) -> InputError:
    return InputError([Problem(path, None, f"has {n:,} rows; one applicant's file has at most "
                                           f"{MAX_APPLICANT_ROWS:,} (a roster needs a header row naming "
                                           "企业名称 and two more fields)",
                               reason_zh=f"有 {n:,} 行数据；单个企业的申报文件最多 {MAX_APPLICANT_ROWS:,} 行"
                                         "（企业名单需要一行写明企业名称和另外两个字段的表头）")])


def load_sheet(path, kind: str | None = None, max_rows: int | None = None) -> SheetData:
    """The first visible sheet of a workbook (any format calamine reads), after the safety checks.

    An xlsx is checked first (:func:`safety.check_xlsx_file`: zip sizes, XML
    declarations, every cell reference and the used area); one small enough
    that the checks bound what the reader allocates is read in-process, any
    other workbook (and every .xls / .et / .xlsb / .ods, which cannot be
    checked beforehand) in the capped reader process (:mod:`isolate`).
    Raises InputError.
    """
    from zjtx_cli.inputs.safety import UnsafeInput, check_xlsx_file, sniff

    try:
        if kind is None:
            kind = sniff(path)
        if kind not in _SHEET_KINDS:
            # named as a workbook but not one: the workbook's own check says why
            kind = kind_by_ext(os.path.splitext(str(path))[1].lower()) or kind
        if kind == "xlsx":
            stats = check_xlsx_file(path)
            capped = not stats.small
            if max_rows is not None and stats.rows > max_rows:
                raise _too_many_rows(str(path), stats.rows)
        elif kind in ("ole", "xlsb", "ods"):
            from zjtx_cli.inputs.safety import MAX_XLSX_BYTES, check_regular_file

            size = check_regular_file(path)
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
    return _call_native(path, capped, kind)


def not_a_spreadsheet(path, kind) -> Problem:
    what = {"empty": ("an empty file", "空文件"), "binary": ("a binary file", "二进制文件"),
            "zip": ("a zip archive", "zip 压缩包"), "text": ("a text file", "文本文件"),
            "json": ("a JSON file", "JSON 文件")}.get(kind, (kind, kind))
    return Problem(str(path), None, f"unsupported file type: not a spreadsheet ({what[0]}; use .xlsx, .xls, .et, "
                                    ".xlsb, .ods or .json)",
                   reason_zh=f"不支持的文件类型：不是电子表格（{what[1]}；"
                             "请用 .xlsx、.xls、.et、.xlsb、.ods 或 .json）")


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


class _Columns:
    """Roles of the columns, from the last header row."""

    def __init__(self):
        self.years: dict[int, int] = {}  # year -> column
        self.skip: set[int] = set()  # key, unit and hint columns
        self.unit: int | None = None
        self.key: int | None = None
        self.value: int | None = None

    def header(self, cells, li) -> bool:
        """Take ``cells`` as a header row if it is one; True if it was."""
        years = {i: _year_of(v) for i, v in enumerate(cells) if i >= li and _year_of(v) is not None}
        words = {i: _head_word(v) for i, v in enumerate(cells) if i >= li}
        label_word = words.get(li)
        roles = [w for w in words.values() if w in _KEY_HEADS | _UNIT_HEADS | _HINT_HEADS | _VALUE_HEADS]
        is_header = (label_word in _HEADER_WORDS or li in years or len(years) >= 2
                     or (years and roles) or (label_word in _HEADER_WORDS and roles))
        if not is_header:
            return False
        if not years and not roles:
            return True  # a section title such as 基本信息: keep the columns as they are
        if years:
            self.years = {y: i for i, y in years.items()}
        self.skip, self.unit, self.key, self.value = set(), None, None, None
        for i, w in words.items():
            if w in _KEY_HEADS:
                self.key = i
                self.skip.add(i)
            elif w in _UNIT_HEADS:
                self.unit = i
                self.skip.add(i)
            elif w in _HINT_HEADS:
                self.skip.add(i)
            elif w in _VALUE_HEADS:
                self.value = i
        return True


def _put_cell(col, sheet_xml, f, key, label_unit, shown, r, i, v, year):
    """Put the value ``v`` of cell ``i`` of row ``r`` (field ``f``, for ``year``) into the collector."""
    if isinstance(v, str) and len(v) > 1 and v[0] == "'" and v[1] in _FORMULA_START:
        v = v[1:]  # text neutralised on export (safety.neutralise) reads back as it was
    if _empty(v) and sheet_xml is not None and sheet_xml.uncached(r, i):
        col.error(shown, UNCACHED_FORMULA, None, year, row=r, zh=UNCACHED_FORMULA_ZH)
        return
    if (f.unit == "%" and isinstance(v, float) and -1 <= v <= 1 and v != 0
            and sheet_xml is not None and sheet_xml.percent(r, i)):
        v = v * 100
    col.put(key, v, year, label_unit, shown, row=r)


def read_rows(path, fields, rows, checks: bool = True, sheet_xml=None) -> Enterprise:
    """Label/value rows (from xlsx or CSV) to an enterprise.

    ``rows[0]`` is row 1; ``sheet_xml`` (xlsx only) tells uncached formulas and
    percentage formats apart from plain cells.
    """
    path = str(path)
    col = _Collector(path, fields)
    cols = _Columns()
    for r, row in enumerate(rows, start=1):
        cells = list(row)
        li = next((i for i, v in enumerate(cells) if not _empty(v)), None)
        if li is None:
            continue
        label = cells[li]
        if isinstance(label, str) and _is_comment(label):
            continue
        key, lyear, label_unit = (_lookup_label(fields, label) if isinstance(label, str) else (None, None, None))
        if key is None and cols.header(cells, li):
            continue
        rest = [(i, v) for i, v in enumerate(cells) if i > li]
        if key is None:
            if not isinstance(label, str) or _head_word(label) in _HEADER_WORDS:
                continue
            # the label may be in the key column instead (an edited Chinese label)
            nxt = next(((i, v) for i, v in rest if not _empty(v)), None)
            k2 = _lookup_label(fields, nxt[1]) if nxt and isinstance(nxt[1], str) else (None, None, None)
            if nxt is not None and k2[0] is not None and (cols.key is None or nxt[0] == cols.key):
                key, lyear, label_unit = k2
                label = nxt[1]
                rest = [(i, v) for i, v in rest if i > nxt[0]]
            else:
                col.unknown(label, row=r)
                continue
        shown = str(label)
        # the key column beside the label
        if cols.key is None and rest and isinstance(rest[0][1], str) and fields.lookup(rest[0][1]) == key:
            rest = rest[1:]
        # a unit column
        unit_cell = None
        if cols.unit is not None:
            unit_cell = cells[cols.unit] if cols.unit < len(cells) else None
        elif rest and isinstance(rest[0][1], str) and nfkc(rest[0][1]) in _UNIT_CELLS:
            unit_cell = rest[0][1]
            rest = rest[1:]
        if isinstance(unit_cell, str) and nfkc(unit_cell) in _MONEY_CELLS:
            label_unit = nfkc(unit_cell)
        rest = [(i, v) for i, v in rest if i not in cols.skip]
        f = fields[key]
        # this row's label, field and unit are bound now, not looked up when put() runs
        put = functools.partial(_put_cell, col, sheet_xml, f, key, label_unit, shown, r)

        if lyear is not None:
            i, v = next(((i, v) for i, v in rest if not _empty(v)), (None, None))
            if i is not None:
                put(i, v, lyear)
        elif f.per_year:
            if not cols.years:
                if any(not _empty(v) for _i, v in rest):
                    col.error(shown, "a per-year row needs a header row naming the years above it", row=r,
                              zh="按年度填报的行，上方需要有注明年度的表头行")
                continue
            if any(i <= li for i in cols.years.values()):
                col.error(shown, "the year header row above is not aligned with this row (a year heads the "
                                 "label column); check the header row", row=r,
                          zh="上方的年度表头行与本行没有对齐（标签列上方是年度）；请检查表头行")
                continue
            for y, i in cols.years.items():
                if i < len(cells) and i not in cols.skip:
                    put(i, cells[i], y)
        else:
            order = rest
            if cols.value is not None:
                order = sorted(rest, key=lambda iv: iv[0] != cols.value)
            i, v = next(((i, v) for i, v in order if not _empty(v)), (None, None))
            if i is None and sheet_xml is not None:
                i = next((i for i, _v in order if sheet_xml.uncached(r, i)), None)
            if i is not None:
                put(i, v, None)
    return col.result(checks)


def read_xlsx(path, fields, checks: bool = True, kind: str | None = None) -> Enterprise:
    sheet = load_sheet(path, kind, max_rows=MAX_APPLICANT_ROWS)
    rows = sheet.rows
    if len(rows) > MAX_APPLICANT_ROWS:  # a CPU budget for the label/value reading below
        n = sum(1 for row in rows if any(v is not None and v != "" for v in row))
        if n > MAX_APPLICANT_ROWS:
            raise _too_many_rows(path, n)
    from zjtx_cli.inputs.roster import find_header

    hr, _header, _consumed = find_header(iter(rows), fields)
    if hr is not None:
        base = inert(os.path.basename(path), 80)
        raise InputError([Problem(path, None, f"looks like a roster (one company per row, headers in row {hr}), "
                                              f"not one applicant's file: use 'zjtx batch {base}'",
                                  reason_zh=f"看起来是企业名单（每行一家企业，表头在第{hr}行），不是单个企业的申报文件："
                                            f"请用 'zjtx batch {base}'")])
    sheet_xml = _SheetXml(str(path), sheet.index) if sheet.kind == "xlsx" else None
    try:
        e = read_rows(path, fields, rows, checks=checks, sheet_xml=sheet_xml)
    except InputError as exc:
        exc.warnings = sheet_warnings(  # type: ignore[attr-defined]  # not declared by InputError (inputs/model.py)
            path, sheet) + list(getattr(exc, "warnings", ()))
        raise
    e.warnings[:0] = sheet_warnings(path, sheet)
    from zjtx_cli.evidence.read import evidence_from_rows

    ev = evidence_from_rows(rows, path, fields)  # a 证明材料 / Evidence column beside the values (issue 13)
    e.evidence = dict(ev.items)
    e.warnings.extend(ev.problems)
    return e


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
    from zjtx_cli.inputs.safety import UnsafeInput, sniff

    try:
        kind = sniff(p)
    except UnsafeInput as exc:
        raise InputError([unsafe_problem(p, exc)]) from None
    except OSError as exc:
        raise InputError([oserror_problem(p, exc)]) from None
    if kind == "json":
        return read_json(p, fields, checks=True)
    ext = os.path.splitext(p)[1].lower()
    if kind in _SHEET_KINDS or kind_by_ext(ext):
        return read_xlsx(p, fields, checks=True, kind=kind)
    if kind == "text" and ext in (".csv", ".tsv"):
        base = inert(os.path.basename(p), 80)
        raise InputError([Problem(p, None, "a CSV file is read as a roster (one company per row): "
                                           f"use 'zjtx batch {base}'",
                                  reason_zh=f"CSV 文件按企业名单读取（每行一家企业）：请用 'zjtx batch {base}'")])
    if ext == ".json":
        return read_json(p, fields, checks=True)  # says why it is not JSON
    raise InputError([not_a_spreadsheet(p, kind)])
