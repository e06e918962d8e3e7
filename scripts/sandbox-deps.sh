#!/bin/sh
# Installs what the function sandbox is built from when a tool is missing (Debian/Ubuntu, as root).
# Elsewhere it only says what is missing: the executor then refuses to start and names it again.
# Runs before `npm start` and `npm test`; does nothing when everything is there.
set -u
missing=""
for pair in bwrap:bubblewrap pasta:passt nsenter:util-linux prlimit:util-linux \
            ip:iproute2 mkfs.ext4:e2fsprogs mount:mount umount:mount cc:gcc; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "${pair%%:*}" >/dev/null 2>&1 || missing="$missing ${pair#*:}"
done
# The privilege drop (executor/native/drop.c) is linked statically: it needs the static C library.
if ! command -v cc >/dev/null 2>&1 || [ "$(cc -print-file-name=libc.a)" = libc.a ]; then missing="$missing libc6-dev"; fi
[ -z "$missing" ] && exit 0
packages=$(echo $missing | tr ' ' '\n' | sort -u | tr '\n' ' ')
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && [ "${TALLY_SANDBOX:-on}" != off ]; then
  echo "tally: installing the function sandbox's tools: $packages" >&2
  (apt-get install -y -qq $packages >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq $packages >/dev/null; }) \
    || echo "tally: could not install $packages; the executor will refuse to start" >&2
else
  echo "tally: the function sandbox needs: $packages (apt-get install -y $packages)" >&2
fi
exit 0
