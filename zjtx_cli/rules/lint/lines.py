"""Where a problem is in a ruleset file: :class:`Problem` (FILE:LINE: RULE-ID: text), the line map
of a parsed YAML document (:class:`Lines`) and the walk over its rule lists."""

from __future__ import annotations

import re


class Problem:
    def __init__(self, file, line, rule, text):
        self.file, self.line, self.rule, self.text = file, line, rule, text

    def __str__(self):
        return f"{self.file}:{self.line}: {self.rule}: {self.text}"


class Lines:
    """Lines of the mappings and keys of a parsed YAML document (by object identity)."""

    def __init__(self, text):
        import yaml

        self.node: dict[int, int] = {}  # id(dict or list) -> line
        self.key: dict[tuple[int, str], int] = {}  # (id(dict), key) -> line of the key
        self._keep = []
        try:
            self.root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError:
            self.root = None

    def bind(self, data):
        if self.root is not None:
            self._walk(data, self.root)

    def _walk(self, data, node):
        import yaml

        if isinstance(data, dict) and isinstance(node, yaml.MappingNode):
            self._keep.append(data)
            self.node[id(data)] = node.start_mark.line + 1
            for kn, vn in node.value:
                k = kn.value
                if k in data:
                    self.key[(id(data), k)] = kn.start_mark.line + 1
                    self._walk(data[k], vn)
        elif isinstance(data, list) and isinstance(node, yaml.SequenceNode):
            self._keep.append(data)
            self.node[id(data)] = node.start_mark.line + 1
            for d, vn in zip(data, node.value):
                self._walk(d, vn)

    def of(self, obj, key=None):
        if key is not None and (id(obj), key) in self.key:
            return self.key[(id(obj), key)]
        return self.node.get(id(obj), 1)


def tier_of(data, tid):
    for t in data.get("tiers") or []:
        if isinstance(t, dict) and str(t.get("id")) == tid:
            return t
    return None


def rule_lists(data):
    """(list, owner tier) of every conditions list."""
    for t in data.get("tiers") or []:
        if not isinstance(t, dict):
            continue
        for k in ("common", "conditions"):
            if isinstance(t.get(k), list):
                yield t[k], t
        for tr in t.get("tracks") or []:
            if isinstance(tr, dict) and isinstance(tr.get("conditions"), list):
                yield tr["conditions"], t


def find_rule(data, rid, last=False):
    found: tuple[list | None, dict | None] = (None, None)
    for lst, _t in rule_lists(data):
        for c in lst:
            if isinstance(c, dict) and c.get("id") == rid:
                if not last:
                    return lst, c
                found = (lst, c)
    return found


def duplicate_ids(path, data, lines):
    """Every repeated rule id, at each repeat (compiling again after setting a rule aside could hide one)."""
    seen, out = set(), []
    for lst, _t in rule_lists(data):
        for c in lst:
            if isinstance(c, dict) and isinstance(c.get("id"), str):
                if c["id"] in seen:
                    out.append(Problem(path, lines.of(c), c["id"], "duplicate rule id"))
                seen.add(c["id"])
    return out


def follow(check, sub):
    """The check node a loader path like ``.any[1].cases[0].then`` points to."""
    node = check
    for tok in re.findall(r"\.(any|all|cases)\[(\d+)\]|\.(when|then|else|if_missing)", sub):
        try:
            if tok[0]:
                node = node[tok[0]][int(tok[1])]
            else:
                node = node[tok[2]]
        except (KeyError, IndexError, TypeError):
            break
    return node
