#!/bin/bash
# Healthy once the broker serves requests: an ApiVersions v0 request on its Kafka port (127.0.0.1:$KAFKA_PORT)
# answered with correlation id 1 and error code 0. Plain bash, no JVM: a check that starts in milliseconds on a
# loaded machine, where a JVM-based admin tool can take longer than the check's timeout. On the secure profile
# (KAFKA_SECURE_DIR) the port speaks TLS: the same request goes through `openssl s_client`, verifying the broker's
# certificate; Kafka answers ApiVersions before SASL authentication, so no password is needed.
set -euo pipefail
# size 12 | api_key 18 (ApiVersions) | api_version 0 | correlation_id 1 | client_id "hc"
request='\x00\x00\x00\x0c\x00\x12\x00\x00\x00\x00\x00\x01\x00\x02hc'
if [ -n "${KAFKA_SECURE_DIR:-}" ]; then
  # -no_ign_eof after -quiet: s_client ends once its input does, a second after the request.
  reply=$({ printf "$request"; sleep 1; } | timeout 5 openssl s_client -quiet -no_ign_eof -verify_return_error \
    -CAfile "$KAFKA_SECURE_DIR/ca.pem" -verify_ip 127.0.0.1 -connect "127.0.0.1:${KAFKA_PORT}" 2>/dev/null | head -c 10 | od -An -tx1 | tr -d ' \n')
else
  exec 3<>"/dev/tcp/127.0.0.1/${KAFKA_PORT}"
  printf "$request" >&3
  reply=$(timeout 5 head -c 10 <&3 | od -An -tx1 | tr -d ' \n')
fi
# Skip the 4-byte size: correlation id 00000001, then error code 0000.
[ "${reply:8:12}" = "000000010000" ]
