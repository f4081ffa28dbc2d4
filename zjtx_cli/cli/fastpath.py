"""Serve the common scripted calls without importing typer.

Agency scripts call ``zjtx assess FILE --scheme X --format json`` in loops; typer
and click cost ≈ 40 ms of start-up on every call. When the arguments are plainly
of the forms that ``zjtx assess`` (and ``zjtx --version``) accept, this module
recognises them and calls the same implementation (:func:`commands.run_assess`)
that the typer command calls. Anything else — help, an unknown or malformed
option, a missing value — returns ``None`` and the typer CLI handles it, with
its usage messages. ``tests/test_fastpath.py`` checks both paths give the same
output and exit status.
"""

from __future__ import annotations

# option -> (parameter, kind); kind: "value", "int", "multi" or "flag"
ASSESS_OPTIONS = {
    "--scheme": ("scheme", "value"), "-s": ("scheme", "value"),
    "--tier": ("tier", "value"), "-t": ("tier", "value"),
    "--format": ("fmt", "value"), "-f": ("fmt", "value"),
    "--lang": ("lang", "value"),
    "--year": ("year", "int"),
    "--as-of": ("as_of", "value"),
    "--set": ("sets", "multi"),
    "--review": ("review", "flag"),
    "--evidence": ("evidence", "multi"),
    "--checklist": ("checklist", "flag"),
}


def parse_assess(args: list[str]) -> dict | None:
    """Keyword arguments for run_assess, or None when typer should handle the call."""
    kw: dict = {p: [] for p, kind in ASSESS_OPTIONS.values() if kind == "multi"}
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
            param, kind = spec
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
            if kind == "int":
                try:
                    value = int(value)
                except ValueError:
                    return None
            if kind == "multi":
                kw[param].append(value)
            else:
                kw[param] = value
            continue
        files.append(a)
        i += 1
    if len(files) != 1 or "scheme" not in kw:
        return None
    kw["file"] = path_text(files[0])
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
        return exc.code
