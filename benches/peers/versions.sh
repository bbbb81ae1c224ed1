#!/usr/bin/env bash
# Prints "name<TAB>version" for each tool of the peer benchmarks that is installed
# (byline's build, tantivy-cli, SQLite, Xapian, ripgrep, hyperfine, GNU time, Python).
#   bash benches/peers/versions.sh [BYLINE_BIN_DIR]     (default target/release)
# Used by benches/peers/setup.sh (to show them) and benches/peers.sh (into peers.json).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

bin=${1:-target/release}
py=${PY:-/usr/bin/python3}
tantivy=target/peers/bin/tantivy

line() { printf '%s\t%s\n' "$1" "$2"; }
# The version word of a tool's first --version line ("ripgrep 13.0.0 (rev ...)" -> 13.0.0).
word() { head -n 1 | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^v?[0-9]+\.[0-9]/) { print $i; exit } }'; }

line rustc "$(rustc --version 2>/dev/null | cut -d' ' -f2- || echo missing)"
if [ -x "$bin/byline" ]; then
    line byline "$("$bin/byline" --version | word) ($(git rev-parse --short HEAD 2>/dev/null || echo '?')$(
        [ -n "$(git status --porcelain 2>/dev/null | head -n 1)" ] && echo ', uncommitted changes'), $bin)"
    line byline-tantivy "$(awk '/^name = "tantivy"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)"
fi
if [ -x "$tantivy" ]; then
    line tantivy-cli "$("$tantivy" --version | word)"
    [ -f target/peers/tantivy-lib-version.txt ] && line tantivy-cli-tantivy "$(cat target/peers/tantivy-lib-version.txt)"
fi
if [ -x "$py" ]; then
    line python "$("$py" --version 2>&1 | word) ($py)"
    line sqlite-python "$("$py" -c 'import sqlite3; print(sqlite3.sqlite_version)')"
    line xapian-python "$("$py" -c 'import xapian; print(xapian.version_string())' 2>/dev/null || echo missing)"
fi
command -v sqlite3 >/dev/null && line sqlite3-cli "$(sqlite3 --version | cut -d' ' -f1)"
command -v quest >/dev/null && line xapian-tools "$(quest --version | word)"
command -v rg >/dev/null && line ripgrep "$(rg --version | word)"
command -v hyperfine >/dev/null && line hyperfine "$(hyperfine --version | word)"
[ -x /usr/bin/time ] && line gnu-time "$(dpkg-query -W -f '${Version}' time 2>/dev/null || echo '?')"
true
