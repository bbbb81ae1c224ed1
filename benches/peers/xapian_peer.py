#!/usr/bin/python3
"""Xapian peer of byline's benchmarks (Debian's python3-xapian; run with /usr/bin/python3).

Usage (run by benches/peers.sh):
  xapian_peer.py index   JSONL DBDIR        # one commit at the end
  xapian_peer.py latency DBDIR QUERIES --runs N --json OUT
  xapian_peer.py search  DBDIR QUERY        # one top-10 search, printed (cold figure)
  xapian_peer.py count   DBDIR QUERY        # number of matching articles (exact)
  xapian_peer.py translate QUERY

Indexing: TermGenerator with the English (Snowball) stemmer, default STEM_SOME
strategy (unstemmed terms with positions, stemmed `Z` terms for ranking); the
title indexed twice, with prefix `S` (for `title:`) and unprefixed, then the body
after a position gap; the document data keeps id, title and body (as byline
stores title and body); boolean term `Q<id>`.
Querying: QueryParser with the same stemmer and strategy, `title:` -> `S`,
default operator AND, FLAG_DEFAULT (boolean AND, phrases); BM25 (Xapian's
default weighting); top 10 via Enquire.get_mset(0, 10).
"""

import json
import os
import sys

import xapian

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def translate(line):
    """Shared grammar -> Xapian QueryParser: the same surface syntax."""
    out = []
    for field, words, phrase in common.parse_query(line):
        text = '"' + " ".join(words) + '"' if phrase else words[0]
        out.append(f"title:{text}" if field else text)
    return " AND ".join(out)


def query_parser(db):
    qp = xapian.QueryParser()
    qp.set_stemmer(xapian.Stem("english"))
    qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
    qp.add_prefix("title", "S")
    qp.set_default_op(xapian.Query.OP_AND)
    qp.set_database(db)
    return qp


FLAGS = xapian.QueryParser.FLAG_DEFAULT  # BOOLEAN | PHRASE | LOVEHATE


def cmd_index(args):
    db = xapian.WritableDatabase(args.db, xapian.DB_CREATE_OR_OVERWRITE)
    tg = xapian.TermGenerator()
    tg.set_stemmer(xapian.Stem("english"))
    n = 0
    for doc_id, title, body in common.read_jsonl(args.jsonl):
        doc = xapian.Document()
        tg.set_document(doc)
        tg.index_text(title, 1, "S")
        tg.index_text(title)
        tg.increase_termpos()
        tg.index_text(body)
        doc.set_data(json.dumps({"id": doc_id, "title": title, "body": body}))
        doc.add_boolean_term("Q" + doc_id)
        db.add_document(doc)
        n += 1
    db.commit()
    db.close()
    print(f"indexed {n} articles")


def top10(enquire, query):
    enquire.set_query(query)
    mset = enquire.get_mset(0, 10)
    return [m.docid for m in mset]


def cmd_latency(args):
    db = xapian.Database(args.db)
    qp = query_parser(db)
    enquire = xapian.Enquire(db)
    doccount = db.get_doccount()

    def count(native):
        enquire.set_query(qp.parse_query(native, FLAGS))
        return enquire.get_mset(0, 0, doccount).get_matches_estimated()

    queries = common.read_queries(args.queries)
    report = common.warm_latency(
        "xapian",
        queries,
        translate,
        # Parsing is timed too, as byline parses its query on every search.
        run=lambda native: top10(enquire, qp.parse_query(native, FLAGS)),
        count=count,
        runs=args.runs,
    )
    report["xapian_version"] = xapian.version_string()
    common.write_json(args.json, report)
    lat = report["latency_micros"] or {}
    print(
        f"xapian: {report['accepted']}/{report['queries']} queries, "
        f"{len(report['errors'])} errors, {report['zero_hit_queries']} with no hit; "
        f"p50 {lat.get('p50', 0):.0f} us, p95 {lat.get('p95', 0):.0f} us"
    )


def cmd_search(args):
    db = xapian.Database(args.db)
    enquire = xapian.Enquire(db)
    enquire.set_query(query_parser(db).parse_query(translate(args.query), FLAGS))
    for m in enquire.get_mset(0, 10):
        data = json.loads(m.document.get_data())
        print(f"{m.rank + 1}. {data['title']} [{data['id']}]")


def cmd_count(args):
    db = xapian.Database(args.db)
    enquire = xapian.Enquire(db)
    enquire.set_query(query_parser(db).parse_query(translate(args.query), FLAGS))
    print(enquire.get_mset(0, 0, db.get_doccount()).get_matches_estimated())


def main():
    common.driver_main(
        __doc__,
        {"index": cmd_index, "latency": cmd_latency, "search": cmd_search, "count": cmd_count},
        translate,
    )


if __name__ == "__main__":
    main()
