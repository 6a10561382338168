/**
 * Deterministic ULIDs against literals computed apart from ids.ts (docs/contracts.md: 10 Crockford
 * characters of the 48-bit time, then 16 of the first 80 bits of SHA-256("kind\ntenant\nkey\nindex"),
 * each SHA-256 prefix given beside its id), every id kind of a step, the time clamped at both ends,
 * and isUlid at each edge of its form.
 */
import test from 'ava';
import { nodePrimitives as p } from '../primitives.js';
import { deterministicUlid, encodeUlid, isUlid, StepIds } from './ids.js';

const NOON = '2026-03-01T12:00:00.000Z'; // 1772366400000 ms: time part 01KJMMA2G0

test('encodeUlid: the time in 10 characters, big-endian, then 80 bits of hex in 16', (t) => {
  const rows: Array<[number, string, string]> = [
    [0, '00000000000000000000', '00000000000000000000000000'],
    [2 ** 48 - 1, 'ffffffffffffffffffff', '7ZZZZZZZZZZZZZZZZZZZZZZZZZ'],
    [1772366400000, '0123456789abcdef0123', '01KJMMA2G004HMASW9NF6YY093'],
    [1, 'fedcba9876543210fedc', '0000000001ZVEBN63PAGS11ZPW'],
    // Upper-case hex digits read as their lower-case values.
    [1, 'FEDCBA9876543210FEDC', '0000000001ZVEBN63PAGS11ZPW'],
  ];
  for (const [time, hex, ulid] of rows) t.is(encodeUlid(time, hex), ulid, `${time} ${hex}`);
});

test('StepIds: every kind of id of one step, keyed by delivery (audit, dead letter) or by event (intent, approval, revert)', (t) => {
  const ids = new StepIds(p, 'acme:ev-1', { partition: 2, offset: '17' });
  t.is(ids.deliveryKey, 'acme:ev-1@2:17');
  t.is(ids.idempotencyKey, 'acme:ev-1');
  t.deepEqual(
    {
      audit0: ids.audit('acme', 0, NOON), // SHA-256("audit\nacme\nacme:ev-1@2:17\n0") = 74540c465065242065d9…
      audit3: ids.audit('acme', 3, NOON), // SHA-256("audit\nacme\nacme:ev-1@2:17\n3") = c10e2048ad448ac23b62…
      deadLetter: ids.deadLetter('acme', NOON), // SHA-256("dead_letter\nacme\nacme:ev-1@2:17\n0") = 77503ff27fa0a9ced014…
      intent: ids.intent('acme', NOON), // SHA-256("intent\nacme\nacme:ev-1\n0") = 0fd7839b211e4b300390…
      approval: ids.approval('acme', NOON), // SHA-256("approval\nacme\nacme:ev-1\n0") = b4a0c6a10181810eba5d…
      revert: ids.revertIntent('acme', '01KJMMA2G02ZPZVKE41JTZZQX6', NOON), // SHA-256("revert\nacme\n01KJMMA2G02ZPZVKE41JTZZQX6\n0") = 39ff7e599f6f43c84285…
    },
    {
      audit0: '01KJMMA2G0EHA0RHJGCMJ20SES',
      audit3: '01KJMMA2G0R4720J5D8J5C4EV2',
      deadLetter: '01KJMMA2G0EX83ZWKZM2MWXM0M',
      intent: '01KJMMA2G01ZBR76S13S5K00WG',
      approval: '01KJMMA2G0PJGCD881G60GXEJX',
      revert: '01KJMMA2G077ZQWPCZDX1WGGM5',
    },
  );
});

test('deterministicUlid: the time is floored and clamped to 0 .. 2^48 - 1', (t) => {
  // SHA-256("x\nt\nk\n0") = 28c05866971c82b01db7…: random part 5305GSMQ3J1B07DQ
  const rows: Array<[number, string]> = [
    [-5, '00000000005305GSMQ3J1B07DQ'],
    [0, '00000000005305GSMQ3J1B07DQ'],
    [1.9, '00000000015305GSMQ3J1B07DQ'],
    [2 ** 48 - 1, '7ZZZZZZZZZ5305GSMQ3J1B07DQ'],
    [2 ** 48 + 10, '7ZZZZZZZZZ5305GSMQ3J1B07DQ'],
  ];
  for (const [time, ulid] of rows) t.is(deterministicUlid(p, 'x', 't', 'k', 0, time), ulid, String(time));
});

test('isUlid: 26 upper-case Crockford characters, the first at most 7', (t) => {
  const rows: Array<[string, boolean]> = [
    ['01KJMMA2G0EHA0RHJGCMJ20SES', true],
    ['7ZZZZZZZZZZZZZZZZZZZZZZZZZ', true],
    ['8ZZZZZZZZZZZZZZZZZZZZZZZZZ', false],
    ['x01KJMMA2G0EHA0RHJGCMJ20SES', false],
    ['01KJMMA2G0EHA0RHJGCMJ20SESx', false],
    ['01KJMMA2G0EHA0RHJGCMJ20SE', false],
    ['01KJMMA2G0EHA0RHJGCMJ20SESS', false],
    ['01KJMMA2G0EHA0RHJGCMJ20SEU', false],
    ['01kjmma2g0eha0rhjgcmj20ses', false],
    ['0', false],
    ['01', false],
  ];
  for (const [text, ulid] of rows) t.is(isUlid(text), ulid, text);
});
