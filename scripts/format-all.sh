#!/usr/bin/env bash
# Applies the formatters to the whole tree, once, as a commit of its own that changes layout only:
# Prettier (.prettierrc.json, .prettierignore) over the tracked JS/TS/CSS/HTML/JSON and clang-format
# (.clang-format) over the tracked C++ — exactly `npm run format`. Run it on a clean checkout after
# every branch is merged, so that no branch in flight has to merge across a reformatted tree.
# Afterwards it records the commit in .git-blame-ignore-revs, so `git blame` looks through it.
#
#   scripts/format-all.sh             format, check, commit (two commits: the layout, the blame list)
#   scripts/format-all.sh --no-commit format and check only; leaves the changes in the work tree
set -euo pipefail
cd "$(dirname "$0")/.."
commit=1
[ "${1:-}" = "--no-commit" ] && commit=0

if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "format-all: the work tree has uncommitted changes; commit or stash them first" >&2
  exit 1
fi
# Layout depends on the formatter's version: use the lock file's Prettier and Debian bookworm's
# clang-format 14 (the one the config was tuned with), so the result is the same on every machine.
[ -x node_modules/.bin/prettier ] || { echo "format-all: run npm ci first" >&2; exit 1; }
command -v clang-format >/dev/null || { echo "format-all: clang-format is missing (apt-get install clang-format)" >&2; exit 1; }
cf_major=$(clang-format --version | sed -n 's/.*version \([0-9]*\).*/\1/p')
if [ "$cf_major" != 14 ]; then
  echo "format-all: clang-format $cf_major here; .clang-format was tuned with 14 (Debian bookworm) and other versions lay out differently" >&2
  exit 1
fi

echo "== formatting (npm run format)"
npm run --silent format
git diff --shortstat

echo "== check: formatting is now stable, and the linter still passes"
npm run --silent format:check
npm run --silent lint

if [ "$commit" -eq 0 ]; then
  echo "format-all: done, not committed (--no-commit)"
  exit 0
fi
if git diff --quiet; then
  echo "format-all: nothing to change"
  exit 0
fi
git commit -q -a -m "Format: apply Prettier and clang-format to the whole tree (layout only; npm run format)"
rev=$(git rev-parse HEAD)
{
  [ -f .git-blame-ignore-revs ] || printf '%s\n' "# Commits that change layout only; git blame skips them (git config blame.ignoreRevsFile .git-blame-ignore-revs)."
  printf '# %s\n%s\n' "Format: apply Prettier and clang-format to the whole tree" "$rev"
} >> .git-blame-ignore-revs
git add .git-blame-ignore-revs
git commit -q -m "Format: list the formatting commit in .git-blame-ignore-revs"
echo "format-all: committed $rev (layout) and $(git rev-parse --short HEAD) (.git-blame-ignore-revs)"
echo "Run the tests (./scripts/test.sh) before pushing."
