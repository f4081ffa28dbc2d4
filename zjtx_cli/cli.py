"""The command line: a thin layer that wires the library to the terminal.

Exit status (stable, for scripts):
  0  eligible (for a ladder: some tier reached; batch: every input read)
  1  not eligible, or excluded
  2  usage error, or input that cannot be read
  3  undetermined: data missing
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from . import __version__

EXIT_ELIGIBLE, EXIT_NOT_ELIGIBLE, EXIT_UNREADABLE, EXIT_UNDETERMINED = 0, 1, 2, 3
VERDICT_EXIT = {"eligible": 0, "not_eligible": 1, "excluded": 1, "undetermined": 3}

HELP = """zjtx: assess an enterprise against China's 专精特新 SME programme criteria.

Exit status: 0 eligible; 1 not eligible or excluded; 2 usage error or
unreadable input; 3 undetermined (data missing). Data goes to stdout,
warnings and errors to stderr.
"""

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  pretty_exceptions_enable=False, help=HELP, context_settings={"help_option_names": ["-h", "--help"]})


def _version(value: bool):
    if value:
        sys.stdout.write(f"zjtx {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def main_callback(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                               help="Show the version and exit.")):
    """zjtx: assess an enterprise against 专精特新 SME programme criteria."""


def fail(lines, code=EXIT_UNREADABLE):
    for line in lines:
        sys.stderr.write(f"zjtx: error: {line}\n")
    raise typer.Exit(code)


def warn(line):
    sys.stderr.write(f"zjtx: warning: {line}\n")


def _check_lang(lang):
    if lang not in ("zh", "en"):
        fail([f"--lang must be zh or en, not {lang!r}"])


def _check_format(fmt, allowed=("table", "json")):
    if fmt not in allowed:
        fail([f"--format must be one of {', '.join(allowed)}, not {fmt!r}"])


def _as_of(as_of):
    import datetime as dt

    if as_of is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(as_of)
    except ValueError:
        fail([f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)"])


def resolve_scheme(scheme, as_of_date):
    from .rules import RulesetError, get_ruleset, ruleset_paths
    from .yamlcache import YamlError

    try:
        from .versions import resolve

        scheme = resolve(scheme, as_of_date)
    except ImportError:
        pass
    try:
        rs = get_ruleset(scheme)
    except (RulesetError, YamlError) as exc:
        fail([str(exc)])
    if rs is None:
        fail([f"unknown scheme {scheme!r}; known: {', '.join(sorted(ruleset_paths()))}"])
    return rs


def console(stderr=False):
    from rich.console import Console

    out = sys.stderr if stderr else sys.stdout
    kw = {}
    if not out.isatty():
        kw["width"] = 160
    return Console(file=out, highlight=False, **kw)


def apply_sets(e, sets, fields):
    """--set KEY=VALUE and KEY.YEAR=VALUE overrides (what-if)."""
    from .model import Problem
    from .reader import _year_of, parse_value
    from .values import BadValue

    problems = []
    for s in sets:
        if "=" not in s:
            problems.append(f"--set {s!r}: expected KEY=VALUE or KEY.YEAR=VALUE")
            continue
        left, raw = s.split("=", 1)
        year = None
        key = fields.lookup(left.strip())
        if key is None and "." in left:
            name, ys = left.rsplit(".", 1)
            key, year = fields.lookup(name.strip()), _year_of(ys)
        if key is None:
            hint = fields.suggest(left.split(".")[0])
            problems.append(f"--set {left!r}: unknown field" + (f" (did you mean {hint}?)" if hint else ""))
            continue
        f = fields[key]
        if f.per_year and year is None:
            problems.append(f"--set {left!r}: {key} is given per year: write {key}.YEAR=VALUE")
            continue
        if not f.per_year and year is not None:
            problems.append(f"--set {left!r}: {key} is not given per year")
            continue
        try:
            v = parse_value(f, raw.strip())
        except BadValue as exc:
            problems.append(f"--set {left}={raw!r}: {exc}")
            continue
        old = e.get(key, year)
        if f.per_year:
            e.values.setdefault(key, {})[year] = v
        else:
            e.values[key] = v
        e.overrides.append(f"{key}{'.' + str(year) if year else ''}: {old if old is not None else '—'} → {v}")
    if problems:
        fail(problems)
    _ = Problem
    return e


def load_enterprise(file, fields):
    from .model import InputError
    from .reader import read_enterprise

    try:
        e = read_enterprise(file, fields)
    except InputError as exc:
        fail([p.line() for p in exc.problems])
    for w in e.warnings:
        warn(w.line())
    return e


def expired_warning(rs, as_of_date, lang):
    end = rs.data["period"][1]
    if end and as_of_date.year > int(end):
        if lang == "zh":
            warn(f"{rs.id}: 方案执行期至 {end} 年已结束，结果仅供参考（按原条件评价）")
        else:
            warn(f"{rs.id}: the plan's period ended in {end}; assessed against its criteria as published")


# ----------------------------------------------------------------------------- assess
@app.command()
def assess(
    file: Path = typer.Argument(..., help="Enterprise file: .xlsx or .json"),
    scheme: str = typer.Option(..., "--scheme", "-s", help="Scheme id (see 'zjtx schemes')"),
    tier: Optional[str] = typer.Option(None, "--tier", "-t", help="Tier or track id; default: every tier"),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json"),
    lang: str = typer.Option("zh", "--lang", help="zh (default) or en"),
    year: Optional[int] = typer.Option(None, "--year", help="Assessment year (default: latest year in the data)"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Assessment date YYYY-MM-DD (default: today)"),
    sets: List[str] = typer.Option([], "--set", help="What-if override KEY=VALUE or KEY.YEAR=VALUE (repeatable)"),
    review: bool = typer.Option(False, "--review", help="Assess as a re-review (复核) where a standard differs"),
):
    """Assess one enterprise file: conditions, verdict and gaps."""
    _check_lang(lang)
    _check_format(fmt)
    as_of_date = _as_of(as_of)
    from .engine import Ladder, assess_track, make_ctx
    from .fields import field_dictionary

    fields = field_dictionary()
    rs = resolve_scheme(scheme, as_of_date)
    e = load_enterprise(file, fields)
    if sets:
        apply_sets(e, sets, fields)
    ctx = make_ctx(e, fields, year=year, as_of=as_of_date, review=review)
    expired_warning(rs, as_of_date, lang)
    if year is None and e.latest_year() is None:
        warn(f"{file}: no yearly figures; assessment year taken as {ctx.year}")
    single = tier is not None or (len(rs.tiers) == 1 and len(rs.tiers[0]["tracks"]) == 1)
    from . import report

    if single:
        if tier is None:
            t, tracks = rs.tiers[0], rs.tiers[0]["tracks"]
        else:
            t, tracks = rs.find(tier)
            if t is None:
                ids = [tr["id"] for _t, tr in rs.tracks()] + [x["id"] for x in rs.tiers if len(x["tracks"]) > 1]
                fail([f"unknown tier {tier!r} for scheme {rs.id}; known: {', '.join(ids)}"])
        # lower tiers first, so that a tier that depends on a lower one can see its verdict
        for lt in rs.tiers:
            if lt is t:
                break
            for tr in lt["tracks"]:
                assess_track(rs, lt, tr, ctx)
        assessments = [assess_track(rs, t, tr, ctx) for tr in tracks]
        if len(assessments) == 1:
            a = assessments[0]
            # eligible for this tier: show the gap to the tier above (possibly in another scheme)
            nxt = None
            if a.verdict == "eligible" and t.get("next") and tier is None:
                from .engine import assess_external

                nxt = assess_external(t["next"], ctx) if ":" in t["next"] else None
            if fmt == "json":
                extra = _scheme_extra(rs)
                if nxt is not None:
                    extra.update(next_tier=t["next"], next=report.assessment_json(nxt, fields, lang))
                _emit_json(report.assessment_json(a, fields, lang, extra))
            else:
                con = console()
                report.render_rich(con, a, fields, lang)
                if nxt is not None:
                    from rich.text import Text

                    con.print()
                    con.print(Text(("下一层级：" if lang == "zh" else "Next tier: ") +
                                   f"{nxt.ruleset.data['title'][lang]} — {nxt.track['name'][lang]}", style="bold"))
                    report.render_verdict(con, nxt, lang)
                    report.render_gaps(con, nxt, fields, lang)
            raise typer.Exit(VERDICT_EXIT[a.verdict])
        # a tier with several tracks: reached if any track is
        from .engine import tier_status

        st = tier_status(assessments)
        if fmt == "json":
            _emit_json({"format_version": report.FORMAT_VERSION, "scheme": rs.id, "tier": t["id"], "status": st,
                        "verdict": {"reached": "eligible", "not_reached": "not_eligible"}.get(st, "undetermined"),
                        "tracks": [report.assessment_json(a, fields, lang) for a in assessments]})
        else:
            con = console()
            for a in assessments:
                report.render_rich(con, a, fields, lang)
                con.print()
        raise typer.Exit({"reached": 0, "not_reached": 1}.get(st, 3))
    ladder = Ladder(rs, ctx)
    if fmt == "json":
        _emit_json(report.ladder_json(ladder, fields, lang, _scheme_extra(rs)))
    else:
        report.render_ladder(console(), ladder, fields, lang)
    raise typer.Exit(VERDICT_EXIT[ladder.verdict])


def _scheme_extra(rs):
    from .report import ruleset_meta

    return {"scheme_info": ruleset_meta(rs)}


def _emit_json(doc):
    import json

    sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2, default=str))
    sys.stdout.write("\n")


# ---------------------------------------------------------------------------- schemes
@app.command()
def schemes(
    fmt: str = typer.Option("table", "--format", "-f", help="table or json"),
    lang: str = typer.Option("zh", "--lang", help="zh (default) or en"),
):
    """List the schemes with their tiers and tracks in ladder order."""
    _check_lang(lang)
    _check_format(fmt)
    from .report import LEVEL, ruleset_meta
    from .rules import RulesetError, load_ruleset, ruleset_paths
    from .yamlcache import YamlError

    docs = []
    for sid, path in sorted(ruleset_paths().items()):
        try:
            rs = load_ruleset(path)
        except (RulesetError, YamlError) as exc:
            fail([str(exc)])
        meta = ruleset_meta(rs)
        meta["tiers"] = [{"id": t["id"], "name": t["name"], "level": t["level"], "next": t.get("next"),
                          "tracks": [{"id": tr["id"], "name": tr["name"]} for tr in t["tracks"]]
                          if len(t["tracks"]) > 1 else []} for t in rs.tiers]
        docs.append(meta)
    if fmt == "json":
        _emit_json({"format_version": "1.0", "schemes": docs})
        return
    from rich.table import Table

    table = Table()
    for h in (("方案", "Scheme"), ("名称", "Title"), ("发布", "Issuer"), ("期限", "Period"),
              ("层级与类别（由低到高）", "Tiers and tracks (ladder order)")):
        table.add_column(h[0] if lang == "zh" else h[1], overflow="fold")
    for d in docs:
        p = d["period"]
        period = f"{p['start'] or ''}–{p['end'] or ''}" if p["start"] or p["end"] else "—"
        tiers = []
        for t in d["tiers"]:
            s = f"{t['id']}: {t['name'][lang]} [{LEVEL[t['level']][lang]}]"
            if t["tracks"]:
                s += " (" + ", ".join(tr["id"] for tr in t["tracks"]) + ")"
            tiers.append(s)
        table.add_row(d["id"], d["title"][lang], d["issuer"][lang], period, "\n".join(tiers))
    console().print(table)


# ------------------------------------------------------------------------------ rules
@app.command()
def rules(
    scheme: str = typer.Argument(..., help="Scheme id"),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json"),
    lang: str = typer.Option("zh", "--lang", help="zh (default) or en"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Date for versioned schemes (default: today)"),
):
    """Print every condition of a scheme with its citation."""
    _check_lang(lang)
    _check_format(fmt)
    from .fields import field_dictionary
    from .report import describe_rule, ruleset_meta

    rs = resolve_scheme(scheme, _as_of(as_of))
    fields = field_dictionary()
    if fmt == "json":
        doc = {"format_version": "1.0", "scheme": ruleset_meta(rs), "tiers": []}
        for t in rs.tiers:
            doc["tiers"].append({"id": t["id"], "name": t["name"], "level": t["level"], "next": t.get("next"),
                                 "tracks": [{"id": tr["id"], "name": tr["name"], "conditions": [
                                     {"id": c["id"], "kind": c["kind"], "text": c["text"], "citation": c["citation"],
                                      "note": c["note"], "unconfirmed": c.get("unconfirmed", False),
                                      "check": describe_rule(c["check"], fields, lang)}
                                     for c in tr["conditions"]]} for tr in t["tracks"]]})
        _emit_json(doc)
        return
    from rich.table import Table
    from rich.text import Text

    con = console()
    con.print(Text(f"{rs.data['title'][lang]}  ({rs.data['source']})", style="bold"))
    for t in rs.tiers:
        for tr in t["tracks"]:
            table = Table(title=tr["name"][lang])
            for h in (("编号", "ID"), ("类型", "Kind"), ("条件", "Condition"), ("判定", "Check"), ("出处", "Source")):
                table.add_column(h[0] if lang == "zh" else h[1], overflow="fold")
            kinds = {"required": ("必备", "required"), "priority": ("优先", "priority"),
                     "exclusion": ("排除", "exclusion")}
            for c in tr["conditions"]:
                text = c["text"][lang]
                if c["note"]:
                    text += f"\n[{'注' if lang == 'zh' else 'note'}] {c['note'][lang]}"
                table.add_row(c["id"], kinds[c["kind"]][0 if lang == "zh" else 1], Text(text),
                              Text(describe_rule(c["check"], fields, lang)), Text(c["citation"]))
            con.print(table)


# ------------------------------------------------------------------- batch / template
@app.command()
def batch(
    path: Path = typer.Argument(..., help="A folder of .xlsx/.json files, or a roster .xlsx/.csv"),
    scheme: str = typer.Option(..., "--scheme", "-s", help="Scheme id"),
    tier: Optional[str] = typer.Option(None, "--tier", "-t", help="Tier or track id; default: every tier"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write results: .xlsx, .csv or .jsonl"),
    jobs: int = typer.Option(0, "--jobs", "-j", help="Worker processes (0: choose automatically)"),
    recursive: bool = typer.Option(False, "--recursive", "-r", help="Descend into sub-folders"),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json (summary on stdout)"),
    lang: str = typer.Option("zh", "--lang", help="zh (default) or en"),
    year: Optional[int] = typer.Option(None, "--year", help="Assessment year (default: latest in each file)"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Assessment date YYYY-MM-DD (default: today)"),
):
    """Score a folder of applicant files, or a roster with one company per row."""
    _check_lang(lang)
    _check_format(fmt)
    try:
        from .batch import run_batch
    except ImportError:
        fail(["batch scoring is not available in this build"])
    code = run_batch(path=path, scheme=scheme, tier=tier, out=out, jobs=jobs, recursive=recursive, fmt=fmt,
                     lang=lang, year=year, as_of=_as_of(as_of))
    raise typer.Exit(code)


@app.command()
def template(
    out: Path = typer.Option(..., "--out", "-o", help="File to write: .xlsx (or .json with --format json)"),
    scheme: Optional[str] = typer.Option(None, "--scheme", "-s", help="Only the fields this scheme uses"),
    year: Optional[int] = typer.Option(None, "--year", help="Latest year of the yearly columns"),
    fmt: str = typer.Option("xlsx", "--format", "-f", help="xlsx or json"),
    years: int = typer.Option(3, "--years", help="How many yearly columns"),
):
    """Write a fill-in workbook (or JSON skeleton) from the field dictionary."""
    _check_format(fmt, ("xlsx", "json"))
    try:
        from .template import write_template
    except ImportError:
        fail(["templates are not available in this build"])
    code = write_template(out=out, scheme=scheme, year=year, fmt=fmt, years=years)
    raise typer.Exit(code or 0)


def main():
    """Console entry point: never a traceback for the user (ZJTX_DEBUG=1 shows one)."""
    os.environ.setdefault("_TYPER_STANDARD_TRACEBACK", "1")
    try:
        app(prog_name="zjtx")
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
