/** The KRaft single-node broker configuration and the log4j2 config that sends its log to a file. */

export interface BrokerConfigInput {
  port: number;
  controllerPort: number;
  logDirs: string;
  logFile: string;
  /** KRaft node id and controller voters; a single node is node 1, its own only voter. */
  nodeId?: number;
  voters?: string;
  /** Lines that replace or add to the plaintext ones (secure mode's listeners, SASL, TLS, authorizer). */
  overrides?: Record<string, string | number>;
}

// Single node, loopback only, replication factor 1 everywhere: a development and test broker that
// still persists to disk and supports transactions and consumer groups like a production one.
export function serverProperties(input: BrokerConfigInput): string {
  const lines: Record<string, string | number> = {
    'process.roles': 'broker,controller',
    'node.id': input.nodeId ?? 1,
    'controller.quorum.voters': input.voters ?? `1@127.0.0.1:${input.controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${input.port},CONTROLLER://127.0.0.1:${input.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${input.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': input.logDirs,
    'num.partitions': 1,
    'default.replication.factor': 1,
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    'auto.create.topics.enable': 'false',
    // After kill -9 the restarted controller still holds the dead incarnation's registration and
    // refuses the new one until that session expires (default 9 s); heartbeats are in-process here.
    'broker.session.timeout.ms': 3000,
    'broker.heartbeat.interval.ms': 750,
    ...input.overrides,
  };
  return `${Object.entries(lines)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`;
}

/**
 * Where the broker's log goes: a file for the embedded broker, stdout inside the compose container
 * (so `docker logs`, and the bundle, hold it).
 */
export type BrokerLogAppender = { kind: 'file'; fileName: string } | { kind: 'stdout' };

/** The broker's log4j2 YAML: one appender, the broker's own level and pattern, Kafka's request log quiet. */
export function log4jConfig(appender: BrokerLogAppender): string {
  const [name, appenderLines] =
    appender.kind === 'file'
      ? ['BrokerLog', ['    File:', '      name: BrokerLog', `      fileName: ${JSON.stringify(appender.fileName)}`]]
      : ['Stdout', ['    Console:', '      name: Stdout', '      target: SYSTEM_OUT']];
  return [
    'Configuration:',
    '  Appenders:',
    ...appenderLines,
    '      PatternLayout:',
    '        pattern: "[%d] %p %m (%c)%n"',
    '  Loggers:',
    '    Root:',
    '      level: INFO',
    '      AppenderRef:',
    `        - ref: ${name}`,
    '    Logger:',
    '      - name: kafka.request.logger',
    '        level: WARN',
    '',
  ].join('\n');
}

/** JVM flags: a modest heap on a shared 2-core machine, and quick start-up. */
export const JVM_FLAGS = ['-Xms256m', '-Xmx1g', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true'];

/** A cluster node's JVM: three of them share the machine with the processors, so each gets a small heap. */
export const CLUSTER_JVM_FLAGS = ['-Xms128m', '-Xmx384m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true'];

/**
 * What makes the cluster a replicated one (issue 18): every topic and internal log on all three
 * nodes, a write acknowledged only once two replicas hold it, and no out-of-sync replica ever
 * elected leader (that would lose acknowledged writes). Internal logs get 10 partitions instead of
 * 50: three replicas of each on one small machine.
 */
export function clusterReplicationProperties(nodes: number): Record<string, string | number> {
  const minIsr = Math.min(2, nodes);
  return {
    'default.replication.factor': nodes,
    'min.insync.replicas': minIsr,
    'unclean.leader.election.enable': 'false',
    'offsets.topic.replication.factor': nodes,
    'offsets.topic.num.partitions': 10,
    'transaction.state.log.replication.factor': nodes,
    'transaction.state.log.min.isr': minIsr,
    'transaction.state.log.num.partitions': 10,
    'share.coordinator.state.topic.replication.factor': nodes,
    'share.coordinator.state.topic.min.isr': minIsr,
  };
}
