#!/usr/bin/env bash
# Runs "$@" with KAFKA_BROKERS set. If KAFKA_BROKERS is already set, that broker is used and none is
# started; otherwise a fresh test broker (free port, new data dir) is started here and always
# stopped afterwards, and the command's exit code is preserved.
set -uo pipefail
cd "$(dirname "$0")/../.."
if [ -n "${KAFKA_BROKERS:-}" ]; then
  echo "with-test-broker: using KAFKA_BROKERS=$KAFKA_BROKERS (no broker started)" >&2
  exec "$@"
fi
cli=(node dist/tools/cli.js)
data_dir=".exoarmur/test-broker-$$"
rc=1
cleanup() {
  "${cli[@]}" broker stop --data-dir "$data_dir" --kill >/dev/null || true
  if [ "$rc" -eq 0 ]; then rm -rf "$data_dir"; else echo "with-test-broker: kept $data_dir (broker.log) for inspection" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
started=$("${cli[@]}" broker start --data-dir "$data_dir" --port 0) || exit 1
KAFKA_BROKERS=$(node -e 'process.stdout.write(JSON.parse(process.argv[1]).brokers)' "$started")
export KAFKA_BROKERS
echo "with-test-broker: started $started" >&2
"$@"
rc=$?
exit "$rc"
