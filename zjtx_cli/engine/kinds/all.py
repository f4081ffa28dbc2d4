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
        out = merge_data(out)
        if all(s["type"] == "metric" for s in node["checks"]):
            # an award rank tested as 1 <= rank <= N: "no award now; rank 1–N needed" (issue 12)
            from zjtx_cli.engine.shortfalls import rank_range_items

            return rank_range_items(node, out)
        return out
