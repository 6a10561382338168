import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson } from '../core/canonical.js';
import { UsageError } from '../errors.js';
import { nodePrimitives } from '../primitives.js';
import { makeOperator, T0 } from '../testing/harness.js';
import { configSnapshot, DEFAULT_CONFIG, effectiveFromSnapshot, loadEffectiveConfig, mergeConfig, policySha256 } from './index.js';

/** The defaults name no broker; every load here names one the way a user would. */
const BROKER = { KAFKA_BROKERS: 'localhost:9092' };

test('defaults: every policy threshold of DESIGN §2 and the topic names of §1', (t) => {
  const c = loadEffectiveConfig({ env: BROKER });
  t.deepEqual(c.config.policy.severity_confidence, { low: 0.2, medium: 0.5, high: 0.8, critical: 0.95 });
  t.like(c.config.policy, { belief_ttl_s: 3600, default_trust: 0.85, quorum_size: 2, approval_ttl_s: 900 });
  t.like(c.config, { partitions: 3, processing_guarantee: 'exactly_once', pinned_policy_sha256: null });
  t.is(c.config.topics.audit, 'exoarmur.audit.v1');
  t.is(c.canonical, canonicalJson(c.config));
  t.is(c.config_hash, nodePrimitives.sha256Hex(c.canonical));
  t.true(c.policy_verified);
});

test('precedence: defaults ← file ← EXOARMUR_* env ← flags', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'exoarmur-config-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ app_id: 'from-file', partitions: 6, policy: { quorum_size: 3, default_trust: 0.6, trust: { 'cell-a': 0.4 } } }));
  const c = loadEffectiveConfig({
    file,
    env: { EXOARMUR_PARTITIONS: '9', EXOARMUR_POLICY__DEFAULT_TRUST: '0.7', EXOARMUR_BROKERS: 'a:1, b:2', EXOARMUR_LOG_LEVEL: 'debug', PATH: '/bin' },
    flags: { 'policy.default_trust': 0.75, app_id: undefined },
  });
  t.is(c.config.app_id, 'from-file');
  t.is(c.config.partitions, 9);
  t.is(c.config.policy.default_trust, 0.75);
  t.is(c.config.policy.quorum_size, 3);
  t.deepEqual(c.config.policy.trust, { 'cell-a': 0.4 });
  t.deepEqual(c.config.brokers, ['a:1', 'b:2']);
  t.deepEqual(loadEffectiveConfig({ env: { KAFKA_BROKERS: 'k:9' } }).config.brokers, ['k:9']);
});

test('validation errors name the bad key and the fix', (t) => {
  const cases: [unknown, RegExp][] = [
    [{ policy: { quorum_size: 0 } }, /config key "policy.quorum_size" must be a positive integer, got 0; give e.g. 3/],
    [{ policy: { trust: { x: 1.5 } } }, /config key "policy.trust.x" must be a number in \[0, 1\], got 1.5/],
    [{ policy: { colour: 1 } }, /config key "policy.colour" is not a known setting; remove it/],
    [{ processing_guarantee: 'maybe' }, /config key "processing_guarantee" must be one of exactly_once, at_least_once/],
    [{ policy: { action_overrides: { x: 'A9' } } }, /"policy.action_overrides.x" must be one of A0_observe/],
    [{ brokers: ['nohost'] }, /config key "brokers\[0\]" must be host:port/],
    [{ pinned_policy_sha256: 'abc' }, /"pinned_policy_sha256" must be null or 64 lower-case hex digits/],
    [{ operators: { eve: { public_key: 'bm9wZQ==' } } }, /"operators.eve.public_key" is not an Ed25519 public key.*exoarmur operator keygen/],
  ];
  for (const [partial, message] of cases) {
    const err = t.throws(() => mergeConfig(partial), { instanceOf: UsageError, message });
    t.is(err?.code, 'CONFIG_INVALID');
  }
  t.throws(() => loadEffectiveConfig({ file: '/nonexistent/exoarmur.json' }), { message: /cannot read config file \/nonexistent\/exoarmur.json.*check the --config path/ });
});

test('secrets are replaced by their hash in the published config and the hash', (t) => {
  const c = loadEffectiveConfig({ env: { ...BROKER, EXOARMUR_BROKER_AUTH__PASSWORD: 'hunter2', EXOARMUR_BROKER_AUTH__MECHANISM: 'plain', EXOARMUR_BROKER_AUTH__USERNAME: 'svc' } });
  t.is(c.config.broker_auth.password, `sha256:${nodePrimitives.sha256Hex('hunter2')}`);
  t.false(c.canonical.includes('hunter2'));
  t.is(c.secrets.broker_password, 'hunter2');
  t.not(
    c.config_hash,
    loadEffectiveConfig({ env: { ...BROKER, EXOARMUR_BROKER_AUTH__PASSWORD: 'other', EXOARMUR_BROKER_AUTH__MECHANISM: 'plain', EXOARMUR_BROKER_AUTH__USERNAME: 'svc' } })
      .config_hash,
  );
});

test('EXOARMUR_BROKER_AUTH__PASSWORD_FILE: the file holds the password (less its trailing newline), published as its hash only; an unreadable one is a usage error naming it', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'exoarmur-password-'));
  const file = join(dir, 'password');
  writeFileSync(file, 'from-a-file\n', { mode: 0o600 });
  const auth = { EXOARMUR_BROKER_AUTH__MECHANISM: 'scram-sha-512', EXOARMUR_BROKER_AUTH__USERNAME: 'processor' };
  const c = loadEffectiveConfig({ env: { ...BROKER, ...auth, EXOARMUR_BROKER_AUTH__PASSWORD_FILE: file } });
  t.deepEqual(c.config.broker_auth, { mechanism: 'scram-sha-512', username: 'processor', password: `sha256:${nodePrimitives.sha256Hex('from-a-file')}` });
  t.is(c.secrets.broker_password, 'from-a-file');
  t.false(c.canonical.includes('from-a-file'));
  t.false(c.canonical.includes(file), 'the file name is no config key');
  const missing = join(dir, 'absent');
  const err = t.throws(() => loadEffectiveConfig({ env: { ...BROKER, ...auth, EXOARMUR_BROKER_AUTH__PASSWORD_FILE: missing } }), { instanceOf: UsageError });
  t.is(err?.code, 'BROKER_PASSWORD_FILE_UNREADABLE');
  t.regex(err!.message, new RegExp(`^EXOARMUR_BROKER_AUTH__PASSWORD_FILE=${missing} cannot be read: ENOENT.*point it at the file holding the broker password$`));
});

test('policy and operator registry are part of the hash; pinning verifies the canonical policy', (t) => {
  const base = mergeConfig({});
  const op = makeOperator('alice');
  const withOp = loadEffectiveConfig({ env: BROKER, flags: { operators: { alice: { public_key: op.public_key } } } });
  t.not(withOp.config_hash, loadEffectiveConfig({ env: BROKER }).config_hash);
  t.not(loadEffectiveConfig({ env: BROKER, flags: { 'policy.approval_ttl_s': 901 } }).config_hash, loadEffectiveConfig({ env: BROKER }).config_hash);
  const pinned = loadEffectiveConfig({ env: BROKER, flags: { pinned_policy_sha256: policySha256(base) } });
  t.true(pinned.policy_verified);
  t.false(loadEffectiveConfig({ env: BROKER, flags: { pinned_policy_sha256: policySha256(base), 'policy.default_trust': 0.5 } }).policy_verified);
});

test('a config snapshot rebuilds the same effective config; an edited snapshot is refused', (t) => {
  const c = loadEffectiveConfig({ env: BROKER, flags: { 'policy.quorum_size': 3 } });
  const snap = configSnapshot(c, T0);
  t.deepEqual(snap, { config_hash: c.config_hash, config: c.canonical, captured_at: T0 });
  t.is(effectiveFromSnapshot(snap).config_hash, c.config_hash);
  t.throws(() => effectiveFromSnapshot({ ...snap, config_hash: 'f'.repeat(64) }), { message: /does not hash to itself/ });
  t.is(DEFAULT_CONFIG.policy.quorum_size, 2, 'defaults are not mutated by merging');
});
