#!/usr/bin/env bash
# Runs a command with DOCKER_HOST set to an engine that answers: one already running, or one engine.sh starts
# (as root) and stops again afterwards, whatever the command's outcome. Exits 1 with one line when no engine can run.
set -uo pipefail
here=$(dirname "$0")
line=$("$here/engine.sh" start) || { echo "no Docker engine: $line"; exit 1; }
export DOCKER_HOST=${line#DOCKER_HOST=}
DOCKER_HOST=${DOCKER_HOST%% *}
started=no
case "$line" in *STARTED_PID=*) started=yes ;; esac
"$@"
code=$?
if [ "$started" = yes ]; then "$here/engine.sh" stop >&2; fi
exit "$code"
