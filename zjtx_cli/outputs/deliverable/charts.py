"""Charts as drawing primitives, rendered to inline SVG (HTML) or to a reportlab Drawing (PDF).

A chart is ``(width, height, items)``; items are ``("rect", x, y, w, h, fill, stroke)``,
``("line", x1, y1, x2, y2, colour, width, dashed)`` and ``("text", x, y, s, size, colour,
anchor, bold)``, with the origin at the top left.
"""

from __future__ import annotations

from html import escape

# ("rect" | "line" | "text", ...): the shapes in the module docstring
Item = tuple

GREEN, AMBER, GREY, RED, BLUE, INK, LIGHT = "#2e7d32", "#f9a825", "#9e9e9e", "#c62828", "#1565c0", "#212121", "#eeeeee"
OLIVE = "#827717"  # reached subject to evidence (officer mode, issue 13)
STATUS_COLOUR = {"reached": GREEN, "undetermined": AMBER, "not_reached": GREY, "conditional": OLIVE}


def _short(s, n):
    return s if len(s) <= n else s[: n - 1] + "…"


def ladder_chart(ladder, lang="zh"):
    """A staircase, lowest tier at the bottom left; the tier reached is marked."""
    tiers = ladder["tiers"]
    n = len(tiers)
    step_w, step_h, box_w = 46, 34, 430
    width = 40 + (n - 1) * step_w + box_w + 150
    height = 30 + n * (step_h + 8) + 30
    title = "评价阶梯（由低到高）" if lang != "en" else "Ladder (lowest first)"
    items: list[Item] = [("text", 10, 18, title, 13, INK, "start", True)]
    for i, t in enumerate(tiers):
        x = 20 + i * step_w
        y = height - 30 - (i + 1) * (step_h + 8)
        fill = STATUS_COLOUR.get(t["status"], GREY)
        items.append(("rect", x, y, box_w, step_h, fill, "#ffffff"))
        items.append(("text", x + 10, y + step_h / 2 + 5, _short(t["name"], 30), 12, "#ffffff", "start", True))
        label = t["status_text"]
        if ladder.get("highest") == t["id"]:
            label = ("★ 已达到的最高层级" if lang != "en" else "★ highest reached")
            if t["status"] == "conditional":  # officer mode: reached subject to evidence (issue 13)
                label += "（待补证）" if lang != "en" else " (subject to evidence)"
        items.append(("text", x + box_w + 8, y + step_h / 2 + 5, label, 12, INK, "start",
                      ladder.get("highest") == t["id"]))
    ly = height - 12
    lx = 20
    legend = [("reached", GREEN), ("undetermined", AMBER), ("not_reached", GREY)]
    if any(t["status"] == "conditional" for t in tiers):
        legend.insert(1, ("conditional", OLIVE))
    for st, col in legend:
        items.append(("rect", lx, ly - 10, 12, 12, col, col))
        txt = {"reached": ("已达到", "reached"), "undetermined": ("无法判定", "undetermined"),
               "not_reached": ("未达到", "not reached"),
               "conditional": ("有条件达到（待补证）", "reached subject to evidence")}[st][1 if lang == "en" else 0]
        items.append(("text", lx + 16, ly, txt, 11, INK, "start", False))
        lx += 170 if st == "conditional" else 110
    return width, height, items


def score_chart(score, lang="zh"):
    """Points per category against its maximum and minimum, and the total against the pass mark."""
    cats = score["categories"]
    label_w, bar_w, row_h = 150, 420, 30
    width = label_w + bar_w + 190
    height = 40 + (len(cats) + 1) * row_h + 40
    zh = lang != "en"
    items: list[Item] = [("text", 10, 18, "评价得分（分项得分 / 满分；红线为分项最低分）" if zh else
              "Score (points / maximum per category; red line: category minimum)", 13, INK, "start", True)]
    rows = [(c["name"], c["lo"] if c["lo"] is not None else c["points"], c["hi"], c["min"], c["max"]) for c in cats]
    rows.append(("总分" if zh else "Total", score["total_lo"] if score["total_lo"] is not None else score["total"],
                 score["total_hi"], score["pass"], score["max"]))
    for i, (name, lo, hi, mn, mx) in enumerate(rows):
        y = 34 + i * row_h + (12 if i == len(rows) - 1 else 0)
        mx = mx or 1
        items.append(("text", label_w - 8, y + 16, _short(name, 12), 12, INK, "end", i == len(rows) - 1))
        items.append(("rect", label_w, y + 4, bar_w, 18, LIGHT, "#bdbdbd"))
        pts = lo or 0
        ok = mn is None or pts >= mn
        if i < len(rows) - 1:
            col = GREEN if ok else RED
        else:  # the total against the pass mark
            col = GREEN if score["pass"] is None or pts >= score["pass"] else RED
        items.append(("rect", label_w, y + 4, bar_w * min(pts, mx) / mx, 18, col, col))
        if hi is not None and lo is not None and hi > lo:
            items.append(("rect", label_w + bar_w * lo / mx, y + 4, bar_w * (min(hi, mx) - lo) / mx, 18, AMBER, AMBER))
        if mn is not None:
            xm = label_w + bar_w * mn / mx
            items.append(("line", xm, y, xm, y + 26, RED, 2, False))
        rng = f"{_num(lo)}" + (f"–{_num(hi)}" if hi is not None and lo is not None and hi != lo else "")
        tail = f"{rng} / {_num(mx)}"
        if mn is not None:
            tail += (f"（{'及格' if i == len(rows) - 1 else '最低'} {_num(mn)}）" if zh else
                     f" ({'pass' if i == len(rows) - 1 else 'min'} {_num(mn)})")
        items.append(("text", label_w + bar_w + 8, y + 18, tail, 12, INK, "start", False))
    return width, height, items


def _num(v):
    if v is None:
        return "—"
    return f"{v:g}" if isinstance(v, float) else str(v)


FONT = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC','WenQuanYi Micro Hei',sans-serif"


def to_svg(chart, cls="chart") -> str:
    width, height, items = chart
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="{cls}" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" font-family="{escape(FONT)}">']
    for it in items:
        if it[0] == "rect":
            _, x, y, w_, h, fill, stroke = it
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w_, 0):.1f}" height="{h:.1f}" fill="{fill}" '
                       f'stroke="{stroke}" rx="2"/>')
        elif it[0] == "line":
            _, x1, y1, x2, y2, col, wd, dashed = it
            dash = ' stroke-dasharray="4 3"' if dashed else ""
            out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{col}" '
                       f'stroke-width="{wd}"{dash}/>')
        else:
            _, x, y, s, size, col, anchor, bold = it
            weight = ' font-weight="bold"' if bold else ""
            out.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{col}" text-anchor="{anchor}"'
                       f'{weight}>{escape(str(s))}</text>')
    out.append("</svg>")
    return "".join(out)


def to_drawing(chart, font="STSong-Light", text=str, scale=0.62):
    """A reportlab Drawing of the chart (y flipped), scaled to fit a landscape A4 frame."""
    from reportlab.graphics.shapes import Drawing, Group, Line, Rect, String
    from reportlab.lib.colors import HexColor

    width, height, items = chart
    d = Drawing(width * scale, height * scale)
    g = Group()
    for it in items:
        if it[0] == "rect":
            _, x, y, w_, h, fill, stroke = it
            g.add(Rect(x, height - y - h, max(w_, 0), h, fillColor=HexColor(fill), strokeColor=HexColor(stroke),
                       strokeWidth=0.5))
        elif it[0] == "line":
            _, x1, y1, x2, y2, col, wd, dashed = it
            g.add(Line(x1, height - y1, x2, height - y2, strokeColor=HexColor(col), strokeWidth=wd,
                       strokeDashArray=[4, 3] if dashed else None))
        else:
            _, x, y, s, size, col, anchor, bold = it
            g.add(String(x, height - y, text(str(s)), fontName=font, fontSize=size, fillColor=HexColor(col),
                         textAnchor={"start": "start", "end": "end", "middle": "middle"}[anchor]))
    g.scale(scale, scale)
    d.add(g)
    return d
