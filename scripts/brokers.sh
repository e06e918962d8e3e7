#!/usr/bin/env bash
# Starts the message brokers the event source tests and the `sources` benchmark use (Redis 6379,
# RabbitMQ 5672, Mosquitto 1883, NATS JetStream 4222), installing their Debian packages first when
# missing (as root). A broker already listening is left alone. Called from .ci/run.
set -u
up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_for() {
  for _ in $(seq 1 120); do up "$1" && return 0; sleep 1; done
  echo "tally: $2 is not listening on $1" >&2
  return 1
}

missing=""
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
command -v rabbitmq-server >/dev/null 2>&1 || missing="$missing rabbitmq-server"
command -v mosquitto >/dev/null 2>&1 || missing="$missing mosquitto"
[ -x /usr/sbin/nats-server ] || missing="$missing nats-server"
if [ -n "$missing" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "tally: installing brokers:$missing" >&2
  apt-get install -y -qq $missing >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq $missing >/dev/null; }
fi

up 6379 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
up 5672 || rabbitmq-server -detached
up 1883 || mosquitto -d -c /etc/mosquitto/mosquitto.conf
up 4222 || start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server

status=0
wait_for 6379 Redis || status=1
wait_for 5672 RabbitMQ || status=1
wait_for 1883 Mosquitto || status=1
wait_for 4222 NATS || status=1
exit $status
