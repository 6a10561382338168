#!/usr/bin/env bash
# Checks the prerequisites of `make test` / `make reality`, one line each. As root, installs what
# Debian can provide (Java, Maven, kcat, docker-compose, chromium, and the Docker engine with debootstrap
# for the air-gapped images); Node itself must come from the machine.
set -uo pipefail
missing=0
apt_updated=0
is_root() { [ "$(id -u)" -eq 0 ]; }
apt_install() {
  if ! is_root || ! command -v apt-get >/dev/null; then return 1; fi
  if [ "$apt_updated" -eq 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

node_version=$(node -p 'process.versions.node' 2>/dev/null || echo 0)
if node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' 2>/dev/null; then
  echo "deps: node $node_version ok"
else
  echo "deps: node >= 20.19 required (found $node_version): install Node 20.19+ and put it first on PATH"; missing=1
fi

java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\)\(\.\([0-9]*\)\)\?.*/\1 \3/p' | awk '{print ($1==1)?$2:$1}'; }
if ! command -v java >/dev/null; then apt_install openjdk-17-jdk-headless || true; fi
if command -v java >/dev/null && [ "$(java_major)" -ge 17 ]; then
  echo "deps: java $(java_major) ok"
else
  echo "deps: java >= 17 required: apt-get install openjdk-17-jdk-headless (as root, make deps does it)"; missing=1
fi

if ! command -v mvn >/dev/null; then apt_install maven || true; fi
if command -v mvn >/dev/null; then echo "deps: maven ok"; else echo "deps: maven required: apt-get install maven (as root, make deps does it)"; missing=1; fi

if ! command -v kcat >/dev/null; then apt_install kcat || true; fi
if command -v kcat >/dev/null; then echo "deps: kcat ok"; else echo "deps: kcat required by the interop test: apt-get install kcat (as root, make deps does it)"; missing=1; fi

if ! command -v docker-compose >/dev/null; then apt_install docker-compose || true; fi
if command -v docker-compose >/dev/null; then echo "deps: docker-compose ok"; else echo "deps: docker-compose required to validate docker-compose.yml: apt-get install docker-compose (as root, make deps does it)"; missing=1; fi

# The Docker engine proves gate 4 (docker-compose). Optional: without one, gate 4 is UNPROVEN and says how to enable it.
if is_root; then
  if ! command -v dockerd >/dev/null; then apt_install docker.io || true; fi
  if ! command -v debootstrap >/dev/null; then apt_install debootstrap || true; fi
fi
if engine=$(tools/compose/engine.sh status); then
  echo "deps: docker engine ok (${engine})"
elif is_root && command -v dockerd >/dev/null && command -v debootstrap >/dev/null; then
  echo "deps: docker engine installed, not running: make reality starts one with loopback-only flags and stops it (by hand: make engine-up / make engine-down)"
else
  echo "deps: docker engine: ${engine} (optional: without it gate 4 is UNPROVEN)"
fi

if ! command -v chromium >/dev/null; then apt_install chromium || true; fi
if command -v chromium >/dev/null; then echo "deps: chromium ok"; else echo "deps: chromium required by the evidence-viewer browser test: apt-get install chromium (as root, make deps does it)"; missing=1; fi

exit "$missing"
