"""Rosters: one company per row, one field (or field and year) per column.

Header cells are field labels as the field dictionary knows them (Chinese,
English, key or alias, optionally with a unit bracket). A per-year field needs
the year in its header, in any of these forms::

    主营业务收入2024    主营业务收入 2024    主营业务收入_2024    main_business_revenue.2024
    主营业务收入（2024年）    主营业务收入(2024)（万元）    2024年主营业务收入

How a roster is told from a single applicant workbook (the label/value layout
of :mod:`zjtx_cli.inputs.reader`): a row among the first five non-empty rows of the
first sheet is a *roster header* when at least three of its cells name known
fields (per-year fields with a year) and one of them is the company name
(企业名称 / company_name). An applicant workbook never has that: its first rows
are ``指标 | 2023 | 2024`` or ``企业名称 | <name>``. A CSV file is always read as
a roster.

Rows that are entirely blank are skipped. A company name seen in an earlier
row is reported as a warning (both rows are still scored). A cell that cannot
be read makes its row unreadable (reported with row number, column and reason;
the other rows are scored). Row numbers are the spreadsheet's (1 = first row).
"""

from __future__ import annotations

from zjtx_cli.inputs.labels import parse_header_cell
from zjtx_cli.inputs.model import Enterprise, InputError, Problem
from zjtx_cli.inputs.values import BadValue, normalize_label

HEADER_SCAN_ROWS = 5
MIN_HEADER_FIELDS = 3


def parse_value(field, raw, label_unit=None):
    """Replaced by zjtx_cli.inputs.reader.parse_value when a Roster is made (reader imports roster)."""
    raise RuntimeError("roster.parse_value used before a Roster was made")


from zjtx_cli.inputs.text import inert  # noqa: E402
from zjtx_cli.inputs.text import is_blank as _empty  # noqa: E402 - the one definition of a blank cell


def _is_evidence_head(cell, fields) -> bool:
    """An evidence column header (known field or not: an unknown one is reported by roster_columns)."""
    from zjtx_cli.inputs.evidence_cells import header_target

    return header_target(cell, fields) is not None


class Column:
    __slots__ = ("index", "key", "year", "unit", "shown", "field")

    def __init__(self, index, key, year, unit, shown, field):
        self.index, self.key, self.year, self.unit, self.shown, self.field = index, key, year, unit, shown, field


def header_fields(row, fields):
    """Known columns of a candidate header row: list of (index, key, year, unit)."""
    out = []
    for i, cell in enumerate(row):
        h = parse_header_cell(cell, fields)
        if h is not None:
            out.append((i, *h))
    return out


def is_header(row, fields) -> bool:
    known = header_fields(row, fields)
    return len(known) >= MIN_HEADER_FIELDS and any(k == "company_name" for _i, k, _y, _u in known)


class Roster:
    """Turns roster rows into enterprises; collects header and duplicate-name warnings."""

    def __init__(self, path, fields, header, header_row: int, kind: str | None = None, sheet_index: int = 0):
        self.path = str(path)
        self.width = len(header)
        self.fields = fields
        self.header_row = header_row
        self.columns: list[Column] = []
        self.warnings: list[Problem] = []
        self._names: dict[str, int] = {}
        self._memo: dict = {}
        # an xlsx roster: percentage-formatted cells hold fractions (35% is 0.35), as in reader.read_xlsx
        self._sheet_xml = None
        if kind == "xlsx" or (kind is None and self.path.lower().endswith((".xlsx", ".xlsm"))):
            from zjtx_cli.inputs.sheet_xml import SheetXml

            self._sheet_xml = SheetXml(self.path, sheet_index)
        seen: dict = {}
        global parse_value
        # evidence columns (<field>证明材料 / <key> evidence, issue 13): not value columns; each row's
        # text becomes its enterprise's evidence (zjtx_cli.evidence.parse)
        from zjtx_cli.inputs.collector import parse_value  # noqa: F811 - once, not per cell
        from zjtx_cli.inputs.evidence_cells import roster_columns

        self.evidence_columns, ev_problems = roster_columns(header, fields, self.path, header_row)
        self.warnings.extend(ev_problems)
        skip = {i for i, cell in enumerate(header) if _is_evidence_head(cell, fields)}  # known field or not
        for i, cell in enumerate(header):
            if _empty(cell) or i in skip:
                continue
            shown = inert(str(cell).strip(), 80)
            h = parse_header_cell(cell, fields)
            if h is None:
                hint = fields.suggest(str(cell))
                self.warnings.append(Problem(self.path, shown, "unknown column, ignored" +
                                             (f" (did you mean {hint}?)" if hint else ""),
                                             severity="warning", row=header_row,
                                             reason_zh="未知列，已忽略" + (f"（是否为“{hint}”？）" if hint else "")))
                continue
            key, year, unit = h
            f = fields[key]
            if f.per_year and year is None:
                self.warnings.append(Problem(self.path, shown, "a per-year field needs the year in its header "
                                             f"(e.g. {f.zh}2024), column ignored", severity="warning",
                                             row=header_row,
                                             reason_zh=f"按年度填报的字段需在表头中注明年度（如 {f.zh}2024），"
                                                       "该列已忽略"))
                continue
            if not f.per_year and year is not None:
                year = None  # e.g. "有效发明专利（2025年）": the field is not kept per year
            if (key, year) in seen:
                self.warnings.append(Problem(self.path, shown, f"same field as column {seen[(key, year)]!r}, "
                                             "column ignored", severity="warning", row=header_row,
                                             reason_zh=f"与“{seen[(key, year)]}”列是同一字段，该列已忽略"))
                continue
            seen[(key, year)] = shown
            self.columns.append(Column(i, key, year, unit, shown, f))
        self.name_index = next((c.index for c in self.columns if c.key == "company_name"), None)

    def _parse(self, c: Column, raw):
        t = c.field.type
        if isinstance(raw, str) and t in ("bool", "choice", "date"):
            # the same few words ("是", "制造业") repeat on every row
            mk = (c.key, c.unit, raw)
            try:
                return self._memo[mk]
            except KeyError:
                pass
            v = parse_value(c.field, raw, c.unit)
            if len(self._memo) < 20000:
                self._memo[mk] = v
            return v
        return parse_value(c.field, raw, c.unit)

    def row(self, r: int, cells) -> Enterprise | None:
        """The enterprise on spreadsheet row ``r``; None for a blank row; InputError for a bad one."""
        n = len(cells)
        values: dict = {}
        errors = []
        notes = []
        any_value = False
        for c in self.columns:
            if c.index >= n:
                continue
            raw = cells[c.index]
            if raw is None or raw == "" or (isinstance(raw, str) and not raw.strip()):
                if self._sheet_xml is not None and self._sheet_xml.uncached(r, c.index):
                    from zjtx_cli.inputs.sheet_xml import UNCACHED_FORMULA, UNCACHED_FORMULA_ZH

                    notes.append(Problem(self.path, c.shown, UNCACHED_FORMULA + "; read as blank",
                                         severity="warning", row=r, year=c.year,
                                         reason_zh=UNCACHED_FORMULA_ZH + "；按空白处理"))
                continue
            if type(raw) is str and len(raw) <= 8 and _empty(raw):  # a placeholder such as "-" or 不适用
                continue
            any_value = True
            if (c.field.unit == "%" and isinstance(raw, float) and -1 <= raw <= 1 and raw != 0
                    and self._sheet_xml is not None and self._sheet_xml.percent(r, c.index)):
                raw = raw * 100
            try:
                v = self._parse(c, raw)
            except BadValue as exc:
                errors.append(Problem(self.path, c.shown, str(exc), raw, c.year, row=r, reason_zh=exc.zh))
                continue
            if c.year is not None:
                values.setdefault(c.key, {})[c.year] = v
            else:
                values[c.key] = v
        if n > self.width and any(not _empty(v) for v in cells[self.width:]):
            extra = sum(1 for v in cells[self.width:] if not _empty(v))
            notes.append(Problem(self.path, None, f"{extra} cell(s) beyond the header's {self.width} columns, "
                                                  "ignored", severity="warning", row=r,
                                 reason_zh=f"有 {extra} 个单元格超出表头的 {self.width} 列，已忽略"))
        if errors:
            err = InputError(errors)
            err.warnings = notes  # type: ignore[attr-defined]  # InputError (inputs/model.py) does not declare it
            raise err
        if not any_value:
            if any(not _empty(v) for v in cells):  # something is there, but in no column we know
                raise InputError([Problem(self.path, None, "no value in any known column (check the header "
                                                           "and the columns of this row)", row=r,
                                          reason_zh="没有任何已知列的数值（请检查表头和本行的列）")] + notes)
            return None  # a blank row: nothing to assess
        e = Enterprise(values, self.path, notes)
        if self.evidence_columns:  # what this row's figures rest on (issue 13)
            from zjtx_cli.inputs.evidence_cells import from_roster_row

            ev = from_roster_row(self.evidence_columns, cells, self.path, r)
            if ev.problems:
                err = InputError(ev.problems)
                err.warnings = notes  # type: ignore[attr-defined]  # InputError carries the row's warnings
                raise err
            e.evidence = ev.items
        # the same data checks as for an applicant file, each problem with its row number
        from zjtx_cli.inputs.checks import check_enterprise

        bad, doubtful = check_enterprise(e, self.fields)
        for p in bad + doubtful:
            p.row = r
        if bad:
            err = InputError(bad)
            err.warnings = doubtful  # type: ignore[attr-defined]  # InputError (inputs/model.py) does not declare it
            raise err
        e.warnings.extend(doubtful)
        return e

    def check_duplicate(self, name, r: int):
        """A warning when ``name`` was seen on an earlier row (called in row order, by one process)."""
        if not name:
            return None
        norm = normalize_label(name)
        first = self._names.get(norm)
        if first is not None:
            return Problem(self.path, self.fields["company_name"].zh,
                           f"duplicate company name (also in row {first})", name, severity="warning", row=r,
                           reason_zh=f"企业名称重复（第{first}行也有）")
        self._names[norm] = r
        return None


def find_header(rows_iter, fields):
    """Scan the first rows for a roster header.

    Returns ``(header_row_number, header_cells, consumed_rows)`` where
    ``consumed_rows`` are the rows read so far (so that a non-roster workbook
    can be handed to the applicant reader without reading it again);
    header_row_number is None when no header was found.
    """
    consumed = []
    nonempty = 0
    for r, row in enumerate(rows_iter, start=1):
        consumed.append(row)
        if all(_empty(v) for v in row):
            continue
        nonempty += 1
        if is_header(row, fields):
            return r, row, consumed
        if nonempty >= HEADER_SCAN_ROWS:
            break
    return None, None, consumed
