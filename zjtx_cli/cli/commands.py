"""Command implementations that need no CLI framework.

``cli.py`` declares the commands for typer (help, option parsing); the work is
done here, so that the common scripted call ``zjtx assess FILE --scheme X`` can
also be served by ``fastpath.py`` without importing typer (≈ 40 ms of start-up).
Usage errors raise :class:`SystemExit` after one line per problem on stderr.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

EXIT_ELIGIBLE, EXIT_NOT_ELIGIBLE, EXIT_UNREADABLE, EXIT_UNDETERMINED, EXIT_CONDITIONAL = 0, 1, 2, 3, 4
# conditional only with --evidence required (officer mode, issue 13)
VERDICT_EXIT = {"eligible": 0, "not_eligible": 1, "excluded": 1, "undetermined": 3, "conditional": 4}
EVIDENCE_MODES = ("required",)


def fail(lines, code=EXIT_UNREADABLE) -> NoReturn:
    from zjtx_cli.inputs.text import inert  # text from a file is printed inert: one line, no control codes

    for line in lines:
        sys.stderr.write(f"zjtx: error: {inert(line)}\n")
    raise SystemExit(code)


def warn(line):
    from zjtx_cli.inputs.text import inert

    sys.stderr.write(f"zjtx: warning: {inert(line)}\n")


def msg(lang, zh, en):
    """The Chinese or the English text of a message, by ``--lang`` (Chinese unless "en")."""
    return en if lang == "en" else zh


def _check_lang(lang):
    if lang not in ("zh", "en"):
        # the language asked for is not known: say it both ways
        fail([f"--lang 只能是 zh 或 en，不能是 {lang!r}（--lang must be zh or en, not {lang!r}）"])


def _check_format(fmt, allowed=("table", "json"), lang="zh"):
    if fmt not in allowed:
        fail([msg(lang, f"--format 只能是 {'、'.join(allowed)} 之一，不能是 {fmt!r}",
                  f"--format must be one of {', '.join(allowed)}, not {fmt!r}")])


def _as_of(as_of, lang="zh"):
    import datetime as dt

    if as_of is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(as_of)
    except ValueError:
        fail([msg(lang, f"--as-of：{as_of!r} 不是日期（应为 YYYY-MM-DD）",
                  f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)")])


def resolve_scheme(scheme, as_of_date, lang="zh"):
    from zjtx_cli.inputs.yamlcache import YamlError
    from zjtx_cli.rules.loader import RulesetError, get_ruleset, ruleset_paths
    from zjtx_cli.rules.versions import resolve

    try:
        scheme = resolve(scheme, as_of_date)
        rs = get_ruleset(scheme)
    except (RulesetError, YamlError) as exc:
        fail([str(exc)])
    if rs is None:
        from zjtx_cli.rules.versions import programmes

        if lang == "en":
            known = sorted(ruleset_paths()) + [f"{p} (by date)" for p in programmes()]
            fail([f"unknown scheme {scheme!r}; known: {', '.join(known)}"])
        known = sorted(ruleset_paths()) + [f"{p}（按日期选用版本）" for p in programmes()]
        fail([f"未知方案 {scheme!r}；可用的方案：{'、'.join(known)}"])
    if rs.data.get("programme"):
        from zjtx_cli.rules.versions import in_force

        if not in_force(rs.data, as_of_date):
            d = rs.data
            warn(msg(lang, f"{rs.id}：{as_of_date} 时不在有效期内（有效期 {d['effective_from'] or '…'} 至 "
                           f"{d['effective_to'] or '…'}）；已按要求评价 —— 用 --scheme {d['programme']} 可自动选用"
                           f"当时有效的版本",
                     f"{rs.id}: not in force on {as_of_date} (in force {d['effective_from'] or '…'} to "
                     f"{d['effective_to'] or '…'}); assessed as requested — --scheme {d['programme']} picks the "
                     f"version in force"))
    if resolve is not None:
        from zjtx_cli.rules.versions import batch_warning  # outside the batch a version encodes (issue 12)

        bw = batch_warning(rs.id, as_of_date, lang)
        if bw:
            warn(bw)
    return rs


def unknown_tier(tier, scheme_id, ids, lang="zh"):
    return msg(lang, f"方案 {scheme_id} 没有层级或类别 {tier!r}；可用：{'、'.join(ids)}",
               f"unknown tier {tier!r} for scheme {scheme_id}; known: {', '.join(ids)}")


def console(stderr=False):
    from rich.console import Console

    from zjtx_cli.outputs.report import enable_cjk_wrap

    enable_cjk_wrap()
    out = sys.stderr if stderr else sys.stdout
    width = None
    if not out.isatty():
        # piped or redirected: COLUMNS if the caller set it, else wide enough for the tables
        import os

        cols = os.environ.get("COLUMNS", "")
        width = int(cols) if cols.isdigit() and 40 <= int(cols) <= 1000 else 160
    return Console(file=out, highlight=False, width=width)


def apply_sets(e, sets, fields, lang="zh"):
    """--set KEY=VALUE and KEY.YEAR=VALUE overrides (what-if)."""
    from zjtx_cli.inputs.collector import parse_value
    from zjtx_cli.inputs.labels import year_of as _year_of
    from zjtx_cli.inputs.values import BadValue

    problems = []
    for s in sets:
        if "=" not in s:
            problems.append(msg(lang, f"--set {s!r}：应写作 KEY=VALUE 或 KEY.YEAR=VALUE",
                                f"--set {s!r}: expected KEY=VALUE or KEY.YEAR=VALUE"))
            continue
        left, raw = s.split("=", 1)
        year = None
        key = fields.lookup(left.strip())
        if key is None and "." in left:
            name, ys = left.rsplit(".", 1)
            key, year = fields.lookup(name.strip()), _year_of(ys)
        if key is None:
            hint = fields.suggest(left.split(".")[0])
            problems.append(msg(lang, f"--set {left!r}：未知字段" + (f"（是否为“{hint}”？）" if hint else ""),
                                f"--set {left!r}: unknown field" + (f" (did you mean {hint}?)" if hint else "")))
            continue
        f = fields[key]
        if f.per_year and year is None:
            problems.append(msg(lang, f"--set {left!r}：{key} 按年度填报，请写作 {key}.YEAR=VALUE",
                                f"--set {left!r}: {key} is given per year: write {key}.YEAR=VALUE"))
            continue
        if not f.per_year and year is not None:
            problems.append(msg(lang, f"--set {left!r}：{key} 不按年度填报",
                                f"--set {left!r}: {key} is not given per year"))
            continue
        try:
            v = parse_value(f, raw.strip())
        except BadValue as exc:
            problems.append(f"--set {left}={raw!r}: {msg(lang, exc.zh, str(exc))}")
            continue
        old = e.get(key, year)
        if f.per_year:
            e.values.setdefault(key, {})[year] = v
        else:
            e.values[key] = v
        e.overrides.append(f"{key}{'.' + str(year) if year else ''}: {old if old is not None else '—'} → {v}")
    if problems:
        fail(problems)
    # what-if values get the same data checks as the file's own figures
    from zjtx_cli.inputs.checks import check_enterprise

    bad, _doubtful = check_enterprise(e, fields)
    if bad:
        fail([msg(lang, "--set 之后：", "after --set: ") + p.line(lang) for p in bad])
    return e


def split_evidence(options) -> tuple[bool, list[str]]:
    """``--evidence`` values: the mode word ``required`` (officer mode), else ``KEY=TEXT`` items."""
    opts = list(options or ())
    return any(o == "required" for o in opts), [o for o in opts if o != "required"]


def apply_evidence(e, file, items, fields, lang="zh"):
    """``--evidence KEY=TEXT`` over the evidence the file names (read by :func:`load_enterprise`);
    a bad ``--evidence`` is a usage error (as ``--set``'s are)."""
    from zjtx_cli.evidence import parse

    if items:
        ev = parse.from_cli(items, fields)
        if ev.problems:
            fail([p.line(lang) for p in ev.problems])
        e.evidence = parse.merge(e.evidence, ev.items)


def load_enterprise(file, fields, lang="zh"):
    from zjtx_cli.inputs.model import InputError
    from zjtx_cli.inputs.reader import read_enterprise

    try:
        e = read_enterprise(file, fields)
    except InputError as exc:
        for w in getattr(exc, "warnings", ()):  # found alongside the errors (issue 4)
            warn(w.line(lang))
        fail([p.line(lang) for p in exc.problems])
    for w in e.warnings:  # the file's evidence problems are among them (inputs/reader.py)
        warn(w.line(lang))
    return e


def expired_warning(rs, as_of_date, lang):
    end = rs.data["period"][1]
    if end and as_of_date.year > int(end):
        if lang == "zh":
            warn(f"{rs.id}: 方案执行期至 {end} 年已结束，结果仅供参考（按原条件评价）")
        else:
            warn(f"{rs.id}: the plan's period ended in {end}; assessed against its criteria as published")


def _scheme_extra(rs):
    from zjtx_cli.outputs.report import ruleset_meta

    return {"scheme_info": ruleset_meta(rs)}


def _emit_json(doc):
    import json

    from zjtx_cli.inputs.text import json_inert

    sys.stdout.write(json_inert(json.dumps(doc, ensure_ascii=False, indent=2, default=str)))
    sys.stdout.write("\n")


def run_assess(file, scheme, tier=None, fmt="table", lang="zh", year=None, as_of=None, sets=(),
               review=False, evidence=(), checklist=False) -> int:
    """``zjtx assess``: print the assessment; return the exit status."""
    _check_lang(lang)
    evidence_required, evidence_items = split_evidence(evidence)
    _check_format(fmt, lang=lang)
    as_of_date = _as_of(as_of, lang)
    from zjtx_cli.engine.service import make_ctx
    from zjtx_cli.inputs.fields import field_dictionary

    fields = field_dictionary()
    rs = resolve_scheme(scheme, as_of_date, lang)
    from zjtx_cli.rules.versions import review_layer  # a dated re-review layer (issue 12)

    layer, layer_msg = review_layer(scheme, rs.id, as_of_date, tier, review, lang)
    if layer_msg:
        warn(layer_msg)
    if layer:
        rs = resolve_scheme(layer, as_of_date, lang)
    e = load_enterprise(file, fields, lang)
    if sets:
        apply_sets(e, sets, fields, lang)
    apply_evidence(e, file, evidence_items, fields, lang)
    ctx = make_ctx(e, fields, year=year, as_of=as_of_date, review=review, evidence_required=evidence_required)
    from zjtx_cli.engine.scheme_checks import scheme_warnings  # years missing from a series a condition needs (issue 4)

    for w in scheme_warnings(e, rs, ctx, tier=tier):
        warn(w.line(lang))
    expired_warning(rs, as_of_date, lang)
    if year is None and e.latest_year() is None:
        warn(msg(lang, f"{file}: 没有任何年度数据；评价年度按 {ctx.year} 年计",
                 f"{file}: no yearly figures; assessment year taken as {ctx.year}"))
    elif year is None and ctx.year >= as_of_date.year:
        warn(msg(lang, f"{file}: 最新数据是 {ctx.year} 年的，并不早于评价日期 {as_of_date.isoformat()}"
                       f"（上年度应为 {as_of_date.year - 1} 年）；已按 {ctx.year} 年评价，可用 --year 指定",
                 f"{file}: the latest figures are for {ctx.year}, not before the assessment date "
                 f"{as_of_date.isoformat()} (上年度 would be {as_of_date.year - 1}); assessed on {ctx.year}, "
                 f"give --year to choose"))
    from zjtx_cli.engine.service import UnknownTier, assess
    from zjtx_cli.outputs import report as report

    try:
        result = assess(e, rs, ctx=ctx, tier=tier)
    except UnknownTier as exc:
        fail([unknown_tier(exc.tier, exc.scheme, exc.known, lang)])
    if fmt == "json":
        _emit_json(report.document(result, fields, lang, _scheme_extra(rs), checklist=checklist))
        return VERDICT_EXIT[result.verdict]
    con = console()
    if result.scope == "ladder":
        report.render_ladder(con, result.ladder, fields, lang)
    elif result.scope == "tier":
        for a in result.tracks:
            report.render_rich(con, a, fields, lang)
            con.print()
    else:
        report.render_rich(con, result.track, fields, lang)
        nxt = result.next
        if nxt is not None:
            from rich.text import Text

            con.print()
            con.print(Text(("下一层级：" if lang == "zh" else "Next tier: ") +
                           f"{nxt.ruleset.data['title'][lang]} — {nxt.track['name'][lang]}", style="bold"))
            report.render_verdict(con, nxt, lang)
            report.render_gaps(con, nxt, fields, lang)
    if checklist:
        from zjtx_cli.evidence.checklist import render_checklist

        render_checklist(con, result, fields, lang)
    return VERDICT_EXIT[result.verdict]


def guarded(fn, *args, **kwargs):
    """Run a command for the console: an unexpected error is one line, not a traceback."""
    import os

    try:
        return fn(*args, **kwargs)
    except KeyboardInterrupt:
        sys.stderr.write("zjtx: interrupted\n")
        raise SystemExit(130) from None
    except Exception as exc:  # a bug in zjtx, not in the user's input
        if os.environ.get("ZJTX_DEBUG"):
            raise
        msg = str(exc).splitlines()[0] if str(exc) else ""
        sys.stderr.write(f"zjtx: internal error: {type(exc).__name__}: {msg} "
                         f"(please report it; set ZJTX_DEBUG=1 to see the details)\n")
        raise SystemExit(EXIT_UNREADABLE) from None
