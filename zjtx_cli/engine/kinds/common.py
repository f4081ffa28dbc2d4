"""The entry points every caller uses: evaluate, gaps and texts of any check, by its kind.

These never look at a type name themselves; they ask the kind (:func:`base.kind_of`). The few
that the default methods of :class:`base.Check` need (``inputs_used``, ``describe_required``,
``describe_common_gap_item``) live in ``base`` and are imported here with the others.
"""

from __future__ import annotations

from zjtx_cli.engine.kinds.base import (  # noqa: F401  (inputs_used, describe_*: entry points too)
    Check,
    describe_common_gap_item,
    describe_required,
    inputs_used,
    kind_of,
    missing_data_item,
    walk,
)
from zjtx_cli.engine.status import MET


def evaluate_check(check: Check, ctx) -> dict:
    """Status and explanation of a compiled check (the JSON ``detail``)."""
    node = check.evaluate(ctx)
    if check.label is not None and "label" not in node:
        node["label"] = check.label
    return node


def gap_items(node: dict, ctx) -> list[dict]:
    """What is lacking under an evaluated node that is not met."""
    if node["status"] == MET:
        return []
    data = missing_data_item(node)
    if data is not None:
        return data
    return kind_of(node).gap_items(node, ctx)


def merge_data(items: list[dict]) -> list[dict]:
    """One 'provide data' item for all the data missing under a node, each field once."""
    data = [i for i in items if i["kind"] == "data"]
    if len(data) < 2:
        return items
    missing: list = []
    for i in data:
        for m in i["missing"]:
            if list(m) not in missing:
                missing.append(list(m))
    merged = {"kind": "data", "missing": missing, "effort": "data", "node": data[0]["node"]}
    return [merged] + [i for i in items if i["kind"] != "data"]


def describe_rule(check: Check, fields, lang: str) -> str:
    """A compiled check, before evaluation, as text (for 'zjtx rules')."""
    if check.label:
        return check.label[lang]
    return check.describe_rule(fields, lang)


def describe_actual(node: dict, fields, lang: str) -> str:
    """What the company has, for an evaluated check."""
    return kind_of(node).describe_actual(node, fields, lang)


def describe_gap_item(item: dict, fields, lang: str) -> str:
    node = item.get("node")
    if node is None:
        return describe_common_gap_item(item, fields, lang)
    return kind_of(node).describe_gap_item(item, fields, lang)


def gap_item_json(item: dict, fields, lang: str) -> dict:
    d = {"kind": item["kind"], "effort": item["effort"], "text": describe_gap_item(item, fields, lang)}
    node = item.get("node")
    if node is not None:
        d.update(kind_of(node).gap_item_json(item, ItemJson(fields, lang)))
    return d


class ItemJson:
    """The JSON of a nested gap item, for a kind's ``gap_item_json``: called with the item; its
    ``fields`` and ``lang`` serve texts the kind adds itself (e.g. a branch's condition)."""

    __slots__ = ("fields", "lang")

    def __init__(self, fields, lang: str):
        self.fields, self.lang = fields, lang

    def __call__(self, item: dict) -> dict:
        return gap_item_json(item, self.fields, self.lang)


def metrics_tested(check: Check) -> list[tuple[tuple[str, ...], int]]:
    """(metric keys, year offset) of every figure tested anywhere in a check tree, in order."""
    return [m for c in walk(check) for m in c.metrics_tested()]
