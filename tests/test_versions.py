"""Versioned programmes: `--scheme miit` picks the version in force on `--as-of` (both sides of
2022-08-01 and 2026-04-01), each version stays addressable by its own id, and the report names
the document applied."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from zjtx_cli.cli.app import app

SAMPLE = os.path.join(ROOT, "samples", "miit-2026-little-giant.json")


def run(*args):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


@pytest.mark.parametrize("date,version", [
    ("2020-08-01", "miit-2020"), ("2022-07-31", "miit-2020"), ("2022-08-01", "miit-2022"),
    ("2024-06-30", "miit-2022"), ("2026-03-31", "miit-2022"), ("2026-04-01", "miit-2026"),
    ("2030-01-01", "miit-2026"), ("2001-01-01", "miit-2020"),
])
def test_resolve_by_date(date, version):
    from zjtx_cli.rules.versions import resolve

    assert resolve("miit", dt.date.fromisoformat(date)) == version


def test_other_ids_unchanged():
    from zjtx_cli.rules.versions import resolve

    for sid in ("miit-2022", "miit-2020", "hengyang", "no-such-scheme"):
        assert resolve(sid, dt.date(2026, 5, 1)) == sid


def test_versions_listed_oldest_first_with_documents():
    from zjtx_cli.rules.versions import versions

    vs = versions("miit")
    assert [v["id"] for v in vs] == ["miit-2020", "miit-2022", "miit-2026"]
    assert vs[1]["document_number"] == "工信部企业〔2022〕63号"
    assert vs[2]["document_number"] == "工信部企业〔2026〕2号"
    assert (vs[1]["effective_from"], vs[1]["effective_to"]) == ("2022-08-01", "2026-03-31")


@pytest.mark.parametrize("as_of,scheme,doc_no", [
    ("2026-03-31", "miit-2022", "工信部企业〔2022〕63号"),
    ("2026-04-01", "miit-2026", "工信部企业〔2026〕2号"),
    ("2022-08-01", "miit-2022", "工信部企业〔2022〕63号"),
    ("2022-07-31", "miit-2020", "工信厅企业函〔2020〕159号"),
])
def test_cli_picks_version_by_as_of(as_of, scheme, doc_no):
    r = run("assess", SAMPLE, "--scheme", "miit", "--as-of", as_of, "--format", "json")
    assert r.exit_code in (0, 1, 3), r.stdout
    doc = json.loads(r.stdout)
    assert doc["scheme"] == scheme
    assert doc["scheme_info"]["document_number"] == doc_no
    assert doc["as_of"] == as_of


def test_cli_table_title_names_the_document():
    r = run("assess", SAMPLE, "--scheme", "miit", "--as-of", "2026-04-01")
    assert "工信部企业〔2026〕2号" in r.stdout.splitlines()[0]
    r = run("assess", SAMPLE, "--scheme", "miit", "--as-of", "2024-06-30", "--lang", "en")
    assert "MIIT [2022] No. 63" in r.stdout.splitlines()[0]


def test_each_version_addressable_whatever_the_date():
    r = run("assess", SAMPLE, "--scheme", "miit-2022", "--as-of", "2026-06-01", "--format", "json")
    assert json.loads(r.stdout)["scheme"] == "miit-2022"
    r = run("assess", SAMPLE, "--scheme", "miit-2026", "--as-of", "2024-06-01", "--format", "json")
    assert json.loads(r.stdout)["scheme"] == "miit-2026"


def test_rules_command_resolves_too():
    r = run("rules", "miit", "--as-of", "2024-06-30", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["scheme"]["id"] == "miit-2022"


def test_unknown_programme_is_a_one_line_error():
    r = CliRunner().invoke(app, ["assess", SAMPLE, "--scheme", "miitt", "--lang", "en"])
    assert r.exit_code == 2
    assert "unknown scheme 'miitt'" in r.output and "Traceback" not in r.output


def test_explicit_version_out_of_force_warns_but_assesses():
    r = run("assess", SAMPLE, "--scheme", "miit-2022", "--as-of", "2026-06-01", "--format", "json", "--lang", "en")
    assert json.loads(r.stdout)["scheme"] == "miit-2022"
    assert "miit-2022: not in force on 2026-06-01" in r.stderr
    r = run("assess", SAMPLE, "--scheme", "miit-2022", "--as-of", "2026-06-01", "--format", "json")
    assert "zjtx: warning: miit-2022：2026-06-01 时不在有效期内" in r.stderr
    r = run("assess", SAMPLE, "--scheme", "miit-2022", "--as-of", "2025-06-01", "--format", "json")
    assert "不在有效期内" not in r.stderr
    r = run("assess", SAMPLE, "--scheme", "miit", "--as-of", "2026-06-01", "--format", "json", "--lang", "en")
    assert "not in force" not in r.stderr
