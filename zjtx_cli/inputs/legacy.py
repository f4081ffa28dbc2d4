"""Old inputs that still work, with a warning naming what replaced them.

``market_leading`` once answered both Jinhu's 附件1 国内同行业前列 (national) and 附件5 全省名列前茅
(provincial). Each test now has its own declaration; a file giving only the old one is judged by it
(the rules' ``if_missing`` fallback) and told which declaration to give instead (issue 12).
"""

from __future__ import annotations

from zjtx_cli.inputs.model import Problem

# old key -> the keys that replace it where a scheme tests them
REPLACED_BY = {"market_leading": ("market_leading_national", "market_leading_province")}


def legacy_warnings(e, ruleset, fields) -> list[Problem]:
    used = set(ruleset.fields_used())
    out = []
    for old, new in REPLACED_BY.items():
        if e.values.get(old) is None:
            continue
        lacking = [k for k in new if k in used and e.values.get(k) is None]
        if not lacking:
            continue
        names_zh = "、".join(f"“{fields[k].zh}”（{k}）" for k in lacking)
        names_en = ", ".join(f"'{fields[k].en}' ({k})" for k in lacking)
        out.append(Problem(
            e.source, f"{fields[old].zh} ({old})",
            f"answers more than one test in {ruleset.id}; judged by it for now - declare {names_en} instead",
            None, None, severity="warning",
            reason_zh=f"在 {ruleset.id} 中同时回答了不同口径的条件，暂按其判断；请改为分别填写{names_zh}"))
    return out
