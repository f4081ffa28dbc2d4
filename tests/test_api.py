"""The library API (README 'Library use'): zjtx_cli.assess on a file or a dict of indicators
returns the same assessment as `zjtx assess`, typed and immutable."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from conftest import ROOT, changed, load_sample

import zjtx_cli as zjtx

AS_OF = "2026-06-30"


def _cli_json(args):
    from typer.testing import CliRunner

    from zjtx_cli.cli.app import app

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        r = CliRunner().invoke(app, ["assess", *args, "--format", "json"])
    finally:
        os.chdir(cwd)
    return r.exit_code, r.stdout


@pytest.mark.parametrize("sample,scheme,tier,lang", [
    ("hengyang-eligible.json", "hengyang", None, "zh"),
    ("hengyang-near-miss.xlsx", "hengyang", None, "en"),
    ("jinhu-provincial.json", "jinhu", None, "zh"),
    ("jinhu-provincial.json", "jinhu", "provincial", "en"),
    ("jinhu-municipal.json", "jinhu", "municipal", "zh"),
])
def test_same_document_as_the_cli(sample, scheme, tier, lang):
    path = os.path.join(ROOT, "samples", sample)
    r = zjtx.assess(path, scheme=scheme, tier=tier, as_of=AS_OF, lang=lang)
    args = [path, "--scheme", scheme, "--as-of", AS_OF, "--lang", lang] + (["--tier", tier] if tier else [])
    code, out = _cli_json(args)
    assert r.verdict in zjtx.VERDICTS
    assert json.loads(out)["verdict"] == r.verdict
    assert json.dumps(zjtx.document(r), ensure_ascii=False, indent=2, default=str) + "\n" == out
    assert code == {"eligible": 0, "not_eligible": 1, "excluded": 1, "undetermined": 3}[r.verdict]


def test_a_dict_of_indicators_on_both_sides_of_a_threshold():
    base = load_sample("hengyang-eligible.json")  # total assets 8600 in 2025
    at = zjtx.assess(changed(base, total_liabilities={"2025": 6020}), scheme="hengyang", as_of=AS_OF)  # 70.0%
    assert at.verdict == "eligible"
    above = zjtx.assess(changed(base, total_liabilities={"2025": 6021}), scheme="hengyang", as_of=AS_OF)
    assert above.verdict == "not_eligible"
    debt = [r for r in above.track.results if r.id == "hy-2-debt"][0]
    assert debt.status == "unmet" and debt.result["actual"] > 70
    missing = zjtx.assess(changed(base, total_liabilities=None), scheme="hengyang", as_of=AS_OF)
    assert missing.verdict == "undetermined"


def test_options_tier_year_review_and_lang():
    v = load_sample("jinhu-provincial.json")
    ladder = zjtx.assess(v, scheme="jinhu", as_of=AS_OF)
    assert ladder.scope == "ladder" and ladder.ladder.highest is not None
    one = zjtx.assess(v, scheme="jinhu", tier="provincial", as_of=AS_OF)
    assert one.scope == "tier" and all(t.tier["id"] == "provincial" for t in one.tracks)
    latest = max(int(y) for y in v["operating_revenue"])
    earlier = zjtx.assess(v, scheme="jinhu", year=latest - 1, as_of=AS_OF)
    assert earlier.ctx.year == latest - 1 and ladder.ctx.year == latest
    assert zjtx.document(zjtx.assess(v, scheme="jinhu", as_of=AS_OF, lang="en"))["lang"] == "en"
    with pytest.raises(ValueError):
        zjtx.assess(v, scheme="jinhu", lang="fr")
    # the programme id picks the version in force on as_of
    assert zjtx.assess(load_sample("miit-2020-eligible.json"), scheme="miit", as_of="2025-06-30").ruleset.id == \
        "miit-2022"


def test_bad_input_and_unknown_names_raise_clear_errors(tmp_path):
    with pytest.raises(zjtx.InputError) as exc:
        zjtx.assess(changed(load_sample("hengyang-eligible.json"), employees={"2025": -3}), scheme="hengyang")
    assert "employees" in str(exc.value) and "-3" in str(exc.value)
    with pytest.raises(zjtx.InputError):
        zjtx.assess(str(tmp_path / "nothing.xlsx"), scheme="hengyang")
    with pytest.raises(LookupError, match="nonesuch"):
        zjtx.assess(load_sample("hengyang-eligible.json"), scheme="nonesuch")
    with pytest.raises(LookupError):
        zjtx.assess(load_sample("hengyang-eligible.json"), scheme="jinhu", tier="nonesuch")


def test_the_result_is_immutable():
    r = zjtx.assess(load_sample("hengyang-eligible.json"), scheme="hengyang", as_of=AS_OF)
    with pytest.raises(AttributeError):
        r.verdict = "eligible"
    with pytest.raises(AttributeError):
        r.track.results[0].status = "met"
    assert r.replace(verdict="not_eligible").verdict == "not_eligible" and r.verdict == "eligible"


def test_the_readme_example_runs():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        text = fh.read()
    block = re.search(r"## Library use.*?```python\n(.*?)```", text, re.S).group(1)
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        scope: dict = {}
        exec(compile(block, "README.md", "exec"), scope)  # noqa: S102 - our own README
    finally:
        os.chdir(cwd)
    assert scope["r"].verdict in zjtx.VERDICTS and scope["doc"]["lang"] == "en"


def test_importing_the_package_loads_nothing_else():
    code = "import sys, zjtx_cli; print(sorted(m for m in sys.modules if m.startswith(('zjtx_cli.', 'yaml'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
