#!/usr/bin/env bash
# byline against its peers on the same corpus and the same 200 queries
# (../shared/bench/queries.txt): tantivy-cli (raw tantivy, plain schema),
# SQLite FTS5 (bm25), Xapian (Debian's Python bindings) and ripgrep (no index).
#
# Usage, from the repository root (needs ../shared beside the checkout):
#   bash benches/peers.sh [--dataset NAME ...] [--systems LIST] [--smoke]
#
#   --dataset NAME   reuters (default): ../shared/corpora/reuters21578 pages and JSONL;
#                    scale-N: target/bench-data/scale-N, made by gen-corpus if missing
#                    (N in articles, or 200k, 1m: scale-1m is target/bench-data/scale-1m).
#                    Repeatable, or comma-separated (scale-200000,scale-1000000).
#   --systems LIST   comma-separated subset of byline,tantivy,sqlite,xapian,ripgrep
#                    (default: all; byline means with and without --no-entities, on the
#                    pages and on the peers' JSONL).
#   --smoke          CI's check: a few thousand articles (gen-corpus --count 3000, or
#                    the first 3,000 Reuters articles), byline only, one run each, no
#                    set-up; exits non-zero when anything is wrong (article counts,
#                    no hit for `oil`, a failed step).
#
# Outside --smoke (and outside CI) it first runs benches/peers/setup.sh, which
# installs the peers. Per dataset and system it measures: index build wall time
# (median of INDEX_RUNS; the systems' builds interleaved, run 1 of each, then
# run 2 of each, ..., each round starting one system further on, and each
# build's input read once, untimed, just before it), articles/s, peak RSS and
# CPU utilisation ((user+sys)/wall) from /usr/bin/time -v, index size
# (du -sb), warm top-10 query latency p50/p95 over the 200 queries (one
# process per system), and one cold command-line search (hyperfine -N, 3
# warm-ups, median of SEARCH_RUNS).
# Results: target/bench/peers.json (every figure, machine, versions, date) and
# target/bench/peers.md (tables and the targets); raw measurements in
# target/bench/peers-raw/. --smoke writes peers-smoke.* instead.
#
# Environment: INDEX_RUNS (3 under 100k articles, else 1), QUERY_RUNS (5),
# SEARCH_RUNS (20), COLD_QUERY ("oil prices"), MEMORY_MIB (512: byline's
# --memory and tantivy-cli's -m), THREADS (nproc: tantivy-cli -t), RSS_MARGIN_MIB
# (256), BYLINE_BIN_DIR (use byline, query-latency and gen-corpus from there and
# build nothing; CI passes target/debug), PY (/usr/bin/python3), SMOKE_COUNT
# (3000), KEEP_INDEXES (1: keep target/bench-data/indexes/ after the run),
# SKIP_SPACE_CHECK (1: start even when the disk looks too small for the indexes).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
die() { echo "peers.sh: $*" >&2; exit 2; }

args=("$@")
datasets=()
systems=
smoke=
while [ $# -gt 0 ]; do
    case $1 in
        --dataset | --datasets)
            [ $# -ge 2 ] || die "$1 needs a value"
            IFS=, read -ra more <<<"$2"; datasets+=("${more[@]}"); shift 2 ;;
        --dataset=* | --datasets=*)
            IFS=, read -ra more <<<"${1#*=}"; datasets+=("${more[@]}"); shift ;;
        --systems) [ $# -ge 2 ] || die "$1 needs a value"; systems=$2; shift 2 ;;
        --systems=*) systems=${1#*=}; shift ;;
        --smoke) smoke=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done
if [ -n "$smoke" ]; then
    [ "${#datasets[@]}" -gt 0 ] || datasets=(smoke)
    systems=${systems:-byline}
else
    [ "${#datasets[@]}" -gt 0 ] || datasets=(reuters)
    systems=${systems:-byline,tantivy,sqlite,xapian,ripgrep}
fi
IFS=, read -ra systems <<<"$systems"
for s in "${systems[@]}"; do
    case $s in byline | tantivy | sqlite | xapian | ripgrep) ;; *) die "unknown system $s" ;; esac
done

shared=../shared
queries=$shared/bench/queries.txt
categories=$shared/bench/queries.tsv
reuters_pages=$shared/corpora/reuters21578/articles
reuters_jsonl=$shared/corpora/reuters21578/reuters.jsonl
if [ ! -f "$queries" ] || [ ! -d "$reuters_pages" ]; then die "$shared not found beside the checkout"; fi

query_runs=${QUERY_RUNS:-5}
search_runs=${SEARCH_RUNS:-20}
cold_query=${COLD_QUERY:-oil prices}
memory_mib=${MEMORY_MIB:-512}
threads=${THREADS:-$(nproc)}
smoke_count=${SMOKE_COUNT:-3000}
if [ -n "$smoke" ]; then
    query_runs=${QUERY_RUNS:-1}
    search_runs=${SEARCH_RUNS:-5}
fi
py=${PY:-/usr/bin/python3}
[ -x "$py" ] || py=python3
export PYTHONDONTWRITEBYTECODE=1
peers=benches/peers
tantivy=target/peers/bin/tantivy
# The cold query in the shared grammar (for the peers): plain words joined by AND.
cold_and=${cold_query// / AND }

name=peers${smoke:+-smoke}
out=target/bench
raw=$out/$name-raw
rm -rf "$raw"
mkdir -p "$raw"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
indexes=target/bench-data/indexes
[ -n "$smoke" ] && indexes=$tmp/indexes

if [ -n "${BYLINE_BIN_DIR:-}" ]; then
    bin=$BYLINE_BIN_DIR
else
    echo "== cargo build --release -p byline-cli -p byline-bench"
    cargo build --release --quiet -p byline-cli -p byline-bench
    bin=target/release
fi
for b in byline query-latency; do [ -x "$bin/$b" ] || die "$bin/$b not built"; done

if [ -z "$smoke" ] && [ -z "${CI:-}" ]; then
    want_setup=
    for s in "${systems[@]}"; do [ "$s" = byline ] || want_setup=1; done
    [ -z "$want_setup" ] || bash "$peers/setup.sh"
fi

# --- helpers ----------------------------------------------------------------

# timed PREFIX CMD...: runs CMD (stdout and stderr to PREFIX.log) under
# /usr/bin/time -v (report in PREFIX.time); without GNU time, wall time only.
timed() {
    local prefix=$1 start
    shift
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -v -o "$prefix.time" "$@" >"$prefix.log" 2>&1
    else
        start=$(date +%s%N)
        "$@" >"$prefix.log" 2>&1
        echo "wall seconds: $(( ($(date +%s%N) - start) / 1000000 ))e-3" >"$prefix.time"
    fi
}

# cold PREFIX CMD...: one search per new process: hyperfine -N, 3 warm-ups and
# $search_runs runs (PREFIX.json); without hyperfine a loop (PREFIX.txt, ms per run).
cold() {
    local prefix=$1 start
    shift
    if command -v hyperfine >/dev/null; then
        hyperfine -N --style none --warmup 3 --runs "$search_runs" \
            --export-json "$prefix.json" "$(printf '%q ' "$@")" >/dev/null
    else
        for _ in 1 2 3; do "$@" >/dev/null; done
        for _ in $(seq "$search_runs"); do
            start=$(date +%s%N)
            "$@" >/dev/null
            echo "$(( ($(date +%s%N) - start) / 1000 ))e-3"
        done >"$prefix.txt"
    fi
}

no_prep() { :; }
# Reads a system's input once, untimed, so that its timed run does not wait
# on the disk (at 1M articles a cold read of the 5 GB of pages cost the run a
# third of its time).
warm() {
    if [ -d "$1" ]; then
        find "$1" -type f -print0 | xargs -0 cat >/dev/null
    else
        cat "$1" >/dev/null
    fi
}
make_dir() { mkdir -p "$1"; }
tantivy_init() { "$py" "$peers/tantivy_peer.py" init "$1"; }

# --- datasets -------------------------------------------------------------------

# Sets pages, jsonl and articles for dataset $1.
prepare() {
    local ds=$1 dir n='' gen=$bin/gen-corpus
    case $ds in
        reuters)
            pages=$reuters_pages
            jsonl=$reuters_jsonl ;;
        scale-*)
            # scale-N: N articles, or with a k or m suffix (scale-200k, scale-1m)
            [[ ${ds#scale-} =~ ^([1-9][0-9]*)([km]?)$ ]] \
                || die "bad dataset $ds (scale-N, N articles: 20000, 200k, 1m)"
            n=${BASH_REMATCH[1]}
            case ${BASH_REMATCH[2]} in k) n=$((n * 1000)) ;; m) n=$((n * 1000000)) ;; esac
            dir=target/bench-data/$ds
            if [ ! -f "$dir/manifest.json" ]; then
                [ -x "$gen" ] || die "$dir is missing and $gen is not built"
                echo "== $gen --count $n --out $dir --seed ${SEED:-1987}"
                rm -rf "$dir"
                "$gen" --count "$n" --out "$dir" --seed "${SEED:-1987}"
            fi
            pages=$dir/pages
            jsonl=$dir/articles.jsonl ;;
        smoke)
            dir=$tmp/smoke
            if [ -x "$gen" ]; then
                echo "== $gen --count $smoke_count --out $dir"
                "$gen" --count "$smoke_count" --out "$dir" --seed "${SEED:-1987}" 2>"$tmp/gen.log" \
                    || { cat "$tmp/gen.log" >&2; exit 1; }
                pages=$dir/pages
                jsonl=$dir/articles.jsonl
            else
                echo "== the first $smoke_count Reuters articles (no gen-corpus in $bin)"
                mkdir -p "$dir/pages"
                head -n "$smoke_count" "$reuters_jsonl" >"$dir/articles.jsonl"
                sed -E 's|^\{"id": "reuters-([0-9]+)".*|'"$reuters_pages"'/\1.txt|' "$dir/articles.jsonl" \
                    | xargs cp -t "$dir/pages"
                pages=$dir/pages
                jsonl=$dir/articles.jsonl
            fi ;;
        *) die "unknown dataset $ds (reuters, scale-N)" ;;
    esac
    if [ ! -d "$pages" ] || [ ! -f "$jsonl" ]; then die "$ds: $pages or $jsonl missing"; fi
    articles=$(grep -c . "$jsonl")
    if [ -n "$n" ] && [ "$articles" != "$n" ]; then
        die "$jsonl has $articles articles, not $n (remove $dir to make it again)"
    fi
}

# --- systems --------------------------------------------------------------------
#
# Each system has an index step (index_cmd: its command for one fresh, timed
# build) and a query step (query_LABEL: count, size, warm and cold search on the
# last build). The builds are interleaved: run 1 of every system, then run 2 of
# every system, and so on, so that each system's median comes from the same
# stretch of time as the others' (on a shared machine, speed drifts by 10 % and
# more over minutes; ratios of medians measured far apart drifted with it).

# The systems (labels) a --systems entry stands for.
labels_of() {
    case $1 in
        # byline also indexes the peers' JSONL, for index times on the very
        # same input.
        byline) echo byline byline-no-entities byline-jsonl byline-jsonl-no-entities ;;
        tantivy) echo tantivy-cli ;;
        sqlite) echo sqlite-fts5 ;;
        xapian) echo xapian ;;
        ripgrep) echo ripgrep ;;
    esac
}

# Whether LABEL builds an index.
has_index() { [ "$1" != ripgrep ]; }

# Size of LABEL's index in percent of the dataset's JSONL: the largest of the
# Reuters, 200k and 1M runs of session 9 (Xapian's: 200k), rounded up.
index_size_percent() {
    case $1 in
        byline) echo 115 ;;
        byline-no-entities) echo 105 ;;
        byline-jsonl) echo 110 ;;
        byline-jsonl-no-entities) echo 95 ;;
        tantivy-cli) echo 100 ;;
        sqlite-fts5) echo 200 ;;
        xapian) echo 575 ;;
        *) echo 0 ;;
    esac
}

# check_space LABEL...: refuses to start a dataset whose indexes the disk
# cannot hold with a quarter to spare. Every system's index stays until the
# query steps, and a disk that fills midway fails a peer's build and loses the
# run (1M articles need about 11 GiB without Xapian). An interrupted run's
# indexes count as free: each build replaces its own.
check_space() {
    local label need=0 avail old=0 bytes
    bytes=$(stat -c %s "$jsonl")
    for label in "$@"; do
        need=$((need + $(index_size_percent "$label") * bytes / 100))
    done
    need=$((need * 5 / 4))
    mkdir -p "$indexes"
    avail=$(($(df -Pk "$indexes" | awk 'NR == 2 { print $4 }') * 1024))
    [ -d "$indexes/$ds" ] && old=$(($(du -sk "$indexes/$ds" | cut -f1) * 1024))
    if [ $((avail + old)) -lt "$need" ] && [ -z "${SKIP_SPACE_CHECK:-}" ]; then
        die "$ds: its indexes need about $((need >> 20)) MiB free under $indexes, and" \
            "$(((avail + old) >> 20)) MiB are (free some space, leave out a system with" \
            "--systems, or set SKIP_SPACE_CHECK=1 to try anyway)"
    fi
}

# index_cmd LABEL DIR: sets `cmd` (the build command), `prep` (run untimed
# on DIR first) and `reads` (the input the build reads).
index_cmd() {
    local label=$1 dir=$2 opts=()
    prep=no_prep
    reads=$jsonl
    case $label in
        byline*)
            reads=$pages
            # The peers' own input: the same articles as one JSON Lines file.
            [[ $label == byline-jsonl* ]] && reads=$jsonl
            [[ $label == *no-entities ]] && opts=(--no-entities)
            cmd=("$bin/byline" --color never --index "$dir" index "$reads" --rebuild --quiet
                --memory "$memory_mib" "${opts[@]}") ;;
        tantivy-cli)
            [ -x "$tantivy" ] || { echo "$tantivy missing: run benches/peers/setup.sh" >&2; return 1; }
            prep=tantivy_init
            cmd=("$tantivy" index -i "$dir" -f "$jsonl" -t "$threads" -m "$((memory_mib * 1048576))") ;;
        sqlite-fts5)
            prep=make_dir
            cmd=("$py" "$peers/sqlite_fts5.py" index "$jsonl" "$dir/articles.db") ;;
        xapian)
            cmd=("$py" "$peers/xapian_peer.py" index "$jsonl" "$dir") ;;
    esac
}

# index_once LABEL RUN: one fresh, timed build (PREFIX index-RUN.{time,log}).
# Its input is read once first, untimed: the builds before it write gigabytes
# of index at 1M, and the first build of a round found the pages partly out
# of the OS cache (twice the system time, +25 % wall, in one 1M run).
index_once() {
    local label=$1 run=$2 o=$res/$1 dir=$indexes/$ds/$1 cmd prep reads
    index_cmd "$label" "$dir"
    rm -rf "$dir"
    "$prep" "$dir"
    warm "$reads"
    timed "$o/index-$run" "${cmd[@]}"
    echo "   $label run $run: $(awk -F': ' '/Elapsed \(wall clock\)/ { print $NF } /^wall seconds/ { print $NF "s" }' "$o/index-$run.time")"
}

# Articles the last build reported, from its log.
count_from_log() { grep -oE "$2 [0-9,]+ articles" "$res/$1/index-$runs.log" | tr -dc '0-9' >"$res/$1/count"; }

query_byline() {
    local label=$1 o=$res/$1 dir=$indexes/$ds/$1
    count_from_log "$label" Indexed
    du -sb "$dir" | cut -f1 >"$o/size"
    # Searching is the same index either way: measured on the pages' index only.
    [[ $label == byline-jsonl* ]] && return 0
    echo "== [$ds] $label: warm latency (query-latency, $query_runs runs)"
    "$bin/query-latency" --index "$dir" --queries "$queries" --categories "$categories" \
        --runs "$query_runs" --json "$o/warm.json" >"$o/warm.txt"
    "$bin/byline" --color never --index "$dir" search oil --count >"$o/oil-count"
    echo "== [$ds] $label: cold search"
    cold "$o/cold" "$bin/byline" --color never --index "$dir" search "$cold_query"
    "$bin/byline" --color never --index "$dir" search "$cold_query" --count >"$o/cold-hits"
    printf '%s\n' "$bin/byline --index DIR search '$cold_query'" >"$o/cold-command"
}

query_tantivy() {
    local o=$res/tantivy-cli dir=$indexes/$ds/tantivy-cli
    "$py" "$peers/tantivy_peer.py" count "$dir" >"$o/count"
    du -sb "$dir" | cut -f1 >"$o/size"
    echo "== [$ds] tantivy-cli: warm latency (tantivy bench)"
    "$py" "$peers/tantivy_peer.py" latency "$dir" "$queries" --runs "$query_runs" \
        --json "$o/warm.json" --bin "$tantivy" | tee "$o/warm.txt"
    echo "== [$ds] tantivy-cli: cold search"
    # `tantivy search` prints every match (unranked, stored fields); `tantivy bench`
    # on a one-query file is the top-10 figure (open, parse, top 10 + count, fetch 10).
    cold "$o/cold" "$tantivy" search -i "$dir" -q "$cold_and"
    "$tantivy" search -i "$dir" -q "$cold_and" | wc -l >"$o/cold-hits"
    printf '%s\n' "tantivy search -i DIR -q '$cold_and'" >"$o/cold-command"
    printf '%s\n' "$cold_and" >"$o/cold-query.txt"
    cold "$o/cold-alt" "$tantivy" bench -i "$dir" -q "$o/cold-query.txt" -n 1
    printf '%s\n' "tantivy bench -i DIR -q FILE -n 1 (FILE: '$cold_and')" >"$o/cold-alt-command"
}

query_sqlite() {
    local o=$res/sqlite-fts5 dir=$indexes/$ds/sqlite-fts5
    count_from_log sqlite-fts5 indexed
    du -sb "$dir" | cut -f1 >"$o/size"
    echo "== [$ds] sqlite-fts5: warm latency"
    "$py" "$peers/sqlite_fts5.py" latency "$dir/articles.db" "$queries" --runs "$query_runs" \
        --json "$o/warm.json" | tee "$o/warm.txt"
    echo "== [$ds] sqlite-fts5: cold search (sqlite3 CLI; the Python driver)"
    local match
    match=$("$py" "$peers/sqlite_fts5.py" translate "$cold_and")
    printf "SELECT id, title FROM articles WHERE articles MATCH '%s' ORDER BY bm25(articles) LIMIT 10;\n" \
        "$match" >"$o/cold.sql"
    if command -v sqlite3 >/dev/null; then
        cold "$o/cold" sqlite3 -readonly "$dir/articles.db" ".read $o/cold.sql"
        printf '%s\n' "sqlite3 -readonly DB \"$(cat "$o/cold.sql")\"" >"$o/cold-command"
    fi
    cold "$o/cold-alt" "$py" "$peers/sqlite_fts5.py" search "$dir/articles.db" "$cold_and"
    printf '%s\n' "$py $peers/sqlite_fts5.py search DB '$cold_and'" >"$o/cold-alt-command"
    "$py" "$peers/sqlite_fts5.py" count "$dir/articles.db" "$cold_and" >"$o/cold-hits"
}

query_xapian() {
    local o=$res/xapian dir=$indexes/$ds/xapian
    count_from_log xapian indexed
    du -sb "$dir" | cut -f1 >"$o/size"
    echo "== [$ds] xapian: warm latency"
    "$py" "$peers/xapian_peer.py" latency "$dir" "$queries" --runs "$query_runs" \
        --json "$o/warm.json" | tee "$o/warm.txt"
    echo "== [$ds] xapian: cold search (quest; the Python driver)"
    if command -v quest >/dev/null; then
        cold "$o/cold" quest -d "$dir" -s english -p title:S -o and -m 10 "$cold_query"
        printf '%s\n' "quest -d DIR -s english -p title:S -o and -m 10 '$cold_query'" >"$o/cold-command"
    fi
    cold "$o/cold-alt" "$py" "$peers/xapian_peer.py" search "$dir" "$cold_and"
    printf '%s\n' "$py $peers/xapian_peer.py search DIR '$cold_and'" >"$o/cold-alt-command"
    "$py" "$peers/xapian_peer.py" count "$dir" "$cold_and" >"$o/cold-hits"
}

query_ripgrep() {
    local o=$res/ripgrep
    command -v rg >/dev/null || { echo "rg missing: run benches/peers/setup.sh" >&2; return 1; }
    echo "== [$ds] ripgrep: cold search over the pages (no index)"
    cold "$o/cold" rg -i -l -F "$cold_query" "$pages"
    rg -i -l -F "$cold_query" "$pages" | wc -l >"$o/cold-hits"
    printf '%s\n' "rg -i -l -F '$cold_query' PAGES" >"$o/cold-command"
}

query_step() {
    case $1 in
        byline*) query_byline "$1" ;;
        tantivy-cli) query_tantivy ;;
        sqlite-fts5) query_sqlite ;;
        xapian) query_xapian ;;
        ripgrep) query_ripgrep ;;
    esac
}

# step LABEL FUNCTION ARGS...: runs one step of a system with errexit in a
# subshell; a failure is recorded (LABEL/FAILED) and the system's later steps
# are skipped, not the run.
step() {
    local label=$1 rc
    shift
    [ -f "$res/$label/FAILED" ] && return 0
    set +e
    (set -e; "$@")
    rc=$?
    set -e
    if [ "$rc" != 0 ]; then
        echo "peers.sh: [$ds] $label failed (exit $rc)" >&2
        echo "$rc" >"$res/$label/FAILED"
    fi
}

# --- run ------------------------------------------------------------------------

{
    printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
    printf 'cores\t%s\n' "$(nproc)"
    printf 'memory\t%s\n' "$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    printf 'cpu\t%s\n' "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
    printf 'os\t%s\n' "$(awk -F= '$1 == "PRETTY_NAME" { gsub(/"/, "", $2); print $2 }' /etc/os-release), $(uname -sr)"
    printf 'load_start\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
    printf 'smoke\t%s\n' "${smoke:-0}"
    printf 'query_runs\t%s\n' "$query_runs"
    printf 'search_runs\t%s\n' "$search_runs"
    printf 'cold_query\t%s\n' "$cold_query"
    printf 'memory_mib\t%s\n' "$memory_mib"
    printf 'rss_margin_mib\t%s\n' "${RSS_MARGIN_MIB:-256}"
    printf 'threads\t%s\n' "$threads"
    printf 'command\t%s\n' "bash benches/peers.sh ${args[*]}"
} >"$raw/meta.tsv"
PY=$py bash "$peers/versions.sh" "$bin" >"$raw/versions.tsv"

for ds in "${datasets[@]}"; do
    prepare "$ds"
    echo "$ds" >>"$raw/datasets"
    res=$raw/$ds
    mkdir -p "$res"
    : >"$res/systems"
    runs=${INDEX_RUNS:-$([ "$articles" -lt 100000 ] && echo 3 || echo 1)}
    [ -n "$smoke" ] && runs=${INDEX_RUNS:-1}
    {
        printf 'name\t%s\n' "$ds"
        printf 'pages\t%s\n' "$pages"
        printf 'jsonl\t%s\n' "$jsonl"
        printf 'articles\t%s\n' "$articles"
        printf 'page_files\t%s\n' "$(find "$pages" -type f | wc -l)"
        printf 'pages_bytes\t%s\n' "$(du -sb "$pages" | cut -f1)"
        printf 'jsonl_bytes\t%s\n' "$(stat -c %s "$jsonl")"
        printf 'index_runs\t%s\n' "$runs"
    } >"$res/dataset.tsv"
    echo "== dataset $ds: $articles articles, $runs indexing run(s) per system, interleaved"
    labels=()
    for s in "${systems[@]}"; do
        read -ra more <<<"$(labels_of "$s")"
        labels+=("${more[@]}")
    done
    for label in "${labels[@]}"; do
        echo "$label" >>"$res/systems"
        mkdir -p "$res/$label"
    done
    check_space "${labels[@]}"
    for run in $(seq "$runs"); do
        echo "== [$ds] index, run $run of $runs"
        # Each round starts one system further on: none always builds first.
        for k in "${!labels[@]}"; do
            label=${labels[$(((k + run - 1) % ${#labels[@]}))]}
            has_index "$label" || continue
            if [ "$run" = 1 ]; then cut -d' ' -f1-3 /proc/loadavg >"$res/$label/loadavg"; fi
            step "$label" index_once "$label" "$run"
        done
    done
    for label in "${labels[@]}"; do
        step "$label" query_step "$label"
        [ -n "${KEEP_INDEXES:-}" ] || rm -rf "${indexes:?}/$ds/$label"
    done
    rmdir "$indexes/$ds" 2>/dev/null || true
done
printf 'load_end\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$raw/meta.tsv"

"$py" "$peers/report.py" --raw "$raw" --json "$out/$name.json" --md "$out/$name.md" \
    ${smoke:+--strict}
