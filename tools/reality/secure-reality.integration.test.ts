/**
 * `make reality SECURE=1` (`exoarmur reality --secure`) end to end, on the small scenario to fit the
 * `make test` budget: runReality with `secure` starts its own embedded broker (SASL/SCRAM over TLS,
 * StandardAuthorizer, no access without an ACL), runs the processor as User:processor and the
 * actuator as User:actuator, kills and restarts both processor and broker, replays, and stops the
 * broker it started. The small scenario kills only the processor (its usual broker is the test's,
 * which a run may not kill), so this copy of it also kills the run's own broker once the operator's
 * approval has settled, under the running processor, just before the processor's own kill: gate 2 needs
 * both kills, and the processor reconnects (and a new one starts) to a restarted secure broker. The run passes every gate it can prove here, its bundle says it ran secure and
 * with which grants, verifies, and holds none of the run's passwords. The compose phase is left out
 * (--no-compose) to fit the `make test` budget: the secure compose profile a --secure run's gate 4 uses has
 * its own test (tools/compose/compose.integration.test.ts), and security.json says compose did not run.
 */
import test from 'ava';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { roleGrants } from '../../processor/io/acls.js';
import { BUNDLE_FILES } from '../bundle/files.js';
import { repoRoot } from '../broker/paths.js';
import { secureFiles, type SecureCredentials } from '../broker/secure.js';
import { verifyBundle } from '../verify/verify.js';
import { parsePassFail } from './gates.js';
import { checkpointTopicForRun, topicsForRun } from './naming.js';
import { PARTITIONS } from './run-context.js';
import { runReality } from './run.js';
import { runAclScope, SECURITY_FILE } from './security.js';

const out = mkdtempSync(join(tmpdir(), 'exoarmur-secure-reality-'));
const workDirs: string[] = [];
test.after.always(() => {
  for (const dir of [out, ...workDirs]) rmSync(dir, { recursive: true, force: true });
});

/** The small scenario with a settle and a broker kill before its processor kill (a processor starting while its broker is down gives up after its pre-flight). */
function smallWithBrokerKill(): string {
  const small = join(repoRoot(), 'fixtures', 'scenarios', 'small');
  const dir = join(out, 'scenario');
  mkdirSync(dir);
  copyFileSync(join(small, 'config.json'), join(dir, 'config.json'));
  const lines = readFileSync(join(small, 'scenario.jsonl'), 'utf8').trimEnd().split('\n');
  const processorKill = lines.indexOf(JSON.stringify({ fault: 'kill_processor' }));
  if (processorKill < 0) throw new Error('the small scenario has no kill_processor step');
  lines.splice(processorKill, 0, JSON.stringify({ wait: 'settled' }), JSON.stringify({ fault: 'kill_broker' }));
  writeFileSync(join(dir, 'scenario.jsonl'), `${lines.join('\n')}\n`);
  return dir;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? filesUnder(join(dir, name)) : [join(dir, name)]));
}

test('the small scenario on the secure broker passes, and its bundle says how it ran secure, verifies and holds no secret', async (t) => {
  const result = await runReality({
    scenarioDir: smallWithBrokerKill(),
    outDir: out,
    compose: false,
    secure: true,
    log: (line) => t.log(line),
  });
  // The run's own work dir: its broker's data, TLS material and credentials (kept by the run, removed here).
  const workDir = join(repoRoot(), '.exoarmur', 'reality', 'runs', result.runId);
  workDirs.push(workDir);

  t.true(result.passFail.includes('broker killed 1x'), result.passFail);
  const parsed = parsePassFail(readFileSync(join(result.bundleDir, BUNDLE_FILES.passFail), 'utf8'));
  if (parsed === null) return t.fail(`PASS_FAIL.txt does not follow RUN / 7 GATE lines / OVERALL:\n${result.passFail}`);
  t.deepEqual(
    parsed.gates.map((g) => `${g.n} ${g.name} ${g.status}`),
    [
      '1 DURABLE_PERSISTENCE PASS',
      '2 RESTART_SURVIVAL PASS',
      '3 REPLAY_EQUIVALENCE PASS',
      '4 DEPLOYMENT UNPROVEN',
      '5 TIME_TRUTH PASS',
      '6 IDEMPOTENCY PASS',
      '7 CONFIG_AND_HUMAN_TRUTH PASS',
    ],
    result.passFail,
  );
  t.is(parsed.overall, 'PASS');
  t.is(result.overall, 'PASS');

  // security.json: how the broker authenticated and authorised, every grant, and the secret search.
  const security = JSON.parse(readFileSync(join(result.bundleDir, SECURITY_FILE), 'utf8')) as Record<string, unknown>;
  const scope = runAclScope(result.runId, { topics: topicsForRun(result.runId), checkpointTopic: checkpointTopicForRun(result.runId) }, PARTITIONS);
  const bundleFiles = filesUnder(result.bundleDir);
  const { tls_certificate_sha256: certificate, secrets, ...rest } = security;
  t.regex(String(certificate), /^[0-9a-f]{64}$/);
  t.deepEqual(rest, {
    mode: 'secure',
    listener: 'SASL_SSL',
    sasl_mechanism: 'SCRAM-SHA-512',
    authorizer: 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    allow_everyone_if_no_acl_found: false,
    processor_principal: 'User:processor',
    actuator_principal: 'User:actuator',
    harness_principal: 'User:admin',
    grants_applied: roleGrants(scope).length,
    grants: roleGrants(scope),
    compose: 'not run',
  });
  // Searched before PASS_FAIL.txt, the manifest, its signature and index.html were written: every other file of the bundle.
  const writtenAfter = new Set([BUNDLE_FILES.passFail, BUNDLE_FILES.manifest, BUNDLE_FILES.manifestSignature, BUNDLE_FILES.index].map((name) => join(result.bundleDir, name)));
  const searched = bundleFiles.filter((file) => !writtenAfter.has(file)).length;
  t.is(
    secrets,
    `none in this bundle: its ${searched} files were searched for each of the 9 passwords of the run (every role's and the key stores'); config_snapshot.json holds broker_auth.password as sha256:<hex> only`,
  );

  // The processor logged in as its role; its published config holds the password's hash only.
  const snapshots = JSON.parse(readFileSync(join(result.bundleDir, BUNDLE_FILES.configSnapshot), 'utf8')) as Array<{ config: { broker_auth: Record<string, unknown> } }>;
  t.true(snapshots.length > 0);
  for (const snapshot of snapshots) {
    t.like(snapshot.config.broker_auth, { mechanism: 'scram-sha-512', username: 'processor' });
    t.regex(String(snapshot.config.broker_auth['password']), /^sha256:[0-9a-f]{64}$/);
  }

  // Independently of the harness's search: no password of the run's credentials in any file of the final bundle.
  const credentialsFile = secureFiles(join(workDir, 'broker')).credentials;
  t.true(existsSync(credentialsFile), credentialsFile);
  const credentials = JSON.parse(readFileSync(credentialsFile, 'utf8')) as SecureCredentials;
  const passwords = [...Object.values(credentials.users), credentials.store_password];
  t.is(passwords.length, 9);
  t.deepEqual(
    bundleFiles.filter((file) => passwords.some((password) => readFileSync(file).includes(password))),
    [],
  );

  const verified = await verifyBundle(result.bundleDir, (snapshots[0]!.config as unknown as { checkpoints: { public_key: string } }).checkpoints.public_key);
  t.deepEqual(
    verified.checks.filter((c) => !c.ok),
    [],
  );
  t.true(verified.ok);
});
