/** The Kafka image's properties are the embedded broker's (plain, or secure for the secure profile), with only the ports and log dir left to the container. */
import test from 'ava';
import { log4jConfig, serverProperties } from '../broker/config.js';
import { secureProperties } from '../broker/secure.js';
import { SENTINELS, serverPropertiesTemplate } from './kafka-context.js';

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

test("the secure profile's template: the embedded secure broker's properties over the same ports placeholders, paths as the container mounts them", (t) => {
  const credentials = {
    store_password: 'store-unit',
    users: { sensor: 's', operator: 'o', processor: 'p', actuator: 'a', reviewer: 'r', broker: 'b', controller: 'c', admin: 'd' },
  };
  const files = { keystore: '/etc/kafka/secure/broker.p12', truststore: '/etc/kafka/secure/truststore.p12', caPem: '', credentials: '' };
  const overrides = secureProperties({ port: SENTINELS.port, controllerPort: SENTINELS.controllerPort, files, credentials });
  const template = serverPropertiesTemplate(overrides);
  t.regex(template, /^listeners=SASL_SSL:\/\/127\.0\.0\.1:@PORT@,CONTROLLER:\/\/127\.0\.0\.1:@CONTROLLER_PORT@$/m);
  t.regex(template, /^advertised\.listeners=SASL_SSL:\/\/127\.0\.0\.1:@PORT@$/m);
  t.false(template.includes(String(SENTINELS.port)) || template.includes(String(SENTINELS.controllerPort)), 'no sentinel port is left');
  const filled = template.split('@PORT@').join('29092').split('@CONTROLLER_PORT@').join('29093').split('@LOG_DIRS@').join('/var/lib/kafka/kraft');
  t.is(
    filled,
    serverProperties({
      port: 29092,
      controllerPort: 29093,
      logDirs: '/var/lib/kafka/kraft',
      logFile: '',
      overrides: secureProperties({ port: 29092, controllerPort: 29093, files, credentials }),
    }),
  );
});
