#!/usr/bin/env bash
# The Docker engine ExoArmur's compose path runs on, one line per outcome.
#   engine.sh status   prints `DOCKER_HOST=<url>` when an engine answers (exit 0), else the reason and how to enable one (exit 1)
#   engine.sh start    reuses an engine that answers; else, as root with dockerd installed, starts one (loopback-only flags,
#                      no bridge, no iptables, image pulls sent to a closed loopback port so they fail at once) and prints
#                      `DOCKER_HOST=<url> STARTED_PID=<pid>`
#   engine.sh stop     stops the dockerd that `start` started (by the pid in its pidfile), never any other
# Its data root survives across clones so images built once are reused (override with EXOARMUR_DOCKER_DIR).
set -uo pipefail
dir=${EXOARMUR_DOCKER_DIR:-/var/cache/exoarmur/docker}
sock="$dir/run/docker.sock"
pidfile="$dir/run/dockerd.pid"
own_host="unix://$sock"
# Nothing listens on the discard port; the daemon's pulls go there and fail with "connection refused" at once.
closed_proxy=${EXOARMUR_DOCKER_CLOSED_PROXY:-http://127.0.0.1:9}

answers() { timeout 20 docker ${1:+-H "$1"} info >/dev/null 2>&1; }
enable_hint() { echo "as root: make deps (apt-get install docker.io docker-compose debootstrap), then make reality starts dockerd itself"; }

current_host() {
  if [ -n "${DOCKER_HOST:-}" ] && answers "$DOCKER_HOST"; then echo "$DOCKER_HOST"; return 0; fi
  if [ -S "$sock" ] && answers "$own_host"; then echo "$own_host"; return 0; fi
  if [ -z "${DOCKER_HOST:-}" ] && answers ""; then echo "${DOCKER_HOST:-unix:///var/run/docker.sock}"; return 0; fi
  return 1
}

our_pid() {
  local pid
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "dockerd.*--data-root $dir/root" && echo "$pid"
}

case "${1:-status}" in
  status)
    if ! command -v docker >/dev/null; then echo "no docker CLI on this machine; $(enable_hint)"; exit 1; fi
    if host=$(current_host); then echo "DOCKER_HOST=$host"; exit 0; fi
    echo "no Docker engine answers (docker info fails); $(enable_hint)"; exit 1 ;;
  start)
    if ! command -v docker >/dev/null; then echo "no docker CLI on this machine; $(enable_hint)"; exit 1; fi
    if host=$(current_host); then echo "DOCKER_HOST=$host"; exit 0; fi
    if [ "$(id -u)" -ne 0 ]; then echo "no Docker engine answers and only root can start one; $(enable_hint)"; exit 1; fi
    if ! command -v dockerd >/dev/null; then echo "no Docker engine answers and dockerd is not installed; $(enable_hint)"; exit 1; fi
    mkdir -p "$dir/root" "$dir/run" "$dir/exec"
    # A pidfile left by a killed dockerd would make the new one refuse to start.
    if ! our_pid >/dev/null; then rm -f "$pidfile"; fi
    HTTP_PROXY=$closed_proxy HTTPS_PROXY=$closed_proxy NO_PROXY= \
      setsid dockerd --data-root "$dir/root" --exec-root "$dir/exec" --pidfile "$pidfile" -H "$own_host" \
      --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
      </dev/null >>"$dir/dockerd.log" 2>&1 &
    started=$!
    for _ in $(seq 1 120); do
      if answers "$own_host"; then echo "DOCKER_HOST=$own_host STARTED_PID=$started"; exit 0; fi
      if ! kill -0 "$started" 2>/dev/null; then echo "dockerd exited during start-up: $(tail -n 1 "$dir/dockerd.log")"; exit 1; fi
      sleep 0.5
    done
    kill -TERM "$started" 2>/dev/null
    echo "dockerd did not answer within 60 s: read $dir/dockerd.log"; exit 1 ;;
  stop)
    pid=$(our_pid) || { echo "no dockerd started by engine.sh runs on $dir"; exit 0; }
    kill -TERM "$pid"
    for _ in $(seq 1 120); do
      if ! kill -0 "$pid" 2>/dev/null; then echo "dockerd $pid stopped"; exit 0; fi
      sleep 0.5
    done
    kill -KILL "$pid"; echo "dockerd $pid did not stop within 60 s after SIGTERM: killed"; exit 0 ;;
  *) echo "usage: engine.sh status|start|stop"; exit 2 ;;
esac
