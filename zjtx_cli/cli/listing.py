"""``zjtx schemes`` and ``zjtx rules``, without a CLI framework.

cli/app.py declares these commands for typer; the work is done here, so that
the fast path (cli/fastpath.py) can serve them without importing typer, click
or (outside a terminal) rich. Each ``run_*`` returns the exit status; usage
errors raise :class:`SystemExit` after one line per problem on stderr.
"""

from __future__ import annotations

from zjtx_cli.options import check_format, check_lang, parse_as_of
from zjtx_cli.rules.schemes import resolve_scheme
from zjtx_cli.terminal import console, emit_json, fail, msg


def rules_dirs(dirs, lang="zh"):
    """Add the --rules-dir folders for this run; a folder that is not there is a usage error."""
    from zjtx_cli.rules import registry

    registry.set_cli_dirs(dirs or [])
    if registry.user_dirs():
        bad = registry.discover().dir_problems
        if bad:
            fail(bad)


# ---------------------------------------------------------------------------- schemes
def run_schemes(fmt="table", lang="zh", rules_dir=()) -> int:
    """List the schemes with their tiers and tracks in ladder order, and where each comes from."""
    check_lang(lang)
    check_format(fmt, lang=lang)
    rules_dirs(rules_dir, lang)
    from zjtx_cli.outputs.report import LEVEL, ruleset_meta
    from zjtx_cli.rules.loader import RulesetError, get_ruleset
    from zjtx_cli.rules.registry import BUILTIN, origin, ruleset_paths
    from zjtx_cli.rules.yamlcache import YamlError

    docs = []
    broken = []
    for sid in sorted(ruleset_paths()):
        try:
            rs = get_ruleset(sid)
        except (RulesetError, YamlError) as exc:
            if origin(sid) == BUILTIN:
                fail([str(exc)])
            broken.append(str(exc))  # a broken user ruleset: the others are still listed
            continue
        meta = ruleset_meta(rs)
        meta["origin"] = origin(sid)
        meta["tiers"] = [{"id": t["id"], "name": t["name"], "level": t["level"], "next": t.get("next"),
                          "tracks": [{"id": tr["id"], "name": tr["name"]} for tr in t["tracks"]]
                          if len(t["tracks"]) > 1 else []} for t in rs.tiers]
        docs.append(meta)
    import datetime as dt

    from zjtx_cli.rules.versions import programmes, resolve, versions

    today = dt.date.today()
    try:
        progs = _programmes(programmes, resolve, versions, today)
    except (RulesetError, YamlError) as exc:
        progs = []
        broken.append(str(exc))
    if fmt == "json":
        emit_json({"format_version": "1.0", "schemes": docs, "programmes": progs})
    else:
        _schemes_table(docs, progs, lang, LEVEL)
    if broken:
        fail(broken)
    return 0


def _programmes(programmes, resolve, versions, today):
    return [{"id": p, "in_force_today": resolve(p, today),
              "versions": [{"id": v["id"], "effective_from": v["effective_from"], "effective_to": v["effective_to"],
                            "document_number": v["document_number"]} for v in versions(p)]} for p in programmes()]


def _schemes_table(docs, progs, lang, LEVEL):
    from zjtx_cli.outputs.report import kit

    con = console()
    Table, Text = kit(con)
    table = Table()
    for h in (("方案", "Scheme"), ("名称", "Title"), ("发布", "Issuer"), ("期限", "Period"),
              ("层级与类别（由低到高）", "Tiers and tracks (ladder order)"), ("来源", "Origin")):
        table.add_column(h[0] if lang == "zh" else h[1], overflow="fold")
    for d in docs:
        p = d["period"]
        if p["start"] or p["end"]:
            period = f"{p['start'] or ''}–{p['end'] or ''}"
        elif d.get("effective_from") or d.get("effective_to"):
            period = f"{d.get('effective_from') or ''}–{d.get('effective_to') or ''}"
        else:
            period = "—"
        tiers = []
        for t in d["tiers"]:
            s = f"{t['id']}: {t['name'][lang]} [{LEVEL[t['level']][lang]}]"
            if t["tracks"]:
                s += " (" + ", ".join(tr["id"] for tr in t["tracks"]) + ")"
            tiers.append(s)
        if d["origin"] == "built-in":
            org = "内置" if lang == "zh" else "built-in"
        else:
            org = ("用户：" if lang == "zh" else "user: ") + d["origin"]
        table.add_row(Text(d["id"]), Text(d["title"][lang]), Text(d["issuer"][lang]), period,
                      Text("\n".join(tiers)), Text(org))
    for p in progs:
        chain = " → ".join(v["id"] for v in p["versions"])
        if lang == "zh":
            title = f"按评价日期（--as-of）选用现行版本：{chain}；今日适用 {p['in_force_today']}"
        else:
            title = f"the version in force on --as-of: {chain}; today {p['in_force_today']}"
        table.add_row(p["id"], title, "", "", "", "")
    con.print(table)


# ------------------------------------------------------------------------------ rules
def run_rules(args, fmt="table", lang="zh", as_of=None, rules_dir=(), dialect="duckdb") -> int:
    """Print every condition of SCHEME with its citation; or check / test rulesets; or write them as SQL."""
    check_lang(lang)
    check_format(fmt, lang=lang)
    rules_dirs(rules_dir, lang)
    if args[0] == "sql":
        return run_rules_sql(args[1:], lang=lang, as_of=as_of, dialect=dialect)
    if args[0] == "check":
        from zjtx_cli.rules.lint import run_check

        if len(args) < 2:
            fail(["rules check: give the ruleset files or folders to check"])
        return run_check(args[1:])
    if args[0] == "test":
        from zjtx_cli.rules.casetests import run_tests

        return run_tests(args[1:])
    if len(args) != 1:
        fail([f"rules: one scheme id, or 'check FILE...' / 'test [FILE...]' / 'sql SCHEME [TIER]'; "
              f"got {' '.join(args)!r}"])
    scheme = args[0]
    from zjtx_cli.inputs.fields import field_dictionary
    from zjtx_cli.outputs.report import describe_rule, kit, ruleset_meta

    rs = resolve_scheme(scheme, parse_as_of(as_of, lang), lang)
    fields = field_dictionary()
    own = _own_fields(rs)
    if fmt == "json":
        doc = {"format_version": "1.0", "scheme": ruleset_meta(rs), "tiers": []}
        if own:
            doc["fields"] = own
        for t in rs.tiers:
            doc["tiers"].append({"id": t["id"], "name": t["name"], "level": t["level"], "next": t.get("next"),
                                 "tracks": [{"id": tr["id"], "name": tr["name"], "conditions": [
                                     {"id": c["id"], "kind": c["kind"], "text": c["text"], "citation": c["citation"],
                                      "note": c["note"], "unconfirmed": c.get("unconfirmed", False),
                                      "check": describe_rule(c["check"], fields, lang)}
                                     for c in tr["conditions"]]} for tr in t["tracks"]]})
        emit_json(doc)
        return 0
    con = console()
    Table, Text = kit(con)
    con.print(Text(f"{rs.data['title'][lang]}  ({rs.data['source']})", style="bold"))
    for t in rs.tiers:
        for tr in t["tracks"]:
            table = Table(title=tr["name"][lang])
            for h in (("编号", "ID"), ("类型", "Kind"), ("条件", "Condition"), ("判定", "Check"), ("出处", "Source")):
                table.add_column(h[0] if lang == "zh" else h[1], overflow="fold")
            kinds = {"required": ("必备", "required"), "priority": ("优先", "priority"),
                     "exclusion": ("排除", "exclusion")}
            for c in tr["conditions"]:
                text = c["text"][lang]
                if c["note"]:
                    text += f"\n[{'注' if lang == 'zh' else 'note'}] {c['note'][lang]}"
                table.add_row(Text(c["id"]), kinds[c["kind"]][0 if lang == "zh" else 1], Text(text),
                              Text(describe_rule(c["check"], fields, lang)), Text(c["citation"]))
            con.print(table)
    if own:  # the scheme's own indicators: its part of the field reference
        table = Table(title="本方案自定义指标" if lang == "zh" else "Indicators this ruleset declares")
        for h in (("字段键", "Key"), ("中文标签", "Chinese label"), ("英文标签", "English label"), ("类型", "Type"),
                  ("单位", "Unit"), ("按年", "Per year"), ("说明", "Hint")):
            table.add_column(h[0] if lang == "zh" else h[1], overflow="fold")
        for f in own:
            table.add_row(Text(f["key"]), Text(f["zh"]), Text(f["en"]), Text(f["type"]), Text(f.get("unit") or ""),
                          "yes" if f.get("per_year") else "",
                          Text(f.get("hint_zh" if lang == "zh" else "hint_en") or ""))
        con.print(table)
    return 0


def _own_fields(rs):
    """The ``fields:`` a user ruleset declares ([] for the built-in ones)."""
    from zjtx_cli.rules.registry import BUILTIN, origin, read_header

    if origin(rs.id) in (None, BUILTIN):
        return []
    return list(read_header(rs.path)["fields"])


def run_rules_sql(args, lang="zh", as_of=None, dialect="duckdb") -> int:
    """``zjtx rules sql SCHEME [TIER]``: the scheme's statuses and verdicts as one SQL query (batch/sql.py),
    the input columns it reads listed in its header comment."""
    import sys

    if len(args) not in (1, 2):
        fail([msg(lang, "rules sql：请给出一个方案（可再给一个层级）：zjtx rules sql SCHEME [TIER]",
                  "rules sql: give one scheme (and optionally a tier): zjtx rules sql SCHEME [TIER]")])
    if dialect not in ("duckdb", "sqlite"):
        fail([msg(lang, f"--dialect 只能是 duckdb 或 sqlite，不能是 {dialect!r}",
                  f"--dialect must be duckdb or sqlite, not {dialect!r}")])
    as_of_date = parse_as_of(as_of, lang)
    rs = resolve_scheme(args[0], as_of_date, lang)
    tier = args[1] if len(args) == 2 else None
    if tier is not None:
        ids = [t["id"] for t in rs.tiers] + [tr["id"] for t in rs.tiers for tr in t["tracks"]]
        if tier not in ids:
            from zjtx_cli.rules.schemes import unknown_tier

            fail([unknown_tier(tier, rs.id, list(dict.fromkeys(ids)), lang)])
    from zjtx_cli.batch.columnar import NotCompilable
    from zjtx_cli.batch.sql import to_sql

    try:
        sql = to_sql(rs.id, tier, as_of=as_of_date, dialect=dialect)
    except NotCompilable as exc:
        fail([msg(lang, f"{rs.id}：无法写成 SQL：{exc}", f"{rs.id}: cannot be written as SQL: {exc}")])
    sys.stdout.write(sql.rstrip("\n") + "\n")
    return 0
