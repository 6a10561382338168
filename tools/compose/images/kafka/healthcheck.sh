#!/bin/bash
# Healthy once the broker answers an ApiVersions request on its Kafka port (Kafka's own admin tool).
set -euo pipefail
exec java -Xmx64m -XX:TieredStopAtLevel=1 -cp '/opt/kafka/libs/*' -Dlog4j2.configurationFile=/opt/kafka/log4j2.yaml \
  org.apache.kafka.tools.BrokerApiVersionsCommand --bootstrap-server "127.0.0.1:${KAFKA_PORT}" >/dev/null
