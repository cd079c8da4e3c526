#!/usr/bin/env bash
# Rebuild GraphiQL (web/graphiql, npm's graphiql package at the versions of its package-lock.json)
# into server/static/graphiql, the package data the server serves in dev mode (api.md §7.5).
#
#   scripts/build_graphiql.sh          rebuild the shipped files (commit what changes)
#   scripts/build_graphiql.sh --check  build into a temporary directory and fail if it differs
#                                      from the shipped files (the build is deterministic)
#
# Needs Node.js >= 20.19 and npm with the npm registry; `pip install` of salesgraph needs neither.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shipped="$root/server/static/graphiql"
cd "$root/web/graphiql"

check=false
case "${1:-}" in
  "") ;;
  --check) check=true ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

npm ci --no-audit --no-fund --loglevel=error

if ! $check; then
  npx --no-install vite build --logLevel warn
  echo "built GraphiQL into ${shipped#"$root"/}"
  exit 0
fi

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
npx --no-install vite build --logLevel warn --outDir "$out" --emptyOutDir
if diff -r "$shipped" "$out" >/dev/null; then
  echo "server/static/graphiql is what web/graphiql builds"
else
  diff -rq "$shipped" "$out" >&2 || true
  echo "server/static/graphiql differs from a fresh build: run scripts/build_graphiql.sh and commit" >&2
  exit 1
fi
