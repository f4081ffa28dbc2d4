"""`zjtx rules sql SCHEME [TIER]` (issue 11): the scheme's rules as one SQL query a data platform can run on
its own engine. Its header comment lists the input columns the query reads; run in SQLite on the samples,
it gives the verdicts `zjtx assess` gives; bad usage is one line and exit 2."""

from __future__ import annotations

import datetime as dt
import glob
import json
import os
import re
import sqlite3

import pytest
from conftest import ROOT
from test_columnar import _sql_table
from typer.testing import CliRunner

from zjtx_cli.cli.app import app
from zjtx_cli.inputs.fields import field_dictionary
from zjtx_cli.inputs.reader import read_enterprise

AS_OF = "2025-06-30"


def run(*args):
    r = CliRunner().invoke(app, [str(a) for a in args], env={"NO_COLOR": "1", "COLUMNS": "200"})
    return r.exit_code, r.stdout, r.stderr


def listed_columns(sql: str) -> list[str]:
    """The input columns the header comment lists."""
    out = []
    for line in sql.splitlines():
        if not line.startswith("--   "):
            if out:
                break
            continue
        out.append(line[5:].split()[0])
    return out


@pytest.mark.parametrize("scheme", ["hengyang", "jinhu", "bicycle"])
def test_the_sql_gives_assess_verdicts_on_the_samples(scheme):
    code, sql, err = run("rules", "sql", scheme, "--dialect", "sqlite", "--as-of", AS_OF)
    assert code == 0, err
    fields = field_dictionary()
    files = sorted(glob.glob(os.path.join(ROOT, "samples", "*.json")))
    rows = [read_enterprise(f, fields) for f in files]
    as_of = dt.date.fromisoformat(AS_OF)
    cols, data = _sql_table(scheme, rows, as_of)
    # the header documents exactly the columns a platform must provide (the test's own table is built
    # from the compiled plan, independently of the header)
    listed = listed_columns(sql)
    assert set(listed) <= set(cols) and {"assessment_year", "founding_date"} & set(listed)
    con = sqlite3.connect(":memory:")
    con.execute(f"CREATE TABLE applicants ({', '.join(cols)})")
    con.executemany(f"INSERT INTO applicants VALUES ({', '.join('?' * len(cols))})", data)
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    got = cur.fetchall()
    tier_cols = [i for i, n in enumerate(names) if n.startswith("tier:")]
    assert tier_cols
    compared = 0
    for f, row in zip(files, got):
        code, out, err = run("assess", f, "--scheme", scheme, "--format", "json", "--as-of", AS_OF)
        doc = json.loads(out)
        if doc.get("mode") == "ladder":  # every tier's status
            want = {t["id"]: t["status"] for t in doc["tiers"]}
            have = {names[i][5:]: row[i] for i in tier_cols}
        else:  # one tier, one track: its verdict
            want = {doc["tier"]: doc["verdict"]}
            have = {doc["tier"]: row[names.index("verdict:" + doc["tier"])]}
        assert have == want, (os.path.basename(f), have, want)
        compared += 1
    assert compared == len(files)


def test_one_tier_and_the_usage_errors():
    code, sql, err = run("rules", "sql", "jinhu", "municipal", "--as-of", AS_OF)
    assert code == 0, err
    assert sql.startswith("-- zjtx rules for scheme jinhu, tier municipal, assessed on 2025-06-30 (duckdb)")
    assert "HUGEINT" in sql and re.search(r'AS "tier:municipal"', sql)
    code, _out, err = run("rules", "sql", "jinhu", "nope")
    assert code == 2 and "'nope'" in err and "municipal" in err
    code, _out, err = run("rules", "sql")
    assert code == 2 and "rules sql" in err
    code, _out, err = run("rules", "sql", "hengyang", "--dialect", "oracle")
    assert code == 2 and "--dialect" in err and "'oracle'" in err
    code, _out, err = run("rules", "sql", "no-such-scheme")
    assert code == 2 and "no-such-scheme" in err
