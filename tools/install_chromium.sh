#!/usr/bin/env bash
# Headless Chromium for the HTML report tests (tests/fleet/test_html_report.py): Debian's
# package, installed when no Chromium is on PATH (or named by RECONCILER_CHROMIUM).
# `make unit` (so `make test` and .ci/run) runs this first; a machine without apt-get
# gets a message here and a failing test, never a skipped one.
set -euo pipefail
if [ -n "${RECONCILER_CHROMIUM:-}" ] || command -v chromium >/dev/null 2>&1 \
  || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install_chromium: no Chromium and no apt-get; install Chromium (or set RECONCILER_CHROMIUM)" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
echo "install_chromium: installing Debian's chromium for the HTML report tests" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
