"""Write an .xlsx twin of every samples/*.json in the fill-in template's layout.

    python samples/make_xlsx.py          # (re)write every twin
    python samples/make_xlsx.py --check  # exit 1 if a twin is missing or reads differently

Each twin holds the fields its JSON gives (in field-dictionary order) and one
column per year from the earliest to the latest year in the JSON; it must read
back to exactly the same values (tests/test_template.py checks that, and that
both assess identically).
"""

from __future__ import annotations

import glob
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from zjtx_cli.inputs.fields import field_dictionary  # noqa: E402
from zjtx_cli.inputs.reader import read_json, read_xlsx  # noqa: E402
from zjtx_cli.inputs.safety import atomic_save  # noqa: E402
from zjtx_cli.outputs.template import build_workbook, year_list  # noqa: E402


def twin_of(json_path: str) -> str:
    return os.path.splitext(json_path)[0] + ".xlsx"


def sample_years(e) -> list[int]:
    ys = e.years()
    if not ys:
        return year_list(None, 3)
    return list(range(ys[0], ys[-1] + 1))


def make(json_path: str, fields=None) -> str:
    fields = fields or field_dictionary()
    e = read_json(json_path, fields, checks=False)
    keys = [f.key for f in fields if f.key in e.values]
    from zjtx_cli.evidence.read import attach

    attach(e, json_path, fields)
    wb = build_workbook(fields, keys, sample_years(e), e.values, evidence=e.evidence,
                        title=f"样例 {os.path.basename(json_path)} 的 xlsx 版本 / xlsx twin of a sample")
    out = twin_of(json_path)
    atomic_save(out, wb.save, protect=[json_path])
    return out


def same(json_path: str, fields=None) -> bool:
    fields = fields or field_dictionary()
    x = twin_of(json_path)
    if not os.path.exists(x):
        return False
    return read_json(json_path, fields, checks=False).values == read_xlsx(x, fields, checks=False).values


def main(argv: list[str]) -> int:
    paths = sorted(glob.glob(os.path.join(HERE, "*.json")))
    fields = field_dictionary()
    if "--check" in argv:
        bad = [p for p in paths if not same(p, fields)]
        for p in bad:
            print(f"stale or missing twin: {twin_of(p)}", file=sys.stderr)
        return 1 if bad else 0
    for p in paths:
        out = make(p, fields)
        ok = same(p, fields)
        print(f"{os.path.relpath(out)}{'' if ok else '  (DOES NOT READ BACK THE SAME)'}")
        if not ok:
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
