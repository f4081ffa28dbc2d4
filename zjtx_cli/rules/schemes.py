"""The ruleset a command assesses against, chosen by ``--scheme`` (an id, or a programme and the
``--as-of`` date), with what the user should be told about it: not in force on that date, a plan
whose period has ended, a version outside the call it encodes, an unknown tier.

:func:`choose_ruleset` returns the warnings and raises :class:`CommandError`; the ``resolve_scheme``
and ``expired_warning`` forms print them (``zjtx batch``, ``zjtx rules``)."""

from __future__ import annotations

from zjtx_cli.terminal import CommandError, fail_with, msg, warn


def choose_ruleset(scheme, as_of_date, lang="zh"):
    """(ruleset, warnings) for ``--scheme``; an unknown or broken scheme raises :class:`CommandError`."""
    from zjtx_cli.inputs.yamlcache import YamlError
    from zjtx_cli.rules.loader import RulesetError, get_ruleset, ruleset_paths
    from zjtx_cli.rules.versions import resolve

    warnings = []
    try:
        scheme = resolve(scheme, as_of_date)
        rs = get_ruleset(scheme)
    except (RulesetError, YamlError) as exc:
        raise CommandError([str(exc)]) from None
    if rs is None:
        from zjtx_cli.rules.versions import programmes

        if lang == "en":
            known = sorted(ruleset_paths()) + [f"{p} (by date)" for p in programmes()]
            raise CommandError([f"unknown scheme {scheme!r}; known: {', '.join(known)}"])
        known = sorted(ruleset_paths()) + [f"{p}（按日期选用版本）" for p in programmes()]
        raise CommandError([f"未知方案 {scheme!r}；可用的方案：{'、'.join(known)}"])
    if rs.data.get("programme"):
        from zjtx_cli.rules.versions import in_force

        if not in_force(rs.data, as_of_date):
            d = rs.data
            warnings.append(msg(lang, f"{rs.id}：{as_of_date} 时不在有效期内（有效期 {d['effective_from'] or '…'} 至 "
                                      f"{d['effective_to'] or '…'}）；已按要求评价 —— 用 --scheme {d['programme']} "
                                      f"可自动选用当时有效的版本",
                                f"{rs.id}: not in force on {as_of_date} (in force {d['effective_from'] or '…'} to "
                                f"{d['effective_to'] or '…'}); assessed as requested — --scheme {d['programme']} "
                                f"picks the version in force"))
    from zjtx_cli.rules.versions import batch_warning  # outside the batch a version encodes (issue 12)

    bw = batch_warning(rs.id, as_of_date, lang)
    if bw:
        warnings.append(bw)
    return rs, warnings


def resolve_scheme(scheme, as_of_date, lang="zh"):
    """The ruleset for ``--scheme``, its warnings printed; an unknown or broken scheme is a usage error."""
    try:
        rs, warnings = choose_ruleset(scheme, as_of_date, lang)
    except CommandError as exc:
        fail_with(exc)
    for w in warnings:
        warn(w)
    return rs


def unknown_tier(tier, scheme_id, ids, lang="zh"):
    return msg(lang, f"方案 {scheme_id} 没有层级或类别 {tier!r}；可用：{'、'.join(ids)}",
               f"unknown tier {tier!r} for scheme {scheme_id}; known: {', '.join(ids)}")


def expired_note(rs, as_of_date, lang):
    """The warning for a plan whose period ended before ``as_of_date``, else None."""
    end = rs.data["period"][1]
    if end and as_of_date.year > int(end):
        if lang == "zh":
            return f"{rs.id}: 方案执行期至 {end} 年已结束，结果仅供参考（按原条件评价）"
        return f"{rs.id}: the plan's period ended in {end}; assessed against its criteria as published"
    return None


def expired_warning(rs, as_of_date, lang):
    note = expired_note(rs, as_of_date, lang)
    if note:
        warn(note)
