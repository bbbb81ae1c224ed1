#!/usr/bin/env python3
"""tantivy-cli peer of byline's benchmarks: schema set-up and warm latency.

Usage (run by benches/peers.sh; TANTIVY is the `tantivy` binary of tantivy-cli):
  tantivy_peer.py init DIR                  # empty index with the plain schema
  tantivy_peer.py latency DIR QUERIES --runs N --json OUT --bin TANTIVY
  tantivy_peer.py count DIR                 # documents in the index (from meta.json)
  tantivy_peer.py translate QUERY

`tantivy new` asks for the schema interactively, so `init` writes the index's
meta.json itself, in the format tantivy 0.24 reads (`Index::open_in_dir` takes
an empty segment list and a schema): `id` stored only (not searched), `title`
and `body` text fields with the `en_stem` tokenizer (lower-casing, Snowball
English stemmer), positions recorded (phrases), both stored (as byline stores
title and body). Indexing is then `tantivy index -i DIR -t THREADS -m BYTES`
with the JSONL on stdin (fields not in the schema, like `published`, are
ignored by tantivy's JSON parser).

`latency` runs `tantivy bench -i DIR -q FILE -n RUNS+1`, which for every query
and repetition prints `query<TAB>hits<TAB>micros` for
`searcher.search(query, (TopDocs::with_limit(10), Count))` (query parsing not
timed, integer microseconds); the first repetition is dropped as the warm-up,
each query's latency is the median of the other RUNS, summarised as byline's
`query-latency` does. `tantivy bench` aborts on a query its parser refuses; such
a query is counted as an error, left out, and the bench run again.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

TEXT = {
    "indexing": {"record": "position", "fieldnorms": True, "tokenizer": "en_stem"},
    "stored": True,
    "fast": False,
}
META = {
    "index_settings": {"docstore_compression": "lz4", "docstore_blocksize": 16384},
    "segments": [],
    "schema": [
        {"name": "id", "type": "text", "options": {"stored": True, "fast": False}},
        {"name": "title", "type": "text", "options": TEXT},
        {"name": "body", "type": "text", "options": TEXT},
    ],
    "opstamp": 0,
}


def translate(line):
    """Shared grammar -> tantivy's QueryParser (default fields title and body):
    the same surface syntax; AND is explicit (tantivy's default operator is OR)."""
    out = []
    for field, words, phrase in common.parse_query(line):
        text = '"' + " ".join(words) + '"' if phrase else words[0]
        out.append(f"title:{text}" if field else text)
    return " AND ".join(out)


def cmd_init(args):
    os.makedirs(args.dir, exist_ok=True)
    if os.listdir(args.dir):
        sys.exit(f"{args.dir}: not empty")
    with open(os.path.join(args.dir, "meta.json"), "w", encoding="utf-8") as f:
        json.dump(META, f)


def count_docs(index_dir):
    with open(os.path.join(index_dir, "meta.json"), encoding="utf-8") as f:
        meta = json.load(f)
    return sum(s["max_doc"] - (s.get("deletes") or {}).get("num_deleted_docs", 0)
               for s in meta["segments"])


def run_bench(binary, index_dir, natives, runs):
    """Per query (in order): (hits, [micros of each repetition]); or the index
    of the query that made `tantivy bench` fail, and its message."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("".join(q + "\n" for q in natives))
        qfile = f.name
    try:
        proc = subprocess.run(
            [binary, "bench", "-i", index_dir, "-q", qfile, "-n", str(runs + 1)],
            capture_output=True, text=True, check=False,
        )
    finally:
        os.unlink(qfile)
    lines = proc.stdout.split("\n")
    try:
        start = lines.index("query\tnum hits\ttime in microsecs") + 1
    except ValueError:
        start = len(lines)
    rows = []
    for line in lines[start:]:
        cells = line.split("\t")
        if len(cells) != 3:
            break
        rows.append((int(cells[1]), float(cells[2])))
    if proc.returncode != 0 or len(rows) != len(natives) * (runs + 1):
        # The first pass stops at the query that failed.
        failed = len(rows) if len(rows) < len(natives) else None
        return None, failed, (proc.stderr.strip().splitlines() or ["?"])[-1]
    per_query = []
    for i in range(len(natives)):
        reps = [rows[r * len(natives) + i] for r in range(runs + 1)]
        per_query.append((reps[0][0], [micros for _, micros in reps[1:]]))
    return per_query, None, None


def cmd_latency(args):
    queries = common.read_queries(args.queries)
    errors, kept = [], []
    for q in queries:
        try:
            kept.append((q, translate(q)))
        except common.QueryError as err:
            errors.append({"query": q, "error": str(err)})
    while True:
        per_query, failed, message = run_bench(args.bin, args.dir, [n for _, n in kept], args.runs)
        if per_query is not None:
            break
        if failed is None:
            sys.exit(f"tantivy bench failed: {message}")
        errors.append({"query": kept[failed][0], "error": message})
        del kept[failed]
    prepared = [
        {"query": q, "native": n, "total": hits, "micros": micros}
        for (q, n), (hits, micros) in zip(kept, per_query)
    ]
    medians = [common.median(p["micros"]) for p in prepared]
    report = {
        "system": "tantivy-cli",
        "runs": args.runs,
        "limit": 10,
        "queries": len(queries),
        "accepted": len(prepared),
        "errors": errors,
        "zero_hit_queries": sum(1 for p in prepared if p["total"] == 0),
        "hits": sum(p["total"] for p in prepared),
        "latency_micros": common.summary(medians),
        "per_query": prepared,
    }
    common.write_json(args.json, report)
    lat = report["latency_micros"] or {}
    print(
        f"tantivy-cli: {report['accepted']}/{report['queries']} queries, "
        f"{len(errors)} errors, {report['zero_hit_queries']} with no hit; "
        f"p50 {lat.get('p50', 0):.0f} us, p95 {lat.get('p95', 0):.0f} us"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("init")
    p.add_argument("dir")
    p = sub.add_parser("latency")
    p.add_argument("dir")
    p.add_argument("queries")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--json", required=True)
    p.add_argument("--bin", default="tantivy")
    p = sub.add_parser("count")
    p.add_argument("dir")
    p = sub.add_parser("translate")
    p.add_argument("query")
    args = parser.parse_args()
    if args.cmd == "init":
        cmd_init(args)
    elif args.cmd == "latency":
        cmd_latency(args)
    elif args.cmd == "count":
        print(count_docs(args.dir))
    else:
        print(translate(args.query))


if __name__ == "__main__":
    main()
