#!/usr/bin/env bash
# Install Chromium (Debian's package) for the browser tests of the HTML report when
# /usr/bin/chromium is missing. Debian/Ubuntu only; elsewhere, install Chromium yourself
# and point TOUCHCREDIT_CHROMIUM at it. Playwright drives it; never `playwright install`.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium.sh: no /usr/bin/chromium and no apt-get; install Chromium for the browser tests" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
