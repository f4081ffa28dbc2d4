"""A scheme's rules as one SQL query (``to_sql``), for a data platform that runs them on
its own warehouse engine (issue 11).

The query is written by the same compiler as the columnar evaluator
(:mod:`zjtx_cli.batch.columnar`), with SQL text in place of polars expressions, so the
two cannot drift apart; SQL's three-valued logic (TRUE / FALSE / NULL, Kleene AND / OR)
is the engine's met / unmet / unknown.

Input: a table (``applicants`` by default) with one row per company and these columns:

- ``assessment_year`` (integer): the year the figures are judged for (上年度);
- a per-year figure as ``<field>_y0`` (the assessment year), ``<field>_y1`` (the year
  before), ... e.g. ``main_business_revenue_y2``; a single figure as ``<field>``; money in
  万元, percentages as percent numbers, at most four decimal places (figures are compared
  as integers scaled by 10^4, so that 70% and 3.0% are decided exactly);
- yes/no declarations as BOOLEAN, choices as their codes (``industry = 'manufacturing'``),
  dates as DATE, ``founding_date`` as DATE (operating years are counted from it to the
  assessment date ``as_of``, the anniversary completing a year);
- ``sme`` (BOOLEAN): the SME test of 工信部联企业〔2011〕300号, computed beforehand (its
  table is not expressed in SQL), NULL when it cannot be decided.

Output: the input columns, then one BOOLEAN column per condition (``"track/condition"``,
NULL = unknown), one verdict per track (``"verdict:track"``: eligible / undetermined /
not_eligible / excluded) and one status per tier (``"tier:tier"``: reached / undetermined /
not_reached). Dialects: ``duckdb`` (HUGEINT arithmetic, the default) and ``sqlite``
(64-bit integers: figures below about 10^5 only; used by the tests).

Points tables compile (intermediate points as a chain of CTEs); a platform value that is
absent gives NULL, like any unknown (the engine calls it 'pending'); re-review checks are
read as for a new application. What the columnar compiler leaves to the engine (see
zjtx_cli/batch/columnar.py) makes ``to_sql`` raise ``NotCompilable`` naming it.
"""

from __future__ import annotations

from zjtx_cli.batch import columnar


def _lit(v) -> str:
    if isinstance(v, Expr):
        return v.sql
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return "'" + v.replace("'", "''") + "'"
    raise TypeError(type(v))


class Expr:
    """SQL text with the operators of a polars expression."""

    __hash__ = object.__hash__

    def __init__(self, sql: str):
        self.sql = sql

    def _bin(self, op, other, rev=False):
        a, b = (_lit(other), self.sql) if rev else (self.sql, _lit(other))
        return Expr(f"({a} {op} {b})")

    def __and__(self, o): return self._bin("AND", o)  # noqa: E704
    def __rand__(self, o): return self._bin("AND", o, True)  # noqa: E704
    def __or__(self, o): return self._bin("OR", o)  # noqa: E704
    def __ror__(self, o): return self._bin("OR", o, True)  # noqa: E704
    def __invert__(self): return Expr(f"(NOT {self.sql})")  # noqa: E704
    def __ge__(self, o): return self._bin(">=", o)  # noqa: E704
    def __gt__(self, o): return self._bin(">", o)  # noqa: E704
    def __le__(self, o): return self._bin("<=", o)  # noqa: E704
    def __lt__(self, o): return self._bin("<", o)  # noqa: E704
    def __eq__(self, o): return self._bin("=", o)  # noqa: E704
    def __ne__(self, o): return self._bin("<>", o)  # noqa: E704
    def __add__(self, o): return self._bin("+", o)  # noqa: E704
    def __radd__(self, o): return self._bin("+", o, True)  # noqa: E704
    def __sub__(self, o): return self._bin("-", o)  # noqa: E704
    def __rsub__(self, o): return self._bin("-", o, True)  # noqa: E704
    def __mul__(self, o): return self._bin("*", o)  # noqa: E704
    def __rmul__(self, o): return self._bin("*", o, True)  # noqa: E704

    def fill_null(self, v):
        return Expr(f"COALESCE({self.sql}, {_lit(v)})")

    def is_null(self):
        return Expr(f"({self.sql} IS NULL)")

    def is_not_null(self):
        return Expr(f"({self.sql} IS NOT NULL)")

    def is_in(self, values):
        return Expr(f"({self.sql} IN ({', '.join(_lit(v) for v in values)}))")

    def cast(self, _dtype):
        return self

    def alias(self, _name):
        return self


class _When:
    def __init__(self, arms, cond):
        self.arms, self.cond = arms, cond

    def then(self, v):
        return _Then(self.arms + [(self.cond, v)])


class _Then:
    def __init__(self, arms):
        self.arms = arms

    def when(self, cond):
        return _When(self.arms, cond)

    def otherwise(self, v):
        arms = " ".join(f"WHEN {_lit(c)} THEN {_lit(x)}" for c, x in self.arms)
        return Expr(f"(CASE {arms} ELSE {_lit(v)} END)")


class Backend:
    """Stands in for the polars module while the plan is compiled."""

    Boolean, Int8 = "BOOLEAN", "TINYINT"

    def __init__(self, dialect: str):
        self.dialect = dialect

    @staticmethod
    def col(name):
        return Expr('"' + name.replace('"', '""') + '"')

    @staticmethod
    def lit(v, dtype=None):
        if v is None and dtype == "BOOLEAN":
            return Expr("CAST(NULL AS BOOLEAN)")
        return Expr(_lit(v))

    @staticmethod
    def when(cond):
        return _When([], cond)

    @staticmethod
    def any_horizontal(exprs):
        return Expr("(" + " OR ".join(_lit(e) for e in exprs) + ")")


def to_sql(scheme: str, tier: str | None = None, *, table: str = "applicants", as_of=None,
           dialect: str = "duckdb") -> str:
    """The statuses and verdicts of every row of ``table`` under ``scheme`` as one SQL query."""
    import datetime as dt

    from zjtx_cli.inputs.fields import field_dictionary

    if dialect not in ("duckdb", "sqlite"):
        raise ValueError("dialect must be duckdb or sqlite")
    as_of = as_of or dt.date.today()
    fields = field_dictionary()
    plan = columnar.Plan(scheme, columnar.raw_ruleset(scheme), fields, tier, backend=Backend(dialect)).compile()
    if plan.fallback_reasons or plan.engine_conds:
        raise columnar.NotCompilable("; ".join(plan.fallback_reasons + [f"{t}/{c}: {why}" for (t, c), why
                                                                         in plan.engine_conds.items()]))
    big = "HUGEINT" if dialect == "duckdb" else "INTEGER"
    q = lambda name: '"' + name + '"'  # noqa: E731
    base = ["*"]
    for name, (field, off) in plan.numeric.items():
        src = field if off is None else f"{field}_y{-off}"
        base.append(f"CAST(ROUND({src} * {columnar.SCALE}) AS {big}) AS {q(name)}")
    for f in sorted(plan.flags):
        base.append(f"{f} AS {q('b:' + f)}")
    for f in sorted(plan.choices):
        base.append(f"{f} AS {q('c:' + f)}")
    day = f"DATE '{as_of.isoformat()}'"
    for f, years in sorted(plan.date_within):
        # 民法典 第二百零一、二百零二条: the anniversary is still inside; 29 February -> 28 February
        until = (f"({f} + INTERVAL {int(years)} YEAR)" if dialect == "duckdb"
                 else f"date({f}, '+{int(years)} years', CASE WHEN strftime('%m-%d', {f}) = '02-29' "
                      f"AND strftime('%m-%d', date({f}, '+{int(years)} years')) = '03-01' "
                      "THEN '-1 day' ELSE '+0 day' END)")
        now = day if dialect == "duckdb" else f"'{as_of.isoformat()}'"
        base.append(f"CASE WHEN {f} IS NULL THEN NULL ELSE ({f} <= {now} AND {now} <= {until}) END "
                    f"AS {q(f'd:{f}:{years}')}")
    if plan.need_founding:
        yr = "year(founding_date)" if dialect == "duckdb" else "CAST(strftime('%Y', founding_date) AS INTEGER)"
        base.append(f"{yr} AS {q('founding_year')}")
    if plan.need_years_op:
        # completed years from the founding date to the assessment date (engine/metrics.py
        # completed_years): the anniversary itself completes a year; 29 February counts as 28 February
        # in a year that has none
        leap = as_of.year % 4 == 0 and (as_of.year % 100 != 0 or as_of.year % 400 == 0)
        if dialect == "duckdb":
            fy, md = "year(founding_date)", "strftime(founding_date, '%m-%d')"
        else:
            fy, md = "CAST(strftime('%Y', founding_date) AS INTEGER)", "strftime('%m-%d', founding_date)"
        if not leap:
            md = f"(CASE WHEN {md} = '02-29' THEN '02-28' ELSE {md} END)"
        diff = f"({as_of.year} - {fy})"
        base.append(f"({diff} - CASE WHEN {diff} > 0 AND {md} > '{as_of.strftime('%m-%d')}' THEN 1 ELSE 0 END) "
                    f"AS {q('years_op')}")
    base.append(f"assessment_year AS {q('Y')}")
    ctes = [f"base AS (SELECT {', '.join(base)} FROM {table})"]
    prev = "base"
    for k, (name, e) in enumerate(plan.prelude):  # intermediate columns of points tables
        ctes.append(f"p{k} AS (SELECT *, {e.sql} AS {q(name)} FROM {prev})")
        prev = f"p{k}"
    n = 0
    for tid, tracks, _t in plan.tiers:
        trids = [trid for trid, _c in tracks if trid in plan.verdict_exprs]
        if not trids:
            break
        n += 1
        cols = ", ".join(f"{plan.verdict_exprs[x].sql} AS {q('v:' + x)}" for x in trids)
        ctes.append(f"v{n} AS (SELECT *, {cols} FROM {prev})")
        ctes.append(f"t{n} AS (SELECT *, {plan.tier_exprs[tid].sql} AS {q('t:' + tid)} FROM v{n})")
        prev = f"t{n}"
    verdicts = ("eligible", "undetermined", "not_eligible", "excluded")
    tiers = ("reached", "undetermined", "not_reached")
    out = []
    for (trid, cid), e in plan.cond_exprs.items():
        out.append(f"{e.sql} AS {q(trid + '/' + cid)}")
    for _tid, trid in plan.track_ids:
        arms = " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(verdicts))
        out.append(f"CASE {q('v:' + trid)} {arms} END AS {q('verdict:' + trid)}")
    for tid in plan.tier_exprs:
        arms = " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(tiers))
        out.append(f"CASE {q('t:' + tid)} {arms} END AS {q('tier:' + tid)}")
    head = (f"-- zjtx rules for scheme {scheme}" + (f", tier {tier}" if tier else "") +
            f", assessed on {as_of.isoformat()} ({dialect})\n")
    body = "WITH " + ",\n".join(ctes) + "\nSELECT *,\n  " + ",\n  ".join(out) + f"\nFROM {prev}"
    return head + _input_columns(plan, fields, table) + body


def _input_columns(plan, fields, table: str) -> str:
    """The header comment that lists the columns the query reads from ``table`` (one per line)."""
    cols: dict[str, str] = {"assessment_year": "INTEGER: the year the figures are judged for (上年度)"}

    def label(f):
        fd = fields.fields.get(f)
        return f"{fd.label('zh')} / {fd.label('en')}" if fd is not None else f

    for _name, (field, off) in sorted(plan.numeric.items(), key=lambda kv: (kv[1][0], -(kv[1][1] or 0))):
        src = field if off is None else f"{field}_y{-off}"
        fd = fields.fields.get(field)
        unit = f" ({fd.unit})" if fd is not None and fd.unit else ""
        when = "" if off is None else (" of the assessment year" if off == 0 else f", {-off} year(s) before it")
        cols.setdefault(src, f"number{unit}: {label(field)}{when}")
    for f in sorted(plan.flags):
        cols.setdefault(f, f"BOOLEAN: {label(f)}")
    for f in sorted(plan.choices):
        fd = fields.fields.get(f)
        codes = ", ".join(fd.choices) if fd is not None and getattr(fd, "choices", None) else "its codes"
        cols.setdefault(f, f"text ({codes}): {label(f)}")
    for f, _years in sorted(plan.date_within):
        cols.setdefault(f, f"DATE: {label(f)}")
    if plan.need_founding or plan.need_years_op:
        cols.setdefault("founding_date", f"DATE: {label('founding_date')}")
    if plan.need_sme:
        cols.setdefault("sme", "BOOLEAN: an SME under 工信部联企业〔2011〕300号 (NULL when not known), "
                               "computed beforehand")
    width = max(len(c) for c in cols)
    lines = [f"-- input: table {table}, one row per company; NULL where a value is not known"]
    lines += [f"--   {c.ljust(width)}  {d}" for c, d in cols.items()]
    lines += ["-- output: the input columns, then one BOOLEAN per condition (\"track/condition\", NULL = unknown), "
              "\"verdict:TRACK\" and \"tier:TIER\""]
    return "\n".join(lines) + "\n"


__all__ = ["to_sql"]
