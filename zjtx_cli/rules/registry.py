"""Where rulesets come from: the built-in ones, and the user's (``--rules-dir``, ``ZJTX_RULES_PATH``).

A user ruleset is a ``NAME.yaml`` file in a user rules folder; it is validated as
strictly as a built-in one (the same loader), and may declare its own indicators in a
``fields:`` section (same shape as ``inputs/fields.yaml``). Its id must equal its file
name. An id equal to a built-in scheme's is an error unless the file says
``replaces: ID``. ``NAME.tests.yaml`` files beside a ruleset hold its test cases
(``zjtx rules test``) and are not rulesets.

Folders come from ``--rules-dir`` (repeatable, in order) and then from the environment
variable ``ZJTX_RULES_PATH`` (folders separated by ``os.pathsep``).
"""

from __future__ import annotations

import os

from zjtx_cli.inputs import fields as _fields

_HERE = os.path.dirname(__file__)
_PACKAGE = os.path.dirname(_HERE)
# installed wheel: zjtx_cli/rulesets; source checkout: rulesets/ beside the package
RULESET_DIRS = [os.path.join(_PACKAGE, "rulesets"), os.path.join(os.path.dirname(_PACKAGE), "rulesets")]
ENV_VAR = "ZJTX_RULES_PATH"
TESTS_SUFFIX = ".tests.yaml"
BUILTIN = "built-in"

_CLI_DIRS: list[str] = []
_ONELINE = dict.fromkeys([*range(0x20), 0x7F, 0x85, 0x2028, 0x2029], "?")


def shown(path) -> str:
    """A path as it may appear in a one-line message (no control characters)."""
    return str(path).translate(_ONELINE)
_MEMO: dict = {}


def is_ruleset_name(name: str) -> bool:
    return name.endswith(".yaml") and not name.startswith("_") and not name.endswith(TESTS_SUFFIX)


CHILD_ENV = "_ZJTX_RULES_DIRS"  # --rules-dir, passed on to worker processes that do not fork


def set_cli_dirs(dirs) -> None:
    """The folders given with ``--rules-dir`` for this run (replacing any earlier ones)."""
    global _CLI_DIRS
    _CLI_DIRS = [os.fspath(d) for d in dirs or ()]
    if _CLI_DIRS:
        os.environ[CHILD_ENV] = os.pathsep.join(_CLI_DIRS)
    else:
        os.environ.pop(CHILD_ENV, None)


def _cli_dirs() -> list[str]:
    if _CLI_DIRS:
        return _CLI_DIRS
    inherited = os.environ.get(CHILD_ENV, "")  # a spawned worker of a run given --rules-dir
    return [d for d in inherited.split(os.pathsep) if d]


def user_dirs() -> list[tuple[str, str]]:
    """[(folder, where it was given)] in search order."""
    out = [(d, "--rules-dir") for d in _cli_dirs()]
    env = os.environ.get(ENV_VAR, "")
    out += [(d, ENV_VAR) for d in env.split(os.pathsep) if d.strip()]
    return out


def builtin_paths() -> dict[str, str]:
    """Scheme id -> file, from the packaged rulesets (or the source tree's)."""
    out: dict[str, str] = {}
    for d in RULESET_DIRS:
        if os.path.isdir(d):
            for name in sorted(os.listdir(d)):
                if is_ruleset_name(name):
                    out.setdefault(name[:-5], os.path.join(d, name))
            if out:
                break
    return out


class Discovery:
    """The rulesets of this run: ``paths`` (id -> file), ``origin`` (id -> built-in or folder),
    ``problems`` (id -> message: using that scheme is an error), ``dir_problems`` (bad folders),
    ``fields`` (user field entries, validated, with the file that declares them)."""

    def __init__(self):
        self.paths: dict[str, str] = {}
        self.origin: dict[str, str] = {}
        self.problems: dict[str, str] = {}
        self.dir_problems: list[str] = []
        self.fields: list[tuple[str, dict]] = []
        self.builtin: dict[str, str] = {}


def _stamp(d):
    """What a folder holds (names, sizes, times of its ruleset files): a change is a new discovery."""
    try:
        out = []
        for e in os.scandir(d):
            if is_ruleset_name(e.name):
                st = e.stat()
                out.append((e.name, st.st_size, st.st_mtime_ns))
        return tuple(sorted(out))
    except OSError:
        return None


def discover() -> Discovery:
    dirs = user_dirs()
    key = tuple((d, src, _stamp(d)) for d, src in dirs)
    hit = _MEMO.get("key")
    if hit == key and "disc" in _MEMO:
        return _MEMO["disc"]
    disc = Discovery()
    disc.builtin = builtin_paths()
    for sid, p in disc.builtin.items():
        disc.paths[sid] = p
        disc.origin[sid] = BUILTIN
    if dirs:
        _discover_user(disc, dirs)
    _MEMO["key"], _MEMO["disc"] = key, disc
    return disc


def _discover_user(disc: Discovery, dirs):
    from zjtx_cli.engine.kinds.base import RulesetError
    from zjtx_cli.rules.yamlcache import YamlError

    user_ids: dict[str, str] = {}
    field_owner: dict[str, tuple[str, dict]] = {}
    for d, src in dirs:
        if not os.path.isdir(d):
            disc.dir_problems.append(f"{shown(d)}: 找不到规则文件夹（来自 {src}）(rules folder not found, from {src})")
            continue
        for name in sorted(os.listdir(d)):
            if not is_ruleset_name(name):
                continue
            path = os.path.join(d, name)
            sid = name[:-5]
            if sid in user_ids:
                disc.problems[sid] = (f"{shown(path)}: 方案 {sid!r} 重复定义，另见 {shown(user_ids[sid])} "
                                      f"(scheme {sid!r} is defined twice)")
                continue
            user_ids[sid] = path
            disc.paths[sid] = path
            disc.origin[sid] = d
            try:
                head = read_header(path)
            except (RulesetError, YamlError, OSError, UnicodeDecodeError) as exc:
                disc.problems[sid] = (str(exc).translate(_ONELINE) if not isinstance(exc, OSError)
                                      else f"{shown(path)}: {exc.strerror}")
                continue
            problem = None
            if head["id"] != sid:
                problem = (f"{shown(path)}: id {head['id']!r} 须与文件名相同（{sid}.yaml）"
                           f"(id {head['id']!r} must equal the file name)")
            elif head["replaces"] is not None and head["replaces"] != sid:
                problem = (f"{shown(path)}: 'replaces: {head['replaces']}' 须写本方案自己的 id（{sid}）"
                           "('replaces' must name this ruleset's own id)")
            elif sid in disc.builtin and head["replaces"] != sid:
                problem = (f"{shown(path)}: id {sid!r} 与内置方案相同："
                           f"要替换内置方案请写 'replaces: {sid}'，否则请改用其他 id "
                           f"(id {sid!r} is a built-in scheme; write 'replaces: {sid}' to replace it, "
                           f"or choose another id)")
            elif head["replaces"] is not None and sid not in disc.builtin:
                problem = (f"{shown(path)}: 'replaces: {sid}' 没有对应的内置方案 "
                           f"('replaces: {sid}' names no built-in scheme)")
            if problem is None:
                for f in head["fields"]:
                    prev = field_owner.get(f["key"])
                    if prev is not None and prev[1] != f:
                        problem = (f"{shown(path)}: 字段 {f['key']!r} 在 {shown(prev[0])} 中另有不同定义 "
                                   f"(field {f['key']!r} is also declared, differently, by {shown(prev[0])})")
                        break
            if problem:
                disc.problems[sid] = problem
                continue
            for f in head["fields"]:
                if f["key"] not in field_owner:
                    field_owner[f["key"]] = (path, f)
                    disc.fields.append((path, f))


_BAD_CHARS = {*range(0x20), 0x7F, 0x85, 0x2028, 0x2029} - {0x09, 0x0A}


def control_char(data, where=""):
    """(key path, character) of the first text holding a control character, else None: nothing from a
    user's file may reach the terminal as a control sequence."""
    if isinstance(data, str):
        for ch in data:
            if ord(ch) in _BAD_CHARS:
                return where or "-", f"U+{ord(ch):04X}"
        return None
    if isinstance(data, dict):
        for k, v in data.items():
            hit = control_char(str(k), where) or control_char(v, f"{where}.{k}" if where else str(k))
            if hit:
                return hit
    if isinstance(data, list):
        for i, v in enumerate(data):
            hit = control_char(v, f"{where}[{i}]")
            if hit:
                return hit
    return None


def _header(data, path):
    """id, replaces and the validated ``fields:`` entries of a user ruleset (cached by content)."""
    from zjtx_cli.engine.kinds.base import RulesetError
    from zjtx_cli.inputs.fields import builtin_field_keys, validate_field_entries

    if not isinstance(data, dict):
        raise RulesetError(f"{path}: expected a mapping")
    bad = control_char(data)
    if bad:
        raise RulesetError(f"{path}: {bad[0]}: a text holds the control character {bad[1]}")
    sid = data.get("id")
    if not isinstance(sid, str):
        raise RulesetError(f"{path}: 'id' is required")
    rep = data.get("replaces")
    if rep is not None and not isinstance(rep, str):
        raise RulesetError(f"{path}: 'replaces' names a built-in scheme id")
    items = data.get("fields") or []
    try:
        validate_field_entries(items, path)
    except ValueError as exc:
        raise RulesetError(str(exc)) from None
    builtin = builtin_field_keys()
    for f in items:
        if f["key"] in builtin:
            raise RulesetError(f"{path}: 字段 {f['key']!r} 与内置字段同名，请改用其他键 "
                               f"(field {f['key']!r} clashes with a built-in field of the same key; "
                               f"choose another key)")
    return {"id": sid, "replaces": rep, "fields": items}


def read_header(path):
    from zjtx_cli.inputs.fields import FIELDS_PATH
    from zjtx_cli.rules.yamlcache import load_cached

    return load_cached(path, _header, (FIELDS_PATH, __file__))


def ruleset_paths() -> dict[str, str]:
    """Scheme id -> file: built-in rulesets and the user's."""
    return dict(discover().paths)


def origin(scheme: str) -> str | None:
    """``built-in`` or the user folder a scheme comes from."""
    return discover().origin.get(scheme)


def user_fields() -> list[dict]:
    return [f for _p, f in discover().fields] if user_dirs() else []


def fields_signature():
    """Changes whenever the set of user fields may have changed (for the field dictionary's memo)."""
    return _MEMO.get("key") if user_dirs() else None


def problems() -> list[str]:
    """Every problem with the configured user rules folders and files."""
    disc = discover()
    return disc.dir_problems + [disc.problems[k] for k in sorted(disc.problems)]


def _user_fields_for_dictionary():
    """(signature, user field entries) for the field dictionary, or None (no user rules folder)."""
    if not user_dirs():
        return None
    items = user_fields()
    return (fields_signature(), items) if items else None


# the field dictionary (inputs/fields.py) takes the user rulesets' own fields from here
_fields.take_user_fields_from(_user_fields_for_dictionary)
