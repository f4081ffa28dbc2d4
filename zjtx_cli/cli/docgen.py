"""Generate the README's command reference (from ``--help``) and field reference
(from the field dictionary). ``python -m zjtx_cli.cli.docgen --write`` updates
README.md in place; a test fails when the README is out of date.
"""

from __future__ import annotations

import os
import re
import sys

README = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "README.md")
COMMANDS = ("assess", "match", "report", "schemes", "rules", "batch", "template")
BLOCKS = {
    "commands": ("<!-- BEGIN GENERATED: commands -->", "<!-- END GENERATED: commands -->"),
    "fields": ("<!-- BEGIN GENERATED: fields -->", "<!-- END GENERATED: fields -->"),
}


def _help(args) -> str:
    from typer.testing import CliRunner

    from zjtx_cli.cli.app import app

    r = CliRunner().invoke(app, list(args) + ["--help"], prog_name="zjtx", terminal_width=88,
                           env={"COLUMNS": "88", "NO_COLOR": "1", "TERM": "dumb"})
    text = r.stdout
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def command_reference() -> str:
    parts = ["```text", "$ zjtx --help", _help([]), "```"]
    for cmd in COMMANDS:
        parts += ["", "```text", f"$ zjtx {cmd} --help", _help([cmd]), "```"]
    return "\n".join(parts)


def field_reference() -> str:
    from zjtx_cli.inputs.fields import field_dictionary

    types = {"number": "number", "integer": "integer", "bool": "yes/no", "date": "date", "choice": "choice",
             "text": "text"}
    rows = ["| key | 中文标签 | English label | type | unit | per year |", "|---|---|---|---|---|---|"]
    for f in field_dictionary():
        t = types[f.type]
        if f.type == "choice":
            t += ": " + ", ".join(f"`{c}`" for c in f.choices)
        rows.append(f"| `{f.key}` | {f.zh} | {f.en} | {t} | {f.unit or ''} | {'yes' if f.per_year else ''} |")
    return "\n".join(rows)


def render(readme_text: str) -> str:
    gen = {"commands": command_reference(), "fields": field_reference()}
    for name, (begin, end) in BLOCKS.items():
        pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
        m = pattern.search(readme_text)
        if not m:
            raise SystemExit(f"README.md lacks the {begin} … {end} markers")
        readme_text = readme_text[:m.start()] + f"{begin}\n{gen[name]}\n{end}" + readme_text[m.end():]
    return readme_text


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    with open(README, encoding="utf-8") as fh:
        text = fh.read()
    new = render(text)
    if "--write" in argv:
        with open(README, "w", encoding="utf-8") as fh:
            fh.write(new)
        return 0
    if new != text:
        sys.stderr.write("README.md is out of date: run python -m zjtx_cli.cli.docgen --write\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
