#!/usr/bin/env bash
# Install the PostgreSQL server binaries (initdb, pg_ctl, psql) for the warehouse tests
# when they are missing. The tests start their own throwaway cluster on a Unix socket
# (tests/warehouse/pgcluster.py); nothing here starts a server.
# Debian/Ubuntu only; elsewhere, install PostgreSQL yourself (the tests then find pg_ctl on PATH).
set -euo pipefail
for bin in /usr/lib/postgresql/*/bin; do
  if [ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ] && [ -x "$bin/psql" ]; then
    exit 0
  fi
done
if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && command -v psql >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-postgres.sh: no PostgreSQL binaries and no apt-get; install PostgreSQL for the warehouse tests" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
ls /usr/lib/postgresql/*/bin/initdb
