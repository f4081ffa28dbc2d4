"""What zjtx says on the terminal, and the status it exits with.

The bottom of the command layer: ``cli/`` and the commands that live with their features
(``batch``, ``match``, ``zjtx report``, ``zjtx rules test``) print through these, and nothing
here imports them. Errors and warnings go to stderr, one line each, with text from a file made
inert (no control sequences); data goes to stdout.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

EXIT_ELIGIBLE, EXIT_NOT_ELIGIBLE, EXIT_UNREADABLE, EXIT_UNDETERMINED, EXIT_CONDITIONAL = 0, 1, 2, 3, 4
# conditional only with --evidence required (officer mode, issue 13)
VERDICT_EXIT = {"eligible": 0, "not_eligible": 1, "excluded": 1, "undetermined": 3, "conditional": 4}


class CommandError(Exception):
    """A command cannot go on: ``lines`` are its one-line messages, ``code`` the exit status and
    ``warnings`` what was found before it (printed first). :func:`fail_with` reports it."""

    def __init__(self, lines, code=EXIT_UNREADABLE, warnings=()):
        super().__init__("; ".join(str(x) for x in lines))
        self.lines, self.code, self.warnings = list(lines), code, list(warnings)


def fail(lines, code=EXIT_UNREADABLE) -> NoReturn:
    from zjtx_cli.inputs.text import inert  # text from a file is printed inert: one line, no control codes

    for line in lines:
        sys.stderr.write(f"zjtx: error: {inert(line)}\n")
    raise SystemExit(code)


def fail_with(exc: CommandError) -> NoReturn:
    """Report a :class:`CommandError` (its warnings, then its lines) and exit with its status."""
    for w in exc.warnings:
        warn(w)
    fail(exc.lines, exc.code)


def warn(line):
    from zjtx_cli.inputs.text import inert

    sys.stderr.write(f"zjtx: warning: {inert(line)}\n")


def msg(lang, zh, en):
    """The Chinese or the English text of a message, by ``--lang`` (Chinese unless "en")."""
    return en if lang == "en" else zh


def console(stderr=False):
    """Where tables go: rich (colours, boxes) on a terminal; plain aligned text to a file or a pipe."""
    out = sys.stderr if stderr else sys.stdout
    if out.isatty():
        from rich.console import Console

        from zjtx_cli.outputs.report import enable_cjk_wrap

        enable_cjk_wrap()
        return Console(file=out, highlight=False)
    # piped or redirected: COLUMNS if the caller set it, else wide enough for the tables
    import os

    from zjtx_cli.outputs.plain import Console as PlainConsole

    cols = os.environ.get("COLUMNS", "")
    return PlainConsole(out, width=int(cols) if cols.isdigit() and 40 <= int(cols) <= 1000 else 160)


def emit_json(doc):
    """A JSON document on stdout (C1 and bidi characters escaped)."""
    import json

    from zjtx_cli.inputs.text import json_inert

    sys.stdout.write(json_inert(json.dumps(doc, ensure_ascii=False, indent=2, default=str)))
    sys.stdout.write("\n")


def guarded(fn, *args, **kwargs):
    """Run a command for the console: an unexpected error is one line, not a traceback."""
    import os

    try:
        return fn(*args, **kwargs)
    except KeyboardInterrupt:
        sys.stderr.write("zjtx: interrupted\n")
        raise SystemExit(130) from None
    except Exception as exc:  # a bug in zjtx, not in the user's input
        if os.environ.get("ZJTX_DEBUG"):
            raise
        msg = str(exc).splitlines()[0] if str(exc) else ""
        sys.stderr.write(f"zjtx: internal error: {type(exc).__name__}: {msg} "
                         f"(please report it; set ZJTX_DEBUG=1 to see the details)\n")
        raise SystemExit(EXIT_UNREADABLE) from None
