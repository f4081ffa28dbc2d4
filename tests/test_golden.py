"""Golden outputs (issue 10): `assess --format json` for every sample under every scheme and
tier is byte-identical to what was recorded before the engine rebuild, except where a
documented fix changes it (re-record with `python tests/golden/cases.py --write`)."""
import gzip
import json

import pytest

from golden.cases import GOLDEN, cases, run

_RECORDED = {}
with gzip.open(GOLDEN, "rt", encoding="utf-8") as _f:
    for _line in _f:
        _d = json.loads(_line)
        _RECORDED[_d["name"]] = _d


def test_every_case_is_recorded():
    names = [n for n, _ in cases()]
    assert sorted(names) == sorted(_RECORDED), "golden cases changed: re-record deliberately"


@pytest.mark.parametrize("name,args", list(cases()), ids=[n for n, _ in cases()])
def test_assess_json_unchanged(name, args):
    rec = _RECORDED[name]
    code, out = run(args)
    assert code == rec["exit"], f"{name}: exit {code}, recorded {rec['exit']}"
    if out != rec["stdout"]:
        assert json.loads(out) == json.loads(rec["stdout"]), name  # pytest shows the structural diff
        assert out == rec["stdout"], f"{name}: same document, different bytes"
