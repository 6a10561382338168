/**
 * The published config snapshots (ConfigSnapshotV1 on the config topic, one per processor start), in
 * topic order. A record that does not decode as a snapshot is passed over: the topic is the
 * processor's, and what it holds is judged by the bundle's checks, not by this reader.
 */
import type { Kafka } from '../../processor/io/client.js';
import { decodeRecord } from '../../processor/codec/index.js';
import type { ConfigSnapshotV1 } from '../../processor/core/types.js';
import { readTopic } from '../../processor/io/read.js';

export async function readConfigSnapshots(kafka: Kafka, configTopic: string, purpose: string): Promise<ConfigSnapshotV1[]> {
  const snapshots: ConfigSnapshotV1[] = [];
  await readTopic(kafka, {
    topic: configTopic,
    purpose,
    onRecord: ({ message }) => {
      const decoded = decodeRecord('config', message.value, message.headers);
      if (decoded.ok) snapshots.push(decoded.value as ConfigSnapshotV1);
    },
  });
  return snapshots;
}
