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

class Record:
    __slots__ = ()
    _defaults: ClassVar[dict[str, Any]] = {}
    _field_names: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # every slot of the class and its bases, in definition order, computed once per class
        cls._field_names = tuple(n for k in reversed(cls.__mro__) for n in k.__dict__.get("__slots__", ()))

    def __init__(self, **values):
        cls = type(self)
        setv = object.__setattr__
        defaults = cls._defaults
        given = 0
        for name in cls._field_names:
            if name in values:
                setv(self, name, values[name])
                given += 1
            elif name in defaults:
                setv(self, name, defaults[name])
            else:
                raise TypeError(f"{cls.__name__}: missing field {name!r}")
        if given != len(values):
            raise TypeError(f"{cls.__name__}: unknown field(s) {sorted(set(values) - set(cls._field_names))}")

    @classmethod
    def _fields(cls) -> tuple[str, ...]:
        return cls._field_names

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name):
        raise AttributeError(f"{type(self).__name__} is immutable")

    def replace(self, **changes):
        values = {n: getattr(self, n) for n in self._field_names}
        values.update(changes)
        return type(self)(**values)

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self._field_names)

    __hash__ = None  # type: ignore[assignment]  # records may hold lists and dicts

    def __repr__(self):
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._field_names)
        return f"{type(self).__name__}({inner})"


class DictLikeRecord(Record):
    """A record that also allows read-only ``record["key"]`` and ``record.get("key")`` access, as
    the dicts that assessment results once were did."""

    __slots__ = ()

    def __getitem__(self, key: str) -> Any:
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def get(self, key: str, default=None):
        return getattr(self, key, default)
