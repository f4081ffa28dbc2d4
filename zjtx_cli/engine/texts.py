"""Words shared by every check kind's explanations (zh / en): statuses, names of figures, values.

The kinds (``engine/kinds``) write their own sentences with these; ``outputs/report.py``
uses the same words for tables and JSON. Nothing here imports the outputs.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal

from zjtx_cli.engine.metrics import METRICS
from zjtx_cli.engine.numbers import format_number

LABELS = {
    "met": {"zh": "满足", "en": "met"},
    "unmet": {"zh": "不满足", "en": "unmet"},
    "unknown": {"zh": "缺数据", "en": "unknown"},
    "pending": {"zh": "待系统评价", "en": "pending"},
    "not_examined": {"zh": "不考察", "en": "not examined"},
    "priority_met": {"zh": "优先·满足", "en": "priority met"},
    "priority_unmet": {"zh": "优先·不满足", "en": "priority unmet"},
    "priority_unknown": {"zh": "优先·缺数据", "en": "priority unknown"},
    "priority_pending": {"zh": "优先·待系统评价", "en": "priority pending"},
    "excl_pending": {"zh": "排除·待系统评价", "en": "exclusion pending"},
    "excl_met": {"zh": "排除·触发", "en": "exclusion applies"},
    "excl_unmet": {"zh": "排除·未触发", "en": "exclusion clear"},
    "excl_unknown": {"zh": "排除·缺数据", "en": "exclusion unknown"},
    "eligible": {"zh": "符合条件", "en": "eligible"},
    "not_eligible": {"zh": "不符合条件", "en": "not eligible"},
    "undetermined": {"zh": "无法判定（缺数据）", "en": "undetermined (data missing)"},
    "excluded": {"zh": "排除（触发限制条件）", "en": "excluded"},
    # officer mode (--evidence required, issue 13)
    "conditional": {"zh": "有条件符合（待补证）", "en": "conditional (subject to evidence)"},
    "reached": {"zh": "达到", "en": "reached"},
    "not_reached": {"zh": "未达到", "en": "not reached"},
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
    "missing": {"zh": "未填", "en": "not given"},
    "declared": {"zh": "（自报）", "en": " (self-declared)"},
    "or": {"zh": " 或 ", "en": " or "},
    "and": {"zh": "；且 ", "en": "; and "},
}


def label(key: str, lang: str) -> str:
    return LABELS[key][lang]


def field_name(key: str, fields, lang: str) -> str:
    """The name of a raw field or a derived metric."""
    m = METRICS.get(key)
    if m is not None:
        return m.zh if lang == "zh" else m.en
    f = fields[key]
    return f.zh if lang == "zh" else f.en


def missing_name(m, fields, lang: str) -> str:
    """A missing (field, year) pair as text; an unknown key is shown as itself."""
    key, year = m[0], m[1]
    name = field_name(key, fields, lang) if key in fields or key in METRICS else key
    if year is None:
        return name
    return f"{name}（{year}）" if lang == "zh" else f"{name} ({year})"


def value_text(v, unit, lang: str) -> str:
    if v is None:
        return label("missing", lang)
    if isinstance(v, bool):
        return label("yes" if v else "no", lang)
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, (Decimal, int)):
        return format_number(v, unit, lang=lang)
    return str(v)


def year_suffix(year, lang: str) -> str:
    if year is None:
        return ""
    return f"（{year}）" if lang == "zh" else f" ({year})"
