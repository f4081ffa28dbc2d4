"""The field dictionary (``fields.yaml``): every indicator a ruleset may test."""

from __future__ import annotations

import os

from zjtx_cli.inputs.values import normalize_label
from zjtx_cli.inputs.yamlcache import load_cached

FIELDS_PATH = os.path.join(os.path.dirname(__file__), "fields.yaml")
TYPES = ("number", "integer", "bool", "date", "choice", "text")
_KEYS = {"key", "zh", "en", "type", "unit", "per_year", "aliases", "hint_zh", "hint_en", "choices"}


class Field:
    __slots__ = ("key", "zh", "en", "type", "unit", "per_year", "aliases", "hint_zh", "hint_en", "choices")

    def __init__(self, d: dict):
        self.key = d["key"]
        self.zh = d["zh"]
        self.en = d["en"]
        self.type = d["type"]
        self.unit = d.get("unit")
        self.per_year = bool(d.get("per_year", False))
        self.aliases = tuple(d.get("aliases") or ())
        self.hint_zh = d.get("hint_zh", "")
        self.hint_en = d.get("hint_en", "")
        self.choices = d.get("choices") or {}

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def choice_label(self, code: str, lang: str) -> str:
        c = self.choices.get(code)
        return c[lang] if c else code


def _compile(data, path):
    if not isinstance(data, dict) or set(data) != {"fields"} or not isinstance(data["fields"], list):
        raise ValueError(f"{path}: expected a mapping with a single key 'fields' holding a list")
    validate_field_entries(data["fields"], path)
    return data["fields"]


def validate_field_entries(items, path):
    """Check a list of field entries (fields.yaml, or a user ruleset's ``fields:``); ValueError on a problem."""
    if not isinstance(items, list):
        raise ValueError(f"{path}: 'fields' must be a list of field entries")
    seen = set()
    for i, d in enumerate(items):
        where = f"{path}: field #{i + 1}"
        if not isinstance(d, dict):
            raise ValueError(f"{where}: expected a mapping")
        unknown = set(d) - _KEYS
        if unknown:
            raise ValueError(f"{where} ({d.get('key')}): unknown key(s) {sorted(unknown)}")
        for k in ("key", "zh", "en", "type"):
            if not isinstance(d.get(k), str):
                raise ValueError(f"{where}: '{k}' is required")
        if d["type"] not in TYPES:
            raise ValueError(f"{where} ({d['key']}): type must be one of {TYPES}")
        if d["key"] in seen:
            raise ValueError(f"{where}: duplicate key {d['key']}")
        if d["type"] == "choice" and not d.get("choices"):
            raise ValueError(f"{where} ({d['key']}): a choice field needs 'choices'")
        if d["type"] == "choice" and not (isinstance(d["choices"], dict) and all(
                isinstance(v, dict) and {"zh", "en"} <= set(v) for v in d["choices"].values())):
            raise ValueError(f"{where} ({d['key']}): 'choices' maps each code to {{zh, en}} labels")
        if not d["key"].isidentifier():
            raise ValueError(f"{where} ({d['key']}): a key is letters, digits and underscores")
        seen.add(d["key"])


class FieldDictionary:
    def __init__(self, items: list[dict]):
        self.fields: dict[str, Field] = {}
        self._labels: dict[str, str] = {}
        self._memo: dict[str, str | None] = {}  # raw label -> key: labels repeat across files
        for d in items:
            f = Field(d)
            self.fields[f.key] = f
        for f in self.fields.values():
            for lab in (f.key, f.zh, f.en, *f.aliases):
                self._labels.setdefault(normalize_label(lab), f.key)

    def __contains__(self, key: str) -> bool:
        return key in self.fields

    def __getitem__(self, key: str) -> Field:
        return self.fields[key]

    def __iter__(self):
        return iter(self.fields.values())

    def lookup(self, label: str) -> str | None:
        """Field key for a label (Chinese, English, key or alias), or None."""
        try:
            return self._memo[label]
        except KeyError:
            pass
        if len(self._memo) > 50000:
            self._memo.clear()
        key = self._memo[label] = self._labels.get(normalize_label(label))
        return key

    def suggest(self, label: str) -> str | None:
        """Nearest known label, for 'unknown label' warnings."""
        import difflib

        norm = normalize_label(label)
        match = difflib.get_close_matches(norm, list(self._labels), n=1, cutoff=0.5)
        if not match:
            return None
        f = self.fields[self._labels[match[0]]]
        return f"{f.zh} ({f.key})"


_DICT: FieldDictionary | None = None
_USER: tuple = (None, None)  # (signature of the user rules folders, dictionary with their fields)
# Where the user rulesets' own fields come from: set by rules/registry.py when it is imported (the
# rules sit above the inputs, so the field dictionary is handed them rather than asking for them).
# A callable returning (signature, [field entries]), or None when no user rules folder is given.
_USER_FIELDS_SOURCE: list = []


def take_user_fields_from(source) -> None:
    """Add the ``fields:`` of user rulesets to :func:`field_dictionary`: ``source()`` returns
    ``(signature, items)`` (the signature changes whenever the items may have), or None."""
    _USER_FIELDS_SOURCE[:] = [source]


def _builtin_items() -> list[dict]:
    return load_cached(FIELDS_PATH, _compile, (__file__,))


def builtin_field_keys() -> set[str]:
    return {d["key"] for d in _builtin_items()}


def field_dictionary() -> FieldDictionary:
    """The built-in field dictionary, plus the ``fields:`` of user rulesets when user rules folders are given
    (from ``rules/registry.py``, once it is imported: choosing or loading any ruleset imports it)."""
    global _DICT, _USER

    if _DICT is None:
        _DICT = FieldDictionary(_builtin_items())
    if _EXTRA:
        return _EXTRA[-1]
    got = _USER_FIELDS_SOURCE[0]() if _USER_FIELDS_SOURCE else None
    if got is not None and got[1]:
        sig, extra = got
        if _USER[0] != sig or _USER[1] is None:
            _USER = (sig, FieldDictionary(_builtin_items() + list(extra)))
        return _USER[1]
    return _DICT


_EXTRA: list = []


class extra_fields:
    """``with extra_fields(items):`` the dictionary also holds these entries (checking a ruleset file on its own)."""

    def __init__(self, items):
        self.items = list(items or ())

    def __enter__(self):
        _EXTRA.append(FieldDictionary(_builtin_items() + self.items))
        return _EXTRA[-1]

    def __exit__(self, *exc):
        _EXTRA.pop()
        return False
