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
