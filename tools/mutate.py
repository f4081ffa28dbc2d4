#!/usr/bin/env python3
"""Mutation testing for the engine code (stdlib only).

Each mutant changes one operator, comparison, boolean or constant in one file; the
test suite (a fast relevant subset, ``-x``) is run against it in a private copy of the
tree. A mutant the tests notice is *killed*; one they do not is a *survivor*: either a
behaviour no test pins, or a change that cannot alter behaviour (an *equivalent* mutant,
listed in ``tools/mutate-equivalent.txt`` with the reason, and set aside from the rate).

    python tools/mutate.py                          # every mutant of the default files
    python tools/mutate.py --sample 200 --seed 1    # a reproducible random sample
    python tools/mutate.py --files 'zjtx_cli/engine/*.py' --jobs 2 --timeout 60
    python tools/mutate.py --list                   # only list the mutants
    python tools/mutate.py --tests tests/test_engine.py --tests tests/test_golden.py

Prints the kill rate per file and every survivor as ``file:line  mutation  | source line``.
Run from the repository root with the project's venv active (pytest importable).
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures as cf
import fnmatch
import glob
import json
import os
import queue
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EQUIVALENT_FILE = os.path.join(ROOT, "tools", "mutate-equivalent.txt")

# the engine code (issue 10) in the rebuilt layout: one module per check kind (engine/kinds/, the score kind
# in engine/kinds/score/), the assessment service, results, statuses, evaluation, metrics, SME sizing, cell
# values and the ruleset loader
DEFAULT_FILES = ["zjtx_cli/engine/kinds/**/*.py", "zjtx_cli/engine/*.py", "zjtx_cli/inputs/values.py",
                 "zjtx_cli/rules/loader.py"]
# tests that exercise the engine, fastest and most pointed first (pytest -x stops at the first failure);
# the golden outputs last: slower, but they pin every sample x scheme x tier
DEFAULT_TESTS = ["tests/test_engine_behaviour.py", "tests/test_engine_mutants.py", "tests/test_engine_mutants2.py",
                 "tests/test_engine_mutants3.py", "tests/test_kinds.py",
                 "tests/test_engine.py", "tests/test_values.py", "tests/test_readings.py",
                 "tests/test_scoring.py", "tests/test_sme.py", "tests/test_walk_all_checks.py",
                 "tests/test_user_rules.py", "tests/test_miit2022.py", "tests/test_miit2026.py",
                 "tests/test_ruleset_*.py", "tests/test_rulesets_meta.py", "tests/test_checks.py",
                 "tests/test_lang.py", "tests/test_cli.py", "tests/test_reader.py", "tests/test_versions.py",
                 "tests/test_batch.py", "tests/test_golden.py"]
SKIP_DIRS = {".git", ".ci-venv", ".venv", "venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache",
             "build", "dist", "mutants", ".hypothesis"}

BINOP = {ast.Add: ("+", ["-"]), ast.Sub: ("-", ["+"]), ast.Mult: ("*", ["/"]), ast.Div: ("/", ["*"]),
         ast.FloorDiv: ("//", ["/"]), ast.Mod: ("%", ["*"]), ast.Pow: ("**", ["*"])}
AUGOP = {ast.Add: ("+=", ["-="]), ast.Sub: ("-=", ["+="]), ast.Mult: ("*=", ["/="]), ast.Div: ("/=", ["*="])}
CMPOP = {ast.Lt: ("<", ["<=", ">="]), ast.LtE: ("<=", ["<", ">"]), ast.Gt: (">", [">=", "<="]),
         ast.GtE: (">=", [">", "<"]), ast.Eq: ("==", ["!="]), ast.NotEq: ("!=", ["=="]),
         ast.In: ("in", ["not in"]), ast.NotIn: ("not in", ["in"]), ast.Is: ("is", ["is not"]),
         ast.IsNot: ("is not", ["is"])}


class Mutant:
    __slots__ = ("file", "line", "start", "end", "old", "new", "text", "status", "seconds", "nth")
    status: str

    def __init__(self, file, line, start, end, old, new, text):
        self.file, self.line, self.start, self.end = file, line, start, end  # byte offsets in the file
        self.old, self.new, self.text = old, new, text
        self.status, self.seconds = "", 0.0
        self.nth = 1  # the same change on the same line a second time (e.g. two '1's): told apart

    @property
    def what(self):
        return f"{self.old!s} -> {self.new!s}" + (f" (#{self.nth})" if self.nth > 1 else "")

    def key(self):
        """Stable across line shifts: file, the stripped source line, the change."""
        return f"{self.file} | {self.text} | {self.what}"


# ------------------------------------------------------------------------------ generation
def _offsets(src: bytes):
    starts = [0]
    for i, b in enumerate(src):
        if b == 10:
            starts.append(i + 1)
    return starts


def _docstring_nodes(tree):
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                    and isinstance(first.value.value, str):
                out.add(id(first.value))
    return out


def _skipped_ids(tree):
    """Nodes never mutated: docstrings, f-strings (text), __all__, type annotations."""
    skip = _docstring_nodes(tree)
    for node in ast.walk(tree):
        sub: list[ast.AST] = []
        if isinstance(node, ast.JoinedStr):
            sub = [node]
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            sub = [node]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            sub = [a.annotation for a in node.args.args + node.args.kwonlyargs if a.annotation]
            if node.returns:
                sub.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            sub = [node.annotation]
        for s in sub:
            for n in ast.walk(s):
                skip.add(id(n))
    return skip


def mutants_of(path: str) -> list[Mutant]:
    rel = os.path.relpath(path, ROOT)
    src = open(path, "rb").read()
    tree = ast.parse(src, path)
    starts = _offsets(src)
    lines = src.decode("utf-8").splitlines()
    skip = _skipped_ids(tree)
    out: list[Mutant] = []

    def pos(line, col):
        return starts[line - 1] + col

    def line_text(line):
        return lines[line - 1].strip()

    def no_mutate(line):
        return "pragma: no mutate" in lines[line - 1] or "pragma: no cover" in lines[line - 1]

    def between(a_end, b_start, token, news, line):
        """The operator token between two nodes (byte span), replaced by each of news."""
        seg = src[a_end:b_start]
        tok = token.encode()
        # find the token as a whole word/operator, outside brackets and comments
        i = _find_op(seg, tok)
        if i < 0 or no_mutate(line):
            return
        s = a_end + i
        for new in news:
            out.append(Mutant(rel, line, s, s + len(tok), token, new, line_text(line)))

    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.BinOp) and type(node.op) in BINOP:
            tok, news = BINOP[type(node.op)]
            if isinstance(node.op, ast.Mod) and isinstance(node.left, ast.Constant) \
                    and isinstance(node.left.value, str):
                continue  # %-formatting of text
            between(pos(node.left.end_lineno, node.left.end_col_offset),
                    pos(node.right.lineno, node.right.col_offset), tok, news, node.right.lineno)
        elif isinstance(node, ast.AugAssign) and type(node.op) in AUGOP:
            tok, news = AUGOP[type(node.op)]
            between(pos(node.target.end_lineno, node.target.end_col_offset),
                    pos(node.value.lineno, node.value.col_offset), tok, news, node.lineno)
        elif isinstance(node, ast.Compare):
            left = node.left
            for op, right in zip(node.ops, node.comparators, strict=True):
                if type(op) in CMPOP:
                    tok, news = CMPOP[type(op)]
                    between(pos(left.end_lineno, left.end_col_offset), pos(right.lineno, right.col_offset),
                            tok, news, right.lineno)
                left = right
        elif isinstance(node, ast.BoolOp):
            tok, new = ("and", "or") if isinstance(node.op, ast.And) else ("or", "and")
            for a, b in zip(node.values, node.values[1:], strict=False):
                between(pos(a.end_lineno, a.end_col_offset), pos(b.lineno, b.col_offset), tok, [new], b.lineno)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            if no_mutate(node.lineno):
                continue
            s = pos(node.lineno, node.col_offset)
            out.append(Mutant(rel, node.lineno, s, s + 3, "not", "", line_text(node.lineno)))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) \
                and not isinstance(node.operand, ast.Constant):
            if no_mutate(node.lineno):
                continue
            s = pos(node.lineno, node.col_offset)
            out.append(Mutant(rel, node.lineno, s, s + 1, "-", "", line_text(node.lineno)))
        elif isinstance(node, ast.Constant) and node.end_lineno == node.lineno and not no_mutate(node.lineno):
            s, e = pos(node.lineno, node.col_offset), pos(node.end_lineno, node.end_col_offset)
            old = src[s:e].decode()
            v = node.value
            if isinstance(v, bool):
                out.append(Mutant(rel, node.lineno, s, e, old, str(not v), line_text(node.lineno)))
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                new = repr(v + 1) if v not in (1,) else "0"
                out.append(Mutant(rel, node.lineno, s, e, old, new, line_text(node.lineno)))
            elif isinstance(v, str) and _decimal_arg(node, tree):
                try:
                    from decimal import Decimal

                    new = repr(str(Decimal(v) + 1) if Decimal(v) != 1 else "0")
                except Exception:
                    continue
                out.append(Mutant(rel, node.lineno, s, e, old, new, line_text(node.lineno)))
            elif isinstance(v, str) and _behaviour_string(node, tree):
                out.append(Mutant(rel, node.lineno, s, e, old, repr(_other_word(v)), line_text(node.lineno)))
    out.sort(key=lambda m: (m.line, m.start, m.new))
    seen: dict[tuple, int] = {}
    for m in out:
        k = (m.text, m.old, m.new)
        seen[k] = m.nth = seen.get(k, 0) + 1
    return out


def _parents(tree):
    cache = getattr(tree, "_parents", None)
    if cache is None:
        cache = {}
        for p in ast.walk(tree):
            for c in ast.iter_child_nodes(p):
                cache[id(c)] = p
        tree._parents = cache
    return cache


def _decimal_arg(node, tree):
    p = _parents(tree).get(id(node))
    return isinstance(p, ast.Call) and isinstance(p.func, ast.Name) and p.func.id == "Decimal" and p.args \
        and p.args[0] is node


# a status word becomes its neighbour in its family (a real wrong answer: 'undetermined' -> 'not_eligible'),
# any other word a word no code knows
FAMILIES = [["eligible", "undetermined", "not_eligible", "excluded"], ["reached", "not_reached"],
            ["met", "unknown", "unmet", "pending"], ["data", "declaration", "near", "far", "blocker"],
            ["required", "priority", "exclusion"], [">=", ">", "<=", "<"], ["all", "any"], ["zh", "en"]]


def _other_word(v: str) -> str:
    for fam in FAMILIES:
        if v in fam:
            return fam[(fam.index(v) + 1) % len(fam)]
    return "X" + v + "X"


_WORD = re.compile(r"[a-z][a-z_]*\Z")


def _behaviour_string(node, tree):
    """A status-like word the code decides on: compared (``t == "metric"``, ``x in ("all", "any")``), a dict
    key or value (``{"reached": "eligible"}``), returned, or the key or default of a ``.get``."""
    if not isinstance(node.value, str) or not _WORD.match(node.value):
        return False
    par = _parents(tree)
    p = par.get(id(node))
    if isinstance(p, (ast.Tuple, ast.Set, ast.List)):
        return isinstance(par.get(id(p)), ast.Compare)
    if isinstance(p, (ast.Compare, ast.Dict, ast.Return)):
        return True
    return isinstance(p, ast.Call) and isinstance(p.func, ast.Attribute) and p.func.attr == "get" \
        and node in p.args


def _find_op(seg: bytes, tok: bytes) -> int:
    """Index of the operator token in the bytes between two operands: past spaces, brackets,
    line continuations and comments, the first thing there is the operator (else -1)."""
    i = 0
    while i < len(seg):
        c = seg[i:i + 1]
        if c in b" \t\r\n()[]\\":
            i += 1
        elif c == b"#":
            j = seg.find(b"\n", i)
            i = len(seg) if j < 0 else j
        else:
            return i if seg.startswith(tok, i) else -1
    return -1


def apply(src: bytes, m: Mutant) -> bytes:
    return src[:m.start] + m.new.encode() + src[m.end:]


# --------------------------------------------------------------------------------- running
def _ignore(d, names):
    return [n for n in names if n in SKIP_DIRS or n.endswith(".egg-info")]


def make_copies(n: int, base: str) -> list[str]:
    """n private copies of the tree under base/, each beside a link to ../shared (the seeds tests read)."""
    shared = os.path.join(os.path.dirname(ROOT), "shared")
    if os.path.isdir(shared):
        os.symlink(shared, os.path.join(base, "shared"))
    out = []
    for i in range(n):
        dst = os.path.join(base, f"tree{i}")
        shutil.copytree(ROOT, dst, ignore=_ignore, symlinks=True)
        out.append(dst)
    return out


def run_tests(tree: str, tests: list[str], timeout: float) -> tuple[str, float]:
    env = dict(os.environ)
    env["PYTHONPATH"] = tree + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # a same-size mutation in the same second must not reuse a stale .pyc
    env["ZJTX_CACHE_DIR"] = os.path.join(tree, ".zjtx-cache")
    env.pop("ZJTX_DEBUG", None)
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:warnings", "-p", "no:cacheprovider",
           "--no-header", "-o", "addopts=", *tests]
    t0 = time.monotonic()
    try:
        r = subprocess.run(cmd, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=timeout, start_new_session=True)
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - t0
    dt = time.monotonic() - t0
    if r.returncode == 0:
        return "survived", dt
    if r.returncode == 1:
        return "killed", dt
    return "error", dt  # collection/import error (e.g. the mutant broke an import): noticed, counted killed


def expand(patterns: list[str], base: str = ROOT) -> list[str]:
    out: list[str] = []
    for p in patterns:
        hits = sorted(glob.glob(os.path.join(base, p), recursive=True))
        for h in hits:
            rel = os.path.relpath(h, base)
            if rel not in out and (h.endswith(".py") or os.path.isdir(h) or "::" in p):
                out.append(rel)
        if not hits and "::" in p:
            out.append(p)
    return out


def load_equivalent(path: str) -> dict[str, str]:
    out = {}
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            key, _, why = line.rpartition("  # ") if "  # " in line else (line, "", "")
            out[key.strip()] = why.strip()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", action="append", help="glob of files to mutate (repeatable); default: the engine")
    ap.add_argument("--exclude", action="append", default=[], help="glob of files not to mutate")
    ap.add_argument("--tests", action="append", help="pytest targets (repeatable); default: the engine's tests")
    ap.add_argument("--exclude-tests", action="append", default=[], help="glob of test targets not to run")
    ap.add_argument("--sample", type=int, default=0, help="run a random sample of N mutants (0: all)")
    ap.add_argument("--seed", type=int, default=0, help="sampling seed (the same seed gives the same sample)")
    ap.add_argument("--lines", help="only mutants on these lines: FILE:A-B")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="mutants run in parallel")
    ap.add_argument("--timeout", type=float, default=90, help="seconds per mutant (a timeout counts as killed)")
    ap.add_argument("--equivalent", default=EQUIVALENT_FILE, help="file of known equivalent mutants")
    ap.add_argument("--rerun", metavar="JSON", help="run again only the survivors of an earlier --json run (tests "
                    "were added since: a killed mutant stays killed) and report on the whole earlier set")
    ap.add_argument("--list", action="store_true", help="list the mutants and stop")
    ap.add_argument("--json", help="write every mutant and its outcome to this file")
    ap.add_argument("-v", "--verbose", action="store_true", help="print each survivor as soon as it is found")
    ap.add_argument("--keep", action="store_true", help="keep the temporary tree copies")
    args = ap.parse_args(argv)

    files = [f for f in expand(args.files or DEFAULT_FILES)
             if not any(fnmatch.fnmatch(f, x) for x in args.exclude) and not f.endswith("__init__.py")]
    tests = [t for t in expand(args.tests or DEFAULT_TESTS)
             if not any(fnmatch.fnmatch(t, x) for x in args.exclude_tests)]
    mutants = [m for f in files for m in mutants_of(os.path.join(ROOT, f))]
    if args.lines:
        lf, _, rng = args.lines.rpartition(":")
        a, _, b = rng.partition("-")
        mutants = [m for m in mutants if m.file == lf and int(a) <= m.line <= int(b or a)]
    total = len(mutants)
    if args.sample and args.sample < total and not args.rerun:
        mutants = random.Random(args.seed).sample(mutants, args.sample)
        mutants.sort(key=lambda m: (m.file, m.line, m.start, m.new))
    earlier: list[Mutant] = []
    if args.rerun:
        with open(args.rerun, encoding="utf-8") as fh:
            prev = json.load(fh)
        by_key = {(m.file, m.line, m.what, m.text): m for m in mutants}
        mutants = []
        for d in prev:
            m = by_key.get((d["file"], d["line"], d["mutation"], d["source"]))
            if m is None:  # the file changed since: that mutant is no longer there
                continue
            if d["status"] == "survived":
                mutants.append(m)
            else:
                m.status, m.seconds = d["status"], d["seconds"]
                earlier.append(m)
        total = len(mutants) + len(earlier)
    equivalent = load_equivalent(args.equivalent)
    if args.list:
        for m in mutants:
            eq = "  [equivalent]" if m.key() in equivalent else ""
            print(f"{m.file}:{m.line}  {m.what}  | {m.text}{eq}")
        print(f"{len(mutants)} of {total} mutants in {len(files)} files")
        return 0

    if args.rerun:
        print(f"re-running the {len(mutants)} survivors of {args.rerun} ({len(earlier)} killed there)")
    print(f"{len(mutants)} of {total} mutants in {len(files)} files; {len(tests)} test targets; "
          f"{args.jobs} in parallel; timeout {args.timeout:g} s", flush=True)
    base = tempfile.mkdtemp(prefix="zjtx-mutate-")
    try:
        trees = make_copies(args.jobs, base)
        # sanity: the unmutated tree passes the tests, else every mutant would look killed
        st, dt = run_tests(trees[0], tests, args.timeout * 3)
        if st != "survived":
            print(f"the tests fail without any mutation ({st}); fix that first", file=sys.stderr)
            return 2
        print(f"unmutated run: {dt:.1f} s", flush=True)
        pool: queue.Queue[str] = queue.Queue()
        for t in trees:
            pool.put(t)
        originals = {f: open(os.path.join(ROOT, f), "rb").read() for f in files}

        def one(m: Mutant) -> Mutant:
            tree = pool.get()
            target = os.path.join(tree, m.file)
            try:
                with open(target, "wb") as fh:
                    fh.write(apply(originals[m.file], m))
                try:
                    compile(apply(originals[m.file], m), target, "exec")
                except SyntaxError:
                    m.status = "invalid"
                    return m
                m.status, m.seconds = run_tests(tree, tests, args.timeout)
            finally:
                with open(target, "wb") as fh:
                    fh.write(originals[m.file])
                pool.put(tree)
            return m

        t0 = time.monotonic()
        done = 0
        with cf.ThreadPoolExecutor(max_workers=args.jobs) as ex:
            for m in ex.map(one, mutants):
                done += 1
                mark = {"killed": ".", "error": "E", "timeout": "T", "survived": "S", "invalid": "x"}[m.status]
                print(mark, end="" if done % 60 else f"  {done}/{len(mutants)}\n", flush=True)
                if args.verbose and m.status == "survived":
                    print(f"\n  survived: {m.file}:{m.line}  {m.what}  | {m.text}", flush=True)
        print(f"\n{time.monotonic() - t0:.0f} s", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
        else:
            print(f"copies kept in {base}")

    mutants = sorted(earlier + mutants, key=lambda m: (m.file, m.line, m.start, m.new))
    report(mutants, equivalent, files)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump([{"file": m.file, "line": m.line, "mutation": m.what, "source": m.text, "status": m.status,
                        "equivalent": m.key() in equivalent, "seconds": round(m.seconds, 2)} for m in mutants],
                      fh, ensure_ascii=False, indent=1)
    return 0


def report(mutants, equivalent, files):
    valid = [m for m in mutants if m.status != "invalid"]
    eq = [m for m in valid if m.key() in equivalent and m.status == "survived"]
    counted = [m for m in valid if m not in eq]
    print(f"\n{'file':44} {'mutants':>8} {'killed':>7} {'rate':>7}")
    for f in files + ["TOTAL"]:
        ms = counted if f == "TOTAL" else [m for m in counted if m.file == f]
        if not ms:
            continue
        k = sum(m.status != "survived" for m in ms)
        print(f"{f:44} {len(ms):8} {k:7} {100 * k / len(ms):6.1f}%")
    invalid = len(mutants) - len(valid)
    print(f"(set aside: {len(eq)} equivalent survivors, {invalid} mutants that do not compile; "
          f"timeouts and import errors count as killed)")
    surv = [m for m in counted if m.status == "survived"]
    if surv:
        print(f"\nsurvivors ({len(surv)}):")
        for m in surv:
            print(f"  {m.file}:{m.line}  {m.what}  | {m.text}")
    if eq:
        print(f"\nequivalent (set aside, {len(eq)}):")
        for m in eq:
            print(f"  {m.file}:{m.line}  {m.what}  | {m.text}  # {equivalent[m.key()]}")


if __name__ == "__main__":
    sys.exit(main())
