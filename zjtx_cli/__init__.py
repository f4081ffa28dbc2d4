"""zjtx: eligibility assessor for China's 专精特新 SME programmes.

Library use::

    import zjtx_cli as zjtx
    r = zjtx.assess("company.xlsx", scheme="hengyang")   # or a dict of indicators
    r.verdict          # "eligible" | "not_eligible" | "undetermined" | "excluded"
    zjtx.document(r)   # the JSON document, as `zjtx assess --format json` prints it

Layout: ``inputs/`` (reading applicant files and rosters, cell values, data checks),
``rules/`` (rule files: loading, validation, cache, dated versions), ``engine/`` (check
kinds, evaluation, the assessment service, typed results), ``outputs/`` (texts, JSON,
tables, exports), ``batch/`` and ``cli/``. ``assessment.py`` assesses one applicant file as
``zjtx assess`` does (for the commands that build on it); ``terminal.py`` and ``options.py`` hold
the messages, exit codes and option checks every command shares. Only ``cli/`` imports ``cli/``,
and no import goes round in a cycle (tests/test_architecture.py). ``import zjtx_cli`` itself
loads nothing else: the names below are imported when first used.
"""

__all__ = ["assess", "document", "Assessment", "InputError", "VERDICTS", "__version__"]


def __getattr__(name):
    if name == "__version__":  # in its own module, which the rule cache also reads (no import cycle)
        from zjtx_cli.version import __version__

        return __version__
    if name in ("assess", "document", "Assessment", "InputError", "VERDICTS"):
        from zjtx_cli import api

        return getattr(api, name)
    raise AttributeError(f"module 'zjtx_cli' has no attribute {name!r}")
