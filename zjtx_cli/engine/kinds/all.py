"""``{all: [checks]}``: every one. Unmet if any part is unmet, else unknown if any part is unknown."""

from __future__ import annotations

from zjtx_cli.engine.kinds._group import Group
from zjtx_cli.engine.kinds.base import register
from zjtx_cli.engine.status import all_of


@register
class AllCheck(Group):
    __slots__ = ()
    type = "all"
    keys = frozenset({"all"})
    combine = staticmethod(all_of)
    joiner = "and"

    @classmethod
    def gap_items(cls, node, ctx):
        from zjtx_cli.engine.kinds.common import gap_items, merge_data

        out: list[dict] = []
        for s in node["checks"]:
            out.extend(gap_items(s, ctx))
        return merge_data(out)
