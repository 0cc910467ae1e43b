#!/usr/bin/env python3
"""Coverage check for src/catalog/attention_shapes.tsv (stdlib only).

Implements the name -> base matching rule that the Rust catalog uses to find an
attention shape for a catalog entry that has no files, runs it over
demo/models-real.jsonl and prints:

  * coverage (matched / total, percent), overall and without embedding/rerank
    encoders (which the table deliberately leaves out);
  * unmatched names grouped by how often they occur (and by their first
    candidate key, so one missing row shows up as one group);
  * rows whose base matched an entry's name but whose params_b disagreed with
    the entry's parameter_count by more than +-25 % (those matches are refused).

Matching rule
-------------
normalise(s): drop a trailing " (org)" suffix, lowercase, "_" and " " -> "-".
Candidate names: the normalised name, and (when the raw name has a "_") the
normalised name with the part before the first "_" removed
("google_gemma-3-4b-it" -> "gemma-3-4b-it").
For each candidate, try the whole string, then drop trailing "-"-separated
segments one at a time. The LONGEST prefix (over all candidates) equal to a
row's normalised base wins, provided that when both the entry's
parameter_count and the row's params_b are known,
|count - params_b| <= 25 % of params_b. A prefix whose row fails that check
is skipped and shorter prefixes are tried.

Usage: python3 scripts/shape_coverage.py [--table PATH] [--models PATH] [-v]
"""
import argparse
import collections
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADER = ["base", "params_b", "layers", "kv_heads", "head_size", "swa_layers",
          "swa_window", "mla_kv_rank", "mla_rope_dim", "source"]
TOLERANCE = 0.25
ORG_SUFFIX = re.compile(r"\s*\([^()]*\)\s*$")


def normalise(s):
    s = ORG_SUFFIX.sub("", s)
    return s.strip().lower().replace("_", "-").replace(" ", "-")


def candidates(name):
    """Normalised full names to try, before segment dropping."""
    out = [normalise(name)]
    raw = ORG_SUFFIX.sub("", name)
    if "_" in raw:
        rest = raw.split("_", 1)[1]
        if rest:
            n = normalise(rest)
            if n not in out:
                out.append(n)
    return out


def prefixes(norm):
    segs = norm.split("-")
    for i in range(len(segs), 0, -1):
        p = "-".join(segs[:i])
        if p:
            yield p


def load_table(path):
    rows = {}
    header = None
    problems = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if header is None:
                header = cols
                if header != HEADER:
                    problems.append(f"line {lineno}: header is {header}, want {HEADER}")
                continue
            if len(cols) != len(HEADER):
                problems.append(f"line {lineno}: {len(cols)} columns, want {len(HEADER)}: {line!r}")
                continue
            r = dict(zip(HEADER, cols))
            try:
                r["params_b"] = float(r["params_b"]) if r["params_b"] else None
                for k in HEADER[2:9]:
                    r[k] = int(r[k])
            except ValueError as e:
                problems.append(f"line {lineno}: {e}")
                continue
            if r["layers"] <= 0 or r["kv_heads"] <= 0 or r["head_size"] <= 0:
                problems.append(f"line {lineno}: non-positive shape: {line!r}")
            if r["swa_layers"] > r["layers"]:
                problems.append(f"line {lineno}: swa_layers > layers")
            if (r["swa_layers"] > 0) != (r["swa_window"] > 0):
                problems.append(f"line {lineno}: swa_layers/swa_window disagree")
            if r["mla_kv_rank"] and (r["kv_heads"] != 1 or
                                     r["head_size"] != r["mla_kv_rank"] + r["mla_rope_dim"]):
                problems.append(f"line {lineno}: MLA row must have kv_heads=1, head_size=rank+rope")
            if not re.match(r"^https://huggingface\.co/\S+ \[(read:\S+|recalled)\]", r["source"]):
                problems.append(f"line {lineno}: source not of the form 'URL [read:..]|[recalled]'")
            r["lineno"] = lineno
            key = normalise(r["base"])
            if key in rows:
                problems.append(f"line {lineno}: duplicate base {r['base']!r} (line {rows[key]['lineno']})")
            rows[key] = r
    if header is None:
        problems.append("no header line")
    return rows, problems


def params_ok(count, row):
    if not count or row["params_b"] is None:
        return True
    want = row["params_b"] * 1e9
    return abs(count - want) <= TOLERANCE * want


def match(entry, rows, refusals=None):
    """Return (row, key) or (None, None). Records refused prefix matches."""
    best = None
    for cand in candidates(entry["name"]):
        for p in prefixes(cand):
            r = rows.get(p)
            if r is None:
                continue
            if not params_ok(entry.get("parameter_count"), r):
                if refusals is not None:
                    refusals[r["base"]].append(entry)
                continue
            if best is None or len(p) > len(best[1]):
                best = (r, p)
            break  # longest prefix for this candidate found
    return best if best else (None, None)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--table", default=os.path.join(ROOT, "src/catalog/attention_shapes.tsv"))
    ap.add_argument("--models", default=os.path.join(ROOT, "demo/models-real.jsonl"))
    ap.add_argument("-v", "--verbose", action="store_true", help="print every match")
    args = ap.parse_args()

    rows, problems = load_table(args.table)
    for p in problems:
        print("TABLE PROBLEM:", p)

    entries = [json.loads(l) for l in open(args.models, encoding="utf-8") if l.strip()]
    refusals = collections.defaultdict(list)
    used = collections.Counter()
    unmatched = []
    matched = 0
    encoders = 0
    enc_matched = 0
    for e in entries:
        wt = (e.get("workload_type") or "")
        is_enc = wt.startswith("embedding") or wt.startswith("rerank")
        encoders += is_enc
        r, key = match(e, rows, refusals)
        if r is not None:
            matched += 1
            enc_matched += is_enc
            used[r["base"]] += 1
            if args.verbose:
                print(f"  {e['name']!r:60} -> {r['base']}")
        else:
            unmatched.append(e)

    total = len(entries)
    print(f"\nrows in table: {len(rows)}  (read: "
          f"{sum('[read:' in r['source'] for r in rows.values())}, recalled: "
          f"{sum('[recalled]' in r['source'] for r in rows.values())})")
    print(f"coverage: {matched} / {total} = {100.0 * matched / total:.1f} %")
    gen = total - encoders
    print(f"coverage without embedding/rerank encoders: {matched - enc_matched} / {gen} = "
          f"{100.0 * (matched - enc_matched) / gen:.1f} %")

    print(f"\nunmatched: {len(unmatched)} (grouped by first candidate key's two leading segments)")
    groups = collections.defaultdict(list)
    for e in unmatched:
        k = "-".join(candidates(e["name"])[-1].split("-")[:2])
        groups[k].append(e)
    for k, es in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        names = sorted({x["name"] for x in es})
        shown = ", ".join(names[:6]) + (" ..." if len(names) > 6 else "")
        print(f"  {len(es):4}  {k:32} {shown}")

    print("\nrows whose base matched a name but params disagreed (match refused):")
    if not refusals:
        print("  none")
    for base, es in sorted(refusals.items()):
        r = rows[normalise(base)]
        for e in es:
            print(f"  {base} ({r['params_b']} B) <- {e['name']} "
                  f"({(e.get('parameter_count') or 0) / 1e9:g} B)")

    unused = [r["base"] for r in rows.values() if not used[r["base"]]]
    print(f"\nrows matching no demo entry: {len(unused)}")
    if args.verbose:
        for b in unused:
            print("  ", b)
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
