import test from 'ava';
import { firstJsonFlaw, MAX_JSON_DEPTH } from './json-scan.js';

const nest = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

test('text JSON.parse forgives but a reader cannot trust gets its flaw; clean text gets null', (t) => {
  const cases: [string, string | null][] = [
    ['{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}', null],
    ['{"a":1,"a":2}', 'duplicate_key'],
    ['{"x":{"k":1,"\\u006b":2}}', 'duplicate_key'],
    ['{"s":"a,\\"b\\":1,\\"s\\":2"}', null],
    [nest(MAX_JSON_DEPTH), null],
    [nest(MAX_JSON_DEPTH + 1), 'too_deep'],
    ['{"n":1e309}', 'unrepresentable_number'],
    ['{"n":-1e309}', 'unrepresentable_number'],
    ['{"n":1e-400}', 'unrepresentable_number'],
    ['{"n":0e999,"m":-0,"k":0.000,"big":18446744073709551616}', null],
    ['{"s":"\\ud800"}', 'bad_unicode'],
    ['{"s":"\\udc00x"}', 'bad_unicode'],
    ['{"s":"\\ud800\\u0041"}', 'bad_unicode'],
    ['{"\\ud83d":1}', 'bad_unicode'],
    ['{"s":"\\ud83d\\ude00 ok"}', null],
    ['["\\\\ud800"]', null],
  ];
  for (const [text, code] of cases) {
    JSON.parse(text);
    const found: string | null = firstJsonFlaw(text)?.code ?? null;
    t.is(found, code, text);
  }
});

test('flaw messages name the key or literal, shortened', (t) => {
  t.deepEqual(firstJsonFlaw('{"severity":"low","severity":"critical"}'), {
    code: 'duplicate_key',
    message: 'key "severity" appears twice in one object; JSON leaves which one counts to the reader',
  });
  t.deepEqual(firstJsonFlaw('[1e309]'), { code: 'unrepresentable_number', message: 'the number "1e309" is too large for a 64-bit float and would read as Infinity' });
  t.deepEqual(firstJsonFlaw('[1e-400]'), { code: 'unrepresentable_number', message: 'the number "1e-400" is too small for a 64-bit float and would read as 0' });
});
