"""``zjtx template``: a fill-in workbook (or JSON skeleton) from the field dictionary.

Workbook layout (the reader's native layout, see docs/input-format.md):

sheet 1 「填报表」 (the only sheet the reader reads)
    row 1     指标 Indicator | 字段键 Key | 单位 Unit | 2023年 | 2024年 | 2025年 | 填写说明 Hint
    row 2..   one row per field: Chinese label, key, unit, then one cell per
              year for per-year fields; for other fields one cell spanning the
              year columns (merged, value in the first year column); a hint.
sheet 2 「字段说明」 every field explained (Chinese and English).
sheet 3 「选项」 (hidden) the lists behind the choice dropdowns.

Text written into cells is always stored as text (never as a formula, whatever
it begins with) and stripped of the control characters Excel refuses.
openpyxl is imported lazily.
"""

from __future__ import annotations

import datetime as _dt
import os
import sys
from decimal import Decimal

SHEET_MAIN = "填报表"
SHEET_HELP = "字段说明"
SHEET_LISTS = "选项"
IDENTITY = ("company_name", "credit_code")
YES, NO = "是", "否"

# columns of the main sheet (1-based)
COL_LABEL, COL_KEY, COL_UNIT, COL_FIRST_YEAR = 1, 2, 3, 4
# the control characters openpyxl refuses (as safety.clean_text strips them)
_ILLEGAL = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def default_year(today: _dt.date | None = None) -> int:
    """The last complete year: the figures an applicant can give."""
    return (today or _dt.date.today()).year - 1


def year_list(year: int | None, years: int) -> list[int]:
    last = default_year() if year is None else int(year)
    return list(range(last - years + 1, last + 1))


def template_keys(fields, scheme_rs=None) -> list[str]:
    """Every field, or (with a ruleset) the identity fields and those the scheme uses, in dictionary order."""
    if scheme_rs is None:
        return [f.key for f in fields]
    used = set(scheme_rs.fields_used()) | set(IDENTITY)
    return [f.key for f in fields if f.key in used]


def _type_zh(f) -> str:
    return {"number": "数值", "integer": "整数", "bool": "是/否", "date": "日期", "choice": "选择",
            "text": "文本"}[f.type]


def _hint(f) -> str:
    """The short hint of the main sheet."""
    parts = []
    if f.hint_zh:
        parts.append(f.hint_zh)
    if f.type == "bool":
        parts.append("下拉选择 是/否")
    elif f.type == "choice":
        parts.append("下拉选择")
    elif f.type == "date" and "如" not in f.hint_zh:
        parts.append("日期，如 2015-03-01")
    elif f.unit == "万元":
        parts.append("单位万元；如填元请把单位改为“元”")
    elif f.unit == "%":
        parts.append("填百分数，如 35 表示 35%")
    if f.per_year:
        parts.append("按年度填写")
    return "；".join(parts)


def _text(s) -> str:
    return str(s).translate(_ILLEGAL)


def _set_text(cell, s):
    """Text that stays text: never a formula, whatever it starts with."""
    cell.value = _text(s)
    cell.data_type = "s"


def _cell_value(f, v):
    """A typed enterprise value as a cell value (for filled-in templates and sample twins)."""
    if v is None:
        return None
    if f.type == "bool":
        return YES if v else NO
    if f.type == "choice":
        return f.choices[v]["zh"] if v in f.choices else str(v)
    if f.type == "date":
        return v if isinstance(v, _dt.date) else str(v)
    if f.type in ("number", "integer"):
        if isinstance(v, Decimal):
            return int(v) if v == v.to_integral_value() else float(v)
        return v
    return str(v)


def evidence_cell(evidence: dict, key: str) -> str | None:
    """The text of a field's 证明材料 cell: its all-years entry, else its yearly entries (one text
    when they agree, else ``2024：…；2025：…``). A row has one cell, read back for every year."""
    if not evidence:
        return None
    if evidence.get((key, None)):
        return evidence[(key, None)]
    yearly = sorted((y, t) for (k, y), t in evidence.items() if k == key and y is not None and t)
    if not yearly:
        return None
    texts = list(dict.fromkeys(t for _y, t in yearly))
    return texts[0] if len(texts) == 1 else "；".join(f"{y}：{t}" for y, t in yearly)


def build_workbook(fields, keys, years: list[int], values: dict | None = None, title: str | None = None,
                   evidence: dict | None = None):
    """The template as an openpyxl Workbook; ``values`` (typed, as on an Enterprise) fills it in,
    ``evidence`` (``{(field, year | None): text}``) its 证明材料 / Evidence column (issue 13)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    values = values or {}
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_MAIN
    ny = len(years)
    col_evidence = COL_FIRST_YEAR + ny  # 证明材料 / Evidence, beside the values (issue 13)
    col_hint = col_evidence + 1
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    input_fill = PatternFill("solid", fgColor="FFF9DB")
    thin = Side(style="thin", color="BFBFBF")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(bold=True)
    grey = Font(color="7F7F7F")
    wrap = Alignment(wrap_text=True, vertical="center")

    heads = (["指标 Indicator", "字段键 Key", "单位 Unit"] + [f"{y}年" for y in years]
             + ["证明材料 Evidence", "填写说明 Hint"])
    for c, h in enumerate(heads, start=1):
        cell = ws.cell(row=1, column=c)
        _set_text(cell, h)
        cell.font, cell.fill, cell.border = bold, head_fill, box
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    wb.create_sheet(SHEET_HELP)  # sheet order: main (the one the reader reads), help, lists
    lists = wb.create_sheet(SHEET_LISTS)
    list_refs: dict[str, str] = {}
    lc = 0
    for k in keys:
        f = fields[k]
        if f.type != "choice":
            continue
        lc += 1
        letter = get_column_letter(lc)
        _set_text(lists.cell(row=1, column=lc), k)
        for i, ch in enumerate(f.choices.values(), start=2):
            _set_text(lists.cell(row=i, column=lc), ch["zh"])
        list_refs[k] = f"'{SHEET_LISTS}'!${letter}$2:${letter}${len(f.choices) + 1}"
    lists.sheet_state = "hidden"

    def dv(kind, **kw):
        d = DataValidation(type=kind, allow_blank=True, showErrorMessage=True, errorStyle="stop", **kw)
        ws.add_data_validation(d)
        return d

    v_bool = dv("list", formula1=f'"{YES},{NO}"', errorTitle="是/否", error="请选择 是 或 否")
    v_money = dv("decimal", operator="greaterThanOrEqual", formula1="0", errorTitle="数值",
                 error="请填写不小于 0 的数（单位见“单位”列）")
    v_signed = dv("decimal", operator="between", formula1="-1000000000000", formula2="1000000000000",
                  errorTitle="数值", error="请填写数值（亏损填负数）")
    v_count = dv("whole", operator="greaterThanOrEqual", formula1="0", errorTitle="整数", error="请填写不小于 0 的整数")
    v_rank = dv("whole", operator="greaterThanOrEqual", formula1="1", errorTitle="排名", error="排名为从 1 开始的整数")
    v_pct = dv("decimal", operator="between", formula1="0", formula2="100", errorTitle="百分数",
               error="请填写 0 到 100 之间的数（35 表示 35%）")
    v_date = dv("date", operator="between", formula1="1", formula2="73050", errorTitle="日期",
                error="请填写日期，如 2015-03-01")
    v_code = dv("textLength", operator="equal", formula1="18", errorTitle="统一社会信用代码",
                error="统一社会信用代码为 18 位")
    v_choice = {k: dv("list", formula1=ref, errorTitle="选择", error="请从下拉列表中选择")
                for k, ref in list_refs.items()}

    from zjtx_cli.inputs.checks import MAY_BE_NEGATIVE, RANKS

    def validation(f):
        if f.type == "bool":
            return v_bool
        if f.type == "choice":
            return v_choice[f.key]
        if f.type == "date":
            return v_date
        if f.key == "credit_code":
            return v_code
        if f.key in RANKS:
            return v_rank
        if f.unit == "%":
            return v_pct
        if f.type == "integer":
            return v_count
        if f.type == "number":
            return v_signed if f.key in MAY_BE_NEGATIVE else v_money
        return None

    def number_format(f):
        if f.type == "date":
            return "yyyy-mm-dd"
        if f.type == "integer":
            return "0"
        if f.unit == "万元":
            return "#,##0.00##"
        if f.type == "number":
            return "0.####"
        if f.type == "text":
            return "@"
        return "General"

    for r, k in enumerate(keys, start=2):
        f = fields[k]
        _set_text(ws.cell(row=r, column=COL_LABEL), f.zh)
        _set_text(ws.cell(row=r, column=COL_KEY), k)
        if f.unit:
            _set_text(ws.cell(row=r, column=COL_UNIT), f.unit)
        ws.cell(row=r, column=COL_KEY).font = grey
        hint = ws.cell(row=r, column=col_hint)
        _set_text(hint, _hint(f))
        hint.font = grey
        ev_cell = ws.cell(row=r, column=col_evidence)
        ev_cell.fill, ev_cell.number_format = input_fill, "@"
        ev_text = evidence_cell(evidence or {}, k)
        if ev_text:
            _set_text(ev_cell, ev_text)
        for c in (COL_LABEL, COL_KEY, COL_UNIT, col_evidence, col_hint):
            ws.cell(row=r, column=c).border = box
            ws.cell(row=r, column=c).alignment = wrap
        targets: list[tuple[int, int | None]]
        if f.per_year:
            targets = [(COL_FIRST_YEAR + i, y) for i, y in enumerate(years)]
        else:
            targets = [(COL_FIRST_YEAR, None)]
            if ny > 1:
                ws.merge_cells(start_row=r, start_column=COL_FIRST_YEAR, end_row=r, end_column=col_evidence - 1)
        v_rule = validation(f)
        given = values.get(k)
        for c, y in targets:
            cell = ws.cell(row=r, column=c)
            cell.fill, cell.border = input_fill, box
            cell.number_format = number_format(f)
            if v_rule is not None:
                v_rule.add(cell.coordinate)
            v = given.get(y) if (f.per_year and isinstance(given, dict)) else (None if f.per_year else given)
            v = _cell_value(f, v)
            if isinstance(v, str):
                _set_text(cell, v)
            elif v is not None:
                cell.value = v
        ws.row_dimensions[r].height = 30 if len(f.zh) > 20 or len(_hint(f)) > 40 else None

    for d in (v_bool, v_money, v_signed, v_count, v_rank, v_pct, v_date, v_code, *v_choice.values()):
        if not d.sqref.ranges:
            ws.data_validations.dataValidation.remove(d)

    widths = {COL_LABEL: 44, COL_KEY: 26, COL_UNIT: 8, col_evidence: 30, col_hint: 52}
    for c in range(1, col_hint + 1):
        ws.column_dimensions[get_column_letter(c)].width = widths.get(c, 14)
    ws.freeze_panes = ws.cell(row=2, column=COL_FIRST_YEAR)
    print_setup(ws)
    ws.sheet_view.zoomScale = 110

    _help_sheet(wb[SHEET_HELP], fields, keys, years, title)
    return wb


def print_setup(ws):
    """Printed, the form fits the page width (landscape A4) and repeats its header row."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def _help_sheet(hs, fields, keys, years, title):
    from openpyxl.styles import Alignment, Font, PatternFill

    intro = [
        title or "专精特新中小企业评价 填报表 / Fill-in template",
        "在「填报表」黄色单元格中填写；不要修改“字段键”列和第一行的年度。Fill in the yellow cells of the first "
        "sheet; keep the Key column and the year headings.",
        "金额单位为万元：如按元填写，把该行“单位”改为“元”（或在数值后写“元”，如 20,000,000元）。Money is in 万元; "
        "write 元 in the Unit column (or after the number) to give yuan.",
        "是/否 也可填 有/无、Y/N、√/×、1/0；日期如 2015-03-01、2015/3/1、2015年3月1日。Yes/no also as 有/无, Y/N, "
        "√/×, 1/0; dates as 2015-03-01, 2015/3/1, 2015年3月1日.",
        f"年度列：{years[0]}–{years[-1]} 年。不知道的数值请留空（不要填 0）。Leave unknown figures empty, not 0.",
    ]
    for i, line in enumerate(intro, start=1):
        _set_text(hs.cell(row=i, column=1), line)
        hs.cell(row=i, column=1).font = Font(bold=(i == 1), size=13 if i == 1 else 11)
    start = len(intro) + 2
    heads = ["指标", "字段键 Key", "English", "类型 Type", "单位 Unit", "按年填写 Per year", "说明", "Hint",
             "可选值 Choices"]
    fill = PatternFill("solid", fgColor="DDEBF7")
    for c, h in enumerate(heads, start=1):
        cell = hs.cell(row=start, column=c)
        _set_text(cell, h)
        cell.font, cell.fill = Font(bold=True), fill
    for r, k in enumerate(keys, start=start + 1):
        f = fields[k]
        choices = "；".join(f"{ch['zh']} ({ch['en']})" for ch in f.choices.values()) if f.choices else ""
        row = [f.zh, k, f.en, f"{_type_zh(f)} {f.type}", f.unit or "", "是" if f.per_year else "", f.hint_zh,
               f.hint_en, choices]
        for c, v in enumerate(row, start=1):
            cell = hs.cell(row=r, column=c)
            _set_text(cell, v)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEFGHI", (40, 26, 36, 14, 8, 10, 40, 40, 60)):
        hs.column_dimensions[letter].width = width
    hs.freeze_panes = hs.cell(row=start + 1, column=1)


def json_skeleton(fields, keys, years: list[int], values: dict | None = None) -> dict:
    """The JSON equivalent: every key with null (or the given value); a '_说明' entry explains each key."""
    values = values or {}
    doc: dict = {"_说明": "填写数值，不知道的保留 null。金额单位万元，是/否 填 true/false，日期如 2015-03-01。"
                        "Fill in values; leave unknown ones null. Money in 万元.",
                 "_fields": {}}
    for k in keys:
        f = fields[k]
        desc = f.zh + (f"（{f.unit}）" if f.unit else "") + f" — {f.en}"
        if f.hint_zh:
            desc += f"；{f.hint_zh}"
        if f.choices:
            desc += "；可选：" + "、".join(f"{code}={c['zh']}" for code, c in f.choices.items())
        doc["_fields"][k] = desc
        given = values.get(k)
        if f.per_year:
            doc[k] = {str(y): _json_value(f, given.get(y) if isinstance(given, dict) else None) for y in years}
        else:
            doc[k] = _json_value(f, given)
    return doc


def _json_value(f, v):
    if v is None:
        return None
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, _dt.date):
        return v.isoformat()
    return v


def _err(line: str) -> int:
    sys.stderr.write(f"zjtx: error: {line}\n")
    return 2


def _ruleset(scheme):
    from zjtx_cli.rules.loader import RulesetError, get_ruleset, ruleset_paths
    from zjtx_cli.rules.yamlcache import YamlError

    try:
        from zjtx_cli.rules.versions import resolve

        scheme = resolve(scheme, _dt.date.today())
    except ImportError:  # pragma: no cover
        pass
    try:
        rs = get_ruleset(scheme)
    except (RulesetError, YamlError) as exc:
        raise ValueError(str(exc)) from None
    if rs is None:
        raise ValueError(f"unknown scheme {scheme!r}; known: {', '.join(sorted(ruleset_paths()))}")
    return rs


def write_template(out, scheme=None, year=None, fmt="xlsx", years=None, force=False, values=None) -> int:
    """Write the template; returns the exit code (0 written, 2 refused). Never overwrites silently.

    ``years`` None: three yearly columns, or as many as the scheme's rules look back."""
    years_default = years is None
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.inputs.safety import OutputError, atomic_save, atomic_write_bytes

    out = os.fspath(out)
    if fmt not in ("xlsx", "json"):
        return _err(f"--format must be xlsx or json, not {fmt!r}")
    ext = os.path.splitext(out)[1].lower()
    want = ".json" if fmt == "json" else ".xlsx"
    if ext != want:
        return _err(f"{out}: a {fmt} template needs a {want} file name"
                    + (" (use --format json)" if ext == ".json" else ""))
    if years is None:
        years = 3  # set from the scheme below
    elif not isinstance(years, int) or not 1 <= years <= 10:
        return _err(f"--years must be between 1 and 10, not {years}")
    if year is not None and not 1990 <= int(year) <= 2100:
        return _err(f"--year {year} is not a plausible year")
    if os.path.isdir(out):
        return _err(f"{out}: is a folder")
    if os.path.exists(out) and not force:
        return _err(f"{out}: already exists; choose another name or add --force to replace it")
    parent = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(parent):
        return _err(f"{out}: folder {parent} does not exist")
    fields = field_dictionary()
    rs = None
    if scheme:
        try:
            rs = _ruleset(scheme)
        except ValueError as exc:
            return _err(str(exc))
    keys = template_keys(fields, rs)
    if rs is not None and years_default:
        years = max(years, min(rs.years_needed(), 10))  # e.g. 近3年平均增长率 needs four years of revenue
    ys = year_list(year, years)
    title = None
    if rs is not None:
        title = f"{rs.data['title']['zh']} 填报表（{rs.id}）/ Fill-in template for {rs.data['title']['en']}"
    try:
        if fmt == "json":
            import json

            doc = json_skeleton(fields, keys, ys, values)
            data = (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
            atomic_write_bytes(out, data)
        else:
            wb = build_workbook(fields, keys, ys, values, title)
            atomic_save(out, wb.save)
    except OutputError as exc:
        return _err(str(exc))
    except OSError as exc:
        return _err(f"{out}: cannot write: {exc.strerror or exc}")
    sys.stderr.write(f"zjtx: wrote {out} ({len(keys)} fields, years {ys[0]}–{ys[-1]})\n")
    return 0
