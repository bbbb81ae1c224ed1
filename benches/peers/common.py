"""Shared helpers of the peer drivers (stdlib only).

- the shared query grammar of ../shared/bench/queries.txt (clauses joined by
  ` AND `; a clause is an optional `title:` prefix and one lower-case word or a
  double-quoted phrase), parsed into clauses that each driver renders in its
  engine's syntax;
- warm latency measured the way byline's `query-latency` bin does it: one
  warm-up pass over all queries, then RUNS timed passes; a query's latency is
  the median of its runs; p50/p95/p99 over the per-query medians by the
  nearest-rank method, and their mean;
- reading the JSONL datasets ({"id","title","body","published"});
- the command line every Python driver offers (`driver_main`).
"""

import argparse
import json
import math
import re
import sys
import time

WORD = re.compile(r"^[a-z]+$")


class QueryError(ValueError):
    """A line that is not in the shared query grammar."""


def parse_query(line):
    """Clauses of a query line: a list of (field or None, [words], is_phrase)."""
    clauses = []
    for part in line.strip().split(" AND "):
        field = None
        if part.startswith("title:"):
            field, part = "title", part[len("title:"):]
        if len(part) >= 2 and part[0] == '"' and part[-1] == '"':
            words, phrase = part[1:-1].split(" "), True
        else:
            words, phrase = [part], False
        if not words or not all(WORD.match(w) for w in words):
            raise QueryError(f"not in the shared grammar: {line!r}")
        clauses.append((field, words, phrase))
    return clauses


def read_queries(path):
    """Queries of a query file: one per line, blank lines and # comments left out."""
    with open(path, encoding="utf-8") as f:
        lines = (l.strip() for l in f)
        return [l for l in lines if l and not l.startswith("#")]


def read_jsonl(path):
    """(id, title, body) of every record of a JSONL file."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as err:
                sys.exit(f"{path}:{n}: {err}")
            yield str(rec.get("id", n)), rec.get("title") or "", rec.get("body") or ""


def median(values):
    s = sorted(values)
    n = len(s)
    if n == 0:
        return None
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def percentile(sorted_values, p):
    """Nearest rank, as byline-bench's `percentile`."""
    if not sorted_values:
        return None
    rank = math.ceil(p / 100 * len(sorted_values))
    return sorted_values[min(max(rank, 1), len(sorted_values)) - 1]


def summary(values):
    s = sorted(values)
    if not s:
        return None
    return {
        "count": len(s),
        "p50": percentile(s, 50),
        "p95": percentile(s, 95),
        "p99": percentile(s, 99),
        "mean": sum(s) / len(s),
    }


def warm_latency(system, queries, translate, run, count, runs):
    """Warm latency of `run(native_query)` (top-10) over `queries`.

    `translate(line)` gives the engine's query (or raises: counted as an
    error, the query left out); `count(native)` gives the exact number of
    matching documents (not timed). Returns the report as a dict.
    """
    prepared, errors = [], []
    for q in queries:
        try:
            native = translate(q)
            total = count(native)
            run(native)  # warm-up pass
        except Exception as err:  # noqa: BLE001 - any engine error counts
            errors.append({"query": q, "error": f"{type(err).__name__}: {err}"})
            continue
        prepared.append({"query": q, "native": native, "total": total, "micros": []})
    for _ in range(runs):
        for p in prepared:
            start = time.perf_counter_ns()
            run(p["native"])
            p["micros"].append((time.perf_counter_ns() - start) / 1000)
    medians = [median(p["micros"]) for p in prepared]
    return {
        "system": system,
        "runs": runs,
        "limit": 10,
        "queries": len(queries),
        "accepted": len(prepared),
        "errors": errors,
        "zero_hit_queries": sum(1 for p in prepared if p["total"] == 0),
        "hits": sum(p["total"] for p in prepared),
        "latency_micros": summary(medians),
        "per_query": prepared,
    }


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


def driver_main(doc, commands, translate, extra=None):
    """The command line of a Python peer driver: `index JSONL DB`, `latency DB
    QUERIES [--runs N] --json OUT`, `search DB QUERY`, `count DB QUERY`,
    `translate QUERY`, and any argument-less `extra` commands. `commands` maps
    index/latency/search/count to functions of the parsed arguments."""
    extra = extra or {}
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("index")
    p.add_argument("jsonl")
    p.add_argument("db")
    p = sub.add_parser("latency")
    p.add_argument("db")
    p.add_argument("queries")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--json", required=True)
    for name in ("search", "count"):
        p = sub.add_parser(name)
        p.add_argument("db")
        p.add_argument("query")
    p = sub.add_parser("translate")
    p.add_argument("query")
    for name in extra:
        sub.add_parser(name)
    args = parser.parse_args()
    if args.cmd == "translate":
        print(translate(args.query))
    else:
        {**commands, **extra}[args.cmd](args)
