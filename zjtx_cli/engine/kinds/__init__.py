"""Check kinds: one module per type of check a rule file can use.

=================  ==========================================================
module             check
=================  ==========================================================
``metric``         ``{metric: KEY, op, value, year}``: a threshold on a figure
``flag``           ``{flag: KEY, equals, if_missing}``: a yes/no declaration
``choice``         ``{choice: KEY, in: [...]}``: a declared choice
``all``, ``any``   ``{all: [...]}``, ``{any: [...]}`` (sharing ``_group``)
``cases``          ``{cases: [{when, then}, …, {else}]}``
``date_within``    ``{date_within: KEY, years: N}``
``tier``           ``{tier: ID}``: a lower tier's verdict
``sme``            ``{sme: true}``: the SME size test
``score``          ``{score: {...}}``: a points table (a sub-package)
``declared_value`` a figure an outside platform computes
``review``         new application vs re-review readings
=================  ==========================================================

``base`` defines the interface and the registry; ``common`` the entry points the rest of
the program calls. A new kind is a new module here, named after its type (found by name,
imported when first needed, registering itself with ``@register``), and a line in
``docs/ruleset-format.md``; nothing else changes.
"""

from __future__ import annotations

from zjtx_cli.engine.kinds.base import (
                                        REGISTRY,
                                        Check,
                                        RulesetError,
                                        build,
                                        compile_check,
                                        kind,
                                        kind_of,
                                        type_names,
                                        walk,
)
from zjtx_cli.engine.kinds.common import (
                                        describe_actual,
                                        describe_gap_item,
                                        describe_required,
                                        describe_rule,
                                        evaluate_check,
                                        gap_item_json,
                                        gap_items,
                                        metrics_tested,
)

ALL_KINDS = tuple(sorted(type_names()))

__all__ = ["ALL_KINDS", "REGISTRY", "Check", "RulesetError", "build", "compile_check", "kind", "kind_of", "type_names",
           "walk",
           "describe_actual", "describe_gap_item", "describe_required", "describe_rule", "evaluate_check",
           "gap_item_json", "gap_items", "metrics_tested"]
