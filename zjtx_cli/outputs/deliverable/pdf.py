"""The report as PDF, landscape A4, Chinese set in reportlab's built-in CID font STSong-Light.

STSong-Light is one of the Adobe Asian fonts every PDF reader provides (Adobe-GB1): reportlab
writes a reference to it, not the glyphs, so no font file is needed and nothing but the
pip-installed reportlab is used. reportlab is imported only when a PDF is written.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from zjtx_cli.outputs.deliverable import charts
from zjtx_cli.outputs.deliverable.text import ReportWords, clean, group_title, match_rows

FONT = "STSong-Light"
STATUS_COLOUR = {"met": "#2e7d32", "unmet": "#c62828", "unknown": "#ef6c00", "pending": "#ef6c00",
                 "declared": "#827717"}  # met, awaiting evidence (issue 13)


# characters outside Adobe-GB1 (STSong-Light), with the GB 2312 character a reader would expect
_GB = str.maketrans({"·": "・", "•": "・", "⚠": "！", "✓": "√", "✗": "×", "⊘": "×", "\u00a0": " "})


def gb(s) -> str:
    """Text for the CID font: control characters dropped, glyphs it lacks replaced."""
    return clean(s).translate(_GB)


def _p(s, style):
    from reportlab.platypus import Paragraph

    return Paragraph(escape(gb(s)).replace("\n", "<br/>"), style)


def build_pdf(m, path):
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    lang = m["lang"]
    t = ReportWords(lang)
    base = ParagraphStyle("b", fontName=FONT, fontSize=8.5, leading=11, wordWrap="CJK")
    small = ParagraphStyle("s", parent=base, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#616161"))
    h1 = ParagraphStyle("h1", parent=base, fontSize=18, leading=24, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=base, fontSize=13, leading=17, spaceBefore=10, spaceAfter=4,
                        textColor=colors.HexColor("#1565c0"))
    h3 = ParagraphStyle("h3", parent=base, fontSize=10, leading=13, spaceBefore=6, spaceAfter=3)
    head = ParagraphStyle("th", parent=base, fontSize=8.5)
    page_w = landscape(A4)[0] - 24 * mm

    def table(headers, rows, widths, status_col=None, statuses=None):
        ws = [page_w * x / sum(widths) for x in widths]
        st_styles = {st: ParagraphStyle(f"st-{st}", parent=base, textColor=colors.HexColor(col))
                     for st, col in STATUS_COLOUR.items()}
        data = [[_p(h, head) for h in headers]]
        for i, r in enumerate(rows):
            st = (statuses or [None] * len(rows))[i]
            data.append([_p("" if c is None else str(c), st_styles[st] if j == status_col and st in st_styles else base)
                         for j, c in enumerate(r)])
        tb = Table(data, colWidths=ws, repeatRows=1, splitInRow=1)  # a cell taller than a page goes on over
        style = [("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bdbdbd")),
                 ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e3f2fd")),
                 ("VALIGN", (0, 0), (-1, -1), "TOP")]
        tb.setStyle(TableStyle(style))
        return tb

    story = [Paragraph(escape(t("title")), h1), _p(t("generated"), small), Spacer(1, 4),
             Paragraph(escape(t("cover")), h2)]
    story.append(table([t("item"), t("value")], t.cover_rows(m), [1, 5]))
    for x in m["warnings"]:
        story.append(_p("！" + x, small))
    if m["match"]:
        md = m["match"]
        story += [Paragraph(escape(t("match")), h2), _p(t.region_line(md), base)]
        for g, rs in match_rows(md, lang):
            story.append(Paragraph(escape(group_title(g, lang)), h3))
            story.append(table([t("programme"), t("status"), t("prerequisites"), t("gap_or_data")], rs, [5, 1.4, 3, 6])
                         if rs else _p(t("none"), base))
        story.append(Spacer(1, 4))
        story.append(_p(t.cheapest(md), h3))
    if m["ladder"]:
        story.append(KeepTogether([Paragraph(escape(t("ladder")), h2),
                                   charts.to_drawing(charts.ladder_chart(m["ladder"], lang), FONT, gb)]))
    for tr in m["tracks"]:
        story.append(PageBreak())
        story.append(_p(t.track_heading(tr), h2))
        story.append(_p(f"{tr['verdict_text']} — {t.counts(tr['counts'])}", h3))
        for sc in tr["scores"]:
            story.append(charts.to_drawing(charts.score_chart(sc, lang), FONT, gb))
        story.append(Paragraph(escape(t("conditions")), h3))
        story.append(table([t("id"), t("kind"), t("condition"), t("required"), t("actual"), t("status"), t("citation")],
                           [(c["id"], c["kind"], c["text"], c["required"], c["actual"], t.status(c),
                             c["citation"] + (t("unconfirmed") if c.get("unconfirmed") else ""))
                            for c in tr["conditions"]], [2.2, 0.8, 4, 3.6, 3.4, 1.3, 3],
                           status_col=5, statuses=["declared" if c.get("evidence") == "declared" else c["status"]
                                                   for c in tr["conditions"]]))
        story.append(Paragraph(escape(t("gaps")), h3))
        if tr["gaps"]:
            story.append(table([t("condition"), t("effort"), t("gap"), t("citation")],
                               [(f"{g['condition']}: {g['text']}", g["effort_text"],
                                 "\n".join(x["text"] for x in g["items"]), g["citation"]) for g in tr["gaps"]],
                               [4, 1, 6, 3]))
        else:
            story.append(_p(t("no_gaps"), base))
        story.append(Paragraph(escape(t("figures")), h3))
        story.append(table([t("figure"), t("year"), t("value"), t("threshold"), t("formula"), t("inputs")],
                           [(f["name"], f["year"] or "—", f"{f['value']} {f['unit']}".strip(), f["threshold"],
                             f["formula"] or "—", f["inputs"]) for f in tr["figures"]], [3, 0.8, 1.4, 1.2, 3, 5])
                     if tr["figures"] else _p(t("none"), base))
        story.append(Paragraph(escape(t("missing")), h3))
        story.append(table([t("field"), t("year"), t("for_conditions")],
                           [(x["label"], x["year"] or "—", "、".join(x["conditions"])) for x in tr["missing"]],
                           [5, 1, 6]) if tr["missing"] else _p(t("none"), base))
    cl = m.get("checklist")
    if cl is not None:  # the documents still to collect (issue 13)
        story += [PageBreak(), Paragraph(escape(t("checklist")), h2), _p(t("checklist_intro"), small)]
        if cl.get("scheme_note"):
            story.append(_p(cl["scheme_note"], small))
        story.append(Spacer(1, 3))
        story.append(table(["#", t("document"), t("basis"), t("for_inputs"), t("condition")],
                           [(i, it["document"], it["basis"], it["inputs"], it["conditions"])
                            for i, it in enumerate(cl["items"], 1)], [0.5, 7, 4, 3.4, 3])
                     if cl["items"] else _p(t("checklist_none"), base))

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.drawString(12 * mm, 7 * mm, gb(f"{m['company'] or ''} — {t('title')} — {m['as_of']}"))
        canvas.drawRightString(landscape(A4)[0] - 12 * mm, 7 * mm, str(doc.page))
        canvas.restoreState()

    doc = SimpleDocTemplate(path, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=13 * mm,
                            title=clean(f"{t('title')} — {m['company'] or ''}"),
                            author="zjtx", subject=clean(m["verdict_text"]), creator="zjtx")
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
