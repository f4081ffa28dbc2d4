"""Scoring one company for ``zjtx batch``: the export's columns (:class:`Columns`), the
scorer that assesses an enterprise through the assessment service or takes its statuses
from the columnar evaluator (:class:`Scorer`), and the result row both paths build
(:func:`_record`)."""

from __future__ import annotations

import json
from typing import Any

from zjtx_cli.engine.numbers import num_json
from zjtx_cli.inputs.model import Problem


# --------------------------------------------------------------------------- fields
class MemoFields:
    """The field dictionary with label lookups memoised (labels repeat in every file)."""

    def __init__(self, fd):
        self._fd = fd
        self.fields = fd.fields
        self._memo: dict = {}

    def lookup(self, label):
        try:
            return self._memo[label]
        except KeyError:
            pass
        k = self._fd.lookup(label)
        if len(self._memo) > 50000:
            self._memo.clear()
        self._memo[label] = k
        return k

    def suggest(self, label):
        return self._fd.suggest(label)

    def __getitem__(self, key):
        return self._fd.fields[key]

    def __contains__(self, key):
        return key in self._fd.fields

    def __iter__(self):
        return iter(self._fd)


def _pjson(p: Problem, lang: str = "zh") -> dict:
    d = p.to_json()
    d["line"] = p.line(lang)
    return d


# --------------------------------------------------------------------------- scoring
class Columns:
    """The export's columns, fixed before the first row is written (streaming)."""

    def __init__(self, scorer):
        from zjtx_cli.engine.kinds import metrics_tested
        from zjtx_cli.engine.texts import LABELS

        lang = scorer.lang
        zh = lang == "zh"
        rs, fields = scorer.rs, scorer.fields
        self.ladder = scorer.mode == "ladder"
        head = (["企业名称", "来源", "行", "评价年度", "结论"] if zh else
                ["Company", "Source", "Row", "Assessment year", "Verdict"])
        if self.ladder:
            head += ["已达最高层级", "下一层级"] if zh else ["Highest tier", "Next tier"]
        head += ["满足", "不满足", "缺数据", "优先满足", "主要差距"] if zh else \
            ["Met", "Unmet", "Unknown", "Priority met", "Largest gap"]
        self.gap_index = len(head) - 1
        # key figures: every metric the conditions test, in ruleset order
        self.figures: list[tuple] = []
        self.figure_headers: list[str] = []

        for _t, tr in scorer.scope_tracks:
            for cond in tr["conditions"]:
                # every figure the condition tests, at any depth (review readings, points tables too)
                for keys, offset in metrics_tested(cond.check):
                    key = (tuple(keys), offset or 0)
                    if key not in self.figures:
                        self.figures.append(key)
                        self.figure_headers.append(self._figure_header(key, fields, lang))
        self.figure_index = {k: i for i, k in enumerate(self.figures)}
        # statuses: one column per tier (ladder) and per condition
        self.status_keys: list[tuple] = []
        self.status_headers: list[str] = []
        self.status_notes: list[str] = []  # shown as the header cell's comment in the xlsx export
        if self.ladder:
            for t in rs.tiers:
                self.status_keys.append(("tier", t["id"]))
                self.status_headers.append(t["id"])
                self.status_notes.append(t["name"][lang])
        multi = len(scorer.scope_tracks) > 1
        for _t, tr in scorer.scope_tracks:
            for cond in tr["conditions"]:
                self.status_keys.append((tr["id"], cond.id))
                self.status_headers.append(f"{tr['id']}:{cond.id}" if multi else cond.id)
                self.status_notes.append(f"{tr['name'][lang]}\n{cond.text[lang]}\n{cond.citation}")
        self.headers = head + self.figure_headers + self.status_headers
        first_status = len(head) + len(self.figure_headers)
        self.coloured = [4] + list(range(first_status, len(self.headers)))
        from zjtx_cli.outputs.export import colour_of

        self.colour_labels = []
        for label_key, labels in LABELS.items():
            c = colour_of(label_key)
            if c:
                self.colour_labels.append((labels[lang], c))


    def append_extra(self, headers, widths):
        """Columns after every other (batch/extras.py: evidence, --match); their cells are rec["extra"]."""
        self.extra_headers = list(headers)
        self.extra_widths = list(widths)
        self.headers = self.headers + self.extra_headers

    @staticmethod
    def _figure_header(key, fields, lang):
        """A key figure's column header: its name(s), the year offset if any, the unit."""
        from zjtx_cli.engine.metrics import METRICS

        zh = lang == "zh"
        keys, offset = key
        names = []
        unit = None
        for k in keys:
            m = METRICS.get(k)
            names.append((m.zh if zh else m.en) if m else fields[k].label(lang))
            unit = unit or (m.unit if m else fields[k].unit)
        name = ("、" if zh else " + ").join(names)
        if offset:
            name += f"（评价年度{offset:+d}）" if zh else f" (year {offset:+d})"
        if unit:
            name += f"（{unit}）" if zh else f" ({unit})"
        return name


class Scorer:
    """Assesses one enterprise at a time against a ruleset loaded once (through the service)."""

    def __init__(self, rs, fields, tier=None, year=None, as_of=None, lang="zh", want_json=False,
                 evidence_required=False):
        from zjtx_cli.engine.service import UnknownTier, scope_of
        from zjtx_cli.outputs.report import ruleset_meta

        self.rs = rs
        self.fields = fields
        self.tier_asked = tier
        self.year = year
        self.as_of = as_of
        self.lang = lang
        self.want_json = want_json
        self.evidence_required = evidence_required  # --evidence required: officer mode (issue 13)
        # the 待补证 column: in officer mode and in the results workbook (set by run_batch); the
        # documents sheet only in the workbook
        self.show_evidence = evidence_required
        self.evidence_docs = False
        self.gaps_sheet = True  # every gap's text (the xlsx gaps sheet); else the largest gap's only (run_batch)
        self.extra = {"scheme_info": ruleset_meta(rs)}
        try:
            self.mode, self.tier, tracks = scope_of(rs, tier)
        except UnknownTier:
            raise KeyError(tier) from None
        if self.mode == "ladder":
            self.scope_tracks = list(rs.tracks())
        else:
            self.scope_tracks = [(self.tier, tr) for tr in tracks]
        self.cols = Columns(self)

    def score(self, e, row=None) -> dict:
        from zjtx_cli.engine.service import assess, make_ctx
        from zjtx_cli.engine.texts import LABELS
        from zjtx_cli.outputs.report import document, status_key

        lang, fields = self.lang, self.fields
        ctx = make_ctx(e, fields, year=self.year, as_of=self.as_of, evidence_required=self.evidence_required)
        result = assess(e, self.rs, ctx=ctx, tier=self.tier_asked)
        verdict = result.verdict
        focus = result.focus
        tier_st = {}
        highest = nxt = None
        if result.scope == "ladder":
            ladder = result.ladder
            assert ladder is not None  # scope "ladder" always carries its ladder
            tracks = [a for ts in ladder.tiers for a in ts.tracks]
            tier_st = {ts.tier["id"]: ts.status for ts in ladder.tiers}
            highest, nxt = ladder.highest, ladder.next
        else:
            tracks = list(result.tracks)
        doc = document(result, fields, lang, self.extra) if self.want_json else None
        cols = self.cols
        statuses = []
        results = {a.track["id"]: {r.id: r for r in a.results} for a in tracks}
        for a_id, c_id in cols.status_keys:
            if a_id == "tier":
                st = tier_st.get(c_id)
                statuses.append(LABELS[st][lang] if st else None)
                continue
            r = results.get(a_id, {}).get(c_id)
            statuses.append(LABELS[status_key(r.kind, r.status, r.not_examined)][lang] if r else None)
        figures = [_figure(keys, ctx, off) for keys, off in cols.figures]
        first_gap, gaps = self._gaps(focus)
        c = focus.counts
        rec = _record(e, row, ctx, verdict, highest, nxt, (c["met"], c["unmet"], c["unknown"], c["priority_met"]),
                      first_gap, figures, statuses, gaps, lang)
        if doc is not None:
            if row is not None:
                doc["source_row"] = row
            rec["json"] = json.dumps(doc, ensure_ascii=False, default=str)
        if self.show_evidence:
            from zjtx_cli.batch.extras import evidence_of

            # 待补证 count and (for an xlsx export) the documents to collect (issue 13)
            rec.update(evidence_of(result, fields, lang, docs=self.evidence_docs))
        return rec

    def _gaps(self, focus):
        """(the largest gap's text, the gaps sheet's rows) of the shown track."""
        from zjtx_cli.outputs.report import EFFORT, describe_gap_item, gap_title

        lang, fields = self.lang, self.fields
        gaps = []
        first_gap = None  # the largest gap: the hardest to close (gaps come ordered easiest first)
        shown = focus.gaps
        if not self.gaps_sheet:  # only the largest gap is shown (summary, CSV); the gaps sheet is xlsx's
            shown = shown[-1:]
        for g in shown:
            texts = [describe_gap_item(it, fields, lang) for it in g.items]
            if not texts and g.status == "excluded":
                texts = ["触发限制条件" if lang == "zh" else "an exclusion applies"]
            text = "；".join(texts) if lang == "zh" else "; ".join(texts)
            title = gap_title(g, lang)
            first_gap = f"{title}：{text}" if lang == "zh" else f"{title}: {text}"
            gaps.append((focus.track["name"][lang], g.condition, title, EFFORT[g.effort][lang], text,
                         g.cond.citation))
        return first_gap, gaps

    def _shown_track(self, ctx, trid, st=None, i=None):
        """The shown track assessed by the explanatory engine, after what it may read: the
        verdicts of the tiers below it (and of the tracks before it in its tier), as the
        engine records them for this scope. With the columnar statuses ``st`` those verdicts
        are taken from them (equal to the engine's); otherwise those tracks are assessed.
        The other tracks of the scope are not assessed."""
        from zjtx_cli.engine.service import TIER_VERDICT, assess_lower_tiers, assess_track, tier_status

        rs = self.rs
        if st is not None and self._prefill(ctx, trid, st, i):
            for t in rs.tiers:
                for tr in t["tracks"]:
                    if tr["id"] == trid:
                        return assess_track(rs, t, tr, ctx)
            raise KeyError(trid)
        if self.mode == "ladder":
            for t in rs.tiers:
                group = []
                for tr in t["tracks"]:
                    a = assess_track(rs, t, tr, ctx)
                    if tr["id"] == trid:
                        return a
                    group.append(a)
                ctx.tier_verdicts[t["id"]] = TIER_VERDICT.get(tier_status(group), "undetermined")
            raise KeyError(trid)
        t = self.tier
        assess_lower_tiers(rs, t, ctx)
        for _t, tr in self.scope_tracks:
            a = assess_track(rs, t, tr, ctx)
            if tr["id"] == trid:
                return a
        raise KeyError(trid)

    def _prefill(self, ctx, trid, st, i) -> bool:
        """Record in ``ctx`` what assessing the tracks before ``trid`` would record (their
        names and verdicts; in ladder mode the tiers' verdicts too), from the columnar
        statuses. False when a verdict needed is not among them."""
        from zjtx_cli.engine.service import TIER_VERDICT

        rs = self.rs
        ladder = self.mode == "ladder"
        names: list[tuple[str, Any]] = []
        verdicts: list[tuple[Any, Any]] = []
        for t in rs.tiers:
            if not ladder and t is self.tier:
                tracks = [tr for _t, tr in self.scope_tracks]
            else:
                tracks = t["tracks"]
            for tr in tracks:
                if tr["id"] == trid:
                    for k, v in names:
                        if k == "track":
                            ctx.tier_names[v[0]] = v[1]
                        else:
                            ctx.tier_names.setdefault(v[0], v[1])
                    for k, v in verdicts:
                        ctx.tier_verdicts[k] = v
                    return True
                col = st.tracks.get(tr["id"])
                if col is None or col[i] is None:
                    return False
                names.append(("track", (tr["id"], tr["name"])))
                names.append(("tier", (t["id"], t["name"])))
                verdicts.append((tr["id"], col[i]))
            if ladder:
                col = st.tiers.get(t["id"])
                if col is None or col[i] is None:
                    return False
                verdicts.append((t["id"], TIER_VERDICT.get(col[i], "undetermined")))
            elif t is self.tier:
                break
        return False

    def score_columnar(self, e, st, i, row=None) -> dict | None:
        """Row ``i`` of a chunk decided by the columnar evaluator (``st``), as :meth:`score`
        would write it; None when the row needs the explanatory path: decided by the engine
        inside the columnar evaluator, or its shown track is not eligible (its gaps are
        shown), or that track is in another scheme. An eligible track has no gaps."""
        if st.engine[i] or self.want_json or self.show_evidence:
            return None  # evidence states come from the explanatory engine
        focus = st.focus(i)
        trid = focus["track"]
        if focus["external"] or trid is None:
            return None
        from zjtx_cli.engine.service import make_ctx
        from zjtx_cli.engine.texts import LABELS
        from zjtx_cli.outputs.report import status_key

        lang = self.lang
        ctx = make_ctx(e, self.fields, year=self.year, as_of=self.as_of)
        first_gap, gaps = None, []  # an eligible track has no gaps
        if st.tracks[trid][i] != "eligible":
            first_gap, gaps = self._gaps(self._shown_track(ctx, trid, st, i))
        verdict = st.verdict[i]
        statuses = []
        for key in self.cols.status_keys:
            if key[0] == "tier":
                col = st.tiers.get(key[1])
                s = col[i] if col is not None else None
                statuses.append(LABELS[s][lang] if s else None)
                continue
            col = st.conditions.get(key)
            s = col[i] if col is not None else None
            statuses.append(LABELS[status_key(st.kinds[key], s, False)][lang] if s is not None else None)
        highest = _tier_by_id(self.rs, focus["highest"]) if focus["highest"] else None
        nxt = _tier_by_id(self.rs, focus["next"]) if focus["next"] else None
        return _record(e, row, ctx, verdict, highest, nxt, st.counts(trid, i), first_gap,
                       [_figure(keys, ctx, off) for keys, off in self.cols.figures], statuses, gaps, lang)


def _record(e, row, ctx, verdict, highest, nxt, counts, first_gap, figures, statuses, gaps, lang) -> dict:
    """One company's result row, whichever path decided it (explanatory or columnar)."""
    from zjtx_cli.engine.texts import LABELS

    return {
        "company": e.values.get("company_name"),
        "source": e.source,
        "row": row,
        "year": ctx.year,
        "verdict": verdict,
        "verdict_label": LABELS[verdict][lang],
        "highest": highest["id"] if highest else None,
        "highest_name": highest["name"][lang] if highest else None,
        "next": nxt["id"] if nxt else None,
        "next_name": nxt["name"][lang] if nxt else None,
        "counts": counts,
        "gap": first_gap,
        "figures": figures,
        "statuses": statuses,
        "gaps": gaps,
        "json": None,
        "warnings": [_pjson(w, lang) for w in e.warnings],
    }


def _tier_by_id(rs, tid):
    for t in rs.tiers:
        if t["id"] == tid:
            return t
    raise KeyError(tid)


def _figure(keys, ctx, off):
    """A key figure (metric or sum of counts) for the export, from the evaluation's memo. A raw
    field is read as evaluate_metric reads it (ctx.raw), without building its explanation."""
    from zjtx_cli.engine.metrics import METRICS, evaluate_metric

    total = None
    for k in keys:
        v = evaluate_metric(k, ctx, ctx.year + off).value if k in METRICS else ctx.raw(k, ctx.year + off)
        if v is None:
            return None
        total = v if total is None else total + v
    return num_json(total)
