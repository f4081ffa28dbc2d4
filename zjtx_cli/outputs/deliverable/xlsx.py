"""The report as a workbook: one sheet per part, print-ready (landscape A4, header rows repeated)."""

from __future__ import annotations

from zjtx_cli.outputs.deliverable.text import ReportWords, group_title, match_rows

FILL = {"met": "C8E6C9", "unmet": "FFCDD2", "unknown": "FFE0B2", "pending": "FFE0B2",
        "reached": "C8E6C9", "not_reached": "E0E0E0", "undetermined": "FFE0B2",
        "eligible": "C8E6C9", "not_eligible": "FFCDD2", "excluded": "FFCDD2",
        "conditional": "FFF59D"}  # officer mode: met on figures still to be evidenced (issue 13)


def _v(x):
    from zjtx_cli.inputs.safety import cell_value
    from zjtx_cli.match.render import clean

    return cell_value(clean(x) if isinstance(x, str) else x)


def _sheet(wb, title, headers, rows, widths):
    from openpyxl.styles import Alignment, Font, PatternFill

    ws = wb.create_sheet(title[:31])
    ws.append([_v(h) for h in headers])
    for c in ws[1]:
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="E3F2FD")
    for r in rows:
        ws.append([_v(x) for x in r])
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.alignment = wrap
    for i, wdt in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = wdt
    for r_i, r in enumerate(rows, start=2):  # row heights for wrapped text (not every reader computes them)
        lines = 1
        for wdt, x in zip(widths, r):
            text = "" if x is None else str(x)
            width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
            lines = max(lines, sum(-(-max(1, sum(2 if ord(ch) > 0x2E80 else 1 for ch in part)) // max(1, int(wdt)))
                                   for part in text.split("\n")) if width else 1)
        ws.row_dimensions[r_i].height = min(15 * lines, 400)
    ws.freeze_panes = "A2"
    _print_setup(ws)
    return ws


def _print_setup(ws):
    from zjtx_cli.outputs.template import print_setup  # the fill-in form prints the same way

    print_setup(ws)


def _colour(ws, col, statuses):
    from openpyxl.styles import PatternFill

    for i, st in enumerate(statuses, start=2):
        if st in FILL:
            ws.cell(i, col).fill = PatternFill("solid", fgColor=FILL[st])


def _checklist_sheet(wb, cl, t):
    """One row per document still to collect: the document, its basis, the inputs it proves and the
    conditions they serve; the scheme's own note (if any) and the sheet's purpose below."""
    from openpyxl.styles import Font

    rows: list[tuple] = [(i, it["document"], it["basis"], it["inputs"], it["conditions"])
                         for i, it in enumerate(cl["items"], 1)]
    if not rows:
        rows = [("", t("checklist_none"), "", "", "")]
    ws = _sheet(wb, t("sheet_checklist"), ["#", t("document"), t("basis"), t("for_inputs"), t("condition")],
                rows, [5, 60, 40, 34, 30])
    r = ws.max_row + 2
    for note in (cl.get("scheme_note"), t("checklist_intro")):
        if note:
            ws.cell(r, 2, _v(note)).font = Font(italic=True)
            r += 1
    return ws


def build_workbook(m):
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font, PatternFill

    lang = m["lang"]
    t = ReportWords(lang)
    wb = Workbook()
    wb.remove(wb.active)
    # cover
    rows = t.cover_rows(m) + [("⚠", x) for x in m["warnings"]]
    ws = _sheet(wb, t("sheet_cover"), [t("item"), t("value")], rows, [22, 110])
    vr = 2 + [r[0] for r in rows].index(t("verdict"))
    ws.cell(vr, 2).font = Font(bold=True, size=13)
    ws.cell(vr, 2).fill = PatternFill("solid", fgColor=FILL.get(m["verdict"], "FFFFFF"))
    ws.oddHeader.center.text = t("title")
    # conditions
    crow, cst = [], []
    for tr in m["tracks"]:
        for c in tr["conditions"]:
            crow.append((t.track_heading(tr), c["id"], c["kind"], c["text"], c["required"], c["actual"],
                         c["status_text"], c["citation"] + (t("unconfirmed") if c.get("unconfirmed") else ""),
                         t.evidence(c.get("evidence"))))
            cst.append(c["status"])
    ws = _sheet(wb, t("sheet_conditions"), [t("track"), t("id"), t("kind"), t("condition"), t("required"),
                                            t("actual"), t("status"), t("citation"), t("evidence")],
                crow, [24, 16, 7, 40, 34, 30, 10, 30, 12])
    _colour(ws, 7, cst)
    _colour(ws, 9, ["conditional" if st == "declared" else None
                    for st in (c.get("evidence") for tr in m["tracks"] for c in tr["conditions"])])
    ws.auto_filter.ref = ws.dimensions
    # gaps
    grow = []
    for tr in m["tracks"]:
        for g in tr["gaps"]:
            for it in g["items"]:
                grow.append((t.track_heading(tr), g["condition"], g["text"], g["effort_text"], it["text"],
                             it["amount"], it["unit"] or "", g["citation"]))
    _sheet(wb, t("sheet_gaps"), [t("track"), t("id"), t("condition"), t("effort"), t("gap"), "amount", "unit",
                                 t("citation")], grow, [24, 16, 36, 10, 60, 10, 8, 28])
    # ladder and scores
    ws = _sheet(wb, t("sheet_ladder"), [t("tier"), t("status"), t("tracks")], [], [44, 16, 90])
    if m["ladder"]:
        tiers = m["ladder"]["tiers"]
        for x in reversed(tiers):  # highest on top: the staircase as it reads on paper
            ws.append([_v(x["name"]), _v(x["status_text"] + (" ★" if m["ladder"].get("highest") == x["id"] else "")),
                       _v("；".join(f"{tr['name']}：{t.verdict(tr['verdict'])}" for tr in x["tracks"]))])
        _colour(ws, 1, [x["status"] for x in reversed(tiers)])
        _colour(ws, 2, [x["status"] for x in reversed(tiers)])
        # the staircase drawn in cells beside the table: one step per tier, lowest at the bottom left
        from openpyxl.styles import Alignment
        from openpyxl.utils import get_column_letter

        n = len(tiers)
        for c in range(5, 5 + n + 8):
            ws.column_dimensions[get_column_letter(c)].width = 6
        for i, x in enumerate(tiers):
            row, col = 2 + (n - 1 - i), 5 + i
            cell = ws.cell(row, col, _v(x["name"] + (" ★" if m["ladder"].get("highest") == x["id"] else "")))
            cell.fill = PatternFill("solid", fgColor={"reached": "2E7D32", "undetermined": "F9A825",
                                                      "conditional": "827717"}.get(x["status"], "9E9E9E"))
            cell.font = Font(bold=True, color="FFFFFF")
            cell.alignment = Alignment(vertical="center", shrink_to_fit=True)
            ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + 7)
            ws.row_dimensions[row].height = 22
    r0 = ws.max_row + 2
    charts = 0
    for tr in m["tracks"]:
        for sc in tr["scores"]:
            ws.cell(r0, 1, _v(f"{t('score')}：{t.track_heading(tr)}")).font = Font(bold=True)
            ws.cell(r0 + 1, 1, _v(t("category")))
            ws.cell(r0 + 1, 2, _v(t("points")))
            ws.cell(r0 + 1, 3, _v(t("minimum")))
            ws.cell(r0 + 1, 4, _v(t("maximum")))
            rows = [(c["name"], c["points"] if c["points"] is not None else c["lo"], c["min"], c["max"])
                    for c in sc["categories"]]
            rows.append(("总分" if lang != "en" else "Total",
                         sc["total"] if sc["total"] is not None else sc["total_lo"],
                         sc["pass"], sc["max"]))
            for j, r in enumerate(rows, start=r0 + 2):
                for k, val in enumerate(r, start=1):
                    ws.cell(j, k, _v(val))
            ch = BarChart()
            ch.type = "bar"
            ch.title = f"{t('score')} — {tr['name']}"[:60]
            ch.y_axis.title = t("points")
            data = Reference(ws, min_col=2, max_col=4, min_row=r0 + 1, max_row=r0 + 1 + len(rows))
            cats = Reference(ws, min_col=1, min_row=r0 + 2, max_row=r0 + 1 + len(rows))
            ch.add_data(data, titles_from_data=True)
            ch.set_categories(cats)
            ch.height, ch.width = 7.5, 18
            ws.add_chart(ch, f"E{r0}")
            charts += 1
            r0 += max(len(rows) + 4, 17)
    # figures
    frow = [(t.track_heading(tr), f["condition"], f["name"], f["year"], f["value"], f["unit"], f["threshold"],
             f["formula"], f["inputs"]) for tr in m["tracks"] for f in tr["figures"]]
    _sheet(wb, t("sheet_figures"), [t("track"), t("id"), t("figure"), t("year"), t("value"), "unit", t("threshold"),
                                    t("formula"), t("inputs")], frow, [24, 16, 26, 7, 12, 7, 10, 28, 50])
    # missing
    mrow = [(t.track_heading(tr), x["label"], x["field"], x["year"], "、".join(x["conditions"]))
            for tr in m["tracks"] for x in tr["missing"]]
    _sheet(wb, t("sheet_missing"), [t("track"), t("field"), "key", t("year"), t("for_conditions")], mrow,
           [24, 40, 26, 8, 40])
    if m.get("checklist") is not None:  # the documents still to collect (issue 13)
        _checklist_sheet(wb, m["checklist"], t)
    if m["match"]:
        md = m["match"]
        rows = [(t.region_line(md), "", "", "", "")]
        for g, rs in match_rows(md, lang):
            rows.append((group_title(g, lang), "", "", "", ""))
            rows += [("", *r) for r in rs]
        rows.append((t.cheapest(md), "", "", "", ""))
        _sheet(wb, t("sheet_match"), ["", t("programme"), t("status"), t("prerequisites"), t("gap_or_data")], rows,
               [28, 50, 12, 40, 70])
    wb.properties.title = f"{t('title')} — {m['company'] or ''}"
    wb.properties.creator = "zjtx"
    return wb
