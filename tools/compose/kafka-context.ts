/**
 * The Kafka image's configuration, rendered from the embedded broker's own (tools/broker/config.ts) so the
 * compose broker and the embedded one run the same properties. Ports and the log dir are left as placeholders
 * the image's entrypoint fills from its environment. Run by tools/compose/images.sh:
 * `node dist/tools/compose/kafka-context.js <dir>` writes server.properties.template, log4j2.yaml, jvm.flags.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JVM_FLAGS, log4jConfig, serverProperties } from '../broker/config.js';

/** Sentinel values no real setting contains: each is replaced by its placeholder, and must occur. */
export const SENTINELS = { port: 59_092, controllerPort: 59_093, logDirs: '/exoarmur-log-dirs-sentinel' };

/**
 * The broker's server.properties with ports and log dir as placeholders; `overrides` replace or add lines as
 * they do for the embedded broker (the secure profile's listeners, SASL, TLS and authorizer: tools/compose/secure.ts).
 */
export function serverPropertiesTemplate(overrides: Record<string, string | number> = {}): string {
  const rendered = serverProperties({ port: SENTINELS.port, controllerPort: SENTINELS.controllerPort, logDirs: SENTINELS.logDirs, logFile: '', overrides });
  const replacements: Array<[string, string]> = [
    [`127.0.0.1:${SENTINELS.port}`, '127.0.0.1:@PORT@'],
    [`127.0.0.1:${SENTINELS.controllerPort}`, '127.0.0.1:@CONTROLLER_PORT@'],
    [SENTINELS.logDirs, '@LOG_DIRS@'],
  ];
  let template = rendered;
  for (const [from, to] of replacements) {
    if (!template.includes(from)) throw new Error(`the broker properties no longer contain ${from}: update tools/compose/kafka-context.ts`);
    template = template.split(from).join(to);
  }
  return template;
}

function main(dir: string | undefined): void {
  if (dir === undefined) {
    process.stderr.write('usage: node dist/tools/compose/kafka-context.js <dir>\n');
    process.exitCode = 2;
    return;
  }
  writeFileSync(join(dir, 'server.properties.template'), serverPropertiesTemplate());
  // The broker logs to stdout inside the container, so `docker logs` (and the bundle) hold it.
  writeFileSync(join(dir, 'log4j2.yaml'), log4jConfig({ kind: 'stdout' }));
  writeFileSync(join(dir, 'jvm.flags'), `${JVM_FLAGS.join(' ')}\n`);
}

if (process.argv[1]?.endsWith('kafka-context.js')) main(process.argv[2]);
