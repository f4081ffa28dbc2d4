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

import typer

from zjtx_cli import __version__
from zjtx_cli.options import check_format, check_lang, parse_as_of
from zjtx_cli.rules.schemes import resolve_scheme
from zjtx_cli.terminal import (  # noqa: F401  (VERDICT_EXIT, warn: for importers of the CLI module)
    EXIT_UNREADABLE,
    VERDICT_EXIT,
    console,
    emit_json,
    fail,
    warn,
)

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
def main_callback(ctx: typer.Context,
                  version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                               help="Show the version and exit.")):
    """zjtx: assess an enterprise against 专精特新 SME programme criteria."""
    from zjtx_cli.rules import registry

    registry.set_cli_dirs([])  # each run starts from its own --rules-dir options …
    ctx.call_on_close(lambda: registry.set_cli_dirs([]))  # … and leaves none behind (library use, tests)


RULES_DIR_HELP = "A folder of your own rulesets (repeatable; also ZJTX_RULES_PATH)"


def _rules_dirs(dirs, lang="zh"):
    """Add the --rules-dir folders for this run; a folder that is not there is a usage error."""
    from zjtx_cli.rules import registry

    registry.set_cli_dirs(dirs or [])
    if registry.user_dirs():
        bad = registry.discover().dir_problems
        if bad:
            fail(bad)


# ----------------------------------------------------------------------------- assess
@app.command()
def assess(
    file: Path = typer.Argument(..., help="Enterprise file: .xlsx or .json"),
    scheme: str = typer.Option(..., "--scheme", "-s", help="Scheme id (see 'zjtx schemes')"),
    tier: str | None = typer.Option(None, "--tier", "-t", help="Tier or track id; default: every tier"),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json"),
    lang: str = typer.Option("zh", "--lang", help="zh (default) or en"),
    year: int | None = typer.Option(None, "--year", help="Assessment year (default: latest year in the data)"),
    as_of: str | None = typer.Option(None, "--as-of", help="Assessment date YYYY-MM-DD (default: today)"),
    sets: list[str] = typer.Option([], "--set", help="What-if override KEY=VALUE or KEY.YEAR=VALUE (repeatable)"),
    review: bool = typer.Option(False, "--review", help="Assess as a re-review (复核) where a standard differs"),
    evidence: list[str] = typer.Option([], "--evidence", help="Evidence for an input, KEY=TEXT or KEY.YEAR=TEXT "
                                       "(repeatable); 'required': officer mode, a pass resting on inputs without "
                                       "evidence is conditional (exit status 4)"),
    checklist: bool = typer.Option(False, "--checklist", help="List the documents still to collect"),
    rules_dir: list[Path] = typer.Option([], "--rules-dir", help=RULES_DIR_HELP),
):
    """Assess one enterprise FILE (.xlsx or .json): conditions, verdict and gaps."""
    _rules_dirs(rules_dir, lang)
    from zjtx_cli.cli.commands import run_assess

    raise typer.Exit(run_assess(file, scheme, tier=tier, fmt=fmt, lang=lang, year=year, as_of=as_of, sets=sets,
                                review=review, evidence=evidence, checklist=checklist))


# ---------------------------------------------------------------------------- schemes
@app.command()
def schemes(
    fmt: str = typer.Option("table", "--format", "-f", help="table or json"),
    lang: str = typer.Option("zh", "--lang", help="zh (default) or en"),
    rules_dir: list[Path] = typer.Option([], "--rules-dir", help=RULES_DIR_HELP),
):
    """List the schemes with their tiers and tracks in ladder order, and where each comes from."""
    check_lang(lang)
    check_format(fmt, lang=lang)
    _rules_dirs(rules_dir, lang)
    from zjtx_cli.outputs.report import LEVEL, ruleset_meta
    from zjtx_cli.rules.loader import RulesetError, get_ruleset
    from zjtx_cli.rules.registry import BUILTIN, origin, ruleset_paths
    from zjtx_cli.rules.yamlcache import YamlError

    docs = []
    broken = []
    for sid in sorted(ruleset_paths()):
        try:
            rs = get_ruleset(sid)
        except (RulesetError, YamlError) as exc:
            if origin(sid) == BUILTIN:
                fail([str(exc)])
            broken.append(str(exc))  # a broken user ruleset: the others are still listed
            continue
        meta = ruleset_meta(rs)
        meta["origin"] = origin(sid)
        meta["tiers"] = [{"id": t["id"], "name": t["name"], "level": t["level"], "next": t.get("next"),
                          "tracks": [{"id": tr["id"], "name": tr["name"]} for tr in t["tracks"]]
                          if len(t["tracks"]) > 1 else []} for t in rs.tiers]
        docs.append(meta)
    import datetime as dt

    from zjtx_cli.rules.versions import programmes, resolve, versions

    today = dt.date.today()
    try:
        progs = _programmes(programmes, resolve, versions, today)
    except (RulesetError, YamlError) as exc:
        progs = []
        broken.append(str(exc))
    if fmt == "json":
        emit_json({"format_version": "1.0", "schemes": docs, "programmes": progs})
    else:
        _schemes_table(docs, progs, lang, LEVEL)
    if broken:
        fail(broken)


def _programmes(programmes, resolve, versions, today):
    return [{"id": p, "in_force_today": resolve(p, today),
              "versions": [{"id": v["id"], "effective_from": v["effective_from"], "effective_to": v["effective_to"],
                            "document_number": v["document_number"]} for v in versions(p)]} for p in programmes()]


def _schemes_table(docs, progs, lang, LEVEL):
    from rich.table import Table
    from rich.text import Text

    table = Table()
    for h in (("方案", "Scheme"), ("名称", "Title"), ("发布", "Issuer"), ("期限", "Period"),
              ("层级与类别（由低到高）", "Tiers and tracks (ladder order)"), ("来源", "Origin")):
        table.add_column(h[0] if lang == "zh" else h[1], overflow="fold")
    for d in docs:
        p = d["period"]
        if p["start"] or p["end"]:
            period = f"{p['start'] or ''}–{p['end'] or ''}"
        elif d.get("effective_from") or d.get("effective_to"):
            period = f"{d.get('effective_from') or ''}–{d.get('effective_to') or ''}"
        else:
            period = "—"
        tiers = []
        for t in d["tiers"]:
            s = f"{t['id']}: {t['name'][lang]} [{LEVEL[t['level']][lang]}]"
            if t["tracks"]:
                s += " (" + ", ".join(tr["id"] for tr in t["tracks"]) + ")"
            tiers.append(s)
        if d["origin"] == "built-in":
            org = "内置" if lang == "zh" else "built-in"
        else:
            org = ("用户：" if lang == "zh" else "user: ") + d["origin"]
        table.add_row(Text(d["id"]), Text(d["title"][lang]), Text(d["issuer"][lang]), period,
                      Text("\n".join(tiers)), Text(org))
    for p in progs:
        chain = " → ".join(v["id"] for v in p["versions"])
        if lang == "zh":
            title = f"按评价日期（--as-of）选用现行版本：{chain}；今日适用 {p['in_force_today']}"
        else:
            title = f"the version in force on --as-of: {chain}; today {p['in_force_today']}"
        table.add_row(p["id"], title, "", "", "", "")
    console().print(table)


# ------------------------------------------------------------------------------ rules
@app.command()
def rules(
    args: list[str] = typer.Argument(..., metavar="SCHEME | check FILE|DIR... | test [FILE|DIR...]",
                                     help="A scheme id: print every condition with its citation. "
                                          "'check FILE|DIR...': validate rulesets, one line per problem "
                                          "(exit 2 on any). 'test [FILE|DIR...]': run the NAME.tests.yaml "
                                          "cases (default: the built-in rulesets'; exit 1 on a failure)."),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json"),
    lang: str = typer.Option("zh", "--lang", help="zh (default) or en"),
    as_of: str | None = typer.Option(None, "--as-of", help="Date for versioned schemes (default: today)"),
    rules_dir: list[Path] = typer.Option([], "--rules-dir", help=RULES_DIR_HELP),
):
    """Print every condition of SCHEME with its citation; or check / test rulesets.

    'zjtx rules check FILE|DIR...' validates ruleset files, one line per problem as
    FILE:LINE: RULE-ID: problem (exit 2 on any problem). 'zjtx rules test [FILE|DIR...]'
    runs the NAME.tests.yaml cases beside the rulesets (default: the built-in ones) and
    ends with 'N passed, N failed' (exit 1 on a failure).
    """
    check_lang(lang)
    check_format(fmt, lang=lang)
    _rules_dirs(rules_dir, lang)
    if args[0] == "check":
        from zjtx_cli.rules.lint import run_check

        if len(args) < 2:
            fail(["rules check: give the ruleset files or folders to check"])
        raise typer.Exit(run_check(args[1:]))
    if args[0] == "test":
        from zjtx_cli.rules.casetests import run_tests

        raise typer.Exit(run_tests(args[1:]))
    if len(args) != 1:
        fail([f"rules: one scheme id, or 'check FILE...' / 'test [FILE...]'; got {' '.join(args)!r}"])
    scheme = args[0]
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.outputs.report import describe_rule, ruleset_meta

    rs = resolve_scheme(scheme, parse_as_of(as_of, lang), lang)
    fields = field_dictionary()
    own = _own_fields(rs)
    if fmt == "json":
        doc = {"format_version": "1.0", "scheme": ruleset_meta(rs), "tiers": []}
        if own:
            doc["fields"] = own
        for t in rs.tiers:
            doc["tiers"].append({"id": t["id"], "name": t["name"], "level": t["level"], "next": t.get("next"),
                                 "tracks": [{"id": tr["id"], "name": tr["name"], "conditions": [
                                     {"id": c["id"], "kind": c["kind"], "text": c["text"], "citation": c["citation"],
                                      "note": c["note"], "unconfirmed": c.get("unconfirmed", False),
                                      "check": describe_rule(c["check"], fields, lang)}
                                     for c in tr["conditions"]]} for tr in t["tracks"]]})
        emit_json(doc)
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
                table.add_row(Text(c["id"]), kinds[c["kind"]][0 if lang == "zh" else 1], Text(text),
                              Text(describe_rule(c["check"], fields, lang)), Text(c["citation"]))
            con.print(table)
    if own:  # the scheme's own indicators: its part of the field reference
        table = Table(title="本方案自定义指标" if lang == "zh" else "Indicators this ruleset declares")
        for h in (("字段键", "Key"), ("中文标签", "Chinese label"), ("英文标签", "English label"), ("类型", "Type"),
                  ("单位", "Unit"), ("按年", "Per year"), ("说明", "Hint")):
            table.add_column(h[0] if lang == "zh" else h[1], overflow="fold")
        for f in own:
            table.add_row(Text(f["key"]), Text(f["zh"]), Text(f["en"]), Text(f["type"]), Text(f.get("unit") or ""),
                          "yes" if f.get("per_year") else "",
                          Text(f.get("hint_zh" if lang == "zh" else "hint_en") or ""))
        con.print(table)


def _own_fields(rs):
    """The ``fields:`` a user ruleset declares ([] for the built-in ones)."""
    from zjtx_cli.rules.registry import BUILTIN, origin, read_header

    if origin(rs.id) in (None, BUILTIN):
        return []
    return list(read_header(rs.path)["fields"])


# ------------------------------------------------------------------- batch / template
@app.command()
def batch(
    path: Path = typer.Argument(..., help="A folder of .xlsx/.json files, or a roster .xlsx/.csv"),
    scheme: str = typer.Option(..., "--scheme", "-s", help="Scheme id"),
    tier: str | None = typer.Option(None, "--tier", "-t", help="Tier or track id; default: every tier"),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write results: .xlsx, .csv or .jsonl"),
    jobs: int = typer.Option(0, "--jobs", "-j", help="Worker processes (0: choose automatically)"),
    recursive: bool = typer.Option(False, "--recursive", "-r", help="Descend into sub-folders"),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json (summary on stdout)"),
    lang: str = typer.Option("zh", "--lang", help="zh (default) or en"),
    year: int | None = typer.Option(None, "--year", help="Assessment year (default: latest in each file)"),
    as_of: str | None = typer.Option(None, "--as-of", help="Assessment date YYYY-MM-DD (default: today)"),
    evidence: str | None = typer.Option(None, "--evidence", help="'required': officer mode, a pass resting on "
                                           "inputs without evidence is conditional (exit status 4 if any)"),
    with_match: bool = typer.Option(False, "--match", help="Add each company's eligible programmes and cheapest "
                                    "next step (folders of applicant files)"),
    report_dir: Path | None = typer.Option(None, "--report-dir", help="Write one report per company into this "
                                              "folder (folders of applicant files)"),
    report_format: str | None = typer.Option(None, "--report-format", help="html (default), xlsx or pdf"),
    force: bool = typer.Option(False, "--force", help="Replace report files that exist in --report-dir"),
    rules_dir: list[Path] = typer.Option([], "--rules-dir", help=RULES_DIR_HELP),
):
    """Score a folder of .xlsx/.json files, or an .xlsx/.csv roster."""
    check_lang(lang)
    check_format(fmt, lang=lang)
    _rules_dirs(rules_dir, lang)
    try:
        from zjtx_cli.batch.runner import run_batch
    except ImportError:
        fail(["此版本不提供批量评价" if lang == "zh" else "batch scoring is not available in this build"])
    if report_format is not None and report_dir is None:
        fail(["--report-format 需要同时给出 --report-dir" if lang == "zh" else "--report-format needs --report-dir"])
    code = run_batch(path=path, scheme=scheme, tier=tier, out=out, jobs=jobs, recursive=recursive, fmt=fmt,
                     lang=lang, year=year, as_of=parse_as_of(as_of, lang), evidence=evidence, match=with_match,
                     report_dir=report_dir, report_format=report_format, force=force)
    raise typer.Exit(code)


@app.command()
def template(
    out: Path = typer.Option(..., "--out", "-o", help="File to write: .xlsx (or .json with --format json)"),
    scheme: str | None = typer.Option(None, "--scheme", "-s", help="Only the fields this scheme uses"),
    year: int | None = typer.Option(None, "--year", help="Latest year of the yearly columns"),
    fmt: str = typer.Option("xlsx", "--format", "-f", help="xlsx or json"),
    years: int | None = typer.Option(None, "--years",
                                        help="How many yearly columns (default 3, or what the scheme needs)"),
    force: bool = typer.Option(False, "--force", help="Replace the file if it exists"),
    rules_dir: list[Path] = typer.Option([], "--rules-dir", help=RULES_DIR_HELP),
):
    """Write a fill-in workbook (or JSON skeleton) from the field dictionary."""
    check_format(fmt, ("xlsx", "json"), lang="en")  # no --lang here: messages stay as they were
    _rules_dirs(rules_dir, "en")
    try:
        from zjtx_cli.outputs.template import write_template
    except ImportError:
        fail(["templates are not available in this build"])
    code = write_template(out=out, scheme=scheme, year=year, fmt=fmt, years=years, force=force)
    raise typer.Exit(code or 0)


# ------------------------------------------------------------ match / report (issue 14)
# One separate block: `match` and `report` live in zjtx_cli/match and zjtx_cli/outputs/deliverable.
@app.command()
def match(
    file: Path = typer.Argument(..., help="Enterprise file: .xlsx or .json"),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json"),
    lang: str = typer.Option("zh", "--lang", help="zh (default) or en"),
    as_of: str | None = typer.Option(None, "--as-of", help="Assessment date YYYY-MM-DD (default: today)"),
    region: str | None = typer.Option(
        None, "--region", help="Place of registration: 6-digit GB/T 2260 code or name (overrides the file)"),
    year: int | None = typer.Option(None, "--year", help="Assessment year (default: latest year in the data)"),
    sets: list[str] = typer.Option([], "--set", help="What-if override KEY=VALUE or KEY.YEAR=VALUE (repeatable)"),
):
    """List every programme FILE could apply for, grouped, with the cheapest next step."""
    from zjtx_cli.match.command import run_match_command

    raise typer.Exit(run_match_command(file, fmt=fmt, lang=lang, as_of=as_of, region=region, year=year, sets=sets))


@app.command()
def report(
    file: Path = typer.Argument(..., help="Enterprise file: .xlsx or .json"),
    out: Path = typer.Option(..., "--out", "-o", help="Report to write: .xlsx, .html or .pdf"),
    scheme: str | None = typer.Option(None, "--scheme", "-s", help="Scheme id (see 'zjtx schemes')"),
    tier: str | None = typer.Option(None, "--tier", "-t", help="Tier or track id; default: every tier"),
    with_match: bool = typer.Option(False, "--match", help="Report every programme (as 'zjtx match')"),
    lang: str = typer.Option("zh", "--lang", help="zh (default) or en"),
    as_of: str | None = typer.Option(None, "--as-of", help="Assessment date YYYY-MM-DD (default: today)"),
    region: str | None = typer.Option(None, "--region", help="Place of registration, for --match"),
    year: int | None = typer.Option(None, "--year", help="Assessment year (default: latest year in the data)"),
    force: bool = typer.Option(False, "--force", help="Replace the file if it exists"),
):
    """Write a report (.xlsx, .html or .pdf) to hand over for one enterprise."""
    from zjtx_cli.outputs.deliverable.command import run_report_command

    raise typer.Exit(run_report_command(file, out=out, scheme=scheme, tier=tier, with_match=with_match, lang=lang,
                                        as_of=as_of, region=region, year=year, force=force))
# --------------------------------------------------------------- end match / report


def main():
    """Console entry point: never a traceback for the user (ZJTX_DEBUG=1 shows one)."""
    from zjtx_cli.terminal import guarded

    os.environ.setdefault("_TYPER_STANDARD_TRACEBACK", "1")
    guarded(app, prog_name="zjtx")
