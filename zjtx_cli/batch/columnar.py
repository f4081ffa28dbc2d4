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

The compiler is in :mod:`zjtx_cli.batch.plan` (the :class:`Plan`) and
:mod:`zjtx_cli.batch.exprs` (exact figures, metric families, expression helpers); this
module evaluates a plan over a batch (:func:`columnar_statuses`, :class:`Statuses`).
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Any

from zjtx_cli.batch.exprs import (  # noqa: F401 - re-exported: tests and batch/sql.py read them here
    FAMILIES,
    LIMIT,
    MET,
    PENDING,
    SCALE,
    SCALE_DIGITS,
    UNKNOWN,
    UNMET,
    Delegated,
    NotCompilable,
    _frac,
    _mentions_any,
)
from zjtx_cli.batch.plan import Plan

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
