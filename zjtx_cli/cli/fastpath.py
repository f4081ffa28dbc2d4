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
ASSESS_ARGUMENT_KIND = "path"
SCHEMES_OPTIONS = {
    "--format": ("fmt", "value", None),
    "-f": ("fmt", "value", None),
    "--lang": ("lang", "value", None),
    "--rules-dir": ("rules_dir", "typer", None),
}
SCHEMES_DEFAULTS: dict = {
    "fmt": "table",
    "lang": "zh",
}
SCHEMES_REQUIRED = ()
SCHEMES_ARGUMENT = None
SCHEMES_ARGUMENT_KIND = None
RULES_OPTIONS = {
    "--format": ("fmt", "value", None),
    "-f": ("fmt", "value", None),
    "--lang": ("lang", "value", None),
    "--as-of": ("as_of", "value", None),
    "--rules-dir": ("rules_dir", "typer", None),
    "--dialect": ("dialect", "value", None),
}
RULES_DEFAULTS: dict = {
    "fmt": "table",
    "lang": "zh",
    "as_of": None,
    "dialect": "duckdb",
}
RULES_REQUIRED = ()
RULES_ARGUMENT = "args"
RULES_ARGUMENT_KIND = "texts"
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


SERVED = ("assess", "schemes", "rules")  # the commands whose tables are generated below


def parse(command: str, args: list[str]) -> dict | None:
    """Keyword arguments for the command's implementation, or None when typer should handle the call."""
    prefix = command.upper()
    g = globals()
    table, defaults = g[prefix + "_OPTIONS"], g[prefix + "_DEFAULTS"]
    required, argument, argument_kind = g[prefix + "_REQUIRED"], g[prefix + "_ARGUMENT"], g[prefix + "_ARGUMENT_KIND"]
    kw: dict = {k: (list(v) if isinstance(v, list) else v) for k, v in defaults.items()}
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
            spec = table.get(name)
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
    if any(r not in given for r in required):
        return None
    if argument_kind == "path":  # one path, shown as typer's Path shows it
        if len(files) != 1:
            return None
        kw[argument] = path_text(files[0])
    elif argument_kind == "texts":  # one or more words, as given
        if not files:
            return None
        kw[argument] = files
    elif files:  # no argument declared: a word is a usage error, for typer to report
        return None
    return kw


def parse_assess(args: list[str]) -> dict | None:
    """Keyword arguments for run_assess, or None when typer should handle the call."""
    return parse("assess", args)


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
    code = _try_help(argv)
    if code is not None or not argv or argv[0] not in SERVED:
        return code
    kw = parse(argv[0], argv[1:])
    if kw is None:
        return None
    from zjtx_cli.terminal import guarded

    if argv[0] == "assess":
        from zjtx_cli.cli import commands as impl
    else:
        from zjtx_cli.cli import listing as impl  # type: ignore[no-redef]
    try:
        return guarded(getattr(impl, "run_" + argv[0]), **kw)
    except SystemExit as exc:  # usage errors and unreadable input, already reported on stderr
        return exc.code if isinstance(exc.code, int) else 2


HELP_FLAGS = ("--help", "-h")


def _try_help(argv: list[str]) -> int | None:
    """``zjtx --help``, ``zjtx COMMAND --help`` (and ``zjtx`` alone) from the texts generated from typer
    (cli/helptext.py), when the terminal is as wide as the one they were generated for; else None."""
    if argv and argv[-1] not in HELP_FLAGS or len(argv) > 2:
        return None
    if len(argv) == 2 and argv[0] in HELP_FLAGS:
        return None
    from zjtx_cli.cli import helptext

    text = helptext.HELP.get(argv[0] if len(argv) == 2 else "")
    if text is None or _columns() < helptext.MIN_COLUMNS:
        return None
    import sys

    if not argv:  # no command: the help goes to stderr and it is a usage error (exit 2), as typer does
        sys.stderr.write(text)
        return 2
    sys.stdout.write(text)
    return 0


def _columns() -> int:
    """The terminal width as click's help formatter reads it (shutil.get_terminal_size, without importing
    shutil): COLUMNS if a positive number, else the width of the terminal on stdout, else 80."""
    import os
    import sys

    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
        columns = columns or 80
    return columns


# ------------------------------------------------------------------ the table, from the declaration
def derive_assess_table(app=None) -> dict:
    """ASSESS_OPTIONS, ASSESS_DEFAULTS, ASSESS_REQUIRED, ASSESS_ARGUMENT and ASSESS_ARGUMENT_KIND read from
    the typer declaration of ``assess`` (see :func:`derive_table`)."""
    return derive_table("assess", app)


def derive_table(command: str, app=None) -> dict:
    """The option table of ``command`` read from its typer declaration (imports typer: for tests and
    ``--write`` only). A parameter of a kind the fast path cannot serve raises ValueError: extend the fast
    path (or leave that option to typer) deliberately. The argument is one path ("path"), one or more
    words ("texts"), or none."""
    import click
    import typer

    if app is None:
        from zjtx_cli.cli.app import app
    cmd = typer.main.get_command(app)
    cmd = cmd.commands[command] if isinstance(cmd, click.Group) else cmd
    prefix = command.upper()
    options: dict = {}
    defaults: dict = {}
    required: list = []
    argument = argument_kind = None
    for p in cmd.params:
        if isinstance(p, click.Argument):
            if argument is None and p.nargs == 1 and isinstance(p.type, click.Path):
                argument, argument_kind = p.name, "path"
            elif argument is None and p.nargs == -1 and p.required and p.type is click.STRING:
                argument, argument_kind = p.name, "texts"
            else:
                raise ValueError(f"{command}: argument {p.name!r}: the fast path serves one path argument, "
                                 "or one or more words")
            continue
        if p.secondary_opts or getattr(p, "count", False) or p.nargs != 1 or p.callback is not None \
                or p.envvar or getattr(p, "is_eager", False):
            raise ValueError(f"{command}: option {p.name!r} is of a form the fast path does not serve")
        t = p.type
        constraint = None
        if getattr(p, "is_flag", False):
            if p.default not in (False, None) or not getattr(p, "is_bool_flag", False):
                raise ValueError(f"{command}: flag {p.name!r}: the fast path serves off-by-default flags only")
            kind = "flag"
        elif isinstance(t, click.Choice):
            if not t.case_sensitive or p.multiple:
                raise ValueError(f"{command}: choice {p.name!r} is of a form the fast path does not serve")
            kind, constraint = "choice", tuple(t.choices)
        elif isinstance(t, (click.IntRange, click.FloatRange)):
            if t.clamp:
                raise ValueError(f"{command}: {p.name!r} clamps: the fast path does not serve that")
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
            raise ValueError(f"{command}: option {p.name!r} has a type ({t!r}) the fast path does not serve")
        if p.multiple and kind not in ("multi", "typer"):
            raise ValueError(f"{command}: repeatable option {p.name!r} must be text for the fast path")
        for o in p.opts:
            options[o] = (p.name, kind, constraint)
        if kind == "typer":
            continue
        if p.required:
            required.append(p.name)
        else:
            d = p.default
            defaults[p.name] = list(d or ()) if kind == "multi" else d  # type: ignore[arg-type]
    return {f"{prefix}_OPTIONS": options, f"{prefix}_DEFAULTS": defaults, f"{prefix}_REQUIRED": tuple(required),
            f"{prefix}_ARGUMENT": argument, f"{prefix}_ARGUMENT_KIND": argument_kind}


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


def _render(command: str, table: dict) -> str:
    p = command.upper()
    lines = [f"{p}_OPTIONS = {{"]
    lines += [f"    {_lit(k)}: {_lit(v)}," for k, v in table[f"{p}_OPTIONS"].items()]
    lines += ["}", f"{p}_DEFAULTS: dict = {{"]
    lines += [f"    {_lit(k)}: {_lit(v)}," for k, v in table[f"{p}_DEFAULTS"].items()]
    lines += ["}", f"{p}_REQUIRED = {_lit(table[f'{p}_REQUIRED'])}",
              f"{p}_ARGUMENT = {_lit(table[f'{p}_ARGUMENT'])}",
              f"{p}_ARGUMENT_KIND = {_lit(table[f'{p}_ARGUMENT_KIND'])}"]
    return "\n".join(lines) + "\n"


_BEGIN = "# --- generated from zjtx_cli/cli/app.py: python -m zjtx_cli.cli.fastpath --write ---\n"
_END = "# --- end generated ---\n"


def generated_block(app=None) -> str:
    return "".join(_render(c, derive_table(c, app)) for c in SERVED)


def current_block() -> str:
    with open(__file__, encoding="utf-8") as fh:
        text = fh.read()
    return text.split(_BEGIN, 1)[1].split(_END, 1)[0]


# ------------------------------------------------------------------ the help texts, from typer
HELP_MODULE = __file__.rsplit("fastpath.py", 1)[0] + "helptext.py"
HELP_COLUMNS = 80  # click wraps help at min(terminal columns, 80) - 2: any terminal this wide gets the same text


def help_texts(app=None) -> dict:
    """What typer prints for ``zjtx --help`` and ``zjtx COMMAND --help`` on a terminal of HELP_COLUMNS
    columns or more ("" is the top level), and for ``zjtx`` alone (on stderr) under None."""
    import click
    import typer
    from typer.testing import CliRunner

    if app is None:
        from zjtx_cli.cli.app import app
    group = typer.main.get_command(app)
    names = [""] + (list(group.commands) if isinstance(group, click.Group) else [])
    texts: dict = {}
    env = {"COLUMNS": str(HELP_COLUMNS), "NO_COLOR": "1", "TERM": "dumb"}
    # click lays help out min(columns, 80) - 2 wide; its test runner would force 80, so the width is given
    width = HELP_COLUMNS - 2
    for name in names:
        r = CliRunner().invoke(app, ([name] if name else []) + ["--help"], prog_name="zjtx", env=env,
                               terminal_width=width)
        if r.exit_code != 0 or r.stderr:
            raise ValueError(f"zjtx {name} --help: exit {r.exit_code}, {r.stderr!r}")
        texts[name] = r.stdout
    r = CliRunner().invoke(app, [], prog_name="zjtx", env=env, terminal_width=width)
    if r.exit_code != 2 or r.stdout or r.stderr != texts[""]:
        raise ValueError("zjtx without a command no longer prints the top-level help on stderr (exit 2): "
                         "extend the fast path for it")
    return texts


def help_module(app=None) -> str:
    """The text of cli/helptext.py."""
    lines = ['"""The help texts of ``zjtx`` as typer renders them on a terminal of MIN_COLUMNS columns or more.',
             "",
             "Generated, never edited: ``python -m zjtx_cli.cli.fastpath --write`` rewrites it from cli/app.py,",
             "and tests/test_fastpath.py fails while the two differ. The fast path prints these without",
             'importing typer; on a narrower terminal typer renders the help itself."""',
             "",
             f"MIN_COLUMNS = {HELP_COLUMNS}",
             "HELP = {"]
    for name, text in help_texts(app).items():
        lines.append(f"    {_lit(name)}: (")
        lines += [f"        {_lit(line)}" for line in text.splitlines(keepends=True)]
        lines.append("    ),")
    lines.append("}")
    return "\n".join(lines) + "\n"


def current_help_module() -> str:
    with open(HELP_MODULE, encoding="utf-8") as fh:
        return fh.read()


if __name__ == "__main__":  # pragma: no cover - a developer's command
    import sys

    block = generated_block()
    helps = help_module()
    if "--write" in sys.argv:
        with open(__file__, encoding="utf-8") as fh:
            text = fh.read()
        head, rest = text.split(_BEGIN, 1)
        with open(__file__, "w", encoding="utf-8") as fh:
            fh.write(head + _BEGIN + block + _END + rest.split(_END, 1)[1])
        with open(HELP_MODULE, "w", encoding="utf-8") as fh:
            fh.write(helps)
        print("fastpath: option tables and help texts rewritten from cli/app.py")
    else:
        ok = block == current_block() and helps == current_help_module()
        print("fastpath: option tables and help texts match cli/app.py" if ok else "fastpath: option tables or "
              "help texts differ from cli/app.py: run python -m zjtx_cli.cli.fastpath --write")
        sys.exit(0 if ok else 1)
