#!/usr/bin/env python3
"""SQLite FTS5 peer of byline's benchmarks (stdlib sqlite3 only).

Usage (run by benches/peers.sh with Debian's /usr/bin/python3):
  sqlite_fts5.py index   JSONL DB           # FTS5 table, one transaction, then 'optimize'
  sqlite_fts5.py latency DB QUERIES --runs N --json OUT
  sqlite_fts5.py search  DB QUERY           # one top-10 search, printed (cold figure)
  sqlite_fts5.py count   DB QUERY           # number of matching articles
  sqlite_fts5.py translate QUERY            # the FTS5 MATCH expression of a shared query
  sqlite_fts5.py check                      # exit 1 unless this sqlite3 has FTS5

Schema: `articles(id UNINDEXED, title, body)`, tokenizer `porter unicode61`
(Porter stemming over Unicode case folding), content stored in the table (as
byline stores title and body). Ranking: `ORDER BY bm25(articles)` (title and
body weighted 1), LIMIT 10.
"""

import os
import sqlite3
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

TOP10 = "SELECT id, title FROM articles WHERE articles MATCH ? ORDER BY bm25(articles) LIMIT 10"
COUNT = "SELECT count(*) FROM articles WHERE articles MATCH ?"


def translate(line):
    """Shared grammar -> FTS5: `title : "w1 w2"`, clauses joined by AND."""
    out = []
    for field, words, _phrase in common.parse_query(line):
        quoted = '"' + " ".join(words) + '"'
        out.append(f"title : {quoted}" if field else quoted)
    return " AND ".join(out)


def has_fts5():
    try:
        con = sqlite3.connect(":memory:")
        con.execute("CREATE VIRTUAL TABLE t USING fts5(a)")
        return True
    except sqlite3.OperationalError:
        return False


def cmd_index(args):
    if os.path.exists(args.db):
        os.remove(args.db)
    con = sqlite3.connect(args.db, isolation_level=None)
    con.execute(
        "CREATE VIRTUAL TABLE articles USING fts5("
        "id UNINDEXED, title, body, tokenize = 'porter unicode61')"
    )
    con.execute("BEGIN")
    con.executemany(
        "INSERT INTO articles(id, title, body) VALUES (?, ?, ?)", common.read_jsonl(args.jsonl)
    )
    con.execute("COMMIT")
    # Merge FTS5's b-trees into one, as the tantivy-based engines merge segments.
    con.execute("INSERT INTO articles(articles) VALUES ('optimize')")
    n = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    con.close()
    print(f"indexed {n} articles")


def cmd_latency(args):
    con = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    queries = common.read_queries(args.queries)
    report = common.warm_latency(
        "sqlite-fts5",
        queries,
        translate,
        run=lambda q: con.execute(TOP10, (q,)).fetchall(),
        count=lambda q: con.execute(COUNT, (q,)).fetchone()[0],
        runs=args.runs,
    )
    report["sqlite_version"] = sqlite3.sqlite_version
    common.write_json(args.json, report)
    lat = report["latency_micros"] or {}
    print(
        f"sqlite-fts5: {report['accepted']}/{report['queries']} queries, "
        f"{len(report['errors'])} errors, {report['zero_hit_queries']} with no hit; "
        f"p50 {lat.get('p50', 0):.0f} us, p95 {lat.get('p95', 0):.0f} us"
    )


def cmd_search(args):
    con = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    for rank, (doc_id, title) in enumerate(con.execute(TOP10, (translate(args.query),)), 1):
        print(f"{rank}. {title} [{doc_id}]")


def cmd_count(args):
    con = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    print(con.execute(COUNT, (translate(args.query),)).fetchone()[0])


def cmd_check(_args):
    ok = has_fts5()
    print(f"sqlite {sqlite3.sqlite_version}: FTS5 {'yes' if ok else 'NO'}")
    sys.exit(0 if ok else 1)


def main():
    common.driver_main(
        __doc__,
        {"index": cmd_index, "latency": cmd_latency, "search": cmd_search, "count": cmd_count},
        translate,
        extra={"check": cmd_check},
    )


if __name__ == "__main__":
    main()
