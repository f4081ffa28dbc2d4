"""What every check kind provides, and the registry that finds a kind by its type name.

A check kind is one class. It owns, for its type:

* ``keys`` and :meth:`validate`: the YAML keys it admits and their validation into plain,
  marshal-able data (what the rule cache stores);
* :meth:`from_data`: the immutable typed form built from that data (a :class:`Record`);
* :meth:`evaluate`: status and explanation (a plain dict, the JSON ``detail`` of a condition);
* :meth:`gap_items`: what is lacking when it is not met;
* :meth:`describe_rule`, :meth:`describe_required`, :meth:`describe_actual`,
  :meth:`describe_gap_item`: its zh / en texts;
* :meth:`children`: the checks inside it, for the one walker (:func:`walk`).

Nothing outside ``engine/kinds`` switches on a type name: it asks :func:`kind` / :func:`kind_of`.
A kind's module is named after its type (``metric.py``, ``score/``) and registers its class
with :func:`register` when imported.
"""

from __future__ import annotations

import os
from decimal import Decimal

from zjtx_cli.engine.record import Record
from zjtx_cli.engine.status import MET, UNKNOWN

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any, ClassVar

REGISTRY: dict[str, type[Check]] = {}


class RulesetError(ValueError):
    """A rule file that does not validate: the message names the file and the rule."""


def register(cls):
    REGISTRY[cls.type] = cls
    return cls


# ------------------------------------------------------------------ validation helpers
def text_pair(v, where, key):
    """A ``{zh, en}`` text; a plain string serves both languages."""
    if isinstance(v, str):
        return {"zh": v, "en": v}
    if not isinstance(v, dict) or set(v) - {"zh", "en"} or "zh" not in v or "en" not in v:
        raise RulesetError(f"{where}: '{key}' must have 'zh' and 'en' texts")
    return {"zh": str(v["zh"]), "en": str(v["en"])}


def number(v, where, what="threshold 'value'") -> Decimal:
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise RulesetError(f"{where}: {what} must be a number, got {v!r}")
    try:
        d = Decimal(str(v))
    except Exception:
        raise RulesetError(f"{where}: {what} must be a number, got {v!r}") from None
    if not d.is_finite():
        raise RulesetError(f"{where}: {what} must be a finite number, got {v!r}")
    return d


def year_offset(v) -> bool:
    """Whether ``v`` is a valid year offset (0, -1, ... -5)."""
    return isinstance(v, int) and not isinstance(v, bool) and -5 <= v <= 0


# ------------------------------------------------------------------------- the kinds
class Check(Record):
    """A compiled check. Subclasses add their own slots and behaviour."""

    __slots__ = ("label",)
    label: dict[str, str] | None
    type: ClassVar[str] = ""
    keys: ClassVar[frozenset[str]] = frozenset()
    # evaluated once per enterprise and condition (False: depends on other tiers' verdicts)
    memoisable: ClassVar[bool] = True
    # may leave a condition 'pending' (a figure only an outside platform computes)
    can_pend: ClassVar[bool] = False
    _defaults = {"label": None}

    # -------------------------------------------------------------- compile
    @classmethod
    def validate(cls, raw: dict, where: str, fields) -> dict:
        """The check's own keys, validated, as plain data (without 'type' and 'label')."""
        raise NotImplementedError

    @classmethod
    def from_data(cls, d: dict) -> Check:
        raise NotImplementedError

    def children(self) -> tuple[Check, ...]:
        return ()

    # ------------------------------------------------- what the check reads
    def fields_read(self) -> list[str]:
        """Field or metric keys this check reads itself (not its children)."""
        return []

    def metrics_tested(self) -> list[tuple[tuple[str, ...], int]]:
        """(metric keys, year offset) of the figures this check tests itself (not its children)."""
        return []

    # ------------------------------------------------------------- evaluate
    def evaluate(self, ctx) -> dict:
        raise NotImplementedError

    # ------------------------------------------------------------- evidence
    @classmethod
    def inputs_used(cls, node: dict, ctx, has) -> list[tuple[str, int | None]]:
        """The ``(field, year)`` inputs that decided an evaluated node's status (issue 13).

        The default: the node's own ``field`` (in its ``year``, for a per-year field), and what the
        children that share its status decided. ``has(field, year)`` says whether evidence is
        named for an input; kinds with alternatives use it to name the branch that is evidenced
        (:func:`pick`)."""
        out = []
        if node.get("field") is not None:
            out.append(figure(node["field"], node.get("year"), ctx))
        for s in node_children(node):
            if s["status"] == node["status"]:
                out.extend(inputs_used(s, ctx, has))
        return out

    # ----------------------------------------------------------------- gaps
    @classmethod
    def gap_items(cls, node: dict, ctx) -> list[dict]:
        """What is lacking under an evaluated node that is not met (the default: data, if any)."""
        if node["status"] == MET:
            return []
        data = missing_data_item(node)
        return data if data is not None else []

    @classmethod
    def gap_item_json(cls, item: dict, item_json) -> dict:
        """Keys a gap item of this kind adds to its JSON (besides kind, effort and text).
        ``item_json(x)`` is the JSON of a nested item; ``item_json.fields`` / ``.lang`` serve texts."""
        if item["kind"] == "data":
            return {"missing": [{"field": m[0], "year": m[1]} for m in item["missing"]]}
        if item["kind"] == "declaration":
            return {"field": item["node"].get("field")}
        return {}

    # ---------------------------------------------------------------- texts
    def describe_rule(self, fields, lang: str) -> str:
        """The rule before evaluation (``zjtx rules``)."""
        return self.type

    @classmethod
    def describe_required(cls, node: dict, fields, lang: str) -> str:
        return ""

    @classmethod
    def describe_actual(cls, node: dict, fields, lang: str) -> str:
        return ""

    @classmethod
    def describe_gap_item(cls, item: dict, fields, lang: str) -> str:
        return describe_common_gap_item(item, fields, lang)


def figure(key: str, year, ctx) -> tuple[str, int | None]:
    """A field as an input: ``(key, year)`` for a per-year field (the assessment year if none is
    given), ``(key, None)`` otherwise."""
    f = ctx.fields[key] if key in ctx.fields else None
    if f is None or not f.per_year:
        return (key, None)
    return (key, ctx.year if year is None else year)


def pick(options: list[list], has) -> list:
    """Of several alternatives' inputs, the first wholly evidenced (else the first)."""
    for inputs in options:
        if all(has(k, y) for k, y in inputs):
            return inputs
    return options[0] if options else []


def missing_data_item(node: dict) -> list[dict] | None:
    """A 'provide data' item for an unknown leaf (not a pending platform value); None otherwise."""
    if node["status"] == UNKNOWN and node.get("missing") is not None and not node.get("pending"):
        return [{"kind": "data", "missing": node["missing"], "effort": "data", "node": node}] if node["missing"] \
            else None
    return None


# ------------------------------------------------------------------------- registry
_KINDS_DIR = os.path.dirname(os.path.abspath(__file__))
_TYPE_NAMES: list[frozenset[str]] = []


def type_names() -> frozenset[str]:
    """Every check type: one module (``<type>.py``) or sub-package (``<type>/``) of this package
    each. Found by name; a kind's module is imported only when its type is first needed."""
    if not _TYPE_NAMES:
        names = set()
        for name in os.listdir(_KINDS_DIR):
            stem = name[:-3] if name.endswith(".py") else name
            if stem in ("base", "common") or stem.startswith(("_", ".")):
                continue
            if name.endswith(".py") or os.path.isfile(os.path.join(_KINDS_DIR, name, "__init__.py")):
                names.add(stem)
        _TYPE_NAMES.append(frozenset(names))
    return _TYPE_NAMES[0]


def kind(type_name: str) -> type[Check]:
    """The kind of a check type (importing its module the first time)."""
    cls = REGISTRY.get(type_name)
    if cls is None:
        if type_name not in type_names():
            raise KeyError(type_name)
        import importlib

        importlib.import_module(f"zjtx_cli.engine.kinds.{type_name}")
        cls = REGISTRY[type_name]
    return cls


def kind_of(node_or_item: dict) -> type[Check]:
    """The kind that produced an evaluated node (or a gap item, by its node)."""
    node = node_or_item["node"] if "node" in node_or_item and "type" not in node_or_item else node_or_item
    return kind(node["type"])


def compile_check(raw, where: str, fields) -> dict:
    """Validate one check of a rule file into plain data: ``{"type": ..., "label": ..., ...}``."""
    if not isinstance(raw, dict):
        raise RulesetError(f"{where}: a check must be a mapping")
    found = [k for k in raw if k in type_names()]
    if len(found) != 1:
        raise RulesetError(f"{where}: a check needs exactly one of {sorted(type_names())}, got {sorted(raw)}")
    cls = kind(found[0])
    unknown = set(raw) - cls.keys - {"label"}
    if unknown:
        raise RulesetError(f"{where}: unknown key(s) {sorted(unknown)} in a '{cls.type}' check")
    out: dict[str, Any] = {"type": cls.type}
    if "label" in raw:
        out["label"] = text_pair(raw["label"], where, "label")
    out.update(cls.validate(raw, where, fields))
    return out


def build(d: dict) -> Check:
    """The typed form of a validated check (plain data from :func:`compile_check` or the cache)."""
    return kind(d["type"]).from_data(d)


def build_opt(d):
    return None if d is None else build(d)


def walk(check: Check) -> Iterator[Check]:
    """A check and every check inside it, depth first: the one walker over check trees."""
    yield check
    for c in check.children():
        yield from walk(c)


def node_children(node: dict) -> list[dict]:
    """The evaluated nodes directly under an evaluated node (all/any parts, a case's when/then)."""
    subs = list(node.get("checks", ()) or ())
    for k in ("when", "then"):
        if node.get(k):
            subs.append(node[k])
    return subs


# ------------------------------------------------- entry points the defaults above use
def inputs_used(node: dict, ctx, has) -> list[tuple[str, int | None]]:
    """The (field, year) inputs an evaluated node rests on, each once, in order (issue 13)."""
    out: list = []
    for i in kind_of(node).inputs_used(node, ctx, has):
        i = (i[0], i[1])
        if i not in out:
            out.append(i)
    return out


def describe_required(node: dict, fields, lang: str) -> str:
    """What an evaluated check requires."""
    if node.get("label"):
        return node["label"][lang]
    return kind_of(node).describe_required(node, fields, lang)


def describe_common_gap_item(item: dict, fields, lang: str) -> str:
    """Gap items any kind can produce: data to provide, a declaration, a restriction."""
    from zjtx_cli.engine.texts import missing_name

    zh = lang == "zh"
    k = item["kind"]
    node = item["node"]
    if k == "data":
        names = ("、" if zh else ", ").join(missing_name(m, fields, lang) for m in item["missing"])
        return f"补充数据：{names}" if zh else f"provide: {names}"
    if k == "declaration":
        req = describe_required(node, fields, lang)
        return f"须声明并提供证明材料：{req}" if zh else f"declaration with supporting evidence needed: {req}"
    if k == "blocker":
        return ("限制条件：" if zh else "restriction: ") + describe_required(node, fields, lang)
    return ""
