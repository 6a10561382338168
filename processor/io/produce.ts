/**
 * Plain (non-transactional) producers: sensors' injections, operator actions, the config snapshot,
 * the harness's deliveries. One ordered, acks=all producer shape; every record names its
 * partition or is keyed, and topics are never created by a send.
 */
import kafkajs, { type Kafka, type Producer } from 'kafkajs';

const { Partitioners } = kafkajs;

export interface PlainProducerOptions {
  /** Idempotent sends: a retried request never lands twice (exactly the deliveries counted). */
  idempotent?: boolean;
}

export function createPlainProducer(kafka: Kafka, options: PlainProducerOptions = {}): Producer {
  return kafka.producer({
    maxInFlightRequests: 1,
    idempotent: options.idempotent ?? false,
    allowAutoTopicCreation: false,
    // Keyed records go where the default partitioner puts them (the processor's co-partitioning relies on it).
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

/**
 * The partition the producer above gives each record of one send, in order: the same default
 * partitioner, fresh per send as the producer's is per batch (unkeyed records round-robin).
 */
export function sendPartitioner(topic: string, partitionIds: readonly number[]): (key: string | null, value: string) => number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = partitionIds.map((partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  return (key, value) => partitioner({ topic, partitionMetadata, message: { key, value } });
}
