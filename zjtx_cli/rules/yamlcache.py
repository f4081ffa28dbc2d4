"""Moved to :mod:`zjtx_cli.inputs.yamlcache` (the field dictionary, an input, uses it too, and
``inputs`` must not import ``rules``). The names are kept here for existing importers."""

from zjtx_cli.inputs.yamlcache import YamlError, cache_dir, load_cached, parse_yaml

__all__ = ["YamlError", "cache_dir", "load_cached", "parse_yaml"]
