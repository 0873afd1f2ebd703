#!/usr/bin/env bash
# Runs every test file: unit tests beside the code (src/**/*.test.ts) and integration tests (test/**/*.test.ts).
# Node 20's test runner does not expand globs, so the files are listed here.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find src test -name '*.test.ts' | sort)
exec node --import tsx --test --test-concurrency=2 "${files[@]}"
