"""The `zjtx match` table: plain text, grouped, one programme tier per entry."""

from __future__ import annotations

import re

_CTRL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

GROUP_TITLE = {
    "eligible": ("可申报（现在符合条件）", "Eligible now"),
    "conditional": ("有条件（待证明材料到位）", "Conditional (once the evidence is in hand)"),
    "undetermined": ("无法判定（缺数据）", "Undetermined (data missing)"),
    "not_yet": ("尚未达到（最近差距）", "Not yet (closest gap)"),
    "excluded": ("排除", "Excluded"),
    "reference": ("期满方案（仅供参考，不计入结论）", "Plans whose period has ended (for reference only)"),
}
MARK = {"eligible": "✓", "conditional": "~", "undetermined": "?", "not_yet": "✗", "excluded": "⊘"}
STATUS = {"eligible": ("符合条件", "eligible"), "conditional": ("有条件", "conditional"),
          "undetermined": ("无法判定", "undetermined"), "not_yet": ("尚未达到", "not yet"),
          "excluded": ("排除", "excluded")}
EFFORT = {"data": ("补数据", "data"), "declaration": ("需声明", "declare"), "near": ("差距小", "close"),
          "far": ("差距大", "far"), "blocker": ("硬性障碍", "blocker")}
PREREQ = {"held": ("已持有", "held"), "would_reach": ("可达到", "would reach"),
          "not_reached": ("未达到", "not reached"), "undetermined": ("无法判定", "undetermined"),
          "excluded": ("排除", "excluded")}
LEVEL = {"national": ("全国", "national"), "province": ("省级", "province"), "city": ("市级", "city"),
         "county": ("县级", "county")}


def clean(s) -> str:
    """Text from a file, safe for a terminal: no control or bidi characters."""
    return _CTRL.sub("", "" if s is None else str(s))


def _l(lang, pair):
    return pair[1] if lang == "en" else pair[0]


def field_label(key, lang):
    try:
        from zjtx_cli.inputs.fields import field_dictionary

        f = field_dictionary()[key]
        return f.label(lang)
    except Exception:
        return key


def missing_text(missing, lang):
    out = []
    for m in missing:
        lab = field_label(m["field"], lang)
        out.append(f"{lab}（{m['year']}）" if m.get("year") and lang == "zh" else
                   f"{lab} ({m['year']})" if m.get("year") else lab)
    return ("、" if lang == "zh" else ", ").join(out)


def gap_text(gap, lang, width=None):
    items = "；".join(i["text"] for i in gap["items"] if i["text"]) if lang == "zh" else \
        "; ".join(i["text"] for i in gap["items"] if i["text"])
    s = clean(f"[{_l(lang, EFFORT.get(gap['effort'], (gap['effort'], gap['effort'])))}] {items}")
    if width and len(s) > width:
        s = s[: width - 1] + "…"
    return s


def entry_head(e, lang):
    return clean(f"{e['tier_name'][lang]} — {e['scheme_title'][lang]} [{e['scheme']}/{e['tier']}]")


def render(doc, lang="zh") -> str:
    L = []
    zh = lang != "en"
    r = doc["region"]
    L.append(clean(("企业：" if zh else "Company: ") + (doc.get("company") or "—") +
                   (f"    统一社会信用代码：{doc['credit_code']}" if zh and doc.get("credit_code") else
                    f"    credit code: {doc['credit_code']}" if doc.get("credit_code") else "")))
    if r["code"]:
        place = f"{r['name'][lang]}（{r['code']}，{_l(lang, LEVEL[r['level']])}）" if zh else \
            f"{r['name'][lang]} ({r['code']}, {_l(lang, LEVEL[r['level']])})"
    else:
        place = "未知" if zh else "unknown"
    L.append(clean(("注册地：" if zh else "Registered in: ") + place + ("  依据：" if zh else "  from: ") +
                   r["source_text"]))
    if r["note"][lang]:
        L.append(clean(("  注意：" if zh else "  note: ") + r["note"][lang]))
    L.append(("评价日期：" if zh else "Assessed on: ") + doc["as_of"])
    for g in ("eligible", "conditional", "undetermined", "not_yet", "excluded", "reference"):
        es = doc["groups"][g]
        L.append("")
        L.append(f"【{_l(lang, GROUP_TITLE[g])}】" if zh else f"== {_l(lang, GROUP_TITLE[g])}")
        if not es:
            if g == "conditional":
                L.append("  （无：材料证明状态尚未记录）" if zh else "  (none: evidence states are not recorded yet)")
            else:
                L.append("  （无）" if zh else "  (none)")
            continue
        for e in es:
            mark = MARK.get(e["status"], "·")
            head = f"  {mark} {entry_head(e, lang)}"
            if g == "reference":
                head += f"  {_l(lang, STATUS[e['status']])}"
            if e["held"]:
                head += "  （已持有该称号）" if zh else "  (title held)"
            L.append(head)
            if len(e["tracks"]) > 1:
                L.append(clean("      " + ("类别：" if zh else "tracks: ") + ("；" if zh else "; ").join(
                    f"{t['name'][lang]} {_l(lang, STATUS.get(_vs(t['verdict']), (t['verdict'],) * 2))}"
                    for t in e["tracks"])))
            if e["prerequisites"]:
                L.append(clean("      " + ("先决层级：" if zh else "prerequisites: ") + " → ".join(
                    f"{p['name'][lang]}（{_l(lang, PREREQ[p['state']])}）" if zh else
                    f"{p['name'][lang]} ({_l(lang, PREREQ[p['state']])})" for p in e["prerequisites"])))
            if e.get("scope_reason"):
                L.append(clean("      " + ("适用范围待定：" if zh else "scope undetermined: ") + e["scope_reason"]))
            if e["missing"] and not e.get("scope_reason"):
                L.append(clean("      " + ("可据以判定的数据：" if zh else "data that would decide it: ") +
                               missing_text(e["missing"], lang)))
            if g == "undetermined" and not e.get("scope_reason"):
                sfs = [x for gap in e["gaps"] if gap["effort"] == "data" for x in gap.get("shortfalls", [])]
                if sfs:
                    L.append(clean("      " + ("数字差距（其中一条路径）：" if zh else "numeric gaps (on one path): ") +
                                   ("；" if zh else "; ").join(x["text"] for x in sfs[:3])))
            shown = e["gaps"] if g != "undetermined" else [x for x in e["gaps"] if x["effort"] != "data"]
            shown = sorted(shown, key=lambda x: x["effort"] == "data")  # what keeps it out first, then data
            if not e.get("scope_reason"):
                for gap in shown[:4]:
                    L.append("      - " + gap_text(gap, lang, 150))
                if len(shown) > 4:
                    L.append(f"      … 另有 {len(shown) - 4} 项差距" if zh else f"      … {len(shown) - 4} more gaps")
    if doc["out_of_scope"]:
        L.append("")
        L.append(clean(("不在适用范围：" if zh else "Out of scope: ") + ("；" if zh else "; ").join(
            f"{o['title']}（{o['region_name']}{'·' + o['sector'] if o.get('sector') else ''}）" if zh else
            f"{o['title']} ({o['region_name']}{', ' + o['sector'] if o.get('sector') else ''})"
            for o in doc["out_of_scope"])))
    if doc["skipped"]:
        why = {"superseded": ("已被新版本替代", "superseded"), "future": ("尚未施行", "not yet in force"),
               "review_layer": ("仅用于已认定企业复核，见 assess --review",
                                "re-reviews of holders only: assess --review")}
        L.append(clean(("未评价：" if zh else "Not assessed: ") + ("；" if zh else "; ").join(
            f"{s['scheme']}（{_l(lang, why[s['reason']])}）" if zh else f"{s['scheme']} ({_l(lang, why[s['reason']])})"
            for s in doc["skipped"])))
    L.append("")
    L.append(cheapest_line(doc, lang))
    return "\n".join(L) + "\n"


def _vs(verdict):
    return {"not_eligible": "not_yet"}.get(verdict, verdict)


def cheapest_line(doc, lang="zh") -> str:
    c = doc.get("cheapest_next_step")
    zh = lang != "en"
    if not c:
        return "最省事的下一步：无（没有可比较的差距）" if zh else "Cheapest next step: none (no gap to compare)"
    first = sorted(c["gaps"], key=lambda x: x["effort"] == "data")[0]  # what keeps it out, before data
    text = gap_text(first, lang, 160)
    more = len(c["gaps"]) - 1
    tail = (f"（另有 {more} 项）" if zh else f" (and {more} more)") if more else ""
    return clean(("最省事的下一步：" if zh else "Cheapest next step: ") +
                 f"{c['tier_name'][lang]} [{c['scheme']}/{c['tier']}]：{text}{tail}" if zh else
                 ("Cheapest next step: ") + f"{c['tier_name'][lang]} [{c['scheme']}/{c['tier']}]: {text}{tail}")
