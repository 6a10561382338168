/**
 * Kafka's own producer benchmark, `org.apache.kafka.tools.ProducerPerformance`, from the fetched
 * broker jars (kafka-tools), run as a child JVM on the same telemetry lines (--payload-file).
 */
import { spawn } from 'node:child_process';
import { ExoArmurError } from '../../processor/errors.js';
import { fetchBroker } from '../broker/broker.js';

export interface ProducerPerfResult {
  records: number;
  recordsPerSecond: number;
  mbPerSecond: number;
  avgLatencyMs: number;
  command: string;
}

/** The final summary line: "N records sent, R records/sec (M MB/sec), A ms avg latency, …". */
export function parseProducerPerfSummary(output: string): Omit<ProducerPerfResult, 'command'> | undefined {
  const lines = output.split('\n').filter((line) => /records sent,/.test(line));
  const last = lines.at(-1);
  const match = last === undefined ? null : /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency/.exec(last);
  if (match === null) return undefined;
  return { records: Number(match[1]), recordsPerSecond: Math.round(Number(match[2])), mbPerSecond: Number(match[3]), avgLatencyMs: Number(match[4]) };
}

export async function runProducerPerformance(options: { brokers: string; topic: string; records: number; payloadFile: string }): Promise<ProducerPerfResult> {
  const { libsDir } = await fetchBroker();
  const args = [
    '-Xmx512m',
    '-cp',
    `${libsDir}/*`,
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic',
    options.topic,
    '--num-records',
    String(options.records),
    '--throughput',
    '-1',
    '--payload-file',
    options.payloadFile,
    '--producer-props',
    `bootstrap.servers=${options.brokers}`,
    'acks=all',
    'linger.ms=5',
    'batch.size=262144',
  ];
  const command = `java ${args.map((a) => (a.includes('*') ? `'${a}'` : a)).join(' ')}`;
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(text) : reject(new ExoArmurError('PRODUCER_PERF_FAILED', `ProducerPerformance exited ${code}: ${text.trim().split('\n').slice(-3).join(' | ')}`)),
    );
  });
  const summary = parseProducerPerfSummary(output);
  if (summary === undefined)
    throw new ExoArmurError('PRODUCER_PERF_UNPARSEABLE', `no summary line in ProducerPerformance output: ${output.trim().split('\n').slice(-3).join(' | ')}`);
  return { ...summary, command };
}
