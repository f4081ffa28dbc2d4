"""Serve the common scripted calls without importing typer.

Agency scripts call ``zjtx assess FILE --scheme X --format json`` in loops; typer
and click cost ≈ 40 ms of start-up on every call. When the arguments are plainly
of the forms that ``zjtx assess`` (and ``zjtx --version``) accept, this module
recognises them and calls the same implementation (:func:`commands.run_assess`)
that the typer command calls. Anything else — help, an unknown or malformed
option, a missing value, a value the declaration would refuse — returns ``None``
and the typer CLI handles it, with its usage messages. The option table below is
generated from the typer declaration (``python -m zjtx_cli.cli.fastpath --write``);
``tests/test_fastpath.py`` checks it is current, that both paths call run_assess
with the same arguments, and that they give the same output and exit status.
"""

from __future__ import annotations

# The option table of ``zjtx assess`` as declared for typer in cli/app.py, written here so that the fast
# path never imports typer. It is generated, never edited: ``python -m zjtx_cli.cli.fastpath --write``
# rewrites it from the declaration, and tests/test_fastpath.py fails while the two differ. Validation lives
# in the declaration only: the fast path checks nothing itself, it hands any value the declaration would
# refuse (an int out of its range, a choice not listed) to typer, which reports the usage error.
#
# option -> (parameter, kind, constraint); kind: "value", "int", "float", "choice", "multi", "flag", or "typer"
# (an option only typer serves: given, the call goes to typer);
# constraint: (min, max, min_open, max_open) for a ranged number, the choices for "choice", else None.
# --- generated from zjtx_cli/cli/app.py: python -m zjtx_cli.cli.fastpath --write ---
ASSESS_OPTIONS = {
    "--scheme": ("scheme", "value", None),
    "-s": ("scheme", "value", None),
    "--tier": ("tier", "value", None),
    "-t": ("tier", "value", None),
    "--format": ("fmt", "value", None),
    "-f": ("fmt", "value", None),
    "--lang": ("lang", "value", None),
    "--year": ("year", "int", None),
    "--as-of": ("as_of", "value", None),
    "--set": ("sets", "multi", None),
    "--review": ("review", "flag", None),
    "--evidence": ("evidence", "multi", None),
    "--checklist": ("checklist", "flag", None),
    "--rules-dir": ("rules_dir", "typer", None),
}
ASSESS_DEFAULTS: dict = {
    "tier": None,
    "fmt": "table",
    "lang": "zh",
    "year": None,
    "as_of": None,
    "sets": [],
    "review": False,
    "evidence": [],
    "checklist": False,
}
ASSESS_REQUIRED = ("scheme",)
ASSESS_ARGUMENT = "file"
# --- end generated ---


def _acceptable(kind, constraint, value):
    """The value converted as the declaration converts it, or None when typer should judge it."""
    try:
        if kind == "int":
            value = int(value)
        elif kind == "float":
            value = float(value)
    except ValueError:
        return None
    if kind == "choice":
        return value if value in constraint else None
    if constraint is not None and kind in ("int", "float"):
        lo, hi, lo_open, hi_open = constraint
        if lo is not None and (value < lo or (lo_open and value == lo)):
            return None
        if hi is not None and (value > hi or (hi_open and value == hi)):
            return None
    return value


def parse_assess(args: list[str]) -> dict | None:
    """Keyword arguments for run_assess, or None when typer should handle the call."""
    kw: dict = {k: (list(v) if isinstance(v, list) else v) for k, v in ASSESS_DEFAULTS.items()}
    given: set[str] = set()
    files: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            files.extend(args[i + 1:])
            break
        if a.startswith("-") and a != "-":
            name, eq, inline = a.partition("=")
            spec = ASSESS_OPTIONS.get(name)
            if spec is None or (eq and not name.startswith("--")):
                return None
            param, kind, constraint = spec
            if kind == "typer":
                return None
            given.add(param)
            if kind == "flag":
                if eq:
                    return None
                kw[param] = True
                i += 1
                continue
            if eq:
                value = inline
                i += 1
            else:
                if i + 1 >= len(args):
                    return None
                value = args[i + 1]
                i += 2
            value = _acceptable(kind, constraint, value)
            if value is None:
                return None
            if kind == "multi":
                kw[param].append(value)
            else:
                kw[param] = value
            continue
        files.append(a)
        i += 1
    if len(files) != 1 or any(r not in given for r in ASSESS_REQUIRED):
        return None
    kw[ASSESS_ARGUMENT] = path_text(files[0])
    return kw


def path_text(s: str) -> str:
    """The path as typer's ``Path`` argument shows it (``str(PurePosixPath(s))``), without
    importing pathlib: repeated slashes and ``.`` parts dropped, ``..`` kept, '' is '.'."""
    import os

    if os.sep != "/":  # pragma: no cover - the fast path's exact-match test runs on POSIX
        from pathlib import Path

        return str(Path(s))
    root = "//" if s.startswith("//") and not s.startswith("///") else ("/" if s.startswith("/") else "")
    parts = [p for p in s.split("/") if p not in ("", ".")]
    return root + "/".join(parts) if (root or parts) else "."


def try_main(argv: list[str]) -> int | None:
    """Exit status if served here, else None."""
    if argv == ["--version"]:
        import sys

        from zjtx_cli import __version__

        sys.stdout.write(f"zjtx {__version__}\n")
        return 0
    if not argv or argv[0] != "assess":
        return None
    kw = parse_assess(argv[1:])
    if kw is None:
        return None
    from zjtx_cli.cli.commands import guarded, run_assess

    try:
        return guarded(run_assess, **kw)
    except SystemExit as exc:  # usage errors and unreadable input, already reported on stderr
        return exc.code if isinstance(exc.code, int) else 2


# ------------------------------------------------------------------ the table, from the declaration
def derive_assess_table(app=None) -> dict:
    """ASSESS_OPTIONS, ASSESS_DEFAULTS, ASSESS_REQUIRED and ASSESS_ARGUMENT read from the typer declaration
    of ``assess`` (imports typer: for tests and ``--write`` only). A parameter of a kind the fast path cannot
    serve raises ValueError: extend the fast path (or leave that option to typer) deliberately."""
    import click
    import typer

    if app is None:
        from zjtx_cli.cli.app import app
    cmd = typer.main.get_command(app)
    cmd = cmd.commands["assess"] if isinstance(cmd, click.Group) else cmd
    options: dict = {}
    defaults: dict = {}
    required: list = []
    argument = None
    for p in cmd.params:
        if isinstance(p, click.Argument):
            if argument is not None or p.nargs != 1 or not isinstance(p.type, click.Path):
                raise ValueError(f"assess: argument {p.name!r}: the fast path serves one path argument only")
            argument = p.name
            continue
        if p.secondary_opts or getattr(p, "count", False) or p.nargs != 1 or p.callback is not None \
                or p.envvar or getattr(p, "is_eager", False):
            raise ValueError(f"assess: option {p.name!r} is of a form the fast path does not serve")
        t = p.type
        constraint = None
        if getattr(p, "is_flag", False):
            if p.default not in (False, None) or not getattr(p, "is_bool_flag", False):
                raise ValueError(f"assess: flag {p.name!r}: the fast path serves off-by-default flags only")
            kind = "flag"
        elif isinstance(t, click.Choice):
            if not t.case_sensitive or p.multiple:
                raise ValueError(f"assess: choice {p.name!r} is of a form the fast path does not serve")
            kind, constraint = "choice", tuple(t.choices)
        elif isinstance(t, (click.IntRange, click.FloatRange)):
            if t.clamp:
                raise ValueError(f"assess: {p.name!r} clamps: the fast path does not serve that")
            kind = "int" if isinstance(t, click.IntRange) else "float"
            constraint = (t.min, t.max, t.min_open, t.max_open)
        elif t is click.INT:
            kind = "int"
        elif t is click.FLOAT:
            kind = "float"
        elif t is click.STRING:
            kind = "multi" if p.multiple else "value"
        elif isinstance(t, click.Path):
            # a path option the fast path leaves to typer (e.g. --rules-dir, which also sets up the
            # user rules folders before the assessment): given, the whole call goes to typer
            kind = "typer"
        else:
            raise ValueError(f"assess: option {p.name!r} has a type ({t!r}) the fast path does not serve")
        if p.multiple and kind not in ("multi", "typer"):
            raise ValueError(f"assess: repeatable option {p.name!r} must be text for the fast path")
        for o in p.opts:
            options[o] = (p.name, kind, constraint)
        if kind == "typer":
            continue
        if p.required:
            required.append(p.name)
        else:
            d = p.default
            defaults[p.name] = list(d or ()) if kind == "multi" else d  # type: ignore[arg-type]
    return {"ASSESS_OPTIONS": options, "ASSESS_DEFAULTS": defaults, "ASSESS_REQUIRED": tuple(required),
            "ASSESS_ARGUMENT": argument}


def _lit(v) -> str:
    """A Python literal in the project's style (double-quoted strings)."""
    import json

    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, tuple):
        return "(" + ", ".join(_lit(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    if isinstance(v, list):
        return "[" + ", ".join(_lit(x) for x in v) + "]"
    return repr(v)


def _render(table: dict) -> str:
    lines = ["ASSESS_OPTIONS = {"]
    lines += [f"    {_lit(k)}: {_lit(v)}," for k, v in table["ASSESS_OPTIONS"].items()]
    lines += ["}", "ASSESS_DEFAULTS: dict = {"]
    lines += [f"    {_lit(k)}: {_lit(v)}," for k, v in table["ASSESS_DEFAULTS"].items()]
    lines += ["}", f"ASSESS_REQUIRED = {_lit(table['ASSESS_REQUIRED'])}",
              f"ASSESS_ARGUMENT = {_lit(table['ASSESS_ARGUMENT'])}"]
    return "\n".join(lines) + "\n"


_BEGIN = "# --- generated from zjtx_cli/cli/app.py: python -m zjtx_cli.cli.fastpath --write ---\n"
_END = "# --- end generated ---\n"


def generated_block(app=None) -> str:
    return _render(derive_assess_table(app))


def current_block() -> str:
    with open(__file__, encoding="utf-8") as fh:
        text = fh.read()
    return text.split(_BEGIN, 1)[1].split(_END, 1)[0]


if __name__ == "__main__":  # pragma: no cover - a developer's command
    import sys

    block = generated_block()
    if "--write" in sys.argv:
        with open(__file__, encoding="utf-8") as fh:
            text = fh.read()
        head, rest = text.split(_BEGIN, 1)
        with open(__file__, "w", encoding="utf-8") as fh:
            fh.write(head + _BEGIN + block + _END + rest.split(_END, 1)[1])
        print("fastpath: option table rewritten from cli/app.py")
    else:
        ok = block == current_block()
        print("fastpath: option table matches cli/app.py" if ok else "fastpath: option table differs from "
              "cli/app.py: run python -m zjtx_cli.cli.fastpath --write")
        sys.exit(0 if ok else 1)
