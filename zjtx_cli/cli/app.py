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
    from zjtx_cli.cli.listing import rules_dirs

    rules_dirs(dirs, lang)


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
    from zjtx_cli.cli.listing import run_schemes

    raise typer.Exit(run_schemes(fmt=fmt, lang=lang, rules_dir=rules_dir))


# ------------------------------------------------------------------------------ rules
@app.command()
def rules(
    args: list[str] = typer.Argument(..., metavar="SCHEME | check FILE|DIR... | test [FILE|DIR...] | sql SCHEME [TIER]",
                                     help="A scheme id: print every condition with its citation. "
                                          "'check FILE|DIR...': validate rulesets, one line per problem "
                                          "(exit 2 on any). 'test [FILE|DIR...]': run the NAME.tests.yaml "
                                          "cases (default: the built-in rulesets'; exit 1 on a failure). "
                                          "'sql SCHEME [TIER]': the scheme's rules as one SQL query over a "
                                          "table of applicants, for a data platform's own engine."),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json"),
    lang: str = typer.Option("zh", "--lang", help="zh (default) or en"),
    as_of: str | None = typer.Option(None, "--as-of", help="Date for versioned schemes (default: today)"),
    rules_dir: list[Path] = typer.Option([], "--rules-dir", help=RULES_DIR_HELP),
    dialect: str = typer.Option("duckdb", "--dialect", help="For 'rules sql': duckdb (default) or sqlite"),
):
    """Print every condition of SCHEME with its citation; or check / test rulesets; or write them as SQL.

    'zjtx rules check FILE|DIR...' validates ruleset files, one line per problem as
    FILE:LINE: RULE-ID: problem (exit 2 on any problem). 'zjtx rules test [FILE|DIR...]'
    runs the NAME.tests.yaml cases beside the rulesets (default: the built-in ones) and
    ends with 'N passed, N failed' (exit 1 on a failure). 'zjtx rules sql SCHEME [TIER]'
    prints the statuses and verdicts of the scheme (or one tier) as one SQL query over a
    table 'applicants' whose columns its header comment lists.
    """
    from zjtx_cli.cli.listing import run_rules

    raise typer.Exit(run_rules(args, fmt=fmt, lang=lang, as_of=as_of, rules_dir=rules_dir, dialect=dialect))


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
    evidence: str | None = typer.Option(None, "--evidence", help="'required': officer mode, a pass resting on "
                                           "inputs without evidence is conditional"),
):
    """Write a report (.xlsx, .html or .pdf) to hand over for one enterprise."""
    from zjtx_cli.outputs.deliverable.command import run_report_command

    raise typer.Exit(run_report_command(file, out=out, scheme=scheme, tier=tier, with_match=with_match, lang=lang,
                                        as_of=as_of, region=region, year=year, force=force,
                                        evidence=evidence))
# --------------------------------------------------------------- end match / report


def main():
    """Console entry point: never a traceback for the user (ZJTX_DEBUG=1 shows one)."""
    from zjtx_cli.terminal import guarded

    os.environ.setdefault("_TYPER_STANDARD_TRACEBACK", "1")
    guarded(app, prog_name="zjtx")
