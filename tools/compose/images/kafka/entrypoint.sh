#!/bin/bash
# Formats the KRaft storage on first start (the volume keeps it across restarts), then runs the broker in the
# foreground on 127.0.0.1:$KAFKA_PORT (controller on $KAFKA_CONTROLLER_PORT), logging to stdout.
# KAFKA_SECURE_DIR (the secure profile, docker-compose.airgap.secure.yml): a mounted directory made on the host by
# tools/compose/secure.ts, holding the secure server.properties template (SASL_SSL, SCRAM-SHA-512, the
# StandardAuthorizer), the key and trust stores it names, and scram.args, the SCRAM users the storage is formatted with.
set -euo pipefail
: "${KAFKA_PORT:?KAFKA_PORT (the Kafka API port on 127.0.0.1) is required}"
: "${KAFKA_CONTROLLER_PORT:?KAFKA_CONTROLLER_PORT (the KRaft controller port on 127.0.0.1) is required}"
# The rendered properties hold the secure profile's store and JAAS passwords: readable by the kafka user only.
umask 077
data=/var/lib/kafka
props="$data/server.properties"
template=/opt/kafka/server.properties.template
scram=()
if [ -n "${KAFKA_SECURE_DIR:-}" ]; then
  template="$KAFKA_SECURE_DIR/server.properties.template"
  mapfile -t scram <"$KAFKA_SECURE_DIR/scram.args"
fi
sed -e "s/@PORT@/$KAFKA_PORT/g" -e "s/@CONTROLLER_PORT@/$KAFKA_CONTROLLER_PORT/g" -e "s#@LOG_DIRS@#$data/kraft#g" "$template" >"$props"
classpath='/opt/kafka/libs/*'
log4j="-Dlog4j2.configurationFile=/opt/kafka/log4j2.yaml"
if [ ! -f "$data/kraft/meta.properties" ]; then
  # A random cluster id as Kafka's Uuid prints it (16 random bytes, URL-safe base64, unpadded, never a leading '-'),
  # made here rather than by a second JVM (`StorageTool random-uuid`), which costs seconds on a loaded machine.
  cluster_id=-
  while [ "${cluster_id:0:1}" = - ]; do cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '='); done
  java -cp "$classpath" "$log4j" kafka.tools.StorageTool format -t "$cluster_id" -c "$props" "${scram[@]}"
fi
read -r -a jvm_flags </opt/kafka/jvm.flags
exec java "${jvm_flags[@]}" -cp "$classpath" "$log4j" kafka.Kafka "$props"
