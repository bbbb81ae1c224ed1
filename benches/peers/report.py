#!/usr/bin/env python3
"""Turns benches/peers.sh's raw measurements into peers.json and peers.md (stdlib only).

Usage (run by benches/peers.sh):
  report.py --raw target/bench/peers-raw --json target/bench/peers.json \
            --md target/bench/peers.md [--strict]
Again from a saved report, e.g. after a change to this script:
  report.py --from-json benches/results/peers-...json --json OUT.json --md OUT.md

Reads RAW/meta.tsv, RAW/versions.tsv and, per dataset RAW/<dataset>/ (listed in
RAW/datasets): dataset.tsv, systems, and per system <label>/: index-<run>.time
(/usr/bin/time -v), index-<run>.log, count, size, warm.json (query-latency's
JSON for byline, the drivers' JSON for the peers), cold.json (hyperfine) or
cold.txt (loop, ms per run), cold-alt.json/.txt (a second cold command),
cold-command, cold-alt-command, cold-hits, oil-count, loadavg,
FAILED. Prints the markdown; with --strict exits 1 when a check fails (a step
failed, an article count differs from the dataset's, no hit for `oil` or the
cold query, an empty index, a query an engine refused).
"""

import argparse
import json
import os
import re
import statistics
import sys

MIB = 1048576

NOTES = [
    "CPU % = (user + sys) / wall of the indexing process (100 % = one core busy).",
    "Work per article differs: byline reads the text pages (file walk, decoding, headline, "
    "body, teasers, dates; entity tagging unless --no-entities; copy detection); the peers "
    "read the same title and body pre-extracted in one JSONL file.",
    "Threads: byline one per core; tantivy-cli -t indexing threads plus one JSON-parsing "
    "thread; SQLite FTS5 and Xapian one (their Python drivers); ripgrep one per core.",
    "Every engine keeps id, title and body retrievable (stored fields, FTS5 content, Xapian "
    "document data); byline's size also holds its exact-form fields, dates, entities and "
    "fingerprints. SQLite's index ends with FTS5 'optimize'; tantivy-cli waits for its merges.",
    "Warm = one process per engine, index open, OS cache warm, top 10: byline's query-latency "
    "(ArticleSearcher::search: parse, rank, exact total, copy collapsing; no snippets in the "
    "table); tantivy-cli's `tantivy bench` (TopDocs(10) + Count; parsing not timed); SQLite "
    "`MATCH ... ORDER BY bm25(articles) LIMIT 10` and Xapian QueryParser + get_mset(0, 10) "
    "through Python (parsing timed; no exact total; a few µs of Python per call).",
    "Cold = a new process per search (start, open, query, print): byline prints 10 hits with "
    "snippets and its people/places/organisations lines; `tantivy search` prints every match, "
    "unranked, with its stored fields (the second command is its top-10 path); sqlite3 and "
    "quest print 10 hits; ripgrep lists the files holding the literal phrase, case-insensitive "
    "(no stemming, no word AND: less than the others do).",
    "Index-time ratios are of the medians; \"per round\" gives the lowest and highest ratio of "
    "run i of one system to run i of the other, built back to back in the same round: how far "
    "the machine's drift moves a ratio within one run.",
    "Queries: the shared grammar (`title:`, phrases, AND) in each engine's syntax; all words "
    "required; totals differ slightly by stemmer (byline and tantivy-cli: Snowball English via "
    "tantivy; SQLite: Porter; Xapian: Snowball English, phrases on unstemmed words).",
]


def read(path, default=None):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    except FileNotFoundError:
        return default


def read_tsv(path):
    out = {}
    for line in (read(path, "") or "").splitlines():
        key, _, value = line.partition("\t")
        if key:
            out[key] = value
    return out


def number(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        try:
            return float(text)
        except (TypeError, ValueError):
            return None


def parse_time(path):
    """Wall, user, sys seconds and max RSS (KiB) from /usr/bin/time -v."""
    text = read(path, "")
    out = {}
    for line in text.splitlines():
        key, _, value = line.strip().rpartition(": ")
        if key.startswith("Elapsed (wall clock) time"):
            secs = 0.0
            for part in value.split(":"):
                secs = secs * 60 + float(part)
            out["wall_s"] = secs
        elif key == "User time (seconds)":
            out["user_s"] = float(value)
        elif key == "System time (seconds)":
            out["sys_s"] = float(value)
        elif key == "Maximum resident set size (kbytes)":
            out["max_rss_kib"] = int(value)
        elif key == "wall seconds":
            out["wall_s"] = float(value)
        elif key == "Exit status":
            out["exit_status"] = int(value)
    return out


def cold_figures(prefix):
    if os.path.exists(prefix + ".json"):
        with open(prefix + ".json", encoding="utf-8") as f:
            r = json.load(f)["results"][0]
        times = [t * 1000 for t in r["times"]]
        how = "hyperfine -N"
    elif os.path.exists(prefix + ".txt"):
        times = [float(x) for x in read(prefix + ".txt").split()]
        how = "loop"
    else:
        return None
    return {
        "median_ms": statistics.median(times),
        "mean_ms": statistics.fmean(times),
        "min_ms": min(times),
        "max_ms": max(times),
        "runs": len(times),
        "how": how,
        "times_ms": times,
    }


def median(values):
    return statistics.median(values) if values else None


def summary_of(s):
    """query-latency's summary (flattened: count, p50, p95, p99, mean, hits)."""
    return {k: s[k] for k in ("count", "p50", "p95", "p99", "mean") if k in s}


def warm_figures(path):
    """Warm latency, normalised: byline's query-latency JSON or a driver's."""
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        w = json.load(f)
    if "modes" in w:  # byline's query-latency
        modes = {m["snippet_chars"]: m for m in w["modes"]}
        plain = modes[0]
        snip = next((m for k, m in modes.items() if k), None)
        totals = [q["total"] for q in plain["queries"]]
        out = {
            "how": "query-latency (ArticleSearcher::search, top 10, no snippets)",
            "runs": w["runs"],
            "queries": len(totals),
            "accepted": len(totals),
            "errors": [],
            "zero_hit_queries": sum(1 for t in totals if t == 0),
            "hits": sum(totals),
            "latency_micros": summary_of(plain["summaries"]["all"]),
            "by_category_micros": {
                k: summary_of(v) for k, v in plain["summaries"].items() if k != "all"
            },
        }
        out["per_query"] = [
            {"query": q["query"], "total": q["total"], "median_micros": median(q["micros"])}
            for q in plain["queries"]
        ]
        if snip:
            out["with_snippets"] = {
                "snippet_chars": snip["snippet_chars"],
                "latency_micros": summary_of(snip["summaries"]["all"]),
            }
        return out
    out = {k: w[k] for k in ("runs", "queries", "accepted", "errors", "zero_hit_queries",
                             "hits", "latency_micros")}
    out["how"] = w["system"]
    out["per_query"] = [
        {"query": q["query"], "native": q["native"], "total": q["total"],
         "median_micros": median(q["micros"])}
        for q in w["per_query"]
    ]
    return out


def system_figures(sdir, articles):
    s = {"failed": read(os.path.join(sdir, "FAILED")) is not None}
    runs = []
    for name in sorted(os.listdir(sdir)) if os.path.isdir(sdir) else []:
        m = re.fullmatch(r"index-(\d+)\.time", name)
        if m:
            t = parse_time(os.path.join(sdir, name))
            if "wall_s" in t:
                runs.append((int(m.group(1)), t))
    runs = [t for _, t in sorted(runs)]
    if runs:
        walls = [t["wall_s"] for t in runs]
        wall = statistics.median(walls)
        idx = {"runs": len(runs), "wall_s": wall, "walls_s": walls}
        if articles:
            idx["articles_per_s"] = articles / wall if wall else None
        rss = [t["max_rss_kib"] for t in runs if "max_rss_kib" in t]
        if rss:
            idx["peak_rss_mib"] = max(rss) / 1024
        cpu = [(t["user_s"] + t["sys_s"], t["wall_s"]) for t in runs if "user_s" in t]
        if cpu and sum(w for _, w in cpu):
            idx["cpu_percent"] = 100 * sum(c for c, _ in cpu) / sum(w for _, w in cpu)
            idx["user_s"] = [t["user_s"] for t in runs]
            idx["sys_s"] = [t["sys_s"] for t in runs]
        s["index"] = idx
    s["indexed_articles"] = number(read(os.path.join(sdir, "count")))
    size = number(read(os.path.join(sdir, "size")))
    if size is not None:
        s["size_bytes"] = size
        s["size_mib"] = size / MIB
    s["warm"] = warm_figures(os.path.join(sdir, "warm.json"))
    s["cold"] = cold_figures(os.path.join(sdir, "cold"))
    s["cold_command"] = read(os.path.join(sdir, "cold-command"))
    s["cold_alt"] = cold_figures(os.path.join(sdir, "cold-alt"))
    s["cold_alt_command"] = read(os.path.join(sdir, "cold-alt-command"))
    s["cold_hits"] = number(read(os.path.join(sdir, "cold-hits")))
    s["oil_hits"] = number(read(os.path.join(sdir, "oil-count")))
    s["load_average_at_start"] = read(os.path.join(sdir, "loadavg"))
    return {k: v for k, v in s.items() if v is not None}


def get(d, *path):
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return d


def target(name, value, goal, ok, unit="×", note="", rounds=None):
    if value is None:
        status = "n/a"
    else:
        status = "met" if ok(value) else "missed"
    out = {"target": name, "value": value, "goal": goal, "unit": unit, "status": status,
           "note": note}
    if rounds:
        out["rounds"] = rounds
        spread = f"per round {min(rounds):.2f}–{max(rounds):.2f}×"
        out["note"] = f"{spread}; {note}" if note else spread
    return out


def round_ratios(a, b):
    """The ratio of two systems' build times round by round (run i of one to
    run i of the other). Builds of one round run back to back, so these
    ratios show how far the machine's drift moves a ratio within one run."""
    wa, wb = get(a, "index", "walls_s"), get(b, "index", "walls_s")
    if not wa or not wb or len(wa) != len(wb) or len(wa) < 2 or not all(wb):
        return None
    return [x / y for x, y in zip(wa, wb)]


def ratio(a, b):
    return a / b if a is not None and b else None


def time_target(name, a, b, goal, ok):
    """The target on system `a`'s median build time over system `b`'s, with
    its per-round spread."""
    wall = lambda s: get(s, "index", "wall_s")  # noqa: E731
    return target(name, ratio(wall(a), wall(b)), goal, ok, rounds=round_ratios(a, b))


def dataset_targets(systems, meta, articles):
    by = systems.get("byline", {})
    bn = systems.get("byline-no-entities", {})
    tc = systems.get("tantivy-cli", {})
    sq = systems.get("sqlite-fts5", {})
    xa = systems.get("xapian", {})
    rg = systems.get("ripgrep", {})
    p50 = lambda s: get(s, "warm", "latency_micros", "p50")  # noqa: E731
    budget = number(meta.get("memory_mib")) or 512
    margin = number(meta.get("rss_margin_mib")) or 256
    cores = number(meta.get("cores")) or 2
    busy = 75 * cores

    def speed_targets(prefix, with_entities, without_entities):
        """The indexing-speed goals of byline's builds from one input."""
        return [
            time_target(f"{prefix}: byline --no-entities / tantivy-cli",
                        without_entities, tc, "≤ 1.00", lambda v: v <= 1.0),
            time_target(f"{prefix}: byline (entities) / tantivy-cli",
                        with_entities, tc, "≤ 2.00", lambda v: v <= 2.0),
            time_target(f"{prefix}: byline (entities) / SQLite FTS5",
                        with_entities, sq, "< 1.00", lambda v: v < 1.0),
            time_target(f"{prefix}: byline (entities) / Xapian",
                        with_entities, xa, "< 1.00", lambda v: v < 1.0),
        ]

    out = speed_targets("index time", by, bn) + [
        target("index size: byline --no-entities / tantivy-cli",
               ratio(bn.get("size_bytes"), tc.get("size_bytes")), "≤ 1.20", lambda v: v <= 1.2,
               note="the same text fields; byline adds dates, paths, fingerprints"),
        target("index size: byline (entities) / tantivy-cli",
               ratio(by.get("size_bytes"), tc.get("size_bytes")), "≤ 1.20", lambda v: v <= 1.2,
               note="plus people, places, organisations (indexed, counted, stored)"),
        target("warm p50: byline / SQLite FTS5", ratio(p50(by), p50(sq)), "< 1.00",
               lambda v: v < 1.0, note="byline without snippets"),
        target("warm p50: byline / Xapian", ratio(p50(by), p50(xa)), "< 1.00",
               lambda v: v < 1.0, note="byline without snippets"),
        target("cold search: ripgrep / byline", ratio(get(rg, "cold", "median_ms"),
                                                      get(by, "cold", "median_ms")),
               "≥ 100", lambda v: v >= 100,
               note="" if articles >= 1_000_000 else "the goal is set for 1M articles"),
    ]
    bj = systems.get("byline-jsonl", {})
    bjn = systems.get("byline-jsonl-no-entities", {})
    if bj or bjn:
        # The very same input file as the peers read.
        out += speed_targets("index time, same JSONL", bj, bjn)
    out.append(time_target("index time: byline (entities) / byline --no-entities (pages)",
                           by, bn, "≤ 2.00", lambda v: v <= 2.0))
    for label, s in (("byline (entities)", by), ("byline --no-entities", bn)):
        out.append(target(f"peak RSS indexing: {label}", get(s, "index", "peak_rss_mib"),
                          f"≤ {budget} + {margin} MiB", lambda v: v <= budget + margin, "MiB",
                          note=f"--memory {budget}"))
    for label, s in (("byline (entities)", by), ("byline --no-entities", bn)):
        out.append(target(f"CPU while indexing: {label}", get(s, "index", "cpu_percent"),
                          f"≥ {busy} % ({cores} cores busy)", lambda v: v >= busy, "%",
                          note="(user+sys)/wall"))
    return out


def growth_targets(datasets):
    scale = sorted(
        ((int(d["dataset"]["articles"]), name) for name, d in datasets.items()
         if name.startswith("scale-")),
    )
    if len(scale) < 2:
        return []
    (n0, small), (n1, big) = scale[0], scale[-1]
    out = []
    for label in ("byline", "byline-no-entities"):
        for what, key in (("index time", ("index", "wall_s")), ("index size", ("size_bytes",)),
                          ("peak RSS", ("index", "peak_rss_mib"))):
            a = get(datasets[small]["systems"].get(label, {}), *key)
            b = get(datasets[big]["systems"].get(label, {}), *key)
            value = ratio(ratio(b, a), n1 / n0)
            out.append(target(f"{what} growth {small} → {big}: {label}", value,
                              "≤ 1.00 (linear)", lambda v: v <= 1.0,
                              note="(growth of the figure) / (growth of the article count)"))
    return out


def check(datasets, strict_warm=True):
    problems = []
    for name, d in datasets.items():
        articles = number(d["dataset"].get("articles"))
        for label, s in d["systems"].items():
            where = f"{name} / {label}"
            if s.get("failed"):
                problems.append(f"{where}: a step failed (see the raw logs)")
            n = s.get("indexed_articles")
            if label != "ripgrep" and n != articles:
                problems.append(f"{where}: {n} articles indexed, the dataset has {articles}")
            if label != "ripgrep" and not s.get("size_bytes"):
                problems.append(f"{where}: no index on disk")
            if label.startswith("byline-jsonl"):
                continue  # index only: searching it is byline's own index again
            if label.startswith("byline") and not s.get("oil_hits"):
                problems.append(f"{where}: no hit for `oil`")
            if not s.get("cold_hits"):
                problems.append(f"{where}: no hit for the cold query")
            w = s.get("warm")
            if label != "ripgrep":
                if not w:
                    problems.append(f"{where}: no warm latency")
                elif w["errors"] and strict_warm:
                    problems.append(f"{where}: {len(w['errors'])} queries refused")
                elif w["accepted"] and w["zero_hit_queries"] > w["accepted"] // 4:
                    problems.append(f"{where}: {w['zero_hit_queries']} of {w['accepted']} "
                                    "queries found nothing")
    return problems


def fmt(v, digits=1, thousands=False):
    if v is None:
        return "—"
    if thousands:
        return f"{v:,.0f}"
    return f"{v:.{digits}f}"


def code(text):
    return f"`{text}`" if text else "—"


def ms(micros):
    return None if micros is None else micros / 1000


def render(report):
    meta, versions = report["machine"], report["versions"]
    lines = [
        f"# Peer benchmarks{' (smoke)' if report['smoke'] else ''}",
        "",
        f"Run {report['date']}: `{report['command']}`. Machine: {meta['cores']} cores, "
        f"{meta['memory']}, {meta['cpu']}; {meta['os']}. Load average "
        f"{report['load_average']['start']} at start, {report['load_average'].get('end', '?')} "
        "at the end.",
        "",
        "Versions: " + "; ".join(f"{k} {v}" for k, v in versions.items()) + ".",
        "",
        f"Settings: warm latency = median of {report['settings']['query_runs']} runs per query "
        f"after a warm-up pass, p50/p95 over the queries (nearest rank), top 10; cold search = "
        f"`{report['settings']['cold_query']}`, a new process each time, median of "
        f"{report['settings']['search_runs']} runs after 3 warm-ups (OS file cache warm); "
        f"byline --memory {report['settings']['memory_mib']} MiB, tantivy-cli -t "
        f"{report['settings']['threads']} -m {report['settings']['memory_mib']} MiB.",
        "",
        "Reading the figures:",
        "",
    ] + [f"- {n}" for n in NOTES]
    for name, d in report["datasets"].items():
        ds = d["dataset"]
        lines += [
            "",
            f"## {name}: {int(ds['articles']):,} articles",
            "",
            f"Pages `{ds['pages']}` ({int(ds['pages_bytes']) / MIB:.1f} MiB), JSONL "
            f"`{ds['jsonl']}` ({int(ds['jsonl_bytes']) / MIB:.1f} MiB); index time = median "
            f"of {ds['index_runs']} run(s), the systems' builds interleaved run by run, each round "
            "starting one system further on, each input read just before its build.",
            "",
            "| system | index s | articles/s | size MiB | peak RSS MiB | CPU % | warm p50 ms "
            "| warm p95 ms | cold search ms |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for label, s in d["systems"].items():
            idx = s.get("index", {})
            lat = get(s, "warm", "latency_micros") or {}
            flag = " (failed)" if s.get("failed") else ""
            lines.append(
                f"| {label}{flag} | {fmt(idx.get('wall_s'), 2)} | "
                f"{fmt(idx.get('articles_per_s'), thousands=True)} | {fmt(s.get('size_mib'))} | "
                f"{fmt(idx.get('peak_rss_mib'), 0)} | {fmt(idx.get('cpu_percent'), 0)} | "
                f"{fmt(ms(lat.get('p50')), 3)} | {fmt(ms(lat.get('p95')), 3)} | "
                f"{fmt(get(s, 'cold', 'median_ms'))} |"
            )
        lines += [
            "",
            "| system | queries run | refused | no hit | hits (sum of totals) | cold query "
            "matches | cold search command | second cold command | its ms |",
            "|---|---:|---:|---:|---:|---:|---|---|---:|",
        ]
        for label, s in d["systems"].items():
            w = s.get("warm") or {}
            lines.append(
                f"| {label} | {w.get('accepted', '—')} | {len(w.get('errors', [])) if w else '—'} "
                f"| {w.get('zero_hit_queries', '—')} | {fmt(w.get('hits'), thousands=True)} | "
                f"{fmt(s.get('cold_hits'), thousands=True)} | {code(s.get('cold_command'))} | "
                f"{code(s.get('cold_alt_command'))} | {fmt(get(s, 'cold_alt', 'median_ms'))} |"
            )
        snip = get(d["systems"].get("byline", {}), "warm", "with_snippets", "latency_micros")
        if snip:
            lines += ["", f"byline's warm latency with {get(d['systems']['byline'], 'warm', 'with_snippets', 'snippet_chars')}"
                          f"-character snippets (as `byline search` shows them): p50 "
                          f"{snip['p50'] / 1000:.3f} ms, p95 {snip['p95'] / 1000:.3f} ms."]
        lines += ["", f"Targets ({name}):", "", "| target | measured | goal | status | note |",
                  "|---|---:|---|---|---|"]
        # Rows without a figure (a system not run) are left out here; the JSON has them.
        lines += [_target_row(t) for t in d["targets"] if t["value"] is not None]
    if report["growth"]:
        lines += ["", "## Growth", "", "| target | measured | goal | status | note |",
                  "|---|---:|---|---|---|"]
        lines += [_target_row(t) for t in report["growth"]]
    if report["problems"]:
        lines += ["", "## Problems", ""] + [f"- {p}" for p in report["problems"]]
    return "\n".join(lines) + "\n"


def _target_row(t):
    v = t["value"]
    if v is None:
        shown = "—"
    elif t["unit"] == "×":
        shown = f"{v:.2f}×"
    else:
        shown = f"{v:.0f} {t['unit']}"
    status = {"met": "met", "missed": "**missed**"}.get(t["status"], t["status"])
    return f"| {t['target']} | {shown} | {t['goal']} | {status} | {t['note']} |"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raw", help="the raw directory peers.sh wrote")
    ap.add_argument("--from-json", metavar="FILE",
                    help="instead of --raw: a report this script wrote, its targets and "
                         "tables worked out again from its figures (e.g. after a change here)")
    ap.add_argument("--json", required=True)
    ap.add_argument("--md", required=True)
    ap.add_argument("--strict", action="store_true")
    args = ap.parse_args()
    if bool(args.raw) == bool(args.from_json):
        ap.error("give one of --raw and --from-json")
    report = from_json(args.from_json) if args.from_json else from_raw(args.raw)
    report["problems"] = check(report["datasets"])
    with open(args.json, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    md = render(report)
    with open(args.md, "w", encoding="utf-8") as f:
        f.write(md)
    print(md)
    print(f"raw figures: {args.json}; tables: {args.md}")
    if report["problems"]:
        for p in report["problems"]:
            print(f"peers: problem: {p}", file=sys.stderr)
        if args.strict:
            sys.exit(1)


def from_json(path):
    """A saved report with its targets and growth worked out again."""
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    settings, machine = report.get("settings") or {}, report.get("machine") or {}
    meta = {"memory_mib": settings.get("memory_mib"),
            "rss_margin_mib": settings.get("rss_margin_mib"), "cores": machine.get("cores")}
    for ds in report["datasets"].values():
        articles = number(ds["dataset"].get("articles"))
        ds["targets"] = dataset_targets(ds["systems"], meta, articles or 0)
    report["growth"] = growth_targets(report["datasets"])
    return report


def from_raw(raw):
    """The report of the raw directory peers.sh wrote."""
    meta = read_tsv(os.path.join(raw, "meta.tsv"))
    versions = read_tsv(os.path.join(raw, "versions.tsv"))
    datasets = {}
    for name in (read(os.path.join(raw, "datasets"), "") or "").split():
        ddir = os.path.join(raw, name)
        ds = read_tsv(os.path.join(ddir, "dataset.tsv"))
        articles = number(ds.get("articles"))
        systems = {}
        for label in (read(os.path.join(ddir, "systems"), "") or "").split():
            systems[label] = system_figures(os.path.join(ddir, label), articles)
        datasets[name] = {"dataset": ds, "systems": systems,
                          "targets": dataset_targets(systems, meta, articles or 0)}
    report = {
        "date": meta.get("date"),
        "command": meta.get("command"),
        "smoke": meta.get("smoke") == "1",
        "machine": {k: meta.get(k) for k in ("cores", "memory", "cpu", "os")},
        "load_average": {"start": meta.get("load_start"), "end": meta.get("load_end")},
        "versions": versions,
        "settings": {k: meta.get(k) for k in ("query_runs", "search_runs", "cold_query",
                                               "memory_mib", "rss_margin_mib", "threads")},
        "datasets": datasets,
        "growth": growth_targets(datasets),
    }
    return report


if __name__ == "__main__":
    main()
