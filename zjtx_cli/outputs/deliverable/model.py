"""What a report contains, built from assess documents (and a match document) only.

:func:`build` returns a plain dict that the xlsx, HTML and PDF writers all render:
cover, one entry per assessed track (conditions, gaps, scores, figures, missing data),
the ladder when the scheme has one, the documents still to collect (``zjtx assess --checklist``'s
items, issue 13) and the match groups with ``--match``. With ``evidence_required`` (officer mode,
``--evidence required``) a pass that rests on inputs naming no evidence is ``conditional``.
"""

from __future__ import annotations

VERDICT = {"eligible": ("符合条件", "Eligible"), "not_eligible": ("不符合条件", "Not eligible"),
           "undetermined": ("无法判定（缺数据）", "Undetermined (data missing)"), "excluded": ("排除", "Excluded"),
           "conditional": ("有条件符合（待补证）", "Conditional (subject to evidence)")}
STATUS = {"met": ("满足", "met"), "unmet": ("不满足", "unmet"), "unknown": ("缺数据", "unknown"),
          "pending": ("待系统评价", "pending")}
KIND = {"required": ("必备", "required"), "priority": ("优先", "priority"), "exclusion": ("排除", "exclusion")}
TIER_STATUS = {"reached": ("已达到", "reached"), "not_reached": ("未达到", "not reached"),
               "undetermined": ("无法判定", "undetermined"),
               "conditional": ("有条件达到（待补证）", "reached, subject to evidence")}
# a condition's evidence state (issue 13): what its pass rests on
EVIDENCE = {"evidenced": ("已附证明材料", "evidenced"), "declared": ("待补证", "awaiting evidence"),
            "not_applicable": ("—", "—")}
EFFORT = {"data": ("补数据", "supply data"), "declaration": ("需声明", "declare"), "near": ("差距小", "close"),
          "far": ("差距大", "far"), "blocker": ("硬性障碍", "blocker")}
OPS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=", "!=": "≠"}


def w(pair, lang):
    return pair[1] if lang == "en" else pair[0]


def _label(key, lang):
    from zjtx_cli.inputs.fields import field_dictionary

    fd = field_dictionary()
    return fd[key].label(lang) if key in fd else key


def _fmt(v):
    if isinstance(v, float):
        return f"{v:,.2f}".rstrip("0").rstrip(".") if abs(v) < 1e12 else str(v)
    if isinstance(v, bool):
        return "是" if v else "否"
    return "—" if v is None else str(v)


def _walk(node):
    if not isinstance(node, dict):
        return
    yield node
    for ch in node.get("checks") or []:
        yield from _walk(ch)
    for cat in node.get("categories") or []:
        yield from cat.get("indicators") or []


def figures(doc, lang) -> list[dict]:
    """The figures a document used: metric, year, value, unit, formula, the inputs behind it."""
    out, seen = [], set()
    for c in doc.get("conditions", []):
        for n in _walk(c.get("detail")):
            if "inputs" not in n or n.get("actual") is None:
                continue
            metric = n.get("metric")
            metric = metric[0] if isinstance(metric, list) and metric else metric
            key = (metric, n.get("year"))
            if key in seen:
                continue
            seen.add(key)
            formula = n.get("formula_en" if lang == "en" else "formula_zh") or ""
            name = _label(metric, lang) if metric else ""
            if isinstance(n.get("name"), dict):
                name = n["name"].get(lang) or name
            elif formula and name == metric:
                name = formula
            inputs = "；".join(f"{_label(f, lang)}{'' if y is None else f' {y}'} = {_fmt(v)}"
                              for f, y, v in (n.get("inputs") or []) if f) if lang != "en" else \
                "; ".join(f"{_label(f, lang)}{'' if y is None else f' {y}'} = {_fmt(v)}"
                          for f, y, v in (n.get("inputs") or []) if f)
            out.append({"condition": c["id"], "name": name, "year": n.get("year"), "value": _fmt(n.get("actual")),
                        "unit": n.get("unit") or "", "formula": formula, "inputs": inputs,
                        "threshold": f"{OPS.get(n.get('op'), n.get('op') or '')} {_fmt(n.get('value'))}"
                        if n.get("op") else ""})
    return out


def missing(doc, lang) -> list[dict]:
    """Data still missing: field, year, and the conditions waiting for it."""
    acc: dict = {}
    for c in doc.get("conditions", []):
        if c.get("status") not in ("unknown", "pending"):
            continue
        for n in _walk(c.get("detail")):
            for m in n.get("missing") or []:
                if isinstance(m, dict):
                    f, y = m.get("field"), m.get("year")
                elif isinstance(m, (list, tuple)) and m:
                    f, y = m[0], (m[1] if len(m) > 1 else None)
                else:
                    f, y = m, None
                acc.setdefault((f, y), []).append(c["id"])
    return [{"field": f, "label": _label(f, lang), "year": y, "conditions": sorted(set(ids))}
            for (f, y), ids in acc.items()]


def scores(doc, lang) -> list[dict]:
    out = []
    for c in doc.get("conditions", []):
        for n in _walk(c.get("detail")):
            if n.get("type") == "score":
                out.append({"condition": c["id"], "pass": n.get("pass"), "max": n.get("max"),
                            "total": n.get("total"), "total_lo": n.get("total_lo"), "total_hi": n.get("total_hi"),
                            "status": n.get("score_status") or n.get("status"),
                            "categories": [{"id": k.get("id"),
                                            "name": k["name"][lang] if isinstance(k.get("name"), dict)
                                            else str(k.get("name")), "points": k.get("points"), "lo": k.get("lo"),
                                            "hi": k.get("hi"), "min": k.get("min"), "max": k.get("max")}
                                           for k in n.get("categories") or []]})
    return out


def track_entry(doc, lang, role="assessed") -> dict:
    return {
        "role": role, "scheme": doc["scheme"], "scheme_title": doc["scheme_title"][lang],
        "tier_group": doc.get("tier_group"), "track": doc["tier"], "name": doc["tier_name"][lang],
        "verdict": doc["verdict"], "verdict_text": w(VERDICT[doc["verdict"]], lang), "counts": doc["counts"],
        "conditions": [{"id": c["id"], "kind": w(KIND.get(c["kind"], (c["kind"],) * 2), lang),
                        "text": c["text"][lang], "required": c.get("required") or "", "actual": c.get("actual") or "",
                        "status": c["status"], "status_text": w(STATUS.get(c["status"], (c["status"],) * 2), lang),
                        "declared": c.get("declared"), "citation": c.get("citation") or "",
                        "unconfirmed": c.get("unconfirmed"), "evidence": c.get("evidence"),
                        "evidence_text": w(EVIDENCE.get(c.get("evidence"), ("—", "—")), lang)}
                       for c in doc.get("conditions", [])],
        "gaps": [{"condition": g["condition"], "effort": g.get("effort"),
                  "effort_text": w(EFFORT.get(g.get("effort"), (g.get("effort"),) * 2), lang),
                  "text": g.get("text") or "", "citation": g.get("citation") or "",
                  "items": [{"text": ((i.get("shortfall") or {}).get("text_en" if lang == "en" else "text_zh")
                                      or i.get("text") or ""),
                             "amount": (i.get("shortfall") or {}).get("amount"),
                             "unit": (i.get("shortfall") or {}).get("unit")} for i in g.get("items", [])]}
                 for g in doc.get("gaps", [])],
        "scores": scores(doc, lang), "figures": figures(doc, lang), "missing": missing(doc, lang),
    }


def checklist(doc, lang) -> dict | None:
    """The documents still to collect, from the ``checklist`` of an assess document (``--checklist``):
    ``{"scheme_note", "items": [{document, basis, inputs (names, years), conditions}]}``."""
    cl = doc.get("checklist")
    if cl is None:
        return None
    from zjtx_cli.engine.texts import missing_name
    from zjtx_cli.inputs.fields import field_dictionary

    fd = field_dictionary()
    sep = ", " if lang == "en" else "、"
    return {"scheme_note": cl.get("scheme_note") or "",
            # one source a line: a cell's list of web addresses wraps where a reader expects it
            "items": [{"document": it["document"], "basis": it["basis"].replace("；", "；\n").replace("; ", ";\n"),
                       "inputs": sep.join(dict.fromkeys(missing_name([x["field"], x["year"]], fd, lang)
                                                        for x in it["inputs"])),
                       "conditions": sep.join(it["conditions"])} for it in cl.get("items") or ()]}


def build(file, scheme=None, tier=None, lang="zh", as_of=None, year=None, with_match=False, region=None,
          evidence_required=False) -> dict:
    """The report for one company; raises service.AssessFailed when it cannot be assessed."""
    from zjtx_cli.match.service import assess_document, read_identity

    ident = read_identity(file, lang)
    m = {"lang": lang, "company": ident.get("company_name"), "credit_code": ident.get("credit_code"),
         "source_file": str(file), "tracks": [], "ladder": None, "match": None, "warnings": [], "scheme": None,
         "evidence_required": bool(evidence_required), "checklist": None}
    warns = m["warnings"]
    evidence = ("required",) if evidence_required else ()

    def run(s, t=None, with_checklist=False):
        a = assess_document(file, s, tier=t, lang=lang, as_of=as_of, year=year, evidence=evidence,
                            checklist=with_checklist)
        for x in a.warnings:
            if x not in warns:
                warns.append(x)
        return a.doc

    if scheme:
        doc = run(scheme, tier, with_checklist=True)
        m["checklist"] = checklist(doc, lang)
        # a tier with several tracks (--tier naming a tier) has no scheme title or dates of its own:
        # its tracks have them
        top = doc["tracks"][0] if "scheme_title" not in doc and doc.get("tracks") else doc
        info = top.get("scheme_info") or doc.get("scheme_info") or {}
        m["scheme"] = {"id": doc["scheme"], "title": top["scheme_title"][lang],
                       "document_number": info.get("document_number"), "period": info.get("period"),
                       "effective_from": info.get("effective_from"), "effective_to": info.get("effective_to"),
                       "source": info.get("source")}
        m["as_of"], m["assessment_year"] = top.get("as_of"), top.get("assessment_year")
        if doc.get("mode") == "ladder":
            m["mode"] = "ladder"
            m["ladder"] = {"highest": doc.get("highest_tier"), "next": doc.get("next_tier"),
                           "tiers": [{"id": t["id"], "name": t["name"][lang], "level": t["level"],
                                      "status": t["status"], "status_text": w(TIER_STATUS[t["status"]], lang),
                                      "tracks": [{"id": x["id"], "name": x["name"][lang], "verdict": x["verdict"]}
                                                 for x in t["tracks"]]} for t in doc["tiers"]]}
            for t in doc["tiers"]:
                for x in t["tracks"]:
                    m["tracks"].append(track_entry(run(doc["scheme"], x["id"]), lang))
            nxt = doc.get("next")
            if nxt and nxt.get("scheme") != doc["scheme"]:
                m["tracks"].append(track_entry(nxt, lang, "next"))
            hi = next((t for t in m["ladder"]["tiers"] if t["id"] == doc.get("highest_tier")), None)
            m["verdict"] = doc["verdict"]
            if hi:
                m["verdict_text"] = (f"已达到的最高层级：{hi['name']}" if lang != "en"
                                     else f"Highest tier reached: {hi['name']}")
                if doc["verdict"] == "conditional":  # officer mode: reached on figures still to be evidenced
                    m["verdict_text"] += "（待补证）" if lang != "en" else " (subject to evidence)"
            else:
                m["verdict_text"] = w(VERDICT[doc["verdict"]], lang)
        elif "tracks" in doc and "conditions" not in doc:
            m["mode"] = "tier"
            for x in doc["tracks"]:
                m["tracks"].append(track_entry(x, lang))
            m["verdict"] = doc["verdict"]
            m["verdict_text"] = w(VERDICT[doc["verdict"]], lang)
        else:
            m["mode"] = "single"
            m["tracks"].append(track_entry(doc, lang))
            if doc.get("next"):
                m["tracks"].append(track_entry(doc["next"], lang, "next"))
                reached = doc["verdict"] in ("eligible", "conditional")
                m["ladder"] = {"highest": doc["tier"] if reached else None,
                               "next": doc.get("next_tier"), "tiers": [
                                   {"id": doc["tier"], "name": doc["tier_name"][lang], "level": doc.get("level"),
                                    "status": {"eligible": "reached", "conditional": "conditional"}.get(
                                        doc["verdict"], "not_reached"),
                                    "status_text": "", "tracks": []},
                                   {"id": doc["next"]["tier"], "name": doc["next"]["tier_name"][lang],
                                    "level": doc["next"].get("level"),
                                    "status": {"eligible": "reached", "undetermined": "undetermined",
                                               "conditional": "conditional"}.get(
                                        doc["next"]["verdict"], "not_reached"), "status_text": "", "tracks": []}]}
                for t in m["ladder"]["tiers"]:
                    t["status_text"] = w(TIER_STATUS[t["status"]], lang)
            m["verdict"] = doc["verdict"]
            m["verdict_text"] = w(VERDICT[doc["verdict"]], lang)
    if with_match:
        import datetime as dt

        from zjtx_cli.match.matcher import run_match

        d = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
        md, mw = run_match(file, lang=lang, as_of=d, region=region, year=year)
        for x in mw:
            if x not in warns:
                warns.append(x)
        m["match"] = md
        m.setdefault("as_of", md["as_of"])
        if not scheme:
            m["mode"] = "match"
            n = len(md["groups"]["eligible"])
            m["verdict"] = "eligible" if n else ("undetermined" if md["groups"]["undetermined"] else "not_eligible")
            m["verdict_text"] = (f"现可申报 {n} 项" if lang != "en" else f"eligible now for {n}") if n else \
                w(VERDICT[m["verdict"]], lang)
    if not m.get("as_of"):
        import datetime as dt

        m["as_of"] = (as_of or dt.date.today()).isoformat() if not isinstance(as_of, str) else as_of
    m.setdefault("assessment_year", None)
    return m
