#!/usr/bin/env bash
# The steps of the rolloutplan GitHub Action (action.yml), as a script the tests run locally.
# Inputs come as environment variables: INPUT_PATHS (default .), INPUT_BASE (a git revision;
# empty: no comparison), INPUT_ARGS (extra options), ACTION_PATH (where the action lives).
# Findings become annotations on the pull request; the markdown report goes to the job summary.
set -euo pipefail

if [ "${ROLLOUTPLAN_SKIP_INSTALL:-}" != 1 ]; then
  python3 -m pip install --quiet --disable-pip-version-check "${ACTION_PATH:?ACTION_PATH is not set}"
fi

args=(check --format markdown --output "${GITHUB_STEP_SUMMARY:-/dev/null}" --format github)
if [ -n "${INPUT_BASE:-}" ]; then
  args+=(--base "$INPUT_BASE")
fi
# shellcheck disable=SC2206  # INPUT_ARGS and INPUT_PATHS are word lists on purpose
args+=(${INPUT_ARGS:-} ${INPUT_PATHS:-.})
exec rolloutplan "${args[@]}"
