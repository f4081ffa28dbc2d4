"""The golden cases: every sample under every scheme and every tier/track it can be
assessed against, plus the whole ladder, in both languages where the text differs.

Recorded before the engine rebuild (issue 10); `python tests/golden/cases.py --write`
re-records them (only when a change to the output is intended and documented).
"""
from __future__ import annotations

import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDEN = pathlib.Path(__file__).resolve().parent / "assess.jsonl.gz"
AS_OF = {"miit-2020": "2021-06-30", "miit-2022": "2025-06-30", "miit": "2026-06-30"}
DEFAULT_AS_OF = "2024-06-30"


def schemes():
    import yaml
    out = {}
    for p in sorted(q for q in (ROOT / "rulesets").glob("*.yaml") if not q.name.endswith(".tests.yaml")):
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
        ids = []
        for tier in data.get("tiers", []):
            ids.append(tier["id"])
            for tr in tier.get("tracks") or []:
                ids.append(tr["id"])
        out[data["id"]] = ids
    return out


def cases():
    samples = sorted((ROOT / "samples").glob("*.json"))
    for scheme, tiers in schemes().items():
        for s in samples:
            for tier in [None, *tiers]:
                for lang in ("zh", "en") if tier is None else ("zh",):
                    name = f"{s.stem}__{scheme}__{tier or 'all'}__{lang}"
                    args = ["assess", str(s.relative_to(ROOT)), "--scheme", scheme, "--format", "json",
                            "--lang", lang, "--as-of", AS_OF.get(scheme, DEFAULT_AS_OF)]
                    if tier:
                        args += ["--tier", tier]
                    yield name, args


def run(args):
    import os
    from typer.testing import CliRunner
    from zjtx_cli.cli.app import app
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        r = CliRunner().invoke(app, args)
    finally:
        os.chdir(cwd)
    return r.exit_code, r.stdout


if __name__ == "__main__":
    if "--write" in sys.argv:
        import gzip
        n = 0
        with gzip.open(GOLDEN, "wt", encoding="utf-8", compresslevel=9) as f:
            for name, args in cases():
                code, out = run(args)
                f.write(json.dumps({"name": name, "args": args, "exit": code, "stdout": out},
                                   ensure_ascii=False) + "\n")
                n += 1
        print(f"wrote {n} golden cases to {GOLDEN.name}")
