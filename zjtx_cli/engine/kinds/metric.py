"""``{metric: KEY, op: ">=", value: N, year: 0}``: a threshold on a raw indicator or a derived metric.

``metric: [a, b, c]`` sums several counts; a partial sum whose known parts already meet a
lower bound is met even if a part is missing.
"""

from __future__ import annotations

from decimal import Decimal

from zjtx_cli.engine.formulas import MetricValue
from zjtx_cli.engine.kinds.base import Check, RulesetError, number, register
from zjtx_cli.engine.metrics import BLOCKER_METRICS, METRICS, STATIC_METRICS, evaluate_metric, metric_gap
from zjtx_cli.engine.numbers import format_number
from zjtx_cli.engine.shortfalls import Gap
from zjtx_cli.engine.status import COMPARE, MET, OP_SIGN, OPS, UNKNOWN, UNMET
from zjtx_cli.engine.texts import field_name, missing_name, value_text, year_suffix

_NEAR = Decimal("0.1")


def per_year_key(key: str, fields) -> bool:
    if key in METRICS:
        return key not in STATIC_METRICS  # figures of no year (operating years, founding year)
    return fields[key].per_year


@register
class MetricCheck(Check):
    __slots__ = ("metric", "op", "value", "value_text", "year", "per_year")
    metric: tuple[str, ...]
    op: str
    value: Decimal
    value_text: str  # the threshold as written (validated), for texts
    year: int  # offset from the assessment year: 0, -1, ...
    per_year: bool  # whether the figure belongs to a year (shown in texts)
    type = "metric"
    keys = frozenset({"metric", "op", "value", "year"})

    @classmethod
    def validate(cls, raw, where, fields):
        keys = raw["metric"] if isinstance(raw["metric"], list) else [raw["metric"]]
        for k in keys:
            if k not in METRICS and k not in fields:
                raise RulesetError(f"{where}: unknown indicator {k!r} (not in the field dictionary or metrics)")
            if k in fields and fields[k].type not in ("number", "integer"):
                raise RulesetError(f"{where}: indicator {k!r} is not numeric")
        if raw.get("op") not in OPS:
            raise RulesetError(f"{where}: 'op' must be one of {OPS}")
        if "value" not in raw:
            raise RulesetError(f"{where}: a threshold needs 'value'")
        year = raw.get("year", 0)
        if not isinstance(year, int) or year > 0 or year < -5:
            raise RulesetError(f"{where}: 'year' is an offset from the assessment year: 0, -1, ...")
        # whether the figure belongs to a year is settled here, against the dictionary the rule is
        # validated with (a user ruleset's own fields included), and kept in the plain data
        return {"metric": keys, "op": raw["op"], "value": str(number(raw["value"], where)), "year": year,
                "per_year": any(per_year_key(k, fields) for k in keys)}

    @classmethod
    def from_data(cls, d):
        return cls(label=d.get("label"), metric=tuple(d["metric"]), op=d["op"], value=Decimal(d["value"]),
                   value_text=d["value"], year=d["year"], per_year=d["per_year"])

    def fields_read(self):
        return list(self.metric)

    def metrics_tested(self):
        return [(self.metric, self.year)]

    # -------------------------------------------------------------- evaluate
    def evaluate(self, ctx):
        keys = list(self.metric)
        year = ctx.year + self.year
        target = self.value
        op = self.op
        if len(keys) == 1:
            mv = evaluate_metric(keys[0], ctx, year)
            value, missing = mv.value, mv.missing
            unit = mv.unit
        else:  # a sum of counts, e.g. utility + design patents + software copyrights
            value, missing, unit, parts = Decimal(0), [], None, []
            for k in keys:
                part = evaluate_metric(k, ctx, year)
                unit = unit or part.unit
                if part.value is None:
                    missing.extend(part.missing)
                else:
                    value += part.value
                    parts.append((k, part.value))
            mv = MetricValue(value, missing, [(k, None, v) for k, v in parts], part.formula_zh, part.formula_en, unit)
        node = {"type": "metric", "metric": keys, "year": year if self.per_year else None, "op": op,
                "value": target, "unit": unit, "actual": None, "missing": [list(m) for m in missing],
                # a condition decided by a declared ratio is marked declared (issue 12)
                "declared": bool(getattr(mv, "declared", False)),
                "formula_zh": mv.formula_zh, "formula_en": mv.formula_en,
                "inputs": [list(i) for i in mv.inputs], "gap": None}
        if missing:
            # a partial sum that already meets a lower bound settles it
            if len(keys) > 1 and op in (">=", ">") and COMPARE[op](value, target):
                node.update(status=MET, actual=value)
                return node
            node["status"] = UNKNOWN
            if len(keys) > 1 and mv.inputs:  # the known part of a sum
                node["actual"] = value
            return node
        if value is None:
            # given, but meaningless: growth from a zero or negative base, a ratio over zero
            node.update(status=UNMET, invalid=[list(x) for x in mv.invalid])
            return node
        node["actual"] = value
        ok = COMPARE[op](value, target)
        node["status"] = MET if ok else UNMET
        if not ok:
            if len(keys) == 1:
                node["gap"] = metric_gap(keys[0], ctx, year, op, target, mv)
            else:
                short = target - value + (1 if op == ">" else 0)
                node["gap"] = Gap(short, unit or "", f"尚差 {format_number(short, unit, up=True)}",
                                  f"short by {format_number(short, unit, lang='en', up=True)}",
                                  short / target if target else None)
        return node

    # -------------------------------------------------------------- evidence
    @classmethod
    def inputs_used(cls, node, ctx, has):
        """The figures the value was computed from (a computed metric: every figure of its formula)."""
        from zjtx_cli.engine.kinds.base import figure
        from zjtx_cli.engine.metrics import evaluate_metric

        out: list[tuple[str, int | None]] = []
        year = node["year"] if node["year"] is not None else ctx.year
        for k, y, _v in node["inputs"]:
            if k in METRICS:  # a part of a sum that is itself computed
                out.extend(figure(k2, y2, ctx) for k2, y2, _v2 in evaluate_metric(k, ctx, year).inputs)
            else:
                out.append(figure(k, y if y is not None else year, ctx))
        return out

    # ------------------------------------------------------------------ gaps
    @classmethod
    def gap_items(cls, node, ctx):
        if node.get("invalid"):
            return [{"kind": "invalid", "effort": "far", "node": node}]
        g = node.get("gap")
        rel = g.relative if g is not None else None
        # operating years, founding year: not something a company can change
        effort = "blocker" if len(node["metric"]) == 1 and node["metric"][0] in BLOCKER_METRICS else (
            "near" if rel is not None and rel <= _NEAR else "far")
        return [{"kind": "numeric", "effort": effort, "node": node, "gap": g}]

    @classmethod
    def gap_item_json(cls, item, item_json):
        if item["kind"] != "numeric":
            return super().gap_item_json(item, item_json)
        from zjtx_cli.engine.numbers import num_json

        n = item["node"]
        return {"metric": n["metric"], "year": n["year"], "actual": num_json(n["actual"]), "op": n["op"],
                "required": num_json(n["value"]), "unit": n["unit"],
                "shortfall": item["gap"].to_json() if item.get("gap") else None}

    # ----------------------------------------------------------------- texts
    @staticmethod
    def name_of(node, fields, lang):
        keys = node["metric"]
        sep = "、" if lang == "zh" else " + "
        name = sep.join(field_name(k, fields, lang) for k in keys)
        if len(keys) > 1:
            name = (name + "合计") if lang == "zh" else f"({name})"
        return name + year_suffix(node.get("year"), lang)

    def describe_rule(self, fields, lang):
        zh = lang == "zh"
        sep = "、" if zh else " + "
        name = sep.join(field_name(k, fields, lang) for k in self.metric)
        if len(self.metric) > 1:
            name = name + "合计" if zh else f"({name})"
        if self.year:
            name += f"（评价年度{self.year}年）" if zh else f" (assessment year {self.year})"
        first = self.metric[0]
        unit = METRICS[first].unit if first in METRICS else fields[first].unit
        return f"{name} {OP_SIGN[self.op]} {format_number(Decimal(self.value_text), unit, lang=lang)}"

    @classmethod
    def describe_required(cls, node, fields, lang):
        return (f"{cls.name_of(node, fields, lang)} {OP_SIGN[node['op']]} "
                f"{format_number(node['value'], node['unit'], lang=lang)}")

    @classmethod
    def describe_actual(cls, node, fields, lang):
        zh = lang == "zh"
        if node.get("invalid"):
            figs = "、".join(missing_name(m, fields, lang) for m in node["invalid"])
            return f"无法计算（{figs} 为零或负数）" if zh else f"cannot be computed ({figs} zero or negative)"
        if node["actual"] is None and node["status"] == UNKNOWN:
            miss = ", ".join(missing_name(m, fields, lang) for m in node["missing"])
            return ("缺：" if zh else "missing: ") + miss
        s = format_number(node["actual"], node["unit"], lang=lang)
        keys = node["metric"]
        if len(keys) == 1 and keys[0] in METRICS and node["inputs"]:
            if zh:
                ins = "，".join(f"{field_name(k, fields, lang)}{'' if y is None else y} "
                               f"{value_text(v, fields[k].unit, lang)}" for k, y, v in node["inputs"])
            else:
                ins = ", ".join(f"{field_name(k, fields, lang)}{'' if y is None else ' ' + str(y)} "
                                f"{value_text(v, fields[k].unit, lang)}" for k, y, v in node["inputs"])
            formula = node.get("formula_zh" if zh else "formula_en")
            if formula:
                ins = f"{formula}；{ins}" if zh else f"{formula}; {ins}"
            s += f"（{ins}）" if zh else f" ({ins})"
        elif len(keys) > 1:
            s += ("（" if zh else " (") + ("，" if zh else ", ").join(
                f"{field_name(k, fields, lang)} {format_number(v)}" for k, _y, v in node["inputs"]) + (
                "）" if zh else ")")
        return s

    @classmethod
    def describe_gap_item(cls, item, fields, lang):
        zh = lang == "zh"
        node = item["node"]
        if item["kind"] == "invalid":
            figs = ("、" if zh else ", ").join(missing_name(m, fields, lang) for m in node["invalid"])
            return (f"{cls.name_of(node, fields, lang)} 无法计算：{figs} 为零或负数（基数须为正）" if zh else
                    f"{cls.name_of(node, fields, lang)} cannot be computed: {figs} is zero or negative")
        if item["kind"] == "numeric":
            g = item.get("gap")
            actual = format_number(node["actual"], node["unit"], lang=lang)
            need = f"{OP_SIGN[node['op']]} {format_number(node['value'], node['unit'], lang=lang)}"
            head = (f"{cls.name_of(node, fields, lang)} 现为 {actual}，须 {need}" if zh else
                    f"{cls.name_of(node, fields, lang)} is {actual}, needs {need}")
            if g is None:
                return head
            if getattr(g, "whole", False):  # the gap's own text says it all (e.g. no award now, issue 12)
                name = cls.name_of(node, fields, lang)
                return f"{name}：{g.zh}" if zh else f"{name}: {g.en}"
            return f"{head}：{g.zh}" if zh else f"{head}: {g.en}"
        return super().describe_gap_item(item, fields, lang)
