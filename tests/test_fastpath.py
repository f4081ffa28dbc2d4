"""The start-up fast path gives exactly what the typer CLI gives, and hands off the rest."""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from conftest import ROOT
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
    [], ["--help"], ["assess", "--help"], ["assess", "x.json"], ["assess", "x.json", "--scheme"],
    ["assess", "a.json", "b.json", "--scheme", "h"], ["assess", "x.json", "--scheme", "h", "--bogus"],
    ["assess", "x.json", "--scheme", "h", "--year", "twenty"], ["assess", "x.json", "-s=h"],
    ["schemes"], ["rules", "hengyang"], ["batch", "x", "--scheme", "h"],
])
def test_hands_off_everything_else(argv):
    assert fastpath.try_main(argv) is None


def test_version(capsys):
    from zjtx_cli import __version__

    assert fastpath.try_main(["--version"]) == 0
    assert capsys.readouterr().out == f"zjtx {__version__}\n"


def test_fast_path_does_not_import_typer():
    import subprocess
    import sys

    code = ("import sys; from zjtx_cli.cli import fastpath as fastpath; "
            f"fastpath.try_main(['assess', {S + '/hengyang-eligible.json'!r}, '--scheme', 'hengyang', "
            "'--format', 'json']); print('typer' in sys.modules, 'openpyxl' in sys.modules, 'rich' in sys.modules, "
            "file=sys.stderr)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.stderr.strip().splitlines()[-1] == "False False False"


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
