#!/bin/sh
# Installs the language runtimes functions run on, from Debian (as root), when one is missing:
# Ruby, a JDK (javac builds Tally's Java runtime client) with Jackson, and umoci (unpacks container
# images). With --dev also Go, which the tests use to build a custom runtime, chromium, which the
# console's browser test drives, and the AWS CLI. Elsewhere it only says what is missing: functions of
# that runtime then fail to start and say why.
# Runs before `npm start` and `npm test`; does nothing when everything is there.
set -u
missing=""
need() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
need ruby ruby
need javac openjdk-17-jdk-headless
need umoci umoci
[ -f /usr/share/java/jackson-databind.jar ] || missing="$missing libjackson2-databind-java"
[ "${1:-}" = --dev ] && need go golang-go
# The console's end-to-end test drives Debian's chromium (never a downloaded browser).
[ "${1:-}" = --dev ] && need chromium chromium
# The AWS CLI tests use Debian's v2 (an older v1 found elsewhere on PATH lacks --cli-binary-format).
[ "${1:-}" = --dev ] && { [ -x /usr/bin/aws ] || missing="$missing awscli"; }
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "tally: installing function runtimes:$missing" >&2
  (apt-get install -y -qq $missing >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq $missing >/dev/null; }) \
    || echo "tally: could not install$missing; functions needing them will fail to start" >&2
else
  echo "tally: functions of some runtimes need:$missing (apt-get install -y$missing)" >&2
fi
exit 0
