#!/usr/bin/env bash
# Install a Java runtime (17+) for the Spark tests when none is on the PATH.
# Debian/Ubuntu only; elsewhere, install Java 17 yourself and set JAVA_HOME.
set -euo pipefail
if command -v java >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-java.sh: no 'java' on PATH and no apt-get; install Java 17 for the Spark tests" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq openjdk-17-jre-headless >/dev/null
java -version
