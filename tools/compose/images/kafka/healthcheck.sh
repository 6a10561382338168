#!/bin/bash
# Healthy once the broker serves requests: an ApiVersions v0 request on its Kafka port (127.0.0.1:$KAFKA_PORT)
# answered with correlation id 1 and error code 0. Plain bash, no JVM: a check that starts in milliseconds on a
# loaded machine, where a JVM-based admin tool can take longer than the check's timeout.
set -euo pipefail
exec 3<>"/dev/tcp/127.0.0.1/${KAFKA_PORT}"
# size 12 | api_key 18 (ApiVersions) | api_version 0 | correlation_id 1 | client_id "hc"
printf '\x00\x00\x00\x0c\x00\x12\x00\x00\x00\x00\x00\x01\x00\x02hc' >&3
reply=$(timeout 5 head -c 10 <&3 | od -An -tx1 | tr -d ' \n')
# Skip the 4-byte size: correlation id 00000001, then error code 0000.
[ "${reply:8:12}" = "000000010000" ]
