#!/bin/sh
# Regenerate the README's scenario reference from the engine's schema tables
# (`bookval help scenario`); tests/e2e/test_cli.py fails while the two differ.
set -eu
cd "$(dirname "$0")/.."
BOOKVAL=${1:-build/bookval}
ref=$(mktemp)
"$BOOKVAL" help scenario > "$ref"
awk -v ref="$ref" '
  /<!-- reference:begin/ { print; while ((getline line < ref) > 0) print line; skip = 1; next }
  /<!-- reference:end/ { skip = 0 }
  !skip { print }
' README.md > README.md.new
mv README.md.new README.md
rm -f "$ref"
