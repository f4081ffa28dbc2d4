"""Shared test helpers: build an enterprise from plain values and assess it."""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(os.path.dirname(ROOT), "shared", "seeds")


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    # never read or write the user's rule cache from tests
    monkeypatch.setenv("ZJTX_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "zjtx-cache"))


def enterprise_from(values: dict, source="test.json"):
    """An Enterprise from a JSON-like dict, through the real JSON reader."""
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.inputs.json_reader import read_json

    return read_json(source, field_dictionary(), data=json.loads(json.dumps(values, default=str)))


def assess(values: dict, scheme: str, tier: str | None = None, year=None, as_of=dt.date(2026, 6, 1), review=False):
    """Assess values (through the JSON reader) against one track (the first, or `tier`)."""
    return assess_enterprise(enterprise_from(values), scheme, tier, year, as_of, review)


def load_sample(name: str) -> dict:
    with open(os.path.join(ROOT, "samples", name), encoding="utf-8") as fh:
        return json.load(fh)


def changed(base: dict, **changes) -> dict:
    """A deep copy of base with changes; a change to None removes the field."""
    import copy

    v = copy.deepcopy(base)
    for k, x in changes.items():
        if x is None:
            v.pop(k, None)
        else:
            v[k] = x
    return v


def first_gap(a, cond_id: str):
    """The Gap of the first item of a condition's gap."""
    return [g for g in a.gaps if g["condition"] == cond_id][0]["items"][0]["gap"]


def assess_enterprise(e, scheme: str, tier: str | None = None, year=None, as_of=dt.date(2026, 6, 1), review=False):
    """Assess an Enterprise against one track (the first, or `tier`'s first), through the service
    (which assesses the lower tiers first)."""
    from zjtx_cli.engine.service import assess
    from zjtx_cli.rules.loader import get_ruleset

    rs = get_ruleset(scheme)
    result = assess(e, rs, tier=tier if tier is not None else rs.tiers[0]["id"], year=year, as_of=as_of,
                    review=review)
    return result.tracks[0]


def status(a, cond_id: str) -> str:
    for r in a.results:
        if r["id"] == cond_id:
            return r["status"]
    raise KeyError(cond_id)


def D(x) -> Decimal:
    return Decimal(str(x))


def _typed(f, v):
    """A JSON-like value to the field's Python type (Decimal, int, date)."""
    if f.type == "number":
        return Decimal(str(v))
    if f.type == "integer":
        return int(v)
    if f.type == "date":
        return v if isinstance(v, dt.date) else dt.date.fromisoformat(v)
    return v


def enterprise(values):
    """An Enterprise built directly (no reader): per-year keys to int, numbers to Decimal."""
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.inputs.model import Enterprise

    fields = field_dictionary()
    out = {}
    for k, v in values.items():
        f = fields[k]
        out[k] = {int(y): _typed(f, x) for y, x in v.items()} if f.per_year else _typed(f, v)
    return Enterprise(out, "test.json")


def assert_declaration(run, field, cond):
    """A yes/no declaration decides its required condition: yes met, no unmet (not eligible),
    missing unknown (undetermined). ``run(**changes)`` assesses a base company with changes."""
    assert status(run(**{field: True}), cond) == "met"
    a = run(**{field: False})
    assert status(a, cond) == "unmet" and a.verdict == "not_eligible"
    a = run(**{field: None})
    assert status(a, cond) == "unknown" and a.verdict == "undetermined"
