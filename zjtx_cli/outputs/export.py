"""Batch results to .xlsx / .csv / .jsonl, streamed and written atomically.

Every writer takes one record per company as it is scored (see
:class:`zjtx_cli.batch.scoring.Scorer`), so memory does not grow with the number of
rows: the xlsx goes through openpyxl's write-only mode (rows spooled to
temporary files), CSV through :func:`zjtx_cli.inputs.safety.open_csv_stream`, JSONL
line by line into a temporary file. The finished file replaces the target
only when the whole batch has run (:func:`zjtx_cli.inputs.safety.atomic_save`), and
never an input file.

All text exported to xlsx and CSV goes through :func:`zjtx_cli.inputs.safety.cell_value`
(a leading ``= + - @`` is neutralised). JSONL lines are JSON documents with the
schema of ``zjtx assess --format json`` and are left as data, unchanged: JSON
is not evaluated by spreadsheets, and the values must equal ``assess``'s.

Status cells are coloured with conditional formatting (green met / red unmet /
amber unknown) over the status columns, so that colours cost nothing per row
and follow an officer's edits.
"""

from __future__ import annotations

import os

from zjtx_cli.inputs.safety import cell_value
from zjtx_cli.inputs.text import json_inert

SUFFIXES = (".xlsx", ".csv", ".jsonl")
UNREADABLE = {"zh": "无法读取", "en": "unreadable"}
GREEN, RED, AMBER, GREY = "C6EFCE", "FFC7CE", "FFEB9C", "EDEDED"


def colour_of(key: str) -> str | None:
    if key in ("met", "priority_met", "excl_unmet", "eligible", "reached"):
        return GREEN
    if key in ("unmet", "excl_met", "not_eligible", "excluded", "not_reached"):
        return RED
    if key in ("unknown", "pending", "priority_unknown", "priority_pending", "excl_unknown", "excl_pending",
               "undetermined"):
        return AMBER
    if key in ("priority_unmet", "not_examined"):
        return GREY
    return None


class NullSink:
    def add(self, rec):
        pass

    def problem(self, p: dict):
        pass


def _summary_cells(rec, cols):
    return [rec["company"], rec["source"], rec["row"], rec["year"], rec["verdict_label"],
            *([rec["highest_name"], rec["next_name"]] if cols.ladder else []),
            rec["counts"][0], rec["counts"][1], rec["counts"][2], rec["counts"][3], rec["gap"],
            *rec["figures"], *rec["statuses"], *_extra_cells(rec, cols)]


def _extra_cells(rec, cols):
    """The appended columns' cells (zjtx_cli/batch/extras.py), padded to their headers."""
    n = len(getattr(cols, "extra_headers", ()))
    cells = list(rec.get("extra") or ())[:n]
    return cells + [None] * (n - len(cells))


class CsvSink:
    """One row per input; an unreadable file or row is a row too, with the reason."""

    def __init__(self, stream, cols, lang):
        self.w = stream
        self.cols = cols
        self.lang = lang
        stream.writerow(cols.headers)

    def add(self, rec):
        self.w.writerow(_summary_cells(rec, self.cols))

    def problem(self, p):
        if p["severity"] != "error" or p.get("company_scored"):  # a failed --match/--report: not a row
            return
        n = len(self.cols.headers)
        row: list = [None] * n
        row[1], row[2], row[4] = p["file"], p["row"], UNREADABLE[self.lang]
        row[self.cols.gap_index] = p["line"]
        self.w.writerow(row)


class JsonlSink:
    def __init__(self, fh):
        self.fh = fh

    def add(self, rec):
        self.fh.write(json_inert(rec["json"]))
        self.fh.write("\n")

    def problem(self, p):
        pass


class XlsxSink:
    """Sheet 1 results, sheet 2 gaps per company, sheet 3 unreadable inputs and warnings, sheet 4 the
    documents each company still has to collect (issue 13)."""

    def __init__(self, cols, lang):
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font, PatternFill

        self.cols = cols
        self.lang = lang
        zh = lang == "zh"
        self.wb = Workbook(write_only=True)
        self.ws = self.wb.create_sheet("结果" if zh else "Results")
        self.gs = self.wb.create_sheet("差距" if zh else "Gaps")
        self.ps = self.wb.create_sheet("无法读取" if zh else "Problems")
        self.es = self.wb.create_sheet("待补证材料" if zh else "Evidence to collect")
        bold = Font(bold=True)
        fill = PatternFill("solid", fgColor="DDEBF7")

        def head(ws, names, widths, notes=None):
            ws.freeze_panes = "A2"
            from openpyxl.comments import Comment
            from openpyxl.utils import get_column_letter

            for i, w in enumerate(widths, 1):
                ws.column_dimensions[get_column_letter(i)].width = w
            cells = []
            for i, n in enumerate(names):
                c = WriteOnlyCell(ws, value=cell_value(n))
                c.font = bold
                c.fill = fill
                if notes and notes.get(i):
                    # a condition column is headed by its rule id; hovering shows its text and source
                    c.comment = Comment(cell_value(notes[i]), "zjtx", width=320, height=140)
                cells.append(c)
            ws.append(cells)

        widths = [36, 28, 6, 8, 16] + ([22, 22] if cols.ladder else []) + [6, 6, 6, 6, 60] + \
                 [14] * len(cols.figure_headers) + [12] * len(cols.status_headers) + \
            list(getattr(cols, "extra_widths", ()))
        first_status = len(cols.headers) - len(cols.status_headers) - len(getattr(cols, "extra_headers", ()))
        head(self.ws, cols.headers, widths,
             {first_status + i: n for i, n in enumerate(getattr(cols, "status_notes", []))})
        gh = (["企业名称", "来源", "行", "层级/类别", "条件编号", "条件", "难度", "差距", "出处"] if zh else
              ["Company", "Source", "Row", "Tier/track", "Condition", "Condition text", "Effort", "Gap", "Citation"])
        head(self.gs, gh, [36, 28, 6, 20, 16, 50, 10, 70, 30])
        ph = (["文件", "行", "字段", "年度", "值", "原因", "级别"] if zh else
              ["File", "Row", "Field", "Year", "Value", "Reason", "Severity"])
        head(self.ps, ph, [40, 6, 24, 6, 20, 70, 8])
        from zjtx_cli.batch.extras import evidence_sheet_headers

        head(self.es, evidence_sheet_headers(lang), [36, 28, 6, 50, 40, 50, 30])
        self.en = 1
        self.n = 1
        self.gn = 1
        self.pn = 1

    def add(self, rec):
        self.ws.append([cell_value(v) for v in _summary_cells(rec, self.cols)])
        self.n += 1
        for g in rec["gaps"]:
            self.gs.append([cell_value(rec["company"]), cell_value(rec["source"]), rec["row"],
                            *(cell_value(x) for x in g)])
            self.gn += 1
        for d in rec.get("evidence_docs") or ():
            self.es.append([cell_value(rec["company"]), cell_value(rec["source"]), rec["row"],
                            *(cell_value(x) for x in d)])
            self.en += 1

    def problem(self, p):
        sev = p["severity"]
        reason = p["reason"]
        if self.lang == "zh":
            sev = {"error": "错误", "warning": "警告"}.get(sev, sev)
            reason = p.get("reason_zh") or reason
        self.ps.append([cell_value(p["file"]), p["row"], cell_value(p["field"]), p["year"],
                        cell_value(p["value"]), cell_value(reason), sev])
        self.pn += 1

    def finish(self):
        from openpyxl.formatting.rule import CellIsRule
        from openpyxl.styles import PatternFill
        from openpyxl.utils import get_column_letter

        cols = self.cols
        last = get_column_letter(len(cols.headers))
        self.ws.auto_filter.ref = f"A1:{last}{max(self.n, 2)}"
        self.gs.auto_filter.ref = f"A1:I{max(self.gn, 2)}"
        self.ps.auto_filter.ref = f"A1:G{max(self.pn, 2)}"
        self.es.auto_filter.ref = f"A1:G{max(self.en, 2)}"
        if self.n < 2:
            return
        ranges = [f"{get_column_letter(i + 1)}2:{get_column_letter(i + 1)}{self.n}" for i in cols.coloured]
        rng = " ".join(ranges)
        for label, colour in cols.colour_labels:
            self.ws.conditional_formatting.add(rng, CellIsRule(
                operator="equal", formula=['"' + label.replace('"', '""') + '"'],
                fill=PatternFill("solid", fgColor=colour, bgColor=colour)))


def write(out, protect, cols, lang, loop):
    """Run ``loop(sink)`` with the sink for ``out`` (None: no file); returns loop's result."""
    if out is None:
        return loop(NullSink())
    from zjtx_cli.inputs.safety import atomic_save, open_csv_stream

    out = os.fspath(out)
    ext = os.path.splitext(out)[1].lower()
    if ext == ".csv":
        with open_csv_stream(out, protect=protect) as stream:
            return loop(CsvSink(stream, cols, lang))
    if ext == ".jsonl":
        holder = {}

        def save(tmp):
            with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                holder["r"] = loop(JsonlSink(fh))

        atomic_save(out, save, protect=protect)
        return holder["r"]
    sink = XlsxSink(cols, lang)
    result = loop(sink)
    sink.finish()
    atomic_save(out, sink.wb.save, protect=protect)
    return result
