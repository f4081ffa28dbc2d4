"""Immutable records: the typed form of compiled rules and of assessment results.

``dataclasses`` would do, but importing it costs about 10 ms (it imports ``inspect``),
half of Python's own start-up, and ``zjtx assess`` must start in under 6x
``python -c pass``. A :class:`Record` is a slotted class whose fields are set once,
by keyword, and never again::

    class Point(Record):
        __slots__ = ("x", "y")
        x: int
        y: int = 0          # a class-level default is not possible with slots: use _defaults

    p = Point(x=1)          # y from _defaults, else a TypeError naming the missing field
    p.x = 2                 # AttributeError: Point is immutable
    p.replace(x=2)          # a new record
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs ~6 ms to import; only the type checker needs it
if TYPE_CHECKING:
    from typing import Any, ClassVar

_NO = object()


class Record:
    __slots__ = ()
    _defaults: ClassVar[dict[str, Any]] = {}

    def __init__(self, **values):
        cls = type(self)
        for name in cls._fields():
            v = values.pop(name, _NO)
            if v is _NO:
                v = cls._defaults.get(name, _NO)
                if v is _NO:
                    raise TypeError(f"{cls.__name__}: missing field {name!r}")
            object.__setattr__(self, name, v)
        if values:
            raise TypeError(f"{cls.__name__}: unknown field(s) {sorted(values)}")

    @classmethod
    def _fields(cls) -> tuple[str, ...]:
        names = cls.__dict__.get("_field_names")
        if names is None:
            names = tuple(n for k in reversed(cls.__mro__) for n in k.__dict__.get("__slots__", ()))
            type.__setattr__(cls, "_field_names", names)
        return names

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name):
        raise AttributeError(f"{type(self).__name__} is immutable")

    def replace(self, **changes):
        values = {n: getattr(self, n) for n in self._fields()}
        values.update(changes)
        return type(self)(**values)

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self._fields())

    __hash__ = None  # type: ignore[assignment]  # records may hold lists and dicts

    def __repr__(self):
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._fields())
        return f"{type(self).__name__}({inner})"
