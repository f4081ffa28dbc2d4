"""Scope selection, grouping and the cheapest next step, from assess documents only.

The match document (``zjtx match --format json``, format ``MATCH_FORMAT_VERSION``):

- ``company``, ``credit_code``, ``as_of``, ``region`` {code, level, name, source, note}, ``sector``
- ``groups``: ``eligible``, ``conditional``, ``undetermined``, ``not_yet``, ``excluded`` (current
  programmes whose region holds the firm, or whose scope is undetermined) and ``reference``
  (plans whose period has ended; never mixed with the current ones). Each entry is one tier of
  one scheme: scheme, tier, names, level, status, verdict, the tracks' verdicts and counts, the
  closest track's gaps (``gaps``, with ``effort`` and shortfall amount/unit), the data that
  would decide it (``missing``), ``scope`` (true, or null with ``scope_reason``) and
  ``prerequisites`` in ladder order, each ``held`` / ``would_reach`` / ``not_reached`` /
  ``undetermined``.
- ``out_of_scope`` (schemes whose region or sector excludes the firm) and ``skipped`` (versions
  superseded or not yet in force on ``as_of``, and re-review layers, applied only by ``assess --review``).
- ``cheapest_next_step``: the tier with the smallest gap, with its gap lines; or null.
- ``exit_status``: 0 when a current programme is eligible, 3 when none is but one is
  undetermined, 1 otherwise.
"""

from __future__ import annotations

import datetime as dt

MATCH_FORMAT_VERSION = "1.0"
EFFORT_RANK = {"data": 0, "declaration": 1, "near": 2, "far": 3, "blocker": 4}
GROUPS = ("eligible", "conditional", "undetermined", "not_yet", "excluded")

# the input field that records a title as held, by the tier's level (scheme-specific where a level
# is shared by different titles: Jinhu's 'provincial' tiers are Jiangsu pools, not 省级专精特新)
TITLE_FIELD = {"innovation": "innovation_sme_title", "zjtx_sme": "zjtx_sme_title",
               "national": "national_little_giant", "champion": "single_champion",
               "municipal": "municipal_little_giant"}
TITLE_FIELD_BY_SCHEME = {("guizhou", "provincial"): "provincial_zjtx"}


def _t(lang, zh, en):
    return en if lang == "en" else zh


def conditional_conditions(doc) -> list[str]:
    """Hook for evidence states: ids of conditions met only on evidence still to come.

    Documents do not carry evidence states yet (format 1.0); when a condition gains
    ``evidence: {state: ...}``, a met condition whose evidence is not yet in hand makes the
    tier conditional instead of eligible.
    """
    out = []
    for c in doc.get("conditions", []):
        ev = c.get("evidence")
        if isinstance(ev, dict) and c.get("status") == "met" and ev.get("state") in ("expected", "to_obtain",
                                                                                        "pending", "expired"):
            out.append(c["id"])
    return out


def _missing(doc) -> list[dict]:
    """Fields (and years) whose absence leaves a required condition or an exclusion unknown."""
    seen, out = set(), []

    def add(f, y):
        if (f, y) not in seen:
            seen.add((f, y))
            out.append({"field": f, "year": y})

    def walk(item):
        for m in item.get("missing") or []:
            if isinstance(m, dict):
                add(m.get("field"), m.get("year"))
            elif isinstance(m, (list, tuple)) and m:
                add(m[0], m[1] if len(m) > 1 else None)
            elif isinstance(m, str):
                add(m, None)
        for opts in item.get("options") or []:
            for it in opts:
                walk(it)
        for br in item.get("branches") or []:  # a case not known yet: each case's own gap (issue 12)
            for it in br.get("items") or []:
                walk(it)
        for ch in item.get("checks") or []:
            walk(ch)

    for g in doc.get("gaps", []):
        for it in g.get("items", []):
            walk(it)
    for c in doc.get("conditions", []):
        if c.get("kind") == "exclusion" and c.get("status") == "unknown":
            walk(c.get("detail") or {})
    return out


def gap_lines(doc, lang="zh") -> list[dict]:
    """One entry per gap of an assess document: condition, effort, text, and the shortfall in its unit."""
    out = []
    for g in doc.get("gaps", []):
        line = {"condition": g["condition"], "effort": g.get("effort"), "condition_text": g.get("text"),
                "citation": g.get("citation"), "items": []}
        for it in g.get("items", []):
            sf = it.get("shortfall") or {}
            text = it.get("text") or sf.get("text_en" if lang == "en" else "text_zh") or ""
            line["items"].append({"kind": it.get("kind"), "effort": it.get("effort"), "text": text,
                                  "amount": sf.get("amount"), "unit": sf.get("unit")})
        line["shortfalls"] = _shortfalls(g.get("items", []), lang)
        out.append(line)
    return out


def _shortfalls(items, lang):
    """Every numeric shortfall under a gap, alternatives included: text, amount, unit."""
    out: list[dict] = []
    for it in items:
        sf = it.get("shortfall") or {}
        if sf.get("amount") is not None:
            t = it.get("text") or sf.get("text_en" if lang == "en" else "text_zh") or ""
            if all(t != x["text"] for x in out):
                out.append({"text": t, "amount": sf.get("amount"), "unit": sf.get("unit")})
        for opt in it.get("options") or []:
            for x in _shortfalls(opt, lang):
                if all(x["text"] != y["text"] for y in out):
                    out.append(x)
    return out


def _cost(entry):
    """Smaller is cheaper: blocked prerequisites, then the hardest gap, then how many, then how much."""
    gaps = entry["gaps"]
    hardest = max((EFFORT_RANK.get(g["effort"], 4) for g in gaps), default=0)
    amount = sum(float(i["amount"] or 0) for g in gaps for i in g["items"] if i.get("unit") == "万元")
    blocked = sum(1 for p in entry["prerequisites"] if p["state"] in ("not_reached", "excluded"))
    return (blocked, hardest, len(gaps), amount)


def _track_cost(doc):
    gaps = doc.get("gaps", [])
    hardest = max((EFFORT_RANK.get(g.get("effort"), 4) for g in gaps), default=0)
    c = doc.get("counts", {})
    return ({"eligible": 0, "undetermined": 1, "not_eligible": 2, "excluded": 3}.get(doc.get("verdict"), 4),
            c.get("unmet", 0), hardest, len(gaps))


def _tier_status(docs):
    verdicts = [d["verdict"] for d in docs]
    if "eligible" in verdicts:
        return "eligible"
    if "undetermined" in verdicts:
        return "undetermined"
    if "excluded" in verdicts:
        return "excluded"
    return "not_yet"


def _programme_state(s, as_of):
    """current / expired / superseded / future for a scheme on ``as_of``."""
    if s["programme"]:
        f = dt.date.fromisoformat(str(s["effective_from"])) if s["effective_from"] else None
        t = dt.date.fromisoformat(str(s["effective_to"])) if s["effective_to"] else None
        if f and as_of < f:
            return "future"
        if t and as_of > t:
            return "superseded"
        return "current"
    start, end = s["period"]["start"], s["period"]["end"]
    if start and as_of.year < int(start):
        return "future"
    if end and as_of.year > int(end):
        return "expired"
    return "current"


def run_match(file, lang="zh", as_of=None, region=None, sets=(), year=None, progress=None) -> tuple[dict, list]:
    """The match document for one company, and the warnings met on the way (deduplicated)."""
    from zjtx_cli.match import regions as R
    from zjtx_cli.match.service import assess_document, catalog, read_identity

    as_of = as_of or dt.date.today()
    ident = read_identity(file, lang, sets)
    try:
        firm = R.firm_region(region, ident.get("registered_region"), ident.get("credit_code"))
    except R.RegionError as exc:
        from zjtx_cli.match.service import AssessFailed

        raise AssessFailed([f"--region: {exc.en if lang == 'en' else exc.zh}"], 2) from None
    sector = ident.get("sector")
    warnings: list[str] = []
    doc = {"format_version": MATCH_FORMAT_VERSION, "kind": "match", "company": ident.get("company_name"),
           "credit_code": ident.get("credit_code"), "source_file": str(file), "as_of": as_of.isoformat(),
           "lang": lang, "region": firm.json(lang), "sector": sector,
           "groups": {g: [] for g in (*GROUPS, "reference")}, "out_of_scope": [], "skipped": []}
    doc["region"]["source_text"] = R.SOURCE_TEXT[firm.source][1 if lang == "en" else 0]
    current_ids = {}
    from zjtx_cli.rules.versions import review_layer_ids

    layers = review_layer_ids()  # re-reviews of titles held (--review), not programmes to apply for
    for s in catalog():
        state = "review_layer" if s["id"] in layers else _programme_state(s, as_of)
        title = s["title"][lang]
        if state in ("superseded", "future", "review_layer"):
            doc["skipped"].append({"scheme": s["id"], "title": title, "reason": state,
                                   "effective_from": s["effective_from"], "effective_to": s["effective_to"]})
            continue
        reg = s["region"] or {"code": R.NATIONAL, "sector": None}
        inside = R.contains(reg["code"], firm)
        reason = None
        if inside is None:
            reason = _t(lang, f"方案适用于{R.name(reg['code'], lang)}；企业注册地只知到"
                              f"{R.name(firm.code, lang) if firm.code else '（未知）'}，"
                              "需要县级注册地（注册地字段或 --region）",
                        f"the scheme covers {R.name(reg['code'], lang)}; the firm's registration is only known as "
                        f"{R.name(firm.code, lang) if firm.code else '(unknown)'}: give the 注册地 field or --region")
        if inside is not False and reg.get("sector"):
            sec_name = R.data()["sectors"].get(reg["sector"], {}).get(lang, reg["sector"])
            if sector == reg["sector"]:
                pass
            elif sector:
                inside = False
            else:
                inside = None
                reason = _t(lang, f"行业方案，仅适用于{sec_name}企业：需要“所属行业”字段（sector）",
                            f"an industry scheme for the {sec_name} only: give the sector field")
        if inside is False:
            doc["out_of_scope"].append({"scheme": s["id"], "title": title, "region": reg["code"],
                                        "region_name": R.name(reg["code"], lang), "sector": reg.get("sector")})
            continue
        tier_status = {}
        for t in s["tiers"]:
            if progress:
                progress(s["id"], t["id"])
            docs = []
            for tr in t["tracks"]:
                tid = tr["id"] if len(t["tracks"]) > 1 else t["id"]
                a = assess_document(file, s["id"], tier=tid, lang=lang, as_of=as_of, year=year, sets=sets)
                for w in a.warnings:
                    if w not in warnings:
                        warnings.append(w)
                docs.append(a.doc)
            best = min(docs, key=_track_cost)
            status = _tier_status(docs)
            if status == "eligible":
                cond = conditional_conditions(best)
                if cond and not any(d["verdict"] == "eligible" and not conditional_conditions(d) for d in docs):
                    status = "conditional"
            tier_status[t["id"]] = status
            field = TITLE_FIELD_BY_SCHEME.get((s["id"], t["level"])) or TITLE_FIELD.get(t["level"])
            held = bool(field and ident.get(field) is True)
            entry = {
                "scheme": s["id"], "scheme_title": s["title"], "tier": t["id"], "tier_name": t["name"],
                "level": t["level"], "programme_state": state, "status": status, "held": held,
                "title_field": field, "scope": inside, "scope_reason": reason,
                "best_track": best["tier"], "best_track_name": best["tier_name"],
                "tracks": [{"id": d["tier"], "name": d["tier_name"], "verdict": d["verdict"], "counts": d["counts"]}
                           for d in docs],
                "gaps": gap_lines(best, lang) if status != "eligible" else [],
                "missing": _missing(best) if status in ("undetermined",) or inside is None else [],
                "conditional_on": conditional_conditions(best),
                "prerequisites": _prerequisites(s, t, tier_status, ident),
                "source": s["source"], "document_number": s["document_number"],
            }
            if state == "expired":
                group = "reference"
            elif inside is None:
                group = "undetermined"
            else:
                group = status
            doc["groups"][group].append(entry)
            current_ids[(s["id"], t["id"])] = entry
    cands = [e for g in ("conditional", "undetermined", "not_yet") for e in doc["groups"][g]
             if e["gaps"] and e["scope"] is not None and not e["held"]]
    doc["cheapest_next_step"] = None
    if cands:
        e = min(cands, key=_cost)
        doc["cheapest_next_step"] = {"scheme": e["scheme"], "tier": e["tier"], "tier_name": e["tier_name"],
                                     "scheme_title": e["scheme_title"], "track": e["best_track"],
                                     "gaps": e["gaps"], "effort": max((g["effort"] for g in e["gaps"]),
                                                                     key=lambda x: EFFORT_RANK.get(x, 4))}
    g = doc["groups"]
    doc["exit_status"] = 0 if (g["eligible"]) else 3 if g["undetermined"] else 1
    doc["warnings"] = warnings
    return doc, warnings


def _prerequisites(s, t, tier_status, ident):
    """The tiers below ``t`` on the scheme's ladder, lowest first, each held / would reach / not."""
    prev = {x["next"]: x for x in s["tiers"] if x.get("next")}
    chain: list[dict] = []
    cur = t["id"]
    while cur in prev and len(chain) < 10:
        p = prev[cur]
        chain.append(p)
        cur = p["id"]
    out = []
    for p in reversed(chain):
        field = TITLE_FIELD_BY_SCHEME.get((s["id"], p["level"])) or TITLE_FIELD.get(p["level"])
        st = tier_status.get(p["id"])
        if field and ident.get(field) is True:
            state = "held"
        elif st == "eligible":
            state = "would_reach"
        elif st == "undetermined":
            state = "undetermined"
        elif st == "excluded":
            state = "excluded"
        else:
            state = "not_reached"
        out.append({"tier": p["id"], "name": p["name"], "state": state, "title_field": field})
    return out
