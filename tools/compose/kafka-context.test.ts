/** The Kafka image's properties are the embedded broker's, with only the ports and log dir left to the container. */
import test from 'ava';
import { log4jConfig, serverProperties } from '../broker/config.js';
import { serverPropertiesTemplate } from './kafka-context.js';

test("the template filled with ports and a log dir is exactly the embedded broker's properties", (t) => {
  const template = serverPropertiesTemplate();
  t.regex(template, /^listeners=PLAINTEXT:\/\/127\.0\.0\.1:@PORT@,CONTROLLER:\/\/127\.0\.0\.1:@CONTROLLER_PORT@$/m);
  t.regex(template, /^controller\.quorum\.voters=1@127\.0\.0\.1:@CONTROLLER_PORT@$/m);
  t.regex(template, /^log\.dirs=@LOG_DIRS@$/m);
  const filled = template.split('@PORT@').join('29092').split('@CONTROLLER_PORT@').join('29093').split('@LOG_DIRS@').join('/var/lib/kafka/kraft');
  t.is(filled, serverProperties({ port: 29092, controllerPort: 29093, logDirs: '/var/lib/kafka/kraft', logFile: '' }));
});

test('the broker in the container logs to stdout, so docker logs and the bundle hold it', (t) => {
  t.regex(log4jConfig({ kind: 'stdout' }), /Console:\n\s+name: Stdout\n\s+target: SYSTEM_OUT\n(.*\n)*\s+- ref: Stdout\n/);
});
