"""The report as one self-contained HTML file: inline CSS and SVG, no script, no network."""

from __future__ import annotations

from html import escape

from zjtx_cli.outputs.deliverable import charts
from zjtx_cli.outputs.deliverable.text import ReportWords, clean, group_title, match_rows, prereq_text

CSS = """
body{font-family:'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif;color:#212121;
margin:24px auto;max-width:1180px;font-size:14px;line-height:1.5}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;border-bottom:2px solid #1565c0;padding-bottom:3px;margin-top:28px}
h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;width:100%;table-layout:auto;margin:6px 0 12px}th,td{border:1px solid #bdbdbd;padding:4px 6px;
vertical-align:top;text-align:left}th{background:#e3f2fd}thead{display:table-header-group}
.cover td:first-child{width:160px;background:#f5f5f5;font-weight:bold}
.verdict{font-size:18px;font-weight:bold;padding:6px 10px;display:inline-block;border-radius:4px;color:#fff}
.v-eligible{background:#2e7d32}.v-not_eligible,.v-excluded{background:#c62828}.v-undetermined{background:#f9a825;color:#212121}
.v-conditional{background:#827717}.e-declared{color:#827717;font-weight:bold}.note{color:#616161;font-size:12px;font-style:italic}
.s-met{color:#2e7d32;font-weight:bold}.s-unmet{color:#c62828;font-weight:bold}.s-unknown,.s-pending{color:#ef6c00;font-weight:bold}
.nw{white-space:nowrap}table.match{table-layout:fixed}td{white-space:pre-line}.small{color:#616161;font-size:12px}.chart{max-width:100%;height:auto;margin:6px 0}
@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}tr{page-break-inside:avoid}}
@page{size:A4 landscape;margin:12mm}
"""  # noqa: E501 - the stylesheet's lines are output as they are


def _e(s):
    return escape(clean(s))


def _table(headers, rows, cls="", widths=None):
    cols = "".join(f'<col style="width:{w}%">' for w in widths) if widths else ""
    out = [f'<table class="{cls}"><colgroup>{cols}</colgroup><thead><tr>' if cols
           else f'<table class="{cls}"><thead><tr>']
    out[0] += "".join(f"<th>{_e(h)}</th>" for h in headers) + "</tr></thead><tbody>"
    for r in rows:
        out.append("<tr>" + "".join(c if isinstance(c, _Raw) else f"<td>{_e(c)}</td>" for c in r) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


class _Raw(str):
    pass


def _td(html, cls=""):
    return _Raw(f'<td class="{cls}">{html}</td>')


def render(m) -> str:
    lang = m["lang"]
    t = ReportWords(lang)
    P = [f'<!DOCTYPE html><html lang="{"en" if lang == "en" else "zh-CN"}"><head><meta charset="utf-8">'
         f'<meta name="generator" content="zjtx"><title>{_e(t("title"))} — {_e(m["company"] or "")}</title>'
         f"<style>{CSS}</style></head><body>"]
    # cover
    P.append(f'<h1>{_e(t("title"))}</h1><p class="small">{_e(t("generated"))}</p>')
    P.append(f'<section id="cover"><h2>{_e(t("cover"))}</h2>')
    P.append(_table([t("item"), t("value")], t.cover_rows(m, verdict=False, full_width=True), "cover"))
    P.append(f'<p><span class="verdict v-{escape(m["verdict"])}" id="verdict">{_e(m["verdict_text"])}</span></p>')
    if m["warnings"]:
        P.append("<ul class=\"small\">" + "".join(f"<li>{_e(x)}</li>" for x in m["warnings"]) + "</ul>")
    P.append("</section>")
    if m["match"]:
        P.append(_match(m["match"], t, lang))
    if m["ladder"]:
        svg = charts.to_svg(charts.ladder_chart(m["ladder"], lang), "chart ladder")
        P.append(f'<section id="ladder"><h2>{_e(t("ladder"))}</h2>{svg}')
        P.append(_table([t("tier"), t("status"), t("tracks")],
                        [(x["name"], x["status_text"],
                          "；".join(f"{tr['name']}：{t.verdict(tr['verdict'])}" for tr in x["tracks"]))
                         for x in m["ladder"]["tiers"]]))
        P.append("</section>")
    for i, tr in enumerate(m["tracks"]):
        P.append(f'<section class="track" id="track-{i}"><h2>{_e(t.track_heading(tr))}</h2>')
        P.append(f'<p><span class="verdict v-{escape(tr["verdict"])}">{_e(tr["verdict_text"])}</span> '
                 f'<span class="small">{_e(t.counts(tr["counts"]))}</span></p>')
        for sc in tr["scores"]:
            P.append(charts.to_svg(charts.score_chart(sc, lang), "chart score"))
        P.append(f"<h3>{_e(t('conditions'))}</h3>")
        P.append(_table([t("id"), t("kind"), t("condition"), t("required"), t("actual"), t("status"), t("citation")]
                        + ([t("evidence")] if any(c.get("evidence") for c in tr["conditions"]) else []),
                        [[c["id"], _td(_e(c["kind"]), "nw"), c["text"], c["required"], c["actual"],
                          _td(_e(c["status_text"]), "nw s-" + escape(c["status"])),
                          c["citation"] + (t("unconfirmed") if c.get("unconfirmed") else "")]
                         + ([_td(_e(t.evidence(c.get("evidence"))), "nw e-" + escape(str(c.get("evidence"))))]
                            if any(x.get("evidence") for x in tr["conditions"]) else [])
                         for c in tr["conditions"]]))
        P.append(f"<h3>{_e(t('gaps'))}</h3>")
        if tr["gaps"]:
            P.append(_table([t("condition"), t("effort"), t("gap"), t("citation")],
                            [(f"{g['condition']}：{g['text']}" if lang != "en" else f"{g['condition']}: {g['text']}",
                              g["effort_text"], "\n".join(x["text"] for x in g["items"]), g["citation"])
                             for g in tr["gaps"]]))
        else:
            P.append(f"<p>{_e(t('no_gaps'))}</p>")
        P.append(f"<h3>{_e(t('figures'))}</h3>")
        if tr["figures"]:
            P.append(_table([t("figure"), t("year"), t("value"), t("threshold"), t("formula"), t("inputs")],
                            [(f["name"], f["year"] or "—", f"{f['value']} {f['unit']}".strip(), f["threshold"],
                              f["formula"] or "—", f["inputs"]) for f in tr["figures"]]))
        else:
            P.append(f"<p>{_e(t('none'))}</p>")
        P.append(f"<h3>{_e(t('missing'))}</h3>")
        if tr["missing"]:
            P.append(_table([t("field"), t("year"), t("for_conditions")],
                            [(x["label"], x["year"] or "—", "、".join(x["conditions"])) for x in tr["missing"]]))
        else:
            P.append(f"<p>{_e(t('none'))}</p>")
        P.append("</section>")
    if m.get("checklist") is not None:
        P.append(_checklist(m["checklist"], t))
    P.append("</body></html>\n")
    return "".join(P)


def _checklist(cl, t):
    """The documents still to collect (``zjtx assess --checklist``, issue 13)."""
    P = [f'<section id="checklist"><h2>{_e(t("checklist"))}</h2><p class="small">{_e(t("checklist_intro"))}</p>']
    if cl.get("scheme_note"):
        P.append(f'<p class="note">{_e(cl["scheme_note"])}</p>')
    if cl["items"]:
        P.append(_table(["#", t("document"), t("basis"), t("for_inputs"), t("condition")],
                        [(i, it["document"], it["basis"], it["inputs"], it["conditions"])
                         for i, it in enumerate(cl["items"], 1)], "checklist", [3, 40, 22, 18, 17]))
    else:
        P.append(f"<p>{_e(t('checklist_none'))}</p>")
    P.append("</section>")
    return "".join(P)


def _match(md, t, lang):
    P = [f'<section id="match"><h2>{_e(t("match"))}</h2>',
         f"<p>{_e(t.region_line(md))}</p>"]
    for g, rows in match_rows(md, lang):
        P.append(f"<h3>{_e(group_title(g, lang))}</h3>")
        if rows:
            P.append(_table([t("programme"), t("status"), t("prerequisites"), t("gap_or_data")], rows, "match",
                            [28, 11, 18, 43]))
        else:
            P.append(f"<p>{_e(t('none'))}</p>")
    P.append(f"<p><b>{_e(t.cheapest(md))}</b></p></section>")
    return "".join(P)


__all__ = ["render", "prereq_text"]
