"""Rulesets: policy criteria as data (``rulesets/*.yaml``), validated strictly.

A mistyped key in a rule file must never be dropped silently: unknown keys,
duplicate keys, missing citations and checks on indicators that the field
dictionary lacks are errors naming the file and the rule. See
``docs/ruleset-format.md`` for the format.
"""

from __future__ import annotations

import os
from decimal import Decimal

from zjtx_cli.inputs.fields import field_dictionary
from zjtx_cli.engine.metrics import METRICS
from zjtx_cli.rules.yamlcache import load_cached

# ruleset discovery (built-in and user folders) lives in registry.py; names kept here for compatibility
from zjtx_cli.rules.registry import RULESET_DIRS, get_ruleset, ruleset_paths  # noqa: E402,F401

KINDS = ("required", "priority", "exclusion")
LEVELS = ("innovation", "county", "municipal", "provincial", "zjtx_sme", "national", "champion", "industry")
OPS = (">=", ">", "<=", "<", "==")
_META_KEYS = {"id", "title", "issuer", "document_number", "issued", "period", "validity_years",
              "validity_citation", "source", "notes", "tiers", "programme", "effective_from",
              "effective_to", "source_urls", "unconfirmed",
              "fields", "replaces"}  # user rulesets: own indicators, and replacing a built-in (rules/registry.py)
_TIER_KEYS = {"id", "name", "level", "next", "next_note", "tracks", "conditions", "common", "note"}
_TRACK_KEYS = {"id", "name", "conditions", "note"}
_COND_KEYS = {"id", "kind", "text", "citation", "note", "check", "unconfirmed", "source_url"}
_CHECK_KEYS = {
    "metric": {"metric", "op", "value", "year", "label"},
    "flag": {"flag", "equals", "if_missing", "label"},
    "choice": {"choice", "in", "label"},
    "all": {"all", "label"},
    "any": {"any", "label"},
    "cases": {"cases", "label"},
    "date_within": {"date_within", "years", "label"},
    "tier": {"tier", "label"},
    "sme": {"sme", "label"},
    # scored evaluations and platform-computed values: see zjtx_cli/scoring.py
    "score": {"score", "label"},
    "declared_value": {"declared_value", "op", "value", "source", "label"},
    "review": {"review", "label"},  # new application vs re-review (复核) readings
}


class RulesetError(ValueError):
    pass


DELEGATED = ("score", "declared_value", "review")  # check types compiled and evaluated by scoring.py


def walk_checks(c):
    """A compiled check and every check under it (all/any, cases, if_missing, scored parts)."""
    yield c
    for s in c.get("checks", ()):
        yield from walk_checks(s)
    if c.get("if_missing"):
        yield from walk_checks(c["if_missing"])
    for case in c.get("cases", ()):
        if case["when"]:
            yield from walk_checks(case["when"])
        yield from walk_checks(case["then"])
    if c["type"] in DELEGATED:
        from zjtx_cli.engine import scoring as scoring

        for s in scoring.subchecks(c):
            yield from walk_checks(s)


def _text(v, where, key):
    if isinstance(v, str):
        return {"zh": v, "en": v}
    if not isinstance(v, dict) or set(v) - {"zh", "en"} or "zh" not in v or "en" not in v:
        raise RulesetError(f"{where}: '{key}' must have 'zh' and 'en' texts")
    return {"zh": str(v["zh"]), "en": str(v["en"])}


def _num(v, where):
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise RulesetError(f"{where}: threshold 'value' must be a number, got {v!r}")
    try:
        d = Decimal(str(v))
    except Exception:
        raise RulesetError(f"{where}: threshold 'value' must be a number, got {v!r}") from None
    if not d.is_finite():
        raise RulesetError(f"{where}: threshold 'value' must be a finite number, got {v!r}")
    return str(d)


def _compile_check(c, where, fields):
    if not isinstance(c, dict):
        raise RulesetError(f"{where}: a check must be a mapping")
    kinds = [k for k in _CHECK_KEYS if k in c]
    if len(kinds) != 1:
        raise RulesetError(f"{where}: a check needs exactly one of {sorted(_CHECK_KEYS)}, got {sorted(c)}")
    kind = kinds[0]
    unknown = set(c) - _CHECK_KEYS[kind]
    if unknown:
        raise RulesetError(f"{where}: unknown key(s) {sorted(unknown)} in a '{kind}' check")
    out = {"type": kind}
    if "label" in c:
        out["label"] = _text(c["label"], where, "label")
    if kind == "metric":
        keys = c["metric"] if isinstance(c["metric"], list) else [c["metric"]]
        for k in keys:
            if k not in METRICS and k not in fields:
                raise RulesetError(f"{where}: unknown indicator {k!r} (not in the field dictionary or metrics)")
            if k in fields and fields[k].type not in ("number", "integer"):
                raise RulesetError(f"{where}: indicator {k!r} is not numeric")
        if c.get("op") not in OPS:
            raise RulesetError(f"{where}: 'op' must be one of {OPS}")
        if "value" not in c:
            raise RulesetError(f"{where}: a threshold needs 'value'")
        year = c.get("year", 0)
        if not isinstance(year, int) or year > 0 or year < -5:
            raise RulesetError(f"{where}: 'year' is an offset from the assessment year: 0, -1, ...")
        out.update(metric=keys, op=c["op"], value=_num(c["value"], where), year=year)
    elif kind == "flag":
        k = c["flag"]
        if k not in fields or fields[k].type != "bool":
            raise RulesetError(f"{where}: {k!r} is not a yes/no field of the field dictionary")
        eq = c.get("equals", True)
        if not isinstance(eq, bool):
            raise RulesetError(f"{where}: 'equals' must be true or false")
        out.update(flag=k, equals=eq)
        if "if_missing" in c:  # decides only when the declaration is absent
            out["if_missing"] = _compile_check(c["if_missing"], f"{where}.if_missing", fields)
    elif kind == "choice":
        k = c["choice"]
        if k not in fields or fields[k].type != "choice":
            raise RulesetError(f"{where}: {k!r} is not a choice field of the field dictionary")
        vals = c.get("in")
        if not isinstance(vals, list) or not vals:
            raise RulesetError(f"{where}: 'in' must list choice codes")
        for v in vals:
            if v not in fields[k].choices:
                raise RulesetError(f"{where}: {v!r} is not a choice of {k!r}")
        out.update(choice=k, values=list(vals))
    elif kind in ("all", "any"):
        items = c[kind]
        if not isinstance(items, list) or not items:
            raise RulesetError(f"{where}: '{kind}' must list checks")
        out["checks"] = [_compile_check(x, f"{where}.{kind}[{i}]", fields) for i, x in enumerate(items)]
    elif kind == "cases":
        items = c["cases"]
        if not isinstance(items, list) or not items:
            raise RulesetError(f"{where}: 'cases' must list {{when, then}} items")
        cases = []
        for i, x in enumerate(items):
            w = f"{where}.cases[{i}]"
            if not isinstance(x, dict):
                raise RulesetError(f"{w}: expected a mapping")
            if set(x) == {"else"}:
                if i != len(items) - 1:
                    raise RulesetError(f"{w}: 'else' must come last")
                cases.append({"when": None, "then": _compile_check(x["else"], w + ".else", fields)})
            elif set(x) == {"when", "then"}:
                cases.append({"when": _compile_check(x["when"], w + ".when", fields),
                              "then": _compile_check(x["then"], w + ".then", fields)})
            else:
                raise RulesetError(f"{w}: a case has 'when' and 'then' (or only 'else'), got {sorted(x)}")
        out["cases"] = cases
    elif kind == "date_within":
        k = c["date_within"]
        if k not in fields or fields[k].type != "date":
            raise RulesetError(f"{where}: {k!r} is not a date field")
        if not isinstance(c.get("years"), int):
            raise RulesetError(f"{where}: 'years' must be a whole number")
        out.update(date=k, years=c["years"])
    elif kind == "tier":
        if not isinstance(c["tier"], str):
            raise RulesetError(f"{where}: 'tier' names a tier id (or scheme:tier)")
        out["tier"] = c["tier"]
    elif kind == "sme":
        if c["sme"] is not True:
            raise RulesetError(f"{where}: write 'sme: true'")
    elif kind in ("score", "declared_value", "review"):
        from zjtx_cli.engine import scoring as scoring

        out.update(scoring.compile_check(kind, c, where, fields))
    return out


def _compile_conditions(items, where, fields, seen):
    if not isinstance(items, list):
        raise RulesetError(f"{where}: 'conditions' must be a list")
    out = []
    for i, c in enumerate(items):
        w = f"{where}: condition #{i + 1}"
        if not isinstance(c, dict):
            raise RulesetError(f"{w}: expected a mapping")
        cid = c.get("id")
        if not isinstance(cid, str):
            raise RulesetError(f"{w}: 'id' is required")
        w = f"{where}: rule {cid}"
        unknown = set(c) - _COND_KEYS
        if unknown:
            raise RulesetError(f"{w}: unknown key(s) {sorted(unknown)}")
        if cid in seen:
            raise RulesetError(f"{w}: duplicate rule id")
        seen.add(cid)
        if c.get("kind") not in KINDS:
            raise RulesetError(f"{w}: 'kind' must be one of {KINDS}")
        if not c.get("citation") or not isinstance(c["citation"], str):
            raise RulesetError(f"{w}: missing citation")
        if "text" not in c:
            raise RulesetError(f"{w}: missing text")
        if "check" not in c:
            raise RulesetError(f"{w}: missing check")
        out.append({
            "id": cid, "kind": c["kind"], "text": _text(c["text"], w, "text"), "citation": c["citation"],
            "note": _text(c["note"], w, "note") if c.get("note") else None,
            "unconfirmed": bool(c.get("unconfirmed", False)), "source_url": c.get("source_url"),
            "check": _compile_check(c["check"], w, fields),
        })
    return out


def compile_ruleset(data, path):
    fields = field_dictionary()
    if not isinstance(data, dict):
        raise RulesetError(f"{path}: expected a mapping")
    unknown = set(data) - _META_KEYS
    if unknown:
        raise RulesetError(f"{path}: unknown key(s) {sorted(unknown)}")
    for k in ("id", "title", "issuer", "source", "tiers"):
        if k not in data:
            raise RulesetError(f"{path}: '{k}' is required")
    period = data.get("period") or {}
    if set(period) - {"start", "end"}:
        raise RulesetError(f"{path}: 'period' has 'start' and 'end' years")
    out = {
        "id": str(data["id"]), "title": _text(data["title"], path, "title"),
        "issuer": _text(data["issuer"], path, "issuer"), "document_number": data.get("document_number"),
        "issued": str(data["issued"]) if data.get("issued") else None,
        "period": [period.get("start"), period.get("end")],
        "validity_years": data.get("validity_years"), "validity_citation": data.get("validity_citation"),
        "source": data["source"], "programme": data.get("programme"),
        "effective_from": str(data["effective_from"]) if data.get("effective_from") else None,
        "effective_to": str(data["effective_to"]) if data.get("effective_to") else None,
        "source_urls": list(data.get("source_urls") or []),
        "unconfirmed": bool(data.get("unconfirmed", False)),
        "notes": [_text(n, path, "notes") for n in (data.get("notes") or [])],
        "tiers": [],
    }
    seen_rules: set[str] = set()
    tier_ids: set[str] = set()
    for ti, t in enumerate(data["tiers"]):
        w = f"{path}: tier #{ti + 1}"
        if not isinstance(t, dict) or "id" not in t:
            raise RulesetError(f"{w}: a tier needs an 'id'")
        w = f"{path}: tier {t['id']}"
        unknown = set(t) - _TIER_KEYS
        if unknown:
            raise RulesetError(f"{w}: unknown key(s) {sorted(unknown)}")
        if t.get("level") not in LEVELS:
            raise RulesetError(f"{w}: 'level' must be one of {LEVELS}")
        if ("tracks" in t) == ("conditions" in t):
            raise RulesetError(f"{w}: give either 'conditions' or 'tracks'")
        common = _compile_conditions(t.get("common") or [], w + " (common)", fields, seen_rules)
        tracks = []
        raw_tracks = t["tracks"] if "tracks" in t else [{"id": t["id"], "name": t.get("name"),
                                                          "conditions": t["conditions"]}]
        for tr in raw_tracks:
            if not isinstance(tr, dict) or "id" not in tr:
                raise RulesetError(f"{w}: a track needs an 'id'")
            unknown = set(tr) - _TRACK_KEYS
            if unknown:
                raise RulesetError(f"{w}: track {tr['id']}: unknown key(s) {sorted(unknown)}")
            if tr["id"] in tier_ids:
                raise RulesetError(f"{w}: duplicate tier/track id {tr['id']}")
            tier_ids.add(tr["id"])
            tracks.append({"id": tr["id"], "name": _text(tr.get("name") or t.get("name") or tr["id"], w, "name"),
                           "note": _text(tr["note"], w, "note") if tr.get("note") else None,
                           "conditions": common + _compile_conditions(tr["conditions"], f"{w} track {tr['id']}",
                                                                      fields, seen_rules)})
        if "tracks" in t:
            if t["id"] in tier_ids:
                raise RulesetError(f"{w}: duplicate tier id")
            tier_ids.add(t["id"])
        out["tiers"].append({"id": t["id"], "name": _text(t.get("name") or t["id"], w, "name"),
                             "level": t["level"], "next": t.get("next"),
                             "next_note": _text(t["next_note"], w, "next_note") if t.get("next_note") else None,
                             "note": _text(t["note"], w, "note") if t.get("note") else None,
                             "tracks": tracks})
    for t in out["tiers"]:
        nxt = t["next"]
        if nxt and ":" not in nxt and nxt not in tier_ids:
            raise RulesetError(f"{path}: tier {t['id']}: 'next' names unknown tier {nxt!r}")
    return out


# ------------------------------------------------------------------------------ objects
def _decimals(check):
    """Thresholds to Decimal, once, after loading."""
    if check["type"] == "metric":
        check["dvalue"] = Decimal(check["value"])
    for sub in check.get("checks", ()):
        _decimals(sub)
    if check.get("if_missing"):
        _decimals(check["if_missing"])
    for case in check.get("cases", ()):
        if case["when"]:
            _decimals(case["when"])
        _decimals(case["then"])
    return check


class Ruleset:
    def __init__(self, data: dict, path: str):
        self.path = path
        self.data = data
        self.id = data["id"]
        for t in data["tiers"]:
            for tr in t["tracks"]:
                for c in tr["conditions"]:
                    _decimals(c["check"])
        self.tiers = data["tiers"]

    def title(self, lang):
        return self.data["title"][lang]

    def tracks(self):
        """(tier, track) pairs in ladder order."""
        for t in self.tiers:
            for tr in t["tracks"]:
                yield t, tr

    def find(self, tier_id: str):
        """Tier (all its tracks) or a single track, by id."""
        for t in self.tiers:
            if t["id"] == tier_id:
                return t, t["tracks"]
            for tr in t["tracks"]:
                if tr["id"] == tier_id:
                    return t, [tr]
        return None, []

    def checks(self):
        """Every check of every condition, sub-checks included."""
        for _t, tr in self.tracks():
            for c in tr["conditions"]:
                yield from walk_checks(c["check"])

    def years_needed(self) -> int:
        """How many years of figures the rules read, counting the assessment year."""
        from zjtx_cli.inputs.fields import field_dictionary
        from zjtx_cli.engine.metrics import lookback

        fields = field_dictionary()
        return max([1] + [lookback(k, fields) - c.get("year", 0) + 1
                          for c in self.checks() for k in c.get("metric", ())])

    def fields_used(self) -> list[str]:
        from zjtx_cli.engine.metrics import METRIC_INPUTS

        used: list[str] = []
        for c in self.checks():
            used.extend(c.get("metric", ()))
            used.extend(c[k] for k in ("flag", "choice", "date") if k in c)
            if c["type"] == "sme":
                used.extend(["industry", "employees", "operating_revenue", "total_assets", "sme_declared"])
            if c["type"] in DELEGATED:
                from zjtx_cli.engine import scoring as scoring

                used.extend(scoring.fields_of(c))
        out: list[str] = []
        for k in used:
            for f in METRIC_INPUTS.get(k, (k,)):
                if f not in out:
                    out.append(f)
        return out


_LOADED: dict[str, Ruleset] = {}


def load_ruleset(path: str) -> Ruleset:
    if path not in _LOADED:
        from zjtx_cli.engine import metrics as metrics
        from zjtx_cli.inputs.fields import FIELDS_PATH

        # a ruleset is validated against the field dictionary and by this code: both are cache keys
        deps = (FIELDS_PATH, __file__, metrics.__file__, os.path.join(os.path.dirname(metrics.__file__), "scoring.py"))
        _LOADED[path] = Ruleset(load_cached(path, compile_ruleset, deps), path)
    return _LOADED[path]
