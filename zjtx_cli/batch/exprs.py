"""The building blocks of the columnar compiler (:mod:`zjtx_cli.batch.plan`): exact
figures and thresholds (integers scaled by 10**4, fractions p/q), the metric families of
engine/metrics.py, and the three-valued expression helpers (guard, verdict, tier status),
written against the backend of the plan being compiled (polars, or the SQL writer)."""

from __future__ import annotations

from decimal import Decimal

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


def _declared_field(key):
    """The % field a ratio metric falls back on when its figures are missing (Metric.declared)."""
    from zjtx_cli.engine.metrics import METRICS

    m = METRICS.get(key)
    return m.declared if m is not None else None
