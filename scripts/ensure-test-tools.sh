#!/usr/bin/env bash
# Programs the test suite drives besides Python packages: Debian's Chromium for the browser tests
# (a browser download by the test tool does not work here), redis-server, which the process-fault
# tests start and restart privately, npm for the front-end packages (Chart.js, axe-core) and gettext's
# msgfmt, against which the committed translation catalogues are checked.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} for the tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "The tests need ${missing[*]}: run 'sudo apt-get install ${missing[*]}'." >&2
  exit 1
fi
