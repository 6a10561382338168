import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExoArmurError } from '../../processor/errors.js';
import { checkBundleSecrets, SECURITY_FILE } from './security.js';

function bundleWith(files: Record<string, string>): { dir: string; broker: { brokers: string; caFile: string; credentialsFile: string } } {
  const root = mkdtempSync(join(tmpdir(), 'exoarmur-security-'));
  const credentialsFile = join(root, 'credentials.json');
  writeFileSync(credentialsFile, JSON.stringify({ store_password: 'store-pw-4f1c', users: { admin: 'admin-pw-9a2e', processor: 'proc-pw-77d0' } }));
  const dir = join(root, 'bundle');
  mkdirSync(join(dir, 'logs'), { recursive: true });
  writeFileSync(join(dir, SECURITY_FILE), JSON.stringify({ mode: 'secure', secrets: 'not yet checked' }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, broker: { brokers: '127.0.0.1:1', caFile: join(root, 'ca.pem'), credentialsFile } };
}

test('a bundle without any password of the run: security.json records the search', (t) => {
  const { dir, broker } = bundleWith({ 'service.log': '{"msg":"started","password":"sha256:00ff"}\n', 'logs/actuate.log': 'ok\n' });
  checkBundleSecrets(dir, [broker]);
  t.deepEqual(JSON.parse(readFileSync(join(dir, SECURITY_FILE), 'utf8')), {
    mode: 'secure',
    secrets:
      "none in this bundle: its 3 files were searched for each of the 3 passwords of the run (every role's and the key stores'); config_snapshot.json holds broker_auth.password as sha256:<hex> only",
  });
});

test('a password in any file, nested ones included, fails with the files named and never the secret', (t) => {
  const { dir, broker } = bundleWith({ 'service.log': 'login proc-pw-77d0\n', 'logs/actuate.log': 'store store-pw-4f1c\n', 'clean.txt': 'nothing\n' });
  const error = t.throws(() => checkBundleSecrets(dir, [broker]), { instanceOf: ExoArmurError });
  t.is(error?.code, 'SECRET_IN_BUNDLE');
  t.is(error?.message, "a password of the run's credentials is in the bundle: logs/actuate.log, service.log");
  t.is(JSON.parse(readFileSync(join(dir, SECURITY_FILE), 'utf8')).secrets, 'not yet checked');
});

test("a secure run's two brokers (embedded and compose): every password of both is searched for", (t) => {
  const { dir, broker } = bundleWith({ 'service.log': 'ok\n' });
  const composeCredentials = join(dir, '..', 'compose-credentials.json');
  writeFileSync(composeCredentials, JSON.stringify({ store_password: 'compose-store-1b', users: { processor: 'compose-proc-2c' } }));
  checkBundleSecrets(dir, [broker, { credentialsFile: composeCredentials }]);
  t.is(
    JSON.parse(readFileSync(join(dir, SECURITY_FILE), 'utf8')).secrets,
    "none in this bundle: its 2 files were searched for each of the 5 passwords of the run's 2 secure brokers (every role's and the key stores'); config_snapshot.json holds broker_auth.password as sha256:<hex> only",
  );
  writeFileSync(join(dir, 'compose_processor.log'), 'login compose-proc-2c\n');
  const error = t.throws(() => checkBundleSecrets(dir, [broker, { credentialsFile: composeCredentials }]), { instanceOf: ExoArmurError });
  t.is(error?.message, "a password of the run's credentials is in the bundle: compose_processor.log");
});
