"""Issue 13 check (run once, kept for the record): removing the keys issue 13 adds and restoring
format_version 1.0 gives back the old golden documents byte for byte.

    python tests/golden/verify_evidence_keys.py OLD.jsonl.gz tests/golden/assess.jsonl.gz
"""
import gzip, json, sys
ADDED_COND = ("evidence", "evidence_needed")
def strip(o):
    if isinstance(o, dict):
        out = {}
        for k, v in o.items():
            if k == "format_version":
                assert v == "1.1", v
                v = "1.0"
            if k == "evidence_required":
                assert v is False; continue
            if k in ADDED_COND and "kind" in o and "detail" in o:
                continue
            if k == "evidence_needed" and "met" in o and "unmet" in o:  # counts
                continue
            out[k] = strip(v)
        return out
    if isinstance(o, list):
        return [strip(x) for x in o]
    return o
old = {json.loads(l)["name"]: json.loads(l) for l in gzip.open(sys.argv[1], "rt", encoding="utf-8")}
new = {json.loads(l)["name"]: json.loads(l) for l in gzip.open(sys.argv[2], "rt", encoding="utf-8")}
added = sorted(set(new) - set(old)); missing = sorted(set(old) - set(new))
bad = 0
for name, o in old.items():
    n = new[name]
    if o["exit"] != n["exit"]:
        bad += 1; print("exit differs", name); continue
    if not o["stdout"].strip():
        if o["stdout"] != n["stdout"]: bad += 1; print("stdout differs", name)
        continue
    # the documents are printed with indent=2, ensure_ascii=False: compare re-serialised text exactly
    od, nd = json.loads(o["stdout"]), strip(json.loads(n["stdout"]))
    if json.dumps(od, ensure_ascii=False, indent=2) != json.dumps(nd, ensure_ascii=False, indent=2):
        bad += 1; print("document differs", name)
print(f"{len(old)} old cases compared, {bad} differ; {len(missing)} missing; {len(added)} new cases "
      f"(all from samples/hengyang-evidenced.json: {all(a.startswith('hengyang-evidenced__') for a in added)})")
sys.exit(1 if bad or missing else 0)
