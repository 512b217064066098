#!/usr/bin/env bash
# The package as a user gets it. Builds and packs it, lints the tarball (publint, arethetypeswrong:
# every resolution mode), installs it with its peers into a fresh copy of test/consumer, and there
# type-checks strictly, without skipLibCheck, under moduleResolution NodeNext and Bundler: the
# consumer's own code, a wrong tag type that must not compile, and every ts/tsx block of README.md.
# Then imports each entry under Node and checks that require() explains "ESM only". Before packing,
# checks that every type the entries expose is itself exported (scripts/publicTypes.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== package: build and pack"
npm run build --silent >/dev/null
tarball="$work/$(npm pack --json --pack-destination "$work" 2>/dev/null | node -e 'console.log(JSON.parse(require("fs").readFileSync(0, "utf8"))[0].filename)')"

echo "== package: every type reachable from an entry is exported by name"
node --import tsx scripts/publicTypes.ts dist/types

echo "== package: publint"
npm run --silent publint -- "$tarball"
echo "== package: arethetypeswrong"
npm run --silent attw -- "$tarball"

echo "== package: install into a consumer project"
consumer="$work/consumer"
cp -r test/consumer "$consumer"
# The versions the repository tests with, so the install is what CI already has in its cache.
v() { node -p "require('./node_modules/$1/package.json').version"; }
cat > "$consumer/package.json" <<JSON
{
  "private": true,
  "type": "module",
  "dependencies": {
    "rtk-supabase-realtime": "file:$tarball",
    "@supabase/supabase-js": "$(v @supabase/supabase-js)",
    "@reduxjs/toolkit": "$(v @reduxjs/toolkit)",
    "react": "$(v react)",
    "react-dom": "$(v react-dom)",
    "react-redux": "$(v react-redux)",
    "ws": "$(v ws)",
    "pg": "$(v pg)",
    "pg-logical-replication": "$(v pg-logical-replication)",
    "embedded-postgres": "$(v embedded-postgres)",
    "@types/node": "$(v @types/node)",
    "@types/react": "$(v @types/react)",
    "@types/react-dom": "$(v @types/react-dom)",
    "@types/pg": "$(v @types/pg)",
    "@types/ws": "$(v @types/ws)"
  }
}
JSON
(cd "$consumer" && npm install --no-audit --no-fund --prefer-offline --loglevel=error)

node --import tsx scripts/readmeBlocks.ts README.md "$consumer/app"
# skipLibCheck is off so that our shipped declarations are checked too. Errors inside other packages'
# declarations (supabase-js's auth-js against the current lib.dom) are not ours to fix: counted, not fatal.
typecheck() {
  local output ours
  output=$(node "$repo/node_modules/typescript/bin/tsc" -p "$1" --pretty false) && return 0
  ours=$(printf '%s\n' "$output" | grep -E '^[^ ].*: error TS' | grep -vE '/node_modules/' || true)
  ours+=$(printf '%s\n' "$output" | grep -E '^[^ ].*/node_modules/rtk-supabase-realtime/.*: error TS' || true)
  if [ -n "$ours" ]; then
    printf '%s\n' "$output"
    return 1
  fi
  echo "   (ignored: $(printf '%s\n' "$output" | grep -cE '^[^ ].*: error TS') error(s) inside other packages' declarations)"
}
for resolution in nodenext bundler; do
  echo "== package: consumer and README blocks type-check under $resolution"
  typecheck "$consumer/tsconfig.$resolution.json"
done

echo "== package: the entries import under Node"
(cd "$consumer" && node app/esmOnly.mjs)
