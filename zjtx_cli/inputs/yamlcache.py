"""Strict, safe YAML loading with a content-keyed cache.

Rule files are parsed once and the validated, plain-data result is cached
(marshal) under the user's cache directory, keyed on the file's bytes and the
zjtx version: later runs read the cache without importing PyYAML at all.
YAML is read only through a safe loader that also refuses duplicate keys.
"""

from __future__ import annotations

import marshal
import os

from zjtx_cli.version import __version__

_MEMO: dict[str, object] = {}


def _digest(data: bytes) -> str:
    try:  # the built-in BLAKE2 module loads faster than hashlib's OpenSSL binding
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover
        from hashlib import blake2b
    return blake2b(data, digest_size=20).hexdigest()


def cache_dir() -> str | None:
    if os.environ.get("ZJTX_NO_CACHE"):
        return None
    if os.environ.get("ZJTX_CACHE_DIR"):
        return os.environ["ZJTX_CACHE_DIR"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "zjtx")


class YamlError(ValueError):
    pass


def parse_yaml(text: str, path: str):
    """Safe-load YAML text, refusing duplicate keys (no object construction)."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class StrictLoader(base):  # type: ignore[misc, valid-type]
        pass

    def construct_mapping(loader, node, deep=False):
        loader.flatten_mapping(node)
        out = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in out:
                line = key_node.start_mark.line + 1
                raise YamlError(f"{path}: line {line}: duplicate key {key!r}")
            out[key] = loader.construct_object(value_node, deep=deep)
        return out

    StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    try:
        return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlError(f"{path}:{where}: not valid YAML: {problem}") from None


def load_cached(path: str, compile_fn, deps=()):
    """Return ``compile_fn(parsed_yaml, path)``, from cache when the file is unchanged.

    ``compile_fn`` must return marshal-able plain data (dict, list, str, int,
    float, bool, None). ``deps`` are other files the result depends on (the
    field dictionary, the validating code): a change to any of them (size or
    modification time) is a new cache key too.
    """
    with open(path, "rb") as fh:
        raw = fh.read()
    stamps = []
    for d in deps:
        try:
            st = os.stat(d)
            stamps.append(f"{d}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            stamps.append(f"{d}:-")
    digest = _digest(raw + __version__.encode() + compile_fn.__module__.encode() + "|".join(stamps).encode())
    if digest in _MEMO:
        return _MEMO[digest]
    cdir = cache_dir()
    cfile = os.path.join(cdir, f"{os.path.basename(path)}.{digest[:20]}.marshal") if cdir else None
    if cfile:
        try:
            with open(cfile, "rb") as fh:
                data = marshal.load(fh)
            _MEMO[digest] = data
            return data
        except (OSError, EOFError, ValueError, TypeError):
            pass
    data = compile_fn(parse_yaml(raw.decode("utf-8"), path), path)
    _MEMO[digest] = data
    if cfile and cdir:
        try:
            os.makedirs(cdir, exist_ok=True)
            tmp = f"{cfile}.{os.getpid()}.tmp"
            with open(tmp, "wb") as fh:
                marshal.dump(data, fh)
            os.replace(tmp, cfile)
        except (OSError, ValueError):
            pass  # a read-only home must not stop an assessment
    return data
