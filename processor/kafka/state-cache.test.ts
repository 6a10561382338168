import test from 'ava';
import { encodeRecord } from '../codec/index.js';
import { IDEMPOTENCY_MARK, type StateValue } from '../core/index.js';
import { ExoArmurError } from '../errors.js';
import { LazyStateCache } from './state-cache.js';

const killSwitch: StateValue = {
  kind: 'kill_switch',
  meta: null,
  pending: null,
  collective: null,
  approval: null,
  released: null,
  collective_expiry: null,
  kill_switch: { scope: 'global', tenant_id: null, on: true, actor_id: 'alice', action_id: '01HZZZZZZZZZZZZZZZZZZZZZZZ', reason: 'drill', decided_at: '2026-01-02T03:04:05.678Z' },
};

test('a restored value decodes on first read to what was written, and stays decoded', (t) => {
  const cache = new LazyStateCache('state', 0);
  cache.restoreEntry('kill/global', encodeRecord('state', killSwitch).value, '7');
  const first = cache.get('kill/global');
  t.deepEqual(first, killSwitch);
  t.is(cache.get('kill/global'), first);
});

test('tombstones delete, idempotency marks are the one shared value, later versions win', (t) => {
  const cache = new LazyStateCache('state', 0);
  cache.restoreEntry('idem/t/acme:1', encodeRecord('state', IDEMPOTENCY_MARK).value, '0');
  cache.restoreEntry('kill/global', encodeRecord('state', killSwitch).value, '1');
  cache.restoreEntry('kill/global', null, '2');
  t.is(cache.get('idem/t/acme:1'), IDEMPOTENCY_MARK);
  t.false(cache.has('kill/global'));
  t.is(cache.get('kill/global'), undefined);
});

test('an unreadable entry fails the read that needs it, naming key, topic, partition and offset', (t) => {
  const cache = new LazyStateCache('exoarmur.state.v1', 2);
  cache.restoreEntry('kill/global', Buffer.from([0xff, 0xff, 0xff]), '41');
  const error = t.throws(() => cache.get('kill/global'), { instanceOf: ExoArmurError });
  t.is(error?.code, 'STATE_RECORD_UNREADABLE');
  t.regex(error?.message ?? '', /kill\/global at offset 41/);
  t.like(error?.context, { topic: 'exoarmur.state.v1', partition: 2, offset: '41' });
});
