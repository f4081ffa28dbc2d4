"""Columnar status evaluation: a ruleset compiled to column expressions, evaluated over
whole batches of roster rows at once (issue 11).

The explanatory engine (:mod:`zjtx_cli.engine.evaluate`) evaluates one enterprise at a
time and builds an explanation tree for every condition. A batch only needs the
*statuses* of most conditions (the status columns, the counts, the verdicts); the
explanations are needed only for the gaps that are shown or exported. This module
compiles the ruleset, read as the data structure documented in docs/ruleset-format.md
(not the engine's internal compiled form), into polars expressions over one column
per input value, and decides every status for a whole batch in one pass.

Three-valued logic is the engine's own: a Boolean column holds ``true`` (met),
``false`` (unmet) or ``null`` (unknown), and polars' ``&`` / ``|`` are Kleene's AND / OR,
which is exactly ``all`` / ``any`` in docs/ruleset-format.md.

Exactness. No status is decided by a float comparison. Every figure enters as an
integer scaled by 10**4 (Int128), every threshold as a fraction p/q, and every derived
metric is compared by cross-multiplication over positive denominators, so that
``100·Σnum ≥ T·Σden`` stands for ``ratio ≥ T%``, ``10⁴·R[Y] ≥ (100+G)²·R[Y-2]`` for a
compound growth rate ``≥ G%``, and so on: an applicant exactly at 3.0% or 70% is
decided exactly, as the Decimal engine decides it. A row whose figures would not fit
this arithmetic (more than four decimal places, or a magnitude of 10**7 or more in any
figure the rules read, where a product of three figures could leave Int128) is handed
to the explanatory engine instead.

Every check form of docs/ruleset-format.md compiles, points tables and platform values
included (a platform value that is absent makes its condition 'pending', as in the
engine; a re-review check is read as for a new application, as batch assesses). What
does not compile: a re-review check without a 'new' reading, or a points table reading a
tier's verdict, is decided row by row by the engine (its status fills that condition's
column, the rest stays columnar); a tier reference to another scheme sends its whole
scope row by row to the engine. None of the rulesets has either today.

``polars`` is imported only when a batch is evaluated, never by ``zjtx assess``.

How batch uses it (batch/runner.py, _score_rows and Scorer.score_columnar): parse a chunk of roster rows into
enterprises as today, call ``columnar_statuses(scheme, tier, enterprises, year=, as_of=)``
once per chunk, and take the status cells, tier statuses, verdicts, highest / next tier
and counts from the result (``Statuses.conditions / tracks / tiers / verdict / focus(i) /
counts``). Explanations are built only where they are shown: for a row whose shown track
(``focus(i)["track"]``) is not eligible (or is in another scheme), run the explanatory
engine for that row (lower tiers first, then that track) and take its gaps.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Any

SCALE_DIGITS = 4
SCALE = 10 ** SCALE_DIGITS
LIMIT = Decimal(10) ** 7  # |figure| bound for the Int128 arithmetic (3 factors x constants)
FALLBACK_FORMS = ("score", "declared_value", "review")  # and {tier: scheme:tier}
MET, UNMET, UNKNOWN, PENDING = "met", "unmet", "unknown", "pending"
_CHECK_KINDS = ("metric", "flag", "choice", "all", "any", "cases", "date_within", "tier", "sme",
                "score", "declared_value", "review")


class NotCompilable(Exception):
    """A check form the columnar compiler does not express; its scope falls back per row."""


class Delegated(NotCompilable):
    """A scored / platform-value / re-review check: its condition is decided row by row by
    the explanatory engine (the rest of the scope stays columnar)."""


def _kind(c) -> str | None:
    kinds = [k for k in _CHECK_KINDS if k in c]
    return kinds[0] if kinds else None


def _mentions_any(c, keys) -> bool:
    if isinstance(c, dict):
        return any(k in c for k in keys) or any(_mentions_any(v, keys) for v in c.values())
    if isinstance(c, list):
        return any(_mentions_any(v, keys) for v in c)
    return False


def _mentions_tier(c) -> bool:
    if isinstance(c, dict):
        return "tier" in c or any(_mentions_tier(v) for v in c.values())
    if isinstance(c, list):
        return any(_mentions_tier(v) for v in c)
    return False


# ------------------------------------------------------------------------- metric families
# Each derived metric of zjtx_cli/engine/metrics.py, as a family the compiler knows how to
# compare exactly. ``back`` is how many years before the metric's year it reads.
def _families():
    fam = {
        "asset_liability_ratio": ("ratio", "total_liabilities", "total_assets", 0),
        "main_business_share": ("ratio", "main_business_revenue", "operating_revenue", 0),
        "leading_product_share": ("ratio", "leading_product_revenue", "operating_revenue", 0),
        "leading_product_share_of_main": ("ratio", "leading_product_revenue", "main_business_revenue", 0),
        "rd_intensity": ("ratio", "rd_expense", "operating_revenue", 0),
        "rd_intensity_2y": ("ratio", "rd_expense", "operating_revenue", 1),
        "rd_intensity_2y_main": ("ratio", "rd_expense", "main_business_revenue", 1),
        "rd_staff_share": ("ratio", "rd_staff", "employees", 0),
        "net_profit_margin": ("ratio", "net_profit", "operating_revenue", 0),
        "rd_expense_2y": ("sum", "rd_expense", 1, 1),
        "equity_financing_2y": ("sum", "equity_financing", 1, 1),
        "equity_financing_3y": ("sum", "equity_financing", 2, 1),
        "main_business_revenue_avg_3y": ("sum", "main_business_revenue", 2, 3),
        "main_business_revenue_growth": ("arith", "main_business_revenue", 1),
        "operating_revenue_avg_growth_3y": ("arith", "operating_revenue", 3),
        "operating_profit_margin_avg_3y": ("meanratio", "operating_profit", "operating_revenue", 2),
        "rd_intensity_avg_3y": ("meanratio", "rd_expense", "operating_revenue", 2),
        "years_in_operation": ("years",),  # completed years on the assessment date (--as-of)
        "years_in_operation_year_end": ("years_end",),  # completed years at the end of the metric's year
        "founding_year": ("founding",),
    }
    for f in ("main_business_revenue", "operating_revenue", "net_profit"):
        fam[f"{f}_cagr_2y"] = ("compound", f, 2)
        fam[f"{f}_avg_growth_2y"] = ("arith", f, 2)
    return fam


FAMILIES = _families()


def _frac(v) -> tuple[int, int]:
    """A threshold as an exact fraction p/q (q a power of ten)."""
    d = Decimal(str(v))
    sign, digits, exp = d.as_tuple()
    n = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
    if not isinstance(exp, int):  # NaN / Infinity: the TypeError comparing it would raise
        raise TypeError(f"not a finite number: {v!r}")
    if exp >= 0:
        return n * 10 ** exp, 1
    return n, 10 ** (-exp)


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


_BACKEND: list = [None]


def _pl():
    """The expression backend of the plan being compiled (polars, or the SQL writer)."""
    return _BACKEND[0]


def _points(v) -> int:
    """Points (or a pass mark) x 10**4, exactly."""
    p, q = _frac(v)
    if (p * SCALE) % q:
        raise NotCompilable(f"points {v} with more than {SCALE_DIGITS} decimal places")
    return p * SCALE // q


def _least(pl, a, b):
    return pl.when(a <= b).then(a).otherwise(b)


def _greatest(pl, a, b):
    return pl.when(a >= b).then(a).otherwise(b)


def _sum(cols):
    out = cols[0]
    for c in cols[1:]:
        out = out + c
    return out


def _cmp(a, op, b):
    if op == ">=":
        return a >= b
    if op == ">":
        return a > b
    if op == "<=":
        return a <= b
    if op == "<":
        return a < b
    if op == "==":
        return a == b
    raise NotCompilable(f"operator {op}")


def _guard(inputs, invalid, status):
    """As the engine: a figure missing makes the metric unknown; else given figures that make it
    meaningless (a zero or negative base) make it unmet; else the comparison decides."""
    pl = _pl()

    missing = pl.any_horizontal([c.is_null() for c in inputs])
    return (pl.when(missing).then(pl.lit(None, dtype=pl.Boolean))
            .when(invalid).then(False).otherwise(status)).cast(pl.Boolean)


def _verdict(exprs):
    """Verdict code of a track: 3 excluded, 2 not eligible, 1 undetermined, 0 eligible."""
    pl = _pl()

    excl = [e for k, e in exprs if k == "exclusion"]
    req = [e for k, e in exprs if k == "required"]
    any_excl = pl.any_horizontal([e.fill_null(False) for e in excl]) if excl else pl.lit(False)
    any_unmet = pl.any_horizontal([(~e).fill_null(False) for e in req]) if req else pl.lit(False)
    open_ = [e.is_null() for e in req + excl]
    any_open = pl.any_horizontal(open_) if open_ else pl.lit(False)
    return (pl.when(any_excl).then(3).when(any_unmet).then(2).when(any_open).then(1).otherwise(0)).cast(pl.Int8)


def _tier_status(verdicts):
    """0 reached (a track eligible), 1 undetermined, 2 not reached."""
    pl = _pl()

    return (pl.when(pl.any_horizontal([v == 0 for v in verdicts])).then(0)
            .when(pl.any_horizontal([v == 1 for v in verdicts])).then(1).otherwise(2)).cast(pl.Int8)


# ---------------------------------------------------------------------------- plans cache
_PLANS: dict = {}


FORKED_WITH_POLARS = [False]  # set in a child forked after polars was loaded (batch then keeps off polars)


def _after_fork_in_child():
    import sys

    if "polars" in sys.modules:
        FORKED_WITH_POLARS[0] = True


if hasattr(__import__("os"), "register_at_fork"):
    __import__("os").register_at_fork(after_in_child=_after_fork_in_child)


def raw_ruleset(scheme: str) -> dict:
    """The ruleset as the documented YAML data structure, after the strict loader accepted it."""
    from zjtx_cli.rules.loader import get_ruleset, ruleset_paths
    from zjtx_cli.rules.yamlcache import parse_yaml

    if get_ruleset(scheme) is None:  # validates (and raises on a bad file)
        raise KeyError(scheme)
    path = ruleset_paths()[scheme]
    with open(path, encoding="utf-8") as fh:
        return parse_yaml(fh.read(), path)


def plan_for(scheme: str, tier: str | None = None) -> Plan:
    key = (scheme, tier)
    p = _PLANS.get(key)
    if p is None:
        from zjtx_cli.inputs.fields import field_dictionary

        p = _PLANS[key] = Plan(scheme, raw_ruleset(scheme), field_dictionary(), tier).compile()
    return p


# ------------------------------------------------------------------------------ the batch
VERDICTS = ("eligible", "undetermined", "not_eligible", "excluded")
TIER_STATUSES = ("reached", "undetermined", "not_reached")


class Statuses:
    """What :func:`columnar_statuses` returns, one list entry per row (row order kept).

    - ``conditions[(track_id, condition_id)]``: 'met' / 'unmet' / 'unknown' (or 'pending'
      for a row decided by the explanatory engine);
    - ``kinds[(track_id, condition_id)]``: required / priority / exclusion;
    - ``tracks[track_id]``: the track's verdict; ``tiers[tier_id]``: reached / undetermined /
      not_reached (ladder mode, and the scope's tier);
    - ``verdict``: the verdict batch prints (ladder: eligible if any tier is reached; a tier
      with several tracks: eligible when reached; a track: its verdict);
    - ``counts[track_id]``: (met, unmet, unknown, priority_met) of the required conditions;
    - ``engine``: True where the row was handed to the explanatory engine (figures beyond the
      exact integer arithmetic, or a scope holding a check form that does not compile).
    """

    def __init__(self, plan: Plan, n: int):
        self.plan = plan
        self.mode = plan.mode
        self.kinds = dict(plan.kinds)
        self.conditions = {k: [None] * n for k in plan.cond_exprs}
        self.tracks = {trid: [None] * n for _t, trid in plan.track_ids}
        self.tiers = {tid: [None] * n for tid in plan.tier_exprs}
        self.verdict = [None] * n
        self.year = [None] * n
        self.engine = [False] * n
        self.error: str | None = None  # why the batch went to the engine as a whole (a value polars refused)

    def counts(self, track_id: str, i: int) -> tuple[int, int, int, int]:
        met = unmet = unknown = prio = 0
        for (trid, _cid), col in self.conditions.items():
            if trid != track_id:
                continue
            kind = self.kinds[(trid, _cid)]
            st = col[i]
            if kind == "required":
                if st == MET:
                    met += 1
                elif st == UNMET:
                    unmet += 1
                elif st is not None:
                    unknown += 1
            elif kind == "priority" and st == MET:
                prio += 1
        return met, unmet, unknown, prio


    def focus(self, i: int) -> dict:
        """What batch shows for row ``i``, as the engine's Ladder / closest() decide it:
        ``highest`` (the highest tier reached, ladder mode), ``next`` (the first tier above it
        not reached, or ``scheme:tier`` in another scheme), and ``track``: the track whose
        counts and gaps are shown (the closest track of the next tier, else of the highest
        tier; the scope's track or closest track outside ladder mode). ``external`` is True
        when that track is in another scheme: only the explanatory engine assesses it."""
        plan = self.plan
        if plan.mode != "ladder":
            _tid, ids = _scope_ids(plan)
            return {"highest": None, "next": None, "track": self._closest(ids, i), "external": False}
        tiers = [(tid, [trid for trid, _c in tracks]) for tid, tracks, _t in plan.tiers]
        reached = [k for k, (tid, _ids) in enumerate(tiers) if self.tiers[tid][i] == "reached"]
        highest = tiers[reached[-1]][0] if reached else None
        start = reached[-1] + 1 if reached else 0
        for tid, ids in tiers[start:]:
            if self.tiers[tid][i] != "reached":
                return {"highest": highest, "next": tid, "track": self._closest(ids, i), "external": False}
        ref = plan.tiers[reached[-1]][2].get("next") if reached else None
        if ref and ":" in ref:
            return {"highest": highest, "next": ref, "track": None, "external": True}
        ids = tiers[reached[-1]][1] if reached else []
        return {"highest": highest, "next": None, "track": self._closest(ids, i) if ids else None,
                "external": False}

    def _closest(self, track_ids, i):
        """The track nearest to success: not excluded, fewest unmet, then fewest unknown (first wins)."""
        def key(trid):
            met, unmet, unknown, _p = self.counts(trid, i)
            return (self.tracks[trid][i] == "excluded", unmet, unknown)
        return min(track_ids, key=key)


def _row_year(e, year, as_of):
    if year is not None:
        return year
    y = e.latest_year()
    return y if y is not None else as_of.year - 1


def _scaled(v):
    """An exact figure as an integer times 10**-4, or None when it does not fit."""
    if type(v) is Decimal:
        if v.is_finite() and -LIMIT < v < LIMIT:
            sv = v.scaleb(SCALE_DIGITS)
            i = int(sv)
            return i if i == sv else None
        return None
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        if -LIMIT < v < LIMIT:
            return v * SCALE
        return None
    if not isinstance(v, Decimal):
        try:
            v = Decimal(str(v))
        except Exception:  # noqa: BLE001
            return None
    if not v.is_finite() or not (-LIMIT < v < LIMIT):
        return None
    s = v.scaleb(SCALE_DIGITS)
    i = int(s)
    return i if i == s else None


def _date_within(d, years, as_of):
    if d is None:
        return None
    try:
        until = d.replace(year=d.year + years)
    except ValueError:  # 29 February
        until = d.replace(year=d.year + years, day=28)
    return d <= as_of <= until


def _declared_field(key):
    """The % field a ratio metric falls back on when its figures are missing (Metric.declared)."""
    from zjtx_cli.engine.metrics import METRICS

    m = METRICS.get(key)
    return m.declared if m is not None else None


def _years_op(d, as_of):
    """Completed years from founding date ``d`` to ``as_of`` (engine/metrics.py completed_years)."""
    if not isinstance(d, _dt.date):
        return None
    if isinstance(d, _dt.datetime):
        d = d.date()
    from zjtx_cli.engine.formulas import completed_years

    return completed_years(d, as_of)


def _sme_status(e, y):
    """The sme check (engine/sme.py sme_condition): decided whenever 300号's rows decide SME or
    large, even when the band is not known; the declaration only when they cannot."""
    from zjtx_cli.engine import sme as sme_mod

    industry = e.get("industry")
    result = None
    if industry is not None:
        try:
            result = sme_mod.classify(industry, e.get("employees", y), e.get("operating_revenue", y),
                                      e.get("total_assets", y))
        except (ValueError, TypeError):
            result = None
    if result is not None and result.is_sme is not None:
        return bool(result.is_sme)
    declared = e.get("sme_declared")
    return None if declared is None else bool(declared)


def _frame(plan: Plan, rows, year, as_of):
    """The input columns, and the rows that must go to the explanatory engine."""
    import polars as pl

    n = len(rows)
    data: dict = {}
    schema: dict = {}
    fallback_year = as_of.year - 1
    years = []
    for e in rows:  # Enterprise.latest_year(), without building the sorted set
        if year is not None:
            years.append(year)
            continue
        ys = [max(v) for v in e.values.values() if type(v) is dict and v]
        years.append(max(ys) if ys else fallback_year)
    data["Y"], schema["Y"] = years, pl.Int64
    engine = [False] * n
    fields = plan.fields
    by_field: dict = {}
    for name, (field, off) in plan.numeric.items():
        by_field.setdefault(field, []).append((name, off))
    for field, cols in by_field.items():
        outs: list[list[Any]] = [[None] * n for _c in cols]
        offs = [off for _name, off in cols]
        for i, e in enumerate(rows):
            s = e.values.get(field)
            if s is None:
                continue
            y = years[i]
            for j, off in enumerate(offs):
                v = s if off is None else (s.get(y + off) if type(s) is dict else None)
                if v is None:
                    continue
                sv = _scaled(v)
                if sv is None:
                    engine[i] = True
                outs[j][i] = sv
        for (name, _off), col in zip(cols, outs):
            data[name], schema[name] = col, pl.Int128
    for f in plan.flags:
        per_year = fields[f].per_year
        data[f"b:{f}"] = ([e.get(f, years[i]) for i, e in enumerate(rows)] if per_year
                          else [e.values.get(f) for e in rows])
        schema[f"b:{f}"] = pl.Boolean
    for f in plan.choices:
        per_year = fields[f].per_year
        vals = [e.get(f, years[i]) if per_year else e.get(f) for i, e in enumerate(rows)]
        data[f"c:{f}"] = [None if v is None else str(v) for v in vals]
        schema[f"c:{f}"] = pl.Utf8
    for f, yrs in plan.date_within:
        data[f"d:{f}:{yrs}"] = [_date_within(e.get(f), yrs, as_of) for e in rows]
        schema[f"d:{f}:{yrs}"] = pl.Boolean
    if plan.need_founding:
        col = []
        for e in rows:
            d = e.get("founding_date")
            col.append(d.year if isinstance(d, (_dt.date, _dt.datetime)) else None)
        data["founding_year"], schema["founding_year"] = col, pl.Int64
    if plan.need_years_op:
        data["years_op"], schema["years_op"] = [_years_op(e.get("founding_date"), as_of) for e in rows], pl.Int64
    if plan.need_sme:
        data["sme"], schema["sme"] = [_sme_status(e, years[i]) for i, e in enumerate(rows)], pl.Boolean
    strings = _engine_conditions(plan, rows, year, as_of) if plan.engine_conds else {}
    for (trid, cid), col in strings.items():  # pending and unknown are both unknown for the verdict
        data[f"x:{trid}/{cid}"] = [True if v == MET else (False if v == UNMET else None) for v in col]
        schema[f"x:{trid}/{cid}"] = pl.Boolean
    return pl.DataFrame(data, schema=schema), years, engine, strings


def _engine_conditions(plan, rows, year, as_of) -> dict:
    """Statuses of the conditions decided by the explanatory engine, row by row (scored
    evaluations, platform values, re-review readings): 'met' / 'unmet' / 'unknown' / 'pending'."""
    from zjtx_cli.engine.evaluate import evaluate_condition
    from zjtx_cli.engine.service import make_ctx
    from zjtx_cli.rules.loader import get_ruleset

    rs = get_ruleset(plan.scheme)
    compiled = {(tr["id"], c["id"]): c for t in rs.tiers for tr in t["tracks"] for c in tr["conditions"]}
    keys = list(plan.engine_conds)
    out = {k: [None] * len(rows) for k in keys}
    for i, e in enumerate(rows):
        ctx = make_ctx(e, plan.fields, year=year, as_of=as_of)
        for k in keys:
            out[k][i] = evaluate_condition(compiled[k], ctx)["status"]
    return out


def columnar_statuses(ruleset_id: str, tier: str | None, rows, *, year: int | None = None,
                      as_of: _dt.date | None = None) -> Statuses:
    """Statuses and verdicts of ``rows`` (enterprises as the roster reader returns them,
    :class:`zjtx_cli.inputs.model.Enterprise`) under ``ruleset_id`` for ``tier`` (a tier or
    track id, or None for the whole ladder / the single track), decided column by column.

    The answer equals the explanatory engine's for every row (tests/test_columnar.py
    checks it); rows the compiled form cannot decide exactly are decided by the engine."""
    if as_of is None:
        as_of = _dt.date.today()
    rows = list(rows)
    plan = plan_for(ruleset_id, tier)
    out = Statuses(plan, len(rows))
    if not rows:
        return out
    out.year = [_row_year(e, year, as_of) for e in rows]
    engine = [True] * len(rows)
    if not plan.fallback_reasons:
        try:
            engine = _evaluate(plan, out, rows, year, as_of)
        except Exception as exc:  # noqa: BLE001 - a value of an unexpected type: the engine decides
            out.error = f"{type(exc).__name__}: {str(exc)[:200]}"
            engine = [True] * len(rows)
    scope_tid, scope_tracks = _scope_ids(plan)
    for i in range(len(rows)):
        if engine[i]:
            _engine_row(out, i, rows[i], plan, year, as_of)
        out.verdict[i] = _scope_verdict(out, i, plan, scope_tid, scope_tracks)
    out.engine = engine
    return out


def _evaluate(plan, out, rows, year, as_of):
    """Every status of the batch, column by column; returns the rows left to the engine."""
    import polars as pl

    df, years, engine, engine_statuses = _frame(plan, rows, year, as_of)
    for name, e in plan.prelude:
        df = df.with_columns(e.alias(name))
    # materialise tier by tier: a tier reference reads the verdict columns of lower tiers
    for tid, tracks, _t in plan.tiers:
        trids = [trid for trid, _c in tracks if trid in plan.verdict_exprs]
        if not trids:
            break
        df = df.with_columns([plan.verdict_exprs[x].alias(f"v:{x}") for x in trids])
        df = df.with_columns(plan.tier_exprs[tid].alias(f"t:{tid}"))
    pend_keys = list(plan.pend_exprs)
    res = df.select([e.alias(f"s{i}") for i, e in enumerate(plan.cond_exprs.values())]
                    + [pl.col(f"v:{x}") for _t, x in plan.track_ids]
                    + [pl.col(f"t:{t}") for t in plan.tier_exprs]
                    + [plan.pend_exprs[k].alias(f"pend{j}") for j, k in enumerate(pend_keys)])
    pend = {k: res.get_column(f"pend{j}").to_list() for j, k in enumerate(pend_keys)}
    for i, key in enumerate(plan.cond_exprs):
        if key in engine_statuses:  # keeps 'pending' (a platform value not yet computed)
            out.conditions[key] = engine_statuses[key]
            continue
        col = [MET if v else (UNKNOWN if v is None else UNMET) for v in res.get_column(f"s{i}").to_list()]
        if key in pend:  # unknown only for want of a platform-computed value: pending
            col = [PENDING if (v == UNKNOWN and pd) else v for v, pd in zip(col, pend[key])]
        out.conditions[key] = col
    for _t, x in plan.track_ids:
        out.tracks[x] = [VERDICTS[v] for v in res.get_column(f"v:{x}").to_list()]
    for t in plan.tier_exprs:
        out.tiers[t] = [TIER_STATUSES[v] for v in res.get_column(f"t:{t}").to_list()]
    return engine


def _scope_ids(plan):
    if plan.mode == "ladder":
        return None, None
    tid, tracks, _t = plan.tiers[plan.scope]
    ids = [trid for trid, _c in tracks]
    if plan.mode == "track" and plan.tier_arg in ids:
        ids = [plan.tier_arg]
    return tid, ids


def _scope_verdict(out, i, plan, tid, track_ids):
    if plan.mode == "ladder":
        sts = [out.tiers[t][i] for t in out.tiers]
        if "reached" in sts:
            return "eligible"
        return "undetermined" if "undetermined" in sts else "not_eligible"
    if plan.mode == "track":
        return out.tracks[track_ids[0]][i]
    v = [out.tracks[x][i] for x in track_ids]
    if "eligible" in v:
        return "eligible"
    return "undetermined" if "undetermined" in v else "not_eligible"


def _engine_row(out, i, e, plan, year, as_of):
    """Decide row ``i`` with the explanatory engine (the same calls batch makes)."""
    from zjtx_cli.engine.service import assess_ladder as Ladder
    from zjtx_cli.engine.service import assess_track, make_ctx, tier_status
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.rules.loader import get_ruleset

    rs = get_ruleset(plan.scheme)
    ctx = make_ctx(e, field_dictionary(), year=year, as_of=as_of)
    groups = []
    if plan.mode == "ladder":
        for t, group, st in Ladder(rs, ctx).tiers:
            groups.append((t["id"], group, st))
    else:
        target = rs.tiers[plan.scope]
        for lt in rs.tiers:
            group = [assess_track(rs, lt, tr, ctx) for tr in lt["tracks"]]
            groups.append((lt["id"], group, tier_status(group)))
            if lt is target:
                break
    for tid, group, st in groups:
        if tid in out.tiers:
            out.tiers[tid][i] = st
        for a in group:
            trid = a.track["id"]
            if trid in out.tracks:
                out.tracks[trid][i] = a.verdict
            for r in a.results:
                key = (trid, r["id"])
                if key in out.conditions:
                    out.conditions[key][i] = r["status"]
