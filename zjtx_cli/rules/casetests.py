"""``zjtx rules test [FILE|DIR…]``: tests as data, beside the ruleset they test.

``NAME.tests.yaml`` next to ``NAME.yaml`` holds cases a policy reviewer can read::

    scheme: hengyang              # optional: the ruleset beside this file
    defaults: {tier: municipal, as_of: 2026-01-01}   # optional: shared by every case
    cases:
      - name: 主营业务收入恰好2000万元（制造业，“以上”含本数）
        input:                    # inline indicators (field keys, as in a JSON input file) …
          industry: manufacturing
          main_business_revenue: {2025: 2000}
        # sample: ../samples/hengyang-eligible.json   # … or a file, relative to this one
        # set: [main_business_revenue.2025=1999]       # what-if changes, as with --set
        # unset: [feature_score]                        # leave indicators out (KEY or KEY.YEAR; with input)
        expect:
          verdict: undetermined   # eligible | not_eligible | excluded | undetermined
          conditions: {hy-2-revenue: met}              # optional: status of named conditions
          gaps: {hy-2-revenue: 20}                     # optional: the shortfall amount (null: no gap)
          highest_tier: municipal                      # optional, ladder (no tier): the tier reached

Each case is assessed as ``zjtx assess --format json`` assesses it (:func:`zjtx_cli.assessment.assess_file`,
the JSON document it prints), so a case tests exactly what a user sees. A failure prints the case, the condition,
expected and actual; the run ends with ``N passed, N failed`` (exit 1 on a failure,
2 when a tests file cannot be read).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from decimal import Decimal, InvalidOperation

from zjtx_cli.rules.registry import TESTS_SUFFIX

_CASE_KEYS = {"name", "input", "sample", "set", "unset", "tier", "as_of", "year", "review", "expect", "scheme", "note"}
_EXPECT_KEYS = {"verdict", "conditions", "gaps", "highest_tier", "next_tier"}
_FILE_KEYS = {"scheme", "defaults", "cases", "note", "notes"}
VERDICTS = ("eligible", "not_eligible", "excluded", "undetermined")
STATUSES = ("met", "unmet", "unknown", "pending")


class TestsFileError(ValueError):
    pass


def _safe(s) -> str:
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(s))


def builtin_tests_dir() -> str | None:
    from zjtx_cli.rules.registry import builtin_paths

    paths = builtin_paths()
    return os.path.dirname(next(iter(paths.values()))) if paths else None


def tests_files(targets) -> tuple[list[str], list[str]]:
    """NAME.tests.yaml files named, beside named rulesets, or in named folders; and targets not found."""
    files, missing = [], []
    if not targets:
        d = builtin_tests_dir()
        targets = [d] if d else []
    for t in targets:
        t = os.fspath(t)
        if os.path.isdir(t):
            files += [os.path.join(t, n) for n in sorted(os.listdir(t)) if n.endswith(TESTS_SUFFIX)]
        elif os.path.isfile(t):
            if t.endswith(TESTS_SUFFIX):
                files.append(t)
            elif t.endswith(".yaml") and os.path.isfile(t[:-5] + TESTS_SUFFIX):
                files.append(t[:-5] + TESTS_SUFFIX)
            else:
                missing.append(f"{t}: no {os.path.basename(t)[:-5] if t.endswith('.yaml') else 'NAME'}"
                               f"{TESTS_SUFFIX} beside it")
        else:
            missing.append(f"{t}: no such file or folder")
    return files, missing


def load_tests(path: str) -> dict:
    from zjtx_cli.rules.yamlcache import YamlError, parse_yaml

    try:
        with open(path, encoding="utf-8") as fh:
            data = parse_yaml(fh.read(), path)
    except YamlError as exc:
        raise TestsFileError(str(exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TestsFileError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise TestsFileError(f"{path}: expected a mapping with a list of 'cases'")
    unknown = set(data) - _FILE_KEYS
    if unknown:
        raise TestsFileError(f"{path}: unknown key(s) {sorted(unknown)}")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict) or set(defaults) - _CASE_KEYS:
        raise TestsFileError(f"{path}: 'defaults' may hold {sorted(_CASE_KEYS - {'name', 'expect'})}")
    name = os.path.basename(path)[:-len(TESTS_SUFFIX)]
    scheme = str(data.get("scheme") or name)
    cases = []
    for i, c in enumerate(data["cases"]):
        where = f"{path}: case #{i + 1}"
        if not isinstance(c, dict):
            raise TestsFileError(f"{where}: expected a mapping")
        c = {**defaults, **c}
        unknown = set(c) - _CASE_KEYS
        if unknown:
            raise TestsFileError(f"{where}: unknown key(s) {sorted(unknown)}")
        if ("input" in c) == ("sample" in c):
            raise TestsFileError(f"{where}: give either 'input' (indicators) or 'sample' (a file)")
        if "input" in c and not isinstance(c["input"], dict):
            raise TestsFileError(f"{where}: 'input' maps field keys to values")
        if c.get("unset") and "input" not in c:
            raise TestsFileError(f"{where}: 'unset' applies to an inline 'input'")
        exp = c.get("expect")
        if not isinstance(exp, dict) or "verdict" not in exp:
            raise TestsFileError(f"{where}: 'expect' needs at least a 'verdict'")
        if set(exp) - _EXPECT_KEYS:
            raise TestsFileError(f"{where}: unknown expectation(s) {sorted(set(exp) - _EXPECT_KEYS)}")
        if exp["verdict"] not in VERDICTS:
            raise TestsFileError(f"{where}: verdict must be one of {', '.join(VERDICTS)}")
        for cid, st in (exp.get("conditions") or {}).items():
            if st not in STATUSES:
                raise TestsFileError(f"{where}: condition {cid}: status must be one of {', '.join(STATUSES)}")
        if (exp.get("conditions") or exp.get("gaps")) and c.get("tier") is None:
            raise TestsFileError(f"{where}: expected conditions or gaps need a 'tier'")
        c.setdefault("name", f"case #{i + 1}")
        c.setdefault("scheme", scheme)
        cases.append(c)
    return {"path": path, "scheme": scheme, "cases": cases}


# ------------------------------------------------------------------------- running
def run_case(case: dict, base_dir: str, tmp: str) -> dict | str:
    """The assess --format json document of a case, or one line saying why there is none."""
    if "sample" in case:
        file = os.path.normpath(os.path.join(base_dir, str(case["sample"])))
    else:
        file = os.path.join(tmp, "case.json")
        data = _jsonable(case["input"])
        for k in case.get("unset") or ():
            key, _dot, year = str(k).partition(".")
            if year and isinstance(data.get(key), dict):
                data[key].pop(year, None)
            else:
                data.pop(key, None)
        with open(file, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, default=str)
    sets = case.get("set") or []
    if isinstance(sets, str):
        sets = [sets]
    from zjtx_cli.assessment import AssessFailed, assess_file
    from zjtx_cli.inputs.text import inert

    try:
        done = assess_file(file, case["scheme"], tier=case.get("tier"), lang="en", year=case.get("year"),
                           as_of=str(case["as_of"]) if case.get("as_of") is not None else None,
                           sets=[str(s) for s in sets], review=bool(case.get("review", False)))
    except AssessFailed as exc:
        return f"could not be assessed (exit {exc.code}): " + (
            f"zjtx: error: {inert(exc.lines[0])}" if exc.lines else "no output")
    except Exception as exc:  # a bug in zjtx: the case fails with one line, the run goes on
        if os.environ.get("ZJTX_DEBUG"):
            raise
        first = str(exc).splitlines()[0] if str(exc) else ""
        return (f"could not be assessed (exit 2): zjtx: internal error: {type(exc).__name__}: {first} "
                f"(please report it; set ZJTX_DEBUG=1 to see the details)")
    return done.json_document()


def _jsonable(v):
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    return v


def _conditions(doc) -> dict[str, str]:
    out: dict[str, str] = {}
    for a in doc.get("tracks") or [doc]:
        for c in a.get("conditions") or ():
            out.setdefault(c["id"], c["status"])
    return out


def _gaps(doc) -> dict[str, list]:
    out: dict[str, list] = {}

    def amounts(items, acc):
        for it in items:
            if it.get("shortfall") and it["shortfall"].get("amount") is not None:
                acc.append(it["shortfall"]["amount"])
            for opt in it.get("options") or ():
                amounts(opt, acc)
        return acc

    for a in doc.get("tracks") or [doc]:
        for g in a.get("gaps") or ():
            out.setdefault(g["condition"], amounts(g["items"], []))
    return out


def _num(v):
    try:
        return Decimal(str(v))
    except (InvalidOperation, ValueError):
        return None


def compare(case, doc) -> list[tuple[str, str, str]]:
    """[(what, expected, actual)] that differ."""
    exp = case["expect"]
    bad = []
    if doc.get("verdict") != exp["verdict"]:
        bad.append(("verdict", exp["verdict"], str(doc.get("verdict"))))
    for k in ("highest_tier", "next_tier"):
        if k in exp and doc.get(k) != exp[k]:
            bad.append((k, str(exp[k]), str(doc.get(k))))
    conds = _conditions(doc)
    for cid, st in (exp.get("conditions") or {}).items():
        actual = conds.get(str(cid), "(no such condition)")
        if actual != st:
            bad.append((f"condition {cid}", st, actual))
    gaps = _gaps(doc)
    for cid, amount in (exp.get("gaps") or {}).items():
        amounts = gaps.get(str(cid))
        if amount is None:
            if amounts is not None:
                bad.append((f"gap {cid}", "no gap", ", ".join(map(str, amounts)) or "a gap"))
            continue
        want = _num(amount)
        if amounts is None or not any(_num(a) == want for a in amounts):
            bad.append((f"gap {cid}", str(amount), ", ".join(map(str, amounts)) if amounts else "no gap"))
    return bad


def run_tests(targets, out=None) -> int:
    """Run every case; print failures and ``N passed, N failed``. 0 all passed, 1 a failure, 2 unreadable."""
    from zjtx_cli.rules import registry

    out = out or sys.stdout
    files, missing = tests_files(targets)
    unreadable = list(missing)
    passed = failed = 0
    saved = list(registry._CLI_DIRS)
    builtin = os.path.realpath(builtin_tests_dir() or "")
    try:
        with tempfile.TemporaryDirectory(prefix="zjtx-rules-test-") as tmp:
            for path in files:
                try:
                    suite = load_tests(path)
                except TestsFileError as exc:
                    unreadable.append(str(exc))
                    continue
                here = os.path.dirname(os.path.abspath(path))
                # a user ruleset beside its tests: assess against it, as --rules-dir would
                if os.path.realpath(here) != builtin and here not in registry._CLI_DIRS:
                    registry.set_cli_dirs(saved + [here])
                for case in suite["cases"]:
                    doc = run_case(case, here, tmp)
                    diffs = [("assess", "a JSON document", doc)] if isinstance(doc, str) else compare(case, doc)
                    if diffs:
                        failed += 1
                        out.write(f"FAIL {_safe(path)}: {_safe(case['name'])}\n")
                        for what, exp, act in diffs:
                            out.write(f"  {_safe(what)}: expected {_safe(exp)}, actual {_safe(act)}\n")
                    else:
                        passed += 1
                registry.set_cli_dirs(saved)
    finally:
        registry.set_cli_dirs(saved)
    for line in unreadable:
        sys.stderr.write(f"zjtx: error: {_safe(line)}\n")
    out.write(f"{passed} passed, {failed} failed\n")
    if unreadable:
        return 2
    return 1 if failed else 0
