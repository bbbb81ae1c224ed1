#!/usr/bin/env bash
# Installs the peers of byline's peer benchmarks (benches/peers.sh), only what is
# missing, so running it again does nothing; then checks them and prints versions.
#   bash benches/peers/setup.sh            (from anywhere; as root for apt-get)
#
# - tantivy-cli $TANTIVY_CLI_VERSION (default 0.24.0, the latest on crates.io)
#   from crates.io into target/peers/bin (`cargo install --root target/peers`).
#   Not `--locked`: its lockfile pins traitobject 0.1.0, which today's rustc
#   rejects (E0119, conflicting implementations); a fresh resolution takes
#   traitobject 0.1.1 and builds. The tantivy version it resolved is kept in
#   target/peers/tantivy-lib-version.txt.
# - from Debian (`apt-get install -y`): ripgrep, hyperfine, python3-xapian,
#   xapian-tools (quest), sqlite3 (the CLI), time (GNU time, for peak RSS).
# - checks that Debian's /usr/bin/python3 has sqlite3 with FTS5 and xapian (the
#   `python3` on PATH may be another Python that cannot see python3-xapian).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

version=${TANTIVY_CLI_VERSION:-0.24.0}
root=target/peers
py=/usr/bin/python3

# tantivy-cli
if [ -x "$root/bin/tantivy" ] && "$root/bin/tantivy" --version | grep -qF " $version"; then
    echo "tantivy-cli $version: installed ($root/bin/tantivy)"
else
    echo "== cargo install tantivy-cli $version (a few minutes)"
    mkdir -p "$root"
    log=$root/tantivy-cli-install.log
    if ! cargo install tantivy-cli --version "$version" --root "$root" >"$log" 2>&1; then
        tail -n 30 "$log" >&2
        echo "setup.sh: cargo install tantivy-cli failed (log: $log)" >&2
        exit 1
    fi
    grep -oE 'Compiling tantivy v[0-9.]+' "$log" | head -n 1 | cut -d' ' -f3 | sed 's/^v//' \
        >"$root/tantivy-lib-version.txt" || true
fi

# Debian packages: command (or check) -> package
missing=()
command -v rg >/dev/null || missing+=(ripgrep)
command -v hyperfine >/dev/null || missing+=(hyperfine)
"$py" -c 'import xapian' 2>/dev/null || missing+=(python3-xapian)
command -v quest >/dev/null || missing+=(xapian-tools)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
[ -x /usr/bin/time ] || missing+=(time)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "== apt-get install -y ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
    echo "Debian packages: installed (ripgrep hyperfine python3-xapian xapian-tools sqlite3 time)"
fi

# Checks
"$py" benches/peers/sqlite_fts5.py check
"$py" -c 'import xapian' || { echo "setup.sh: $py cannot import xapian" >&2; exit 1; }
sqlite3 :memory: 'CREATE VIRTUAL TABLE t USING fts5(a);' \
    || { echo "setup.sh: the sqlite3 CLI has no FTS5" >&2; exit 1; }

echo "== versions"
bash benches/peers/versions.sh
