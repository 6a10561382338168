/** The guard settings of the policy: optional, validated with the key named, and part of the config hash only when given. */
import test from 'ava';
import { UsageError } from '../errors.js';
import { buildEffectiveConfig, mergeConfig } from './index.js';

test('without guard settings the canonical config holds none of their keys, so its hash is the one it had before guards', (t) => {
  const effective = buildEffectiveConfig(mergeConfig({}));
  t.false(effective.canonical.includes('protected_subjects'));
  t.false(Object.prototype.hasOwnProperty.call(effective.config.policy, 'protected_subjects'));
});

test('protected_subjects given: kept as given and part of the config hash and the policy hash', (t) => {
  const plain = buildEffectiveConfig(mergeConfig({}));
  const guarded = buildEffectiveConfig(mergeConfig({ policy: { protected_subjects: ['dc-01', 'prod-db-*'] } }));
  t.deepEqual(guarded.config.policy.protected_subjects, ['dc-01', 'prod-db-*']);
  t.not(guarded.config_hash, plain.config_hash);
  t.not(guarded.policy_sha256, plain.policy_sha256);
  t.deepEqual(buildEffectiveConfig(mergeConfig({ policy: { protected_subjects: [] } })).config.policy.protected_subjects, []);
});

const invalid: [unknown, string][] = [
  ['dc-01', 'config key "policy.protected_subjects" must be a list of subjects, got "dc-01"'],
  [['dc-01', ''], 'config key "policy.protected_subjects[1]" must be a non-empty string, got ""'],
  [[7], 'config key "policy.protected_subjects[0]" must be a non-empty string, got 7'],
  [['prod-*-db'], 'config key "policy.protected_subjects[0]" has a * that is not at its end: "prod-*-db"'],
  [['**'], 'config key "policy.protected_subjects[0]" has a * that is not at its end: "**"'],
];

for (const [value, message] of invalid) {
  test(`protected_subjects ${JSON.stringify(value)} is refused, naming the key`, (t) => {
    const error = t.throws(() => mergeConfig({ policy: { protected_subjects: value } }), { instanceOf: UsageError });
    t.is(error?.code, 'CONFIG_INVALID');
    t.true(error!.message.startsWith(message), error!.message);
  });
}

test('the containment and breaker guards: absent from the canonical config unless given, kept as validated when given', (t) => {
  const plain = buildEffectiveConfig(mergeConfig({}));
  for (const key of ['no_double_containment', 'containment_ttl_s', 'circuit_breaker']) t.false(plain.canonical.includes(key), key);
  const guarded = buildEffectiveConfig(
    mergeConfig({
      policy: {
        no_double_containment: true,
        containment_ttl_s: { A1_soft_containment: 3600 },
        circuit_breaker: { classes: ['A2_hard_containment', 'A1_soft_containment', 'A2_hard_containment'], max_releases: 5, window_s: 300 },
      },
    }),
  );
  t.like(guarded.config.policy, {
    no_double_containment: true,
    containment_ttl_s: { A1_soft_containment: 3600 },
    circuit_breaker: { classes: ['A1_soft_containment', 'A2_hard_containment'], max_releases: 5, window_s: 300 },
  });
  t.not(guarded.config_hash, plain.config_hash);
});

const invalidGuards: [Record<string, unknown>, string][] = [
  [{ no_double_containment: 'yes' }, 'config key "policy.no_double_containment" must be true or false, got "yes"'],
  [{ containment_ttl_s: { A3_irreversible: 60 } }, 'config key "policy.containment_ttl_s.A3_irreversible" is not a known setting'],
  [{ containment_ttl_s: { A1_soft_containment: 0 } }, 'config key "policy.containment_ttl_s.A1_soft_containment" must be a positive integer, got 0'],
  [{ circuit_breaker: { classes: [], max_releases: 1, window_s: 60 } }, 'config key "policy.circuit_breaker.classes" must be a non-empty list of action classes, got []'],
  [{ circuit_breaker: { classes: ['A0_observe'], max_releases: 1, window_s: 60 } }, 'config key "policy.circuit_breaker.classes" "A0_observe" is not a containment class'],
  [
    { circuit_breaker: { classes: ['A1_soft_containment'], max_releases: 1.5, window_s: 60 } },
    'config key "policy.circuit_breaker.max_releases" must be a positive integer, got 1.5',
  ],
  [{ circuit_breaker: { classes: ['A1_soft_containment'], max_releases: 1 } }, 'config key "policy.circuit_breaker.window_s" must be a positive integer, got undefined'],
];

for (const [policy, message] of invalidGuards) {
  test(`guard setting ${JSON.stringify(policy)} is refused, naming the key`, (t) => {
    const error = t.throws(() => mergeConfig({ policy }), { instanceOf: UsageError });
    t.is(error?.code, 'CONFIG_INVALID');
    t.true(error!.message.startsWith(message), error!.message);
  });
}
