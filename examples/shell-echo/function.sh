# The handler of the shell-echo example: prints its answer (JSON) on stdout; stderr goes to the log.
handler () {
  EVENT_DATA=$1
  echo "event received: $EVENT_DATA" 1>&2
  printf '{"echo":%s,"shell":"%s"}' "$EVENT_DATA" "$(uname -s)"
}
