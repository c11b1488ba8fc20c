#!/usr/bin/env bash
# The scan step of action.yml (a file of its own so that tests/test_ci_formats.py runs it).
# Inputs come as environment variables, never pasted into the script: XBORDER_PATH, XBORDER_HOME
# (comma-separated), XBORDER_BASELINE, XBORDER_ARGS (shell words, split by Python's shlex, never
# evaluated), XBORDER_SARIF (the SARIF file to write). Writes the SARIF file, appends the markdown
# report to $GITHUB_STEP_SUMMARY, and sets the output exit-code to the exit code of `xborder scan`
# (0 clean, 1 findings, 2 error); it always exits 0 itself, so that the upload step runs, and
# action.yml's last step exits with that code.
set -u
options=()
IFS=',' read -r -a homes <<< "${XBORDER_HOME:-}"
for home in "${homes[@]}"; do
  home="${home// /}"
  if [ -n "$home" ]; then options+=(--home "$home"); fi
done
if [ -n "${XBORDER_BASELINE:-}" ]; then options+=(--baseline "$XBORDER_BASELINE"); fi
extra=()
if [ -n "${XBORDER_ARGS:-}" ]; then
  mapfile -t extra < <(python -c 'import os, shlex; print("\n".join(shlex.split(os.environ["XBORDER_ARGS"])))')
fi
path="${XBORDER_PATH:-.}"
sarif="${XBORDER_SARIF:-xborder.sarif}"

xborder scan "$path" "${options[@]}" "${extra[@]}" --format sarif --output "$sarif"
code=$?
echo "exit-code=$code" >> "${GITHUB_OUTPUT:-/dev/null}"
# The same scan as markdown for the job's summary page (the summary cache makes it quick).
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  xborder scan "$path" "${options[@]}" "${extra[@]}" --format markdown --exit-zero >> "$GITHUB_STEP_SUMMARY" \
    || echo "xborder: the markdown summary could not be written" >&2
fi
exit 0
