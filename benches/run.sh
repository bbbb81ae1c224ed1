#!/usr/bin/env bash
# byline's benchmarks, from the repository root:   bash benches/run.sh
#
# 1. indexing Reuters-21578 (19,043 articles): wall time (median of INDEX_RUNS),
#    articles/s, peak RSS, index size on disk; with and without entity
#    extraction when `byline index` has --no-entities;
# 2. warm query latency over the 200 shared queries (benches' query-latency);
# 3. per-invocation `byline search "oil prices"` latency (hyperfine, or a loop);
# 4. re-indexing the unchanged folder (incremental run) against the first run;
# 5. the known-item ranking evaluation (benches' known-item), plain BM25 and byline.
#
# Results go to target/bench/ (summary.txt, query-latency-*.json and .txt).
# Environment: INDEX_RUNS (3), QUERY_RUNS (5), SEARCH_RUNS (20), CI (if set,
# nothing is installed).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
shared=../shared
articles=$shared/corpora/reuters21578/articles
queries=$shared/bench/queries.txt
categories=$shared/bench/queries.tsv
out=target/bench
index_runs=${INDEX_RUNS:-3}
query_runs=${QUERY_RUNS:-5}
search_runs=${SEARCH_RUNS:-20}
byline=target/release/byline
latency=target/release/query-latency

[ -d "$articles" ] || { echo "run.sh: $articles not found (run from the repository root)" >&2; exit 1; }
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Median of numbers on stdin, one per line.
median() {
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) exit 1
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

summary=$out/summary.txt
note() { printf '%s\n' "$*" | tee -a "$summary"; }
: >"$summary"

note "byline benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
note "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)," \
    "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
note "$(rustc --version); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== building (release)"
cargo build --release --quiet -p byline-cli -p byline-bench
known_item=target/release/known-item

# Indexes $articles into $1 (fresh) with extra `byline index` options $2...;
# prints "<wall seconds> <peak RSS KiB or n/a> <articles>".
index_once() {
    local dir=$1; shift
    local log=$tmp/index.log times=$tmp/index.time wall rss
    rm -rf "$dir"
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -v -o "$times" \
            "$byline" --color never --index "$dir" index "$articles" --rebuild --quiet "$@" >"$log"
        # "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:12.34"
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
            n = split($NF, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$times")
        rss=$(awk -F': ' '/Maximum resident set size/ { print $NF }' "$times")
    else
        local TIMEFORMAT=%R
        { time "$byline" --color never --index "$dir" index "$articles" --rebuild --quiet "$@" >"$log"; } 2>"$times"
        wall=$(tail -n 1 "$times")
        rss=n/a
    fi
    echo "$wall $rss $(grep -oE 'Indexed [0-9,]+ articles' "$log" | tr -dc '0-9')"
}

if "$byline" index --help | grep -q -- '--no-entities'; then
    variants=("entities" "no-entities")
else
    variants=("default")
fi

# hyperfine for the per-invocation search latency: installed if missing, outside CI.
if ! command -v hyperfine >/dev/null && [ -z "${CI:-}" ] && command -v apt-get >/dev/null \
    && [ "$(id -u)" = 0 ]; then
    echo "== installing hyperfine"
    apt-get install -y -qq hyperfine >/dev/null 2>&1 || echo "(apt-get install hyperfine failed: using a loop)"
fi

for variant in "${variants[@]}"; do
    dir=$tmp/index-$variant
    options=()
    [ "$variant" = no-entities ] && options=(--no-entities)

    echo "== indexing ($variant), $index_runs runs"
    : >"$tmp/runs"
    for run in $(seq "$index_runs"); do
        index_once "$dir" "${options[@]}" | tee -a "$tmp/runs"
    done
    wall=$(cut -d' ' -f1 "$tmp/runs" | median)
    rss=$(cut -d' ' -f2 "$tmp/runs" | grep -v n/a | sort -g | tail -n 1 || true)
    rss=${rss:+$(awk -v k="$rss" 'BEGIN { printf "%.0f MiB", k / 1024 }')}
    count=$(cut -d' ' -f3 "$tmp/runs" | tail -n 1)
    bytes=$(du -sb "$dir" | cut -f1)
    note ""
    note "[$variant] index $count articles: median wall $wall s of $index_runs runs" \
        "($(awk -v n="$count" -v s="$wall" 'BEGIN { printf "%.0f", n / s }') articles/s)," \
        "runs: $(cut -d' ' -f1 "$tmp/runs" | paste -sd' ')"
    note "[$variant] peak RSS while indexing (max of runs): ${rss:-n/a}"
    note "[$variant] index size on disk: $bytes bytes ($(awk -v b="$bytes" 'BEGIN { printf "%.1f MiB", b / 1048576 }'))"

    echo "== warm query latency ($variant)"
    "$latency" --index "$dir" --queries "$queries" --categories "$categories" \
        --runs "$query_runs" --json "$out/query-latency-$variant.json" | tee "$out/query-latency-$variant.txt"
    cat "$out/query-latency-$variant.txt" >>"$summary"

    echo "== byline search \"oil prices\", new process each time ($variant)"
    if command -v hyperfine >/dev/null; then
        # -N: no intermediate shell (the command takes a few milliseconds).
        hyperfine -N --style basic --warmup 3 --runs "$search_runs" --command-name "byline search" \
            --export-csv "$tmp/hyperfine.csv" \
            "$byline --index $(printf %q "$dir") search 'oil prices'"
        # CSV columns: command,mean,stddev,median,user,system,min,max (seconds)
        search_ms=$(awk -F, 'NR == 2 { printf "%.1f", $4 * 1000 }' "$tmp/hyperfine.csv")
        how="hyperfine, $search_runs runs after 3 warm-ups"
    else
        search_ms=$(for _ in $(seq "$search_runs"); do
            start=$(date +%s%N)
            "$byline" --index "$dir" search "oil prices" >/dev/null
            echo $(( ($(date +%s%N) - start) / 1000 ))
        done | median | awk '{ printf "%.1f", $1 / 1000 }')
        how="loop of $search_runs runs"
    fi
    note "[$variant] byline search \"oil prices\" (process start + index open + search): median $search_ms ms ($how)"

    echo "== re-indexing the unchanged folder ($variant), $index_runs runs"
    : >"$tmp/reruns"
    for run in $(seq "$index_runs"); do
        start=$(date +%s%N)
        "$byline" --color never --index "$dir" index "$articles" --quiet "${options[@]}" >"$tmp/rerun.log"
        echo "$(( ($(date +%s%N) - start) / 1000000 ))" >>"$tmp/reruns"
    done
    rerun_ms=$(median <"$tmp/reruns")
    note "[$variant] unchanged re-index: median $rerun_ms ms of $index_runs runs" \
        "($(awk -v f="$wall" -v r="$rerun_ms" 'BEGIN { printf "%.0f", f * 1000 / r }')x faster than the first run);" \
        "$(grep -o 'files: .*' "$tmp/rerun.log")"
done

echo "== known-item evaluation (${variants[0]} index)"
"$known_item" --index "$tmp/index-${variants[0]}" --articles "$articles" --json "$out/known-item.json" \
    | tee "$out/known-item.txt"
cat "$out/known-item.txt" >>"$summary"

echo
echo "== summary (also in $summary)"
cat "$summary"
