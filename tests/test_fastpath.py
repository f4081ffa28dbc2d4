"""The start-up fast path gives exactly what the typer CLI gives, and hands off the rest."""

from __future__ import annotations

import os

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from zjtx_cli.cli import fastpath as fastpath
from zjtx_cli.cli.app import app

S = os.path.join(ROOT, "samples")
CASES = [
    ["assess", f"{S}/hengyang-eligible.json", "--scheme", "hengyang", "--format", "json"],
    ["assess", f"{S}/hengyang-near-miss.json", "-s", "hengyang", "-f", "json", "--lang", "en"],
    ["assess", f"{S}/hengyang-near-miss.json", "--scheme=hengyang", "--set", "utility_patents=3",
     "--set=rd_expense.2025=62", "--as-of", "2025-03-01"],
    ["assess", f"{S}/hengyang-missing-data.json", "--scheme", "hengyang", "--year", "2025", "--review"],
    ["assess", f"{S}/hengyang-eligible.json", "--scheme", "hengyang", "--tier", "municipal", "--lang", "en"],
    ["assess", f"{S}/nope.json", "--scheme", "hengyang"],
    ["assess", f"{S}/hengyang-eligible.json", "--scheme", "hengyang", "--format", "xml"],
    ["assess", f"{S}/hengyang-eligible.json", "--scheme", "nowhere"],
]


@pytest.mark.parametrize("argv", CASES)
def test_same_result_as_typer(argv, capsys):
    expected = CliRunner().invoke(app, argv, catch_exceptions=False)
    code = fastpath.try_main(argv)
    if code is None:
        pytest.fail("the fast path should serve this call")
    out = capsys.readouterr()
    assert code == expected.exit_code
    assert out.out == expected.stdout
    assert out.err == expected.stderr


def test_system_exit_codes_match(capsys):
    # usage errors inside run_assess exit through SystemExit(2) on both paths
    argv = ["assess", f"{S}/hengyang-eligible.json", "--scheme", "hengyang", "--lang", "fr"]
    expected = CliRunner().invoke(app, argv)
    assert fastpath.try_main(argv) == expected.exit_code == 2


@pytest.mark.parametrize("argv", [
    ["assess", "x.json"], ["assess", "x.json", "--scheme"],
    ["assess", "a.json", "b.json", "--scheme", "h"], ["assess", "x.json", "--scheme", "h", "--bogus"],
    ["assess", "x.json", "--scheme", "h", "--year", "twenty"], ["assess", "x.json", "-s=h"],
    ["batch", "x", "--scheme", "h"], ["schemes", "--rules-dir", "x"], ["schemes", "--bogus"], ["schemes", "-f"],
    ["rules"], ["rules", "--lang", "en"], ["rules", "hengyang", "--rules-dir=x"], ["rules", "-x", "hengyang"],
    ["nope", "--help"], ["-h", "--help"], ["rules", "check", "--help"], ["--help", "assess"], ["assess"],
    ["schemes", "extra"],
])
def test_hands_off_everything_else(argv, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    assert fastpath.try_main(argv) is None


LISTING_CASES = [
    ["schemes"], ["schemes", "--lang", "en"], ["schemes", "-f", "json"], ["schemes", "--format=json", "--lang=en"],
    ["schemes", "--lang", "fr"], ["schemes", "-f", "xml"],
    ["rules", "hengyang"], ["rules", "jinhu", "--lang", "en"], ["rules", "--format", "json", "guizhou"],
    ["rules", "miit", "--as-of", "2024-01-01", "-f", "json"], ["rules", "miit", "--as-of", "soon"],
    ["rules", "nowhere"], ["rules", "hengyang", "guizhou"], ["rules", "check"],
    ["rules", "check", os.path.join(ROOT, "rulesets", "hengyang.yaml")],
    ["rules", "check", os.path.join(ROOT, "rulesets", "missing.yaml")],
    ["rules", "test", os.path.join(ROOT, "rulesets", "hengyang.tests.yaml")],
    ["rules", "--", "hengyang"],
]


@pytest.mark.parametrize("argv", LISTING_CASES)
def test_schemes_and_rules_same_result_as_typer(argv, capsys):
    expected = CliRunner().invoke(app, argv, catch_exceptions=False)
    code = fastpath.try_main(argv)
    if code is None:
        pytest.fail("the fast path should serve this call")
    out = capsys.readouterr()
    assert (code, out.out, out.err) == (expected.exit_code, expected.stdout, expected.stderr)


# ------------------------------------------------------------------------------ --help
HELP_CASES = [["--help"], ["-h"], []] + [[c, h] for c in ("assess", "schemes", "rules", "batch", "template",
                                                             "match", "report") for h in ("--help", "-h")]


def test_help_texts_are_generated_from_typer():
    # after an edit of cli/app.py: python -m zjtx_cli.cli.fastpath --write
    assert fastpath.help_module() == fastpath.current_help_module(), \
        "cli/helptext.py differs from cli/app.py: run python -m zjtx_cli.cli.fastpath --write"


def _run(argv, columns, typer_only):
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns is not None:
        env["COLUMNS"] = str(columns)
    code = ("import sys; sys.argv[0] = 'zjtx'; from zjtx_cli.cli.app import main; main()" if typer_only else
            "import sys; sys.argv[0] = 'zjtx'; from zjtx_cli.__main__ import main; main()")
    r = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=ROOT, env=env)
    return r.returncode, r.stdout, r.stderr


@pytest.mark.parametrize("columns", [None, 80, 200])
def test_help_as_typer_prints_it(columns):
    # the console script, fast path and all, prints what typer alone prints, on stdout or (zjtx alone) stderr
    for argv in ([], ["--help"], ["assess", "-h"], ["rules", "--help"]):
        assert _run(argv, columns, False) == _run(argv, columns, True), argv


@pytest.mark.parametrize("argv", HELP_CASES)
def test_help_served_without_typer(argv, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    expected = CliRunner().invoke(app, argv, prog_name="zjtx", terminal_width=78)  # width as on a wide terminal
    assert fastpath.try_main(argv) == expected.exit_code == (2 if not argv else 0)
    out = capsys.readouterr()
    assert (out.out, out.err) == ((expected.stdout, "") if argv else ("", expected.stderr))
    assert "Usage: zjtx" in (out.out or out.err)


@pytest.mark.parametrize("columns", ["79", "60", "30"])
def test_help_on_a_narrow_terminal_goes_to_typer(columns, monkeypatch):
    monkeypatch.setenv("COLUMNS", columns)
    assert fastpath.try_main(["--help"]) is None and fastpath.try_main(["assess", "-h"]) is None


@pytest.mark.parametrize("columns", [None, "0", "-5", "abc", "79", "80", "300"])
def test_columns_as_click_reads_them(columns, monkeypatch):
    import shutil

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert fastpath._columns() == shutil.get_terminal_size().columns


def test_version(capsys):
    from zjtx_cli import __version__

    assert fastpath.try_main(["--version"]) == 0
    assert capsys.readouterr().out == f"zjtx {__version__}\n"


@pytest.mark.parametrize("argv", [
    ["assess", S + "/hengyang-eligible.json", "--scheme", "hengyang", "--format", "json"],
    ["assess", S + "/hengyang-eligible.json", "--scheme", "hengyang"],  # a table, into a pipe: plain text
    ["assess", S + "/guizhou-eligible.json", "--scheme", "guizhou", "--lang", "en"],
    ["assess", S + "/hengyang-eligible.xlsx", "--scheme", "hengyang", "-f", "json"],
    ["assess", S + "/hengyang-near-miss.xlsx", "--scheme", "hengyang", "--checklist"],
    ["schemes"], ["schemes", "-f", "json"], ["rules", "hengyang"], ["rules", "check", ROOT + "/rulesets"],
    ["--help"], ["assess", "--help"], ["rules", "-h"],
])
def test_fast_path_does_not_import_typer(argv):
    import subprocess
    import sys

    code = ("import sys; from zjtx_cli.cli import fastpath as fastpath; "
            f"code = fastpath.try_main({argv!r}); print(code, 'typer' in sys.modules, 'click' in sys.modules, "
            "'openpyxl' in sys.modules, 'rich' in sys.modules, file=sys.stderr)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       env={**os.environ, "COLUMNS": "100"})
    assert r.stderr.strip().splitlines()[-1].split()[1:] == ["False"] * 4
    assert r.stderr.strip().splitlines()[-1].split()[0] != "None"


@pytest.mark.parametrize("raw", ["./samples/x.json", "samples//x.json", "", ".", "a/./b/../c", "/abs//p/",
                                 "//net/share", "///three", "x.json/", "../up.json"])
def test_path_text_matches_pathlib(raw):
    from pathlib import PurePosixPath

    assert fastpath.path_text(raw) == str(PurePosixPath(raw))


def test_same_source_file_as_typer_for_unnormalised_paths(capsys):
    rel = os.path.relpath(os.path.join(S, "hengyang-eligible.json"))
    argv = ["assess", "./" + rel.replace("/", "//"), "--scheme", "hengyang", "-f", "json"]
    expected = CliRunner().invoke(app, argv, catch_exceptions=False)
    assert fastpath.try_main(argv) == expected.exit_code
    assert capsys.readouterr().out == expected.stdout


# ------------------------------------------------------- the option table cannot drift (issue 10)
def test_option_table_is_generated_from_the_typer_declaration():
    # after an edit of `assess` in cli/app.py: python -m zjtx_cli.cli.fastpath --write
    assert fastpath.current_block() == fastpath.generated_block(), \
        "fastpath's option table differs from cli/app.py: run python -m zjtx_cli.cli.fastpath --write"


def _record_calls(monkeypatch):
    from zjtx_cli.cli import commands

    calls = []

    def run_assess(file, scheme, **kw):
        calls.append({"file": str(file), "scheme": scheme, **{k: list(v) if k == "sets" else v
                                                               for k, v in kw.items()}})
        return 0

    monkeypatch.setattr(commands, "run_assess", run_assess)
    return calls


@pytest.mark.parametrize("argv", [
    ["x.json", "--scheme", "h"],
    ["x.json", "-s", "h", "-t", "t1", "-f", "json", "--lang", "en", "--year", "2024", "--as-of", "2025-01-01",
     "--set", "a=1", "--set=b.2024=2", "--review"],
    ["--scheme=h", "--year=-3", "--", "-odd.json"],
    ["x.json", "--scheme", "h", "--year", "0", "--format", "table", "--lang", "zh"],
])
def test_same_arguments_reach_run_assess(argv, monkeypatch):
    # names, conversions and defaults: the fast path calls run_assess exactly as typer does
    calls = _record_calls(monkeypatch)
    r = CliRunner().invoke(app, ["assess", *argv], catch_exceptions=False)
    assert r.exit_code == 0, r.stderr
    assert fastpath.try_main(["assess", *argv]) == 0
    assert len(calls) == 2 and calls[0] == calls[1]


def _ranged_app():
    """The assess declaration with a range on --year and a choice for --format, as a future edit might add."""
    import click
    import typer

    ranged = typer.Typer()

    @ranged.command()
    def assess(
        file: str = typer.Argument(..., click_type=click.Path()),
        scheme: str = typer.Option(..., "--scheme", "-s"),
        fmt: str = typer.Option("table", "--format", "-f", click_type=click.Choice(["table", "json"])),
        year: int | None = typer.Option(None, "--year", min=1990, max=2100),
        sets: list[str] = typer.Option([], "--set"),
        review: bool = typer.Option(False, "--review"),
    ):
        from zjtx_cli.cli.commands import run_assess

        raise typer.Exit(run_assess(file, scheme, fmt=fmt, year=year, sets=sets, review=review))

    @ranged.command()
    def other():  # a group, as in the real app
        pass

    return ranged


@pytest.mark.parametrize("argv,served", [
    (["x.json", "-s", "h", "--year", "1990"], True), (["x.json", "-s", "h", "--year", "2100"], True),
    (["x.json", "-s", "h", "--year", "1989"], False), (["x.json", "-s", "h", "--year=2101"], False),
    (["x.json", "-s", "h", "-f", "json"], True), (["x.json", "-s", "h", "-f", "xml"], False),
])
def test_validation_declared_for_typer_binds_the_fast_path(argv, served, monkeypatch):
    # a range or a choice declared once, in the typer declaration, holds on both paths: the fast path
    # serves what typer accepts and hands the rest to typer, which refuses it with a usage error (exit 2)
    ranged = _ranged_app()
    table = fastpath.derive_assess_table(ranged)
    assert table["ASSESS_OPTIONS"]["--year"] == ("year", "int", (1990, 2100, False, False))
    assert table["ASSESS_OPTIONS"]["-f"] == ("fmt", "choice", ("table", "json"))
    for k, v in table.items():
        monkeypatch.setattr(fastpath, k, v)
    calls = _record_calls(monkeypatch)
    expected = CliRunner().invoke(ranged, ["assess", *argv])
    code = fastpath.try_main(["assess", *argv])
    if served:
        assert expected.exit_code == code == 0 and calls[0] == calls[1]
    else:
        assert code is None and expected.exit_code == 2 and not calls


def test_a_declaration_the_fast_path_cannot_serve_is_loud():
    import click
    import typer

    odd = typer.Typer()

    @odd.command()
    def assess(file: str = typer.Argument(..., click_type=click.Path()),
               ratio: float = typer.Option(1.0, "--ratio", clamp=True, min=0)):
        pass

    @odd.command()
    def other():
        pass

    with pytest.raises(ValueError, match="ratio"):
        fastpath.derive_assess_table(odd)
