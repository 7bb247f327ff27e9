#!/usr/bin/env bash
# Makes sure a headless Chromium is there for the payment page's browser tests (Playwright drives
# the system's browser; `playwright install` downloads are not used). Installs Debian's chromium
# with apt-get when run as root, or says exactly what to do.
# Usage: scripts/ensure-browser.sh   (TEST_CHROMIUM=/path/to/chromium to use another binary)
set -euo pipefail

DEFAULT=/usr/bin/chromium
CHROMIUM=${TEST_CHROMIUM:-$DEFAULT}

say() { printf '[browser] %s\n' "$*" >&2; }

if [ -x "$CHROMIUM" ]; then
  say "Chromium is at $CHROMIUM"
  exit 0
fi

# apt-get can only provide the default path; a TEST_CHROMIUM elsewhere is the caller's to fix.
if [ "$CHROMIUM" = "$DEFAULT" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  say "installing chromium with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  if [ -x "$CHROMIUM" ]; then
    say "Chromium is at $CHROMIUM"
    exit 0
  fi
  say "apt-get installed chromium, but $CHROMIUM is still missing"
  exit 1
fi

say "Chromium is not at $CHROMIUM and cannot be installed from here."
say "Debian: sudo apt-get install chromium   (Ubuntu: a chromium .deb without snap, or Google Chrome)."
say "Elsewhere: install Chromium or Chrome and set TEST_CHROMIUM=/path/to/the/binary,"
say "or leave the end-to-end tests out: .venv/bin/pytest -m 'not e2e'."
exit 1
