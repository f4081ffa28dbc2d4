"""The README's generated sections match the code; its set-up commands are the CI's."""

from __future__ import annotations

import os
import re

from conftest import ROOT
from zjtx_cli.cli import docgen as docgen


def test_readme_reference_is_up_to_date():
    with open(docgen.README, encoding="utf-8") as fh:
        text = fh.read()
    assert docgen.render(text) == text, "README.md is stale: run python -m zjtx_cli.cli.docgen --write"


def test_readme_mentions_every_command_and_exit_status():
    with open(docgen.README, encoding="utf-8") as fh:
        text = fh.read()
    for cmd in docgen.COMMANDS:
        assert f"$ zjtx {cmd} --help" in text
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 3 |"):
        assert code in text


def test_ci_runs_the_readme_test_command():
    with open(docgen.README, encoding="utf-8") as fh:
        text = fh.read()
    block = re.search(r"## Set up \(two commands\).*?```sh\n(.*?)```", text, re.S).group(1)
    commands = [ln for ln in block.splitlines() if ln.strip()]
    assert len(commands) == 2
    assert "samples/" in commands[0] and "zjtx assess" in commands[0]
    sample = re.search(r"(samples/\S+)", commands[0]).group(1)
    assert os.path.exists(os.path.join(ROOT, sample))
    with open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8") as fh:
        ci = fh.read()
    assert commands[1].strip() in ci
