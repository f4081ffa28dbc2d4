"""A small JSON Schema validator: the subset docs/assessment.schema.json uses (type, enum, const,
properties, required, additionalProperties, items, $ref to #/$defs, oneOf, allOf).

Enough to check the assessment documents without a dependency; every keyword it meets and does
not know is an error, so the schema cannot silently use more than is checked.
"""

from __future__ import annotations

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}
_ANNOTATIONS = {"description", "title", "$schema", "$id", "$defs", "format"}
_KNOWN = _ANNOTATIONS | {"type", "enum", "const", "properties", "required", "additionalProperties", "items",
                         "$ref", "oneOf", "allOf"}


def errors(value, schema, root=None, path="$") -> list[str]:
    """Every way ``value`` fails ``schema`` (empty: valid)."""
    root = root if root is not None else schema
    unknown = set(schema) - _KNOWN
    if unknown:
        return [f"{path}: schema keyword(s) not supported: {sorted(unknown)}"]
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return errors(value, root["$defs"][name], root, path)
    out: list[str] = []
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_TYPES[t](value) for t in types):
            return [f"{path}: expected {'/'.join(types)}, got {type(value).__name__} {value!r:.60}"]
    if "const" in schema and value != schema["const"]:
        out.append(f"{path}: expected {schema['const']!r}, got {value!r}")
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{path}: {value!r} is not one of {schema['enum']}")
    for sub in schema.get("allOf", ()):
        out.extend(errors(value, sub, root, path))
    if "oneOf" in schema:
        passing = [s for s in schema["oneOf"] if not errors(value, s, root, path)]
        if len(passing) != 1:
            detail = [e for s in schema["oneOf"] for e in errors(value, s, root, path)][:3]
            out.append(f"{path}: matches {len(passing)} of the oneOf alternatives, not 1 ({'; '.join(detail)})")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for k in schema.get("required", ()):
            if k not in value:
                out.append(f"{path}: missing key {k!r}")
        for k, v in value.items():
            if k in props:
                out.extend(errors(v, props[k], root, f"{path}.{k}"))
            elif schema.get("additionalProperties", True) is False:
                out.append(f"{path}: unexpected key {k!r}")
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            out.extend(errors(v, schema["items"], root, f"{path}[{i}]"))
    return out
