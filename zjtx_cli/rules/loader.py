"""Rulesets: policy criteria as data (``rulesets/*.yaml``), validated strictly.

A mistyped key in a rule file must never be dropped silently: unknown keys,
duplicate keys, missing citations and checks on indicators that the field
dictionary lacks are errors naming the file and the rule. See
``docs/ruleset-format.md`` for the format.
"""

from __future__ import annotations

import datetime as _dt
import os

from zjtx_cli.engine.kinds.base import Check, RulesetError, build, compile_check, text_pair, walk
from zjtx_cli.engine.record import Record
from zjtx_cli.inputs.fields import field_dictionary
from zjtx_cli.inputs.yamlcache import load_cached

# ruleset discovery (built-in and user folders) lives in registry.py; names kept here for their importers
from zjtx_cli.rules.registry import RULESET_DIRS, ruleset_paths  # noqa: E402,F401

KINDS = ("required", "priority", "exclusion")  # kinds of condition (not of check: see engine/kinds)
LEVELS = ("innovation", "county", "municipal", "provincial", "zjtx_sme", "national", "champion", "industry")
_META_KEYS = {"id", "title", "issuer", "document_number", "issued", "period", "validity_years",
              "validity_citation", "source", "notes", "tiers", "programme", "effective_from",
              "effective_to", "source_urls", "unconfirmed", "region",
              "fields", "replaces"}  # user rulesets: own indicators, and replacing a built-in (rules/registry.py)
_TIER_KEYS = {"id", "name", "level", "next", "next_note", "tracks", "conditions", "common", "note"}
_TRACK_KEYS = {"id", "name", "conditions", "note"}
_COND_KEYS = {"id", "kind", "text", "citation", "note", "check", "unconfirmed", "source_url"}


def _text(v, where, key):
    return text_pair(v, where, key)


def _compile_check(c, where, fields):
    """One check, validated by its kind (``engine/kinds``), as plain data."""
    return compile_check(c, where, fields)


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
    """Validate a ruleset file's data. A user ruleset's own ``fields:`` count for its own rules,
    whatever else is being checked or loaded at the time (e.g. a sibling reached through ``next``)."""
    own = data.get("fields") if isinstance(data, dict) else None
    if own and isinstance(own, list):
        from zjtx_cli.inputs.fields import extra_fields, validate_field_entries

        try:
            validate_field_entries(own, path)
        except ValueError as exc:
            raise RulesetError(str(exc)) from None
        with extra_fields(own):
            return _compile_ruleset(data, path)
    return _compile_ruleset(data, path)


def _compile_ruleset(data, path):
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
class Condition(Record):
    """One rule of a track, compiled: its check in typed form, and what the engine needs to know
    about it up front (computed once here, never written into the rule at run time)."""

    __slots__ = ("id", "kind", "text", "citation", "note", "unconfirmed", "source_url", "check",
                 "memoisable", "can_pend")
    id: str
    kind: str  # required | priority | exclusion
    text: dict[str, str]
    citation: str
    note: dict[str, str] | None
    unconfirmed: bool
    source_url: str | None
    check: Check
    memoisable: bool  # evaluated once per enterprise (no check in it depends on other tiers)
    can_pend: bool  # may be pending on a figure an outside platform computes

    def __getitem__(self, key):  # read-only mapping access, as the plain rule data has it
        return getattr(self, key)

    def get(self, key, default=None):
        return getattr(self, key, default)


def _condition(d: dict) -> Condition:
    check = build(d["check"])
    kinds = {type(c) for c in walk(check)}
    return Condition(id=d["id"], kind=d["kind"], text=d["text"], citation=d["citation"], note=d["note"],
                     unconfirmed=d["unconfirmed"], source_url=d["source_url"], check=check,
                     memoisable=all(k.memoisable for k in kinds), can_pend=any(k.can_pend for k in kinds))


class Ruleset:
    """A scheme: ``data`` is the validated plain data (as cached); ``tiers`` the same ladder
    with each condition in typed form (:class:`Condition`)."""

    def __init__(self, data: dict, path: str):
        self.path = path
        self.data = data
        self.id = data["id"]
        self._tiers: list | None = None

    @property
    def tiers(self) -> list[dict]:
        """The ladder with typed conditions, built when first needed: looking up a programme's
        versions reads only ``data`` of every ruleset, and should not pay for building them."""
        if self._tiers is None:
            built: dict[str, Condition] = {}
            tiers = []
            for t in self.data["tiers"]:
                tracks = []
                for tr in t["tracks"]:
                    conds = []
                    for c in tr["conditions"]:
                        if c["id"] not in built:  # a tier's common conditions: one object in every track
                            built[c["id"]] = _condition(c)
                        conds.append(built[c["id"]])
                    tracks.append(dict(tr, conditions=conds))
                tiers.append(dict(t, tracks=tracks))
            self._tiers = tiers
        return self._tiers

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

    def lookup(self, ref: str, as_of):
        """``scheme:tier`` (a ladder crossing schemes) -> (ruleset, tier, tracks), or None.

        A programme id (``miit``) is resolved to the version in force on ``as_of``."""
        if ":" not in ref:
            return None
        scheme, tier_id = ref.split(":", 1)
        rs = get_ruleset(resolve(scheme, as_of))
        if rs is None:
            return None
        t, tracks = rs.find(tier_id)
        return None if t is None else (rs, t, tracks)

    def conditions(self):
        """Every condition of every track, each once, in ladder order."""
        seen = set()
        for _t, tr in self.tracks():
            for c in tr["conditions"]:
                if id(c) not in seen:
                    seen.add(id(c))
                    yield c

    def checks(self):
        """Every check of every condition, sub-checks included."""
        for _t, tr in self.tracks():
            for c in tr["conditions"]:
                yield from walk(c.check)

    def metrics_tested(self):
        """(condition, metric keys, year offset) for every figure a condition tests, at any depth
        (inside all/any/cases, review readings and points tables too), in ruleset order."""
        for _t, tr in self.tracks():
            for c in tr["conditions"]:
                for check in walk(c.check):
                    for keys, offset in check.metrics_tested():
                        yield c, keys, offset

    def years_needed(self) -> int:
        """How many years of figures the rules read, counting the assessment year."""
        from zjtx_cli.engine.metrics import lookback

        fields = field_dictionary()
        return max([1] + [lookback(k, fields) - offset + 1
                          for _c, keys, offset in self.metrics_tested() for k in keys])

    def fields_used(self) -> list[str]:
        from zjtx_cli.engine.metrics import METRIC_INPUTS

        used: list[str] = []
        for c in self.checks():
            used.extend(c.fields_read())
        out: list[str] = []
        for k in used:
            for f in METRIC_INPUTS.get(k, (k,)):
                if f not in out:
                    out.append(f)
        return out


_LOADED: dict[str, Ruleset] = {}


def _kind_files() -> list[str]:
    """The modules that validate checks (``engine/kinds`` and its sub-packages): a change to one
    is a new cache key."""
    base = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "engine", "kinds")
    out = []
    for name in sorted(os.listdir(base)):
        if name.endswith(".py"):
            out.append(os.path.join(base, name))
        elif not name.startswith((".", "_")) and "." not in name:
            sub = os.path.join(base, name)
            if os.path.isfile(os.path.join(sub, "__init__.py")):
                out.extend(os.path.join(sub, f) for f in sorted(os.listdir(sub)) if f.endswith(".py"))
    return out


def load_ruleset(path: str) -> Ruleset:
    if path not in _LOADED:
        from zjtx_cli.engine import metrics as metrics
        from zjtx_cli.inputs.fields import FIELDS_PATH

        # a ruleset is validated against the field dictionary and by this code: both are cache keys
        deps = (FIELDS_PATH, __file__, metrics.__file__, *_kind_files())
        _LOADED[path] = Ruleset(load_cached(path, compile_ruleset, deps), path)
    return _LOADED[path]


# ------------------------------------------------------------------- by scheme id
def get_ruleset(scheme: str):
    """The ruleset of a scheme id, or None; a broken user ruleset raises RulesetError."""
    from zjtx_cli.rules.registry import _ONELINE, BUILTIN, discover

    disc = discover()
    if disc.dir_problems:
        raise RulesetError(disc.dir_problems[0])
    if scheme in disc.problems:
        raise RulesetError(disc.problems[scheme])
    path = disc.paths.get(scheme)
    if not path:
        return None
    if disc.origin.get(scheme) == BUILTIN:
        return load_ruleset(path)
    from zjtx_cli.rules.yamlcache import YamlError

    try:
        rs = load_ruleset(path)
    except (RulesetError, YamlError) as exc:  # a user's file: its name may hold anything
        raise type(exc)(str(exc).translate(_ONELINE)) from None
    _check_user_fields_used(rs, path)
    return rs


def _check_user_fields_used(rs, path):
    """A user ruleset may use the built-in fields and its own, not another user ruleset's."""
    from zjtx_cli.engine.metrics import METRICS
    from zjtx_cli.inputs.fields import builtin_field_keys
    from zjtx_cli.rules.registry import read_header, shown

    own = {f["key"] for f in read_header(path)["fields"]}
    builtin = builtin_field_keys()
    for k in rs.fields_used():
        if k not in own and k not in builtin and k not in METRICS:
            raise RulesetError(f"{shown(path)}: indicator {k!r} is declared by another user ruleset; "
                               f"declare it in this file's 'fields:' section")


# ------------------------------------------------- by programme and date (rules/versions.py)
def versions(programme: str) -> list[dict]:
    """[{id, effective_from, effective_to, document_number, title}] of a programme, oldest first."""
    out = []
    for sid in ruleset_paths():
        if not sid.startswith(programme + "-"):
            continue
        d = get_ruleset(sid).data
        if d.get("programme") != programme:
            continue
        out.append({"id": sid, "effective_from": d.get("effective_from"), "effective_to": d.get("effective_to"),
                    "document_number": d.get("document_number"), "title": d["title"]})
    out.sort(key=lambda v: v["effective_from"] or "")
    return out


def programmes() -> list[str]:
    """Programme ids (e.g. ``miit``) named by the rulesets' metadata."""
    out = set()
    for sid in ruleset_paths():
        if "-" in sid:
            p = get_ruleset(sid).data.get("programme")
            if p:
                out.add(p)
    return sorted(out)


def _date(s):
    return _dt.date.fromisoformat(str(s)) if s else None


def resolve(scheme: str, as_of: _dt.date | None = None) -> str:
    """The version id of ``scheme`` in force on ``as_of``; any other id is returned unchanged."""
    if scheme in ruleset_paths():
        return scheme
    vs = versions(scheme)
    if not vs:
        return scheme
    when = as_of or _dt.date.today()
    chosen = None
    for v in vs:
        start, end = _date(v["effective_from"]), _date(v["effective_to"])
        if (start is None or start <= when) and (end is None or when <= end):
            chosen = v  # the latest version whose period holds the date wins
    if chosen is None:
        # before the first dated version: the oldest; in a gap or after the last: the latest begun
        begun = [v for v in vs if _date(v["effective_from"]) is None or _date(v["effective_from"]) <= when]
        chosen = begun[-1] if begun else vs[0]
    return chosen["id"]
