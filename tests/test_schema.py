"""The JSON document of an assessment is described by docs/assessment.schema.json: every golden
output (every sample x scheme x tier), batch's per-company JSON and the library's document
validate against it, and the validator rejects what the schema rules out."""

from __future__ import annotations

import copy
import gzip
import json
import os

import pytest
from conftest import ROOT, load_sample
from schema_lite import errors

SCHEMA_PATH = os.path.join(ROOT, "docs", "assessment.schema.json")


@pytest.fixture(scope="module")
def schema():
    with open(SCHEMA_PATH, encoding="utf-8") as fh:
        return json.load(fh)


def _golden_docs():
    with gzip.open(os.path.join(ROOT, "tests", "golden", "assess.jsonl.gz"), "rt", encoding="utf-8") as fh:
        for line in fh:
            case = json.loads(line)
            if case["stdout"].lstrip().startswith("{"):
                yield case["name"], json.loads(case["stdout"])


def test_every_golden_document_validates(schema):
    shapes = set()
    n = 0
    for name, doc in _golden_docs():
        errs = errors(doc, schema)
        assert not errs, (name, errs[:5])
        shapes.add(doc.get("mode") or ("tier" if "status" in doc else "track"))
        n += 1
    assert n > 500 and shapes == {"track", "tier", "ladder"}  # all three shapes are exercised


def test_the_validator_rejects_what_the_schema_rules_out(schema):
    doc = next(d for _n, d in _golden_docs() if "gaps" in d and d["gaps"] and d["conditions"])
    assert errors(doc, schema) == []
    bad = copy.deepcopy(doc)
    bad["verdict"] = "maybe"
    assert errors(bad, schema)
    bad = copy.deepcopy(doc)
    del bad["counts"]
    assert errors(bad, schema)
    bad = copy.deepcopy(doc)
    bad["surprise"] = 1
    assert errors(bad, schema)
    bad = copy.deepcopy(doc)
    bad["gaps"][0]["effort"] = "easy"
    assert errors(bad, schema)
    bad = copy.deepcopy(doc)
    bad["conditions"][0]["detail"]["type"] = "horoscope"
    assert errors(bad, schema)


def test_library_and_batch_documents_validate(schema, tmp_path):
    import zjtx_cli as zjtx

    for scheme, tier in (("hengyang", None), ("jinhu", None), ("jinhu", "provincial"), ("miit-2026", None)):
        r = zjtx.assess(load_sample("hengyang-eligible.json"), scheme=scheme, tier=tier, as_of="2026-06-30")
        doc = zjtx.document(r)
        assert errors(doc, schema) == [], (scheme, tier)
    from typer.testing import CliRunner

    from zjtx_cli.cli.app import app

    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(app, ["batch", os.path.join(ROOT, "samples"), "--scheme", "jinhu", "--out", str(out)])
    assert res.exit_code in (0, 2), res.output
    lines = out.read_text(encoding="utf-8").splitlines()
    docs = [json.loads(x) for x in lines]
    assessed = [d for d in docs if "format_version" in d and "verdict" in d]
    assert assessed
    for d in assessed:
        assert errors(d, schema) == []
