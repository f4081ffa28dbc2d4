"""A ruleset compiled to column expressions for one scope (the whole ladder, a tier or a
track): :class:`Plan`. Read by :mod:`zjtx_cli.batch.columnar` (polars) and
:mod:`zjtx_cli.batch.sql` (SQL text)."""

from __future__ import annotations

from typing import Any

from zjtx_cli.batch.exprs import (
    _BACKEND,
    FALLBACK_FORMS,
    FAMILIES,
    SCALE,
    Delegated,
    NotCompilable,
    _cmp,
    _declared_field,
    _frac,
    _greatest,
    _guard,
    _kind,
    _least,
    _mentions_any,
    _mentions_tier,
    _points,
    _sum,
    _tier_status,
    _verdict,
)


# ------------------------------------------------------------------------------ the plan
class Plan:
    """One ruleset compiled for one scope (the whole ladder, a tier or a track)."""

    def __init__(self, scheme: str, data: dict, fields, tier: str | None, backend=None):
        if backend is None:
            import polars as backend
        self.pl = backend
        _BACKEND[0] = backend
        self.scheme = scheme
        self.data = data
        self.fields = fields
        self.tier_arg = tier
        self.numeric: dict[str, tuple[str, int | None]] = {}  # column -> (field, offset or None)
        self.flags: set[str] = set()
        self.choices: set[str] = set()
        self.date_within: set[tuple[str, int]] = set()
        self.need_sme = False
        self.need_founding = False
        self.need_years_op = False
        self.fallback_reasons: list[str] = []
        self.tiers = []  # [(tier_id, [(track_id, [cond])])] in ladder order
        for t in data["tiers"]:
            if "tracks" in t:
                common = t.get("common") or []
                tracks = [(tr["id"], common + tr["conditions"]) for tr in t["tracks"]]
            else:
                tracks = [(t["id"], t["conditions"])]
            self.tiers.append((t["id"], tracks, t))
        self.mode, self.scope = self._scope(tier)

    def _scope(self, tier):
        if tier is None:
            if len(self.tiers) == 1 and len(self.tiers[0][1]) == 1:
                return "track", 0
            return "ladder", None
        for i, (tid, tracks, _t) in enumerate(self.tiers):
            if tid == tier:
                return ("track" if len(tracks) == 1 else "tier"), i
            for trid, _c in tracks:
                if trid == tier:
                    return "track", i
        raise KeyError(tier)

    # -- columns -------------------------------------------------------------------
    def num(self, field: str, off: int):
        pl = self.pl

        f = self.fields[field]
        if f.per_year:
            name = f"n:{field}:{off}"
            self.numeric[name] = (field, off)
        else:
            name = f"n:{field}"
            self.numeric[name] = (field, None)
        return pl.col(name)

    # -- checks --------------------------------------------------------------------
    def check(self, c: dict, env: dict):
        pl = self.pl

        kind = _kind(c)
        if kind == "metric":
            keys = c["metric"] if isinstance(c["metric"], list) else [c["metric"]]
            return self.metric(keys, c["op"], c["value"], c.get("year", 0))
        if kind == "flag":
            col = pl.col(f"b:{c['flag']}")
            self.flags.add(c["flag"])
            eq = c.get("equals", True)
            st = col if eq else ~col
            fb = c.get("if_missing")
            if fb is not None:
                if _kind(fb) == "tier":
                    # a title the firm must hold (engine/kinds/flag.py): only the declared title meets
                    # it; undeclared it stays unknown, whatever this assessment finds for the tier
                    return st
                return pl.when(col.is_null()).then(self.check(fb, env)).otherwise(st)
            return st
        if kind == "choice":
            self.choices.add(c["choice"])
            col = pl.col(f"c:{c['choice']}")
            return pl.when(col.is_null()).then(pl.lit(None, dtype=pl.Boolean)).otherwise(
                col.is_in([str(v) for v in c["in"]]))
        if kind in ("all", "any"):
            subs = [self.check(s, env) for s in c[kind]]
            out = subs[0]
            for s in subs[1:]:
                out = (out & s) if kind == "all" else (out | s)
            return out
        if kind == "cases":
            return self.cases(c["cases"], env)
        if kind == "date_within":
            self.date_within.add((c["date_within"], int(c["years"])))
            return pl.col(f"d:{c['date_within']}:{int(c['years'])}")
        if kind == "tier":
            ref = c["tier"]
            if ":" in ref:
                raise NotCompilable(f"tier reference to another scheme ({ref})")
            v = env.get(ref)
            if v is None:  # not (yet) assessed: the engine sees no verdict, so unknown
                return pl.lit(None, dtype=pl.Boolean)
            # verdict codes: 0 eligible, 1 undetermined, 2 not eligible, 3 excluded
            return pl.when(v == 0).then(True).when(v >= 2).then(False).otherwise(pl.lit(None, dtype=pl.Boolean))
        if kind == "sme":
            self.need_sme = True
            return pl.col("sme")
        if kind == "score":
            return self.score(c["score"], env)
        if kind == "declared_value":  # a figure only MIIT's platform computes: absent, it is pending
            spec = c["declared_value"]
            key, year = (spec, 0) if isinstance(spec, str) else (spec["field"], spec.get("year", 0))
            p, q = _frac(c["value"])
            return _cmp(self.num(key, year) * q, c["op"], p * SCALE)
        if kind == "review":  # batches assess new applications: the 'new' reading
            sub = c["review"].get("new") if isinstance(c["review"], dict) else None
            if not isinstance(sub, dict):
                raise Delegated("review check without a 'new' reading")
            return self.check(sub, env)
        if kind in FALLBACK_FORMS:
            raise Delegated(f"{kind} check")
        raise NotCompilable(f"unknown check form {sorted(c)}")

    def pend(self, c: dict, env: dict):
        """Whether an unknown check is unknown only because a platform-computed value is
        absent (the engine's 'pending', evaluate._only_pending), as a Boolean expression."""
        pl = self.pl
        if "declared_value" in c:
            return pl.lit(True)
        if "review" in c:
            return self.pend(c["review"]["new"], env)
        for k in ("all", "any"):
            if k in c:
                out = None
                for sub in c[k]:
                    part = self.check(sub, env).is_not_null() | self.pend(sub, env)
                    out = part if out is None else out & part
                return out
        if "cases" in c:
            return self._pend_cases(c["cases"], env)
        return pl.lit(False)

    def _pend_cases(self, cases, env, i=0):
        pl = self.pl
        if i == len(cases):
            return pl.lit(False)
        case = cases[i]
        if "else" in case:
            return self.pend(case["else"], env)
        w = self.check(case["when"], env)
        return (pl.when(w.fill_null(False)).then(self.pend(case["then"], env))
                .when((~w).fill_null(False)).then(self._pend_cases(cases, env, i + 1))
                .otherwise(self.pend(case["when"], env)))

    def cases(self, cases, env, i=0):
        """First 'when' met decides; an unknown 'when' still decides when this case and
        every later one agree (the engine's rule); no case met and no else: unmet."""
        pl = self.pl

        if i == len(cases):
            return pl.lit(False)
        case = cases[i]
        if "else" in case:
            return self.check(case["else"], env)
        w = self.check(case["when"], env)
        then = self.check(case["then"], env)
        rest = self.cases(cases, env, i + 1)
        agree = pl.when(then.is_not_null() & rest.is_not_null() & (then == rest)).then(then).otherwise(
            pl.lit(None, dtype=pl.Boolean))
        return pl.when(w.fill_null(False)).then(then).when((~w).fill_null(False)).then(rest).otherwise(agree)

    def stage(self, expr, hint=""):
        """Materialise ``expr`` as a column of its own (evaluated once, before the conditions)
        and refer to it by name: a fold over options would otherwise repeat its whole history
        at every step."""
        name = f"p{len(self.prelude)}:{hint}"
        self.prelude.append((name, expr))
        return self.pl.col(name)

    # -- scored evaluations (engine/scoring.py) ---------------------------------------
    def score(self, spec, env):
        """A points table: each indicator's points, or the range it can still take when data
        is missing, summed per category and in total (all in points x 10**4, exact)."""
        pl = self.pl
        if _mentions_tier(spec):
            raise NotCompilable("a points table reading another tier's verdict")
        lo_total: Any
        hi_total: Any
        lo_total, hi_total, cat_met, cat_unmet = None, None, [], []
        for cat in spec["categories"]:
            clo: Any = None
            chi: Any = None
            for ind in cat["indicators"]:
                lo, hi = self.indicator(ind, env)
                lo, hi = self.stage(lo, "lo"), self.stage(hi, "hi")
                clo = lo if clo is None else clo + lo
                chi = hi if chi is None else chi + hi
            if cat.get("min") is not None:
                cmin = _points(cat["min"])
                cat_met.append(clo >= cmin)
                cat_unmet.append(chi < cmin)
            lo_total = clo if lo_total is None else lo_total + clo
            hi_total = chi if hi_total is None else hi_total + chi
        pass_mark = _points(spec["pass"])
        all_met = lo_total >= pass_mark
        for m in cat_met:
            all_met = all_met & m
        any_unmet = hi_total < pass_mark
        for u in cat_unmet:
            any_unmet = any_unmet | u
        status = pl.when(all_met).then(True).when(any_unmet).then(False).otherwise(pl.lit(None, dtype=pl.Boolean))
        for d in spec.get("direct") or []:
            status = status | self.check(d, env)
        return status

    def indicator(self, ind, env):
        """(lo, hi) points of one indicator, as scoring._eval_indicator gives them."""
        pl = self.pl
        imax = _points(ind["max"])
        if "metric" in ind:
            key, year = ind["metric"], ind.get("year", 0)
            pts = [_points(b["points"]) for b in ind["bands"]]
            # known and meaningful: any value passes one of two complementary comparisons
            valid = (self.metric([key], ">=", 0, year) | self.metric([key], "<", 0, year)).fill_null(False)
            chain: Any = None
            for b, p in zip(ind["bands"], pts):
                inside = pl.lit(True)
                if b.get("min") is not None:
                    inside = inside & self.metric([key], ">=" if b.get("min_inclusive") else ">", b["min"], year)
                if b.get("max") is not None:
                    inside = inside & self.metric([key], "<=" if b.get("max_inclusive") else "<", b["max"], year)
                cond = inside.fill_null(False)
                chain = (pl.when(cond) if chain is None else chain.when(cond)).then(p)
            got = self.stage(chain.otherwise(None), "band")
            valid = self.stage(valid, "valid")
            lo = pl.when(valid).then(got).otherwise(min(pts))
            hi = pl.when(valid).then(got).otherwise(max(pts))
            return lo, hi
        if "choice" in ind:
            self.choices.add(ind["choice"])
            col = pl.col(f"c:{ind['choice']}")
            pmap = {k: _points(v) for k, v in ind["points"].items()}
            chain = None
            for code, p in pmap.items():
                cond = (col == str(code)).fill_null(False)
                chain = (pl.when(cond) if chain is None else chain.when(cond)).then(p)
            lo = chain.otherwise(min(pmap.values()))
            hi = chain.otherwise(max(pmap.values()))
            return lo, hi
        if "first" in ind:
            otherwise = _points(ind.get("else", 0))
            done = pl.lit(False)
            anyp = pl.lit(False)
            pmin = pmax = None
            lo = hi = None
            for o in ind["first"]:
                p = _points(o["points"])
                st = self.stage(self.check(o["check"], env), "option")
                met = st.fill_null(False)
                unk = st.is_null()
                newly = (~done) & met
                # met before any unknown option: decided; met after one: the range closes here
                lo_here = p if pmin is None else pl.when(anyp).then(_least(pl, pmin, p)).otherwise(p)
                hi_here = p if pmax is None else pl.when(anyp).then(_greatest(pl, pmax, p)).otherwise(p)
                lo = pl.when(newly).then(lo_here).otherwise(lo)
                hi = pl.when(newly).then(hi_here).otherwise(hi)
                pending = (~done) & unk
                # an unknown option joins the range of points still possible
                pmin = pl.when(pending).then(lo_here).otherwise(pmin if pmin is not None else pl.lit(None))
                pmax = pl.when(pending).then(hi_here).otherwise(pmax if pmax is not None else pl.lit(None))
                anyp = self.stage(anyp | pending, "anyp")
                done = self.stage(done | newly, "done")
                lo, hi = self.stage(lo, "lo"), self.stage(hi, "hi")
                pmin, pmax = self.stage(pmin, "pmin"), self.stage(pmax, "pmax")
            lo_end = pl.when(anyp).then(_least(pl, pmin, otherwise)).otherwise(otherwise)
            hi_end = pl.when(anyp).then(_greatest(pl, pmax, otherwise)).otherwise(otherwise)
            return pl.when(done).then(lo).otherwise(lo_end), pl.when(done).then(hi).otherwise(hi_end)
        if "items" in ind:
            per = _points(ind["per_item"])
            got = unk = None
            for k in ind["items"]:
                self.flags.add(k)
                col = pl.col(f"b:{k}")
                g = pl.when(col.fill_null(False)).then(1).otherwise(0)
                u = pl.when(col.is_null()).then(1).otherwise(0)
                got = g if got is None else got + g
                unk = u if unk is None else unk + u
            return _least(pl, got * per, imax), _least(pl, (got + unk) * per, imax)
        if "declared" in ind:
            key = ind["declared"]
            v = self.num(key, 0)
            clamped = pl.when(v < 0).then(0).when(v > imax).then(imax).otherwise(v)
            return pl.when(v.is_null()).then(0).otherwise(clamped), pl.when(v.is_null()).then(imax).otherwise(clamped)
        raise NotCompilable(f"score indicator {sorted(ind)}")

    # -- metrics -------------------------------------------------------------------
    def metric(self, keys, op, value, year):
        pl = self.pl

        p, q = _frac(value)
        if len(keys) > 1:
            for k in keys:
                if k in FAMILIES or k not in self.fields:
                    raise NotCompilable(f"sum of derived metrics {keys}")
            cols = [self.num(k, year) for k in keys]
            full = cols[0]
            for cc in cols[1:]:
                full = full + cc
            known = cols[0].fill_null(0)
            for cc in cols[1:]:
                known = known + cc.fill_null(0)
            missing = cols[0].is_null()
            for cc in cols[1:]:
                missing = missing | cc.is_null()
            st_full = _cmp(full * q, op, p * SCALE)
            if op in (">=", ">"):
                partial = pl.when(_cmp(known * q, op, p * SCALE)).then(True).otherwise(pl.lit(None, dtype=pl.Boolean))
            else:
                partial = pl.lit(None, dtype=pl.Boolean)
            return pl.when(missing).then(partial).otherwise(st_full)
        key = keys[0]
        fam = FAMILIES.get(key)
        if fam is None:
            if key not in self.fields:
                raise NotCompilable(f"unknown metric {key}")
            return _cmp(self.num(key, year) * q, op, p * SCALE)
        kind = fam[0]
        if kind == "ratio":
            _k, num, den, back = fam
            ns = [self.num(num, year - j) for j in range(back + 1)]
            ds = [self.num(den, year - j) for j in range(back + 1)]
            n, d = _sum(ns), _sum(ds)
            status = _guard(ns + ds, d <= 0, _cmp(n * (100 * q), op, d * p))
            declared = _declared_field(key) if not back else None
            if declared is None or declared not in self.fields:
                return status
            # a ratio the company declared (a % field) stands in only when a figure is missing
            # (engine/metrics.py _ratio_metric); figures present always win
            dv = self.num(declared, year)
            missing = pl.any_horizontal([c.is_null() for c in ns + ds])
            return pl.when(missing).then(_cmp(dv * q, op, p * SCALE)).otherwise(status).cast(pl.Boolean)
        if kind == "sum":
            _k, field, back, div = fam
            s = _sum([self.num(field, year - j) for j in range(back + 1)])
            return _cmp(s * q, op, p * SCALE * div)
        if kind == "compound":
            _k, field, years = fam
            if years != 2:
                raise NotCompilable(f"{key}: compound growth over {years} years")
            # the compound rate reads only the first and the last year (Metric.reads)
            r = [self.num(field, year - years), self.num(field, year)]
            base = 100 * q + p  # (1 + G/100) = base / (100 q)
            if base < 0:
                raise NotCompilable(f"{key}: growth threshold below -100%")
            invalid = (r[0] <= 0) | (r[1] < 0)
            return _guard(r, invalid, _cmp(r[1] * ((100 * q) ** 2), op, r[0] * (base ** 2)))
        if kind in ("arith", "meanratio") and fam[-1] >= 2:
            self._wide = True  # products of three or more figures (beyond 64-bit integers)
        if kind == "arith":
            _k, field, k = fam
            r = [self.num(field, year - k + j) for j in range(k + 1)]
            invalid = r[0] <= 0
            for x in r[1:k]:
                invalid = invalid | (x <= 0)
            terms = []
            for i in range(k):
                t = r[i + 1]
                for j in range(k):
                    if j != i:
                        t = t * r[j]
                terms.append(t)
            prod = r[0]
            for x in r[1:k]:
                prod = prod * x
            return _guard(r, invalid, _cmp(_sum(terms) * (100 * q), op, prod * (k * (100 * q + p))))
        if kind == "meanratio":
            _k, num, den, back = fam
            k = back + 1
            n = [self.num(num, year - back + j) for j in range(k)]
            d = [self.num(den, year - back + j) for j in range(k)]
            invalid = d[0] <= 0
            for x in d[1:]:
                invalid = invalid | (x <= 0)
            terms = []
            for i in range(k):
                t = n[i]
                for j in range(k):
                    if j != i:
                        t = t * d[j]
                terms.append(t)
            prod = d[0]
            for x in d[1:]:
                prod = prod * x
            # mean(n_i/d_i)·100 op p/q  <=>  100·q·Σ n_i·Π_{j≠i} d_j  op  k·p·Π d_j  (every d_j > 0)
            return _guard(n + d, invalid, _cmp(_sum(terms) * (100 * q), op, prod * (k * p)))
        if kind == "years":  # completed years from the founding date to the assessment date
            self.need_years_op = True
            return _cmp(pl.col("years_op") * q, op, p)
        if kind == "years_end":  # to 31 December of the metric's year: the anniversary is always passed
            self.need_founding = True
            return _cmp((pl.col("Y") + year - pl.col("founding_year")) * q, op, p)
        if kind == "founding":
            self.need_founding = True
            return _cmp(pl.col("founding_year") * q, op, p)
        raise NotCompilable(key)  # pragma: no cover

    # -- compile the scope ---------------------------------------------------------
    def compile(self):
        """Status expressions for every condition of the scope (and lower tiers, which
        tier references may read), track verdicts and tier statuses."""
        pl = self.pl
        _BACKEND[0] = pl

        env: dict = {}  # tier/track id -> verdict code expression (as the engine's ctx.tier_verdicts)
        self.cond_exprs: dict = {}  # (track_id, cond_id) -> expr
        self.kinds: dict = {}
        self.wide: set = set()  # conditions multiplying three or more figures
        self.engine_conds: dict = {}  # (track, condition) -> why it is decided row by row by the engine
        self.prelude: list = []  # (name, expr): intermediate columns, in order
        self.pend_exprs: dict = {}  # (track, condition) -> 'unknown only for want of a platform value'
        self.track_ids: list = []
        self.verdict_exprs: dict = {}
        self.tier_exprs: dict = {}
        last = len(self.tiers) - 1 if self.mode == "ladder" else self.scope
        for _ti, (tid, tracks, _t) in enumerate(self.tiers[:last + 1]):
            group = []
            for trid, conds in tracks:
                exprs = []
                for cond in conds:
                    self._wide = False
                    try:
                        e = self.check(cond["check"], env)
                    except Delegated as exc:
                        if _mentions_tier(cond["check"]):  # would need this row's tier verdicts
                            self.fallback_reasons.append(f"{trid}/{cond['id']}: {exc} with a tier reference")
                            e = pl.lit(None, dtype=pl.Boolean)
                        else:
                            self.engine_conds[(trid, cond["id"])] = str(exc)
                            e = pl.col(f"x:{trid}/{cond['id']}")
                    except NotCompilable as exc:
                        self.fallback_reasons.append(f"{trid}/{cond['id']}: {exc}")
                        e = pl.lit(None, dtype=pl.Boolean)
                    self.cond_exprs[(trid, cond["id"])] = e
                    if (trid, cond["id"]) not in self.engine_conds and _mentions_any(cond["check"], FALLBACK_FORMS):
                        try:
                            self.pend_exprs[(trid, cond["id"])] = self.pend(cond["check"], env)
                        except NotCompilable:
                            pass
                    if self._wide:
                        self.wide.add((trid, cond["id"]))
                    self.kinds[(trid, cond["id"])] = cond.get("kind", "required")
                    exprs.append((cond.get("kind", "required"), e))
                v = _verdict(exprs)
                self.verdict_exprs[trid] = v
                self.track_ids.append((tid, trid))
                env[trid] = pl.col(f"v:{trid}")  # later references read the materialised column
                group.append(trid)
            st = _tier_status([pl.col(f"v:{x}") for x in group])
            self.tier_exprs[tid] = st
            if self.mode == "ladder":
                # as Ladder does: the tier id gets 'eligible' when reached, 'undetermined', else 'not_eligible'
                env[tid] = pl.when(pl.col(f"t:{tid}") == 0).then(0).when(pl.col(f"t:{tid}") == 1).then(1).otherwise(2)
        return self

    @property
    def compiled_fully(self) -> bool:
        """Every condition of the scope is a column expression (no engine at all)."""
        return not self.fallback_reasons and not self.engine_conds
