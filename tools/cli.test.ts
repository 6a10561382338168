/**
 * The CLI's failure contract, on the built CLI: one line `exoarmur: <message> [CODE]` on stderr,
 * exit 2 for usage and 1 otherwise, no stack trace unless --debug. No broker is involved: each
 * case fails before a client would connect, or at the pre-flight on a closed loopback port.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './testing/source-graph.js';
import { cliFailure } from './lib/failure.js';
import { ProcessingHaltedError } from '../processor/errors.js';
import { freePort } from './broker/ports.js';

const CLI = join(REPO_ROOT, 'dist', 'tools', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'exoarmur-cli-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]): { stderr: string; status: number | null } {
  const env = { ...process.env };
  delete env['KAFKA_BROKERS'];
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', env, timeout: 90_000 });
  return { stderr: result.stderr, status: result.status };
}

const cases: Array<[string, string[], string, number]> = [
  ['an unknown command', ['frobnicate'], 'exoarmur: Unknown argument: frobnicate: see exoarmur --help, or exoarmur <command> --help [CLI_USAGE]\n', 2],
  ['no command', [], 'exoarmur: name a subcommand: see exoarmur --help, or exoarmur <command> --help [CLI_USAGE]\n', 2],
  ['a missing positional', ['verify'], 'exoarmur: Not enough non-option arguments: got 0, need at least 1: see exoarmur --help, or exoarmur <command> --help [CLI_USAGE]\n', 2],
  [
    'a malformed broker address',
    ['inspect', 'exoarmur.audit.v1', '--brokers', 'nothost'],
    'exoarmur: broker address "nothost" is not host:port: set KAFKA_BROKERS=host:port[,host:port…] [BROKERS_MALFORMED]\n',
    2,
  ],
  [
    'a bundle that does not exist',
    ['verify', join(dir, 'none')],
    `exoarmur: bundle dir ${join(dir, 'none')} does not exist: give the artifacts/<run_id>/ directory a reality run wrote (run make reality) [BUNDLE_NOT_FOUND]\n`,
    2,
  ],
];

for (const [what, args, line, status] of cases) {
  test(`${what}: one line naming the problem, its fix and its code; exit ${status}`, (t) => {
    t.deepEqual(run(...args), { stderr: line, status });
  });
}

test('operator keygen over an existing key: one line, exit 2; with --debug the stack follows', (t) => {
  t.is(run('operator', 'keygen', '--actor', 'alice', '--out', dir).status, 0);
  const file = join(dir, 'alice.key');
  const line = `exoarmur: ${file} already exists: keep using it, pass --force to replace it, or choose another --out [KEY_EXISTS]\n`;
  t.deepEqual(run('operator', 'keygen', '--actor', 'alice', '--out', dir), { stderr: line, status: 2 });
  const debug = run('operator', 'keygen', '--actor', 'alice', '--out', dir, '--debug');
  t.is(debug.status, 2);
  t.true(debug.stderr.startsWith(line), debug.stderr);
  t.regex(debug.stderr.slice(line.length), /^UsageError: .*\n\s+at /);
});

test("errors that are not ExoArmur's own get a registered code: a client error exit 1, a bug exit 1", (t) => {
  const client = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9'), { name: 'KafkaJSNumberOfRetriesExceeded' });
  t.like(cliFailure(client), {
    line: "exoarmur: the broker could not be used (Connection error: connect ECONNREFUSED 127.0.0.1:9): check --brokers, KAFKA_BROKERS or the config's brokers, and that the broker is up [KAFKA_OPERATION_FAILED]\n",
    exitCode: 1,
  });
  t.like(cliFailure(new TypeError('x is undefined\n  more')), {
    line: 'exoarmur: TypeError: x is undefined more (a bug: rerun with --debug and report the stack) [UNEXPECTED_ERROR]\n',
    exitCode: 1,
  });
});

test('a halted processor exits 2 (DESIGN.md), other permanent failures 1', (t) => {
  t.like(cliFailure(new ProcessingHaltedError('partition 1: x failed 5 times')), { line: 'exoarmur: partition 1: x failed 5 times [PROCESSING_HALTED]\n', exitCode: 2 });
});

const unreachable: Array<[string, (port: number) => string[]]> = [
  ['inspect', (port) => ['inspect', 'exoarmur.audit.v1', '--brokers', `127.0.0.1:${port}`]],
  ['inject', (port) => ['inject', join(dir, 'one.jsonl'), '--raw', '--brokers', `127.0.0.1:${port}`]],
  ['topics ensure', (port) => ['topics', 'ensure', '--brokers', `127.0.0.1:${port}`]],
  ['operator pending', (port) => ['operator', 'pending', '--brokers', `127.0.0.1:${port}`]],
  ['status', (port) => ['status', '--brokers', `127.0.0.1:${port}`]],
];

for (const [command, args] of unreachable) {
  test(`${command} with an unreachable broker (a closed loopback port): the pre-flight's one line naming the address and the fix, exit 2, no library log, no stack trace`, async (t) => {
    writeFileSync(join(dir, 'one.jsonl'), '{}\n');
    const port = await freePort(); // nothing listens on a free port
    t.deepEqual(run(...args(port)), {
      stderr: `exoarmur: no broker answered at 127.0.0.1:${port} within 8 s (Connection error: connect ECONNREFUSED 127.0.0.1:${port}): start one (\`make broker-up\`, or \`exoarmur broker start\`) or point --brokers, KAFKA_BROKERS or the config's brokers at a running broker [BROKER_UNREACHABLE]\n`,
      status: 2,
    });
  });
}

test('a file the command cannot write is a usage failure naming the path and the reason, not a bug', (t) => {
  writeFileSync(join(dir, 'plain-file'), 'x');
  const out = join(dir, 'plain-file', 'keys');
  t.deepEqual(run('operator', 'keygen', '--actor', 'alice', '--out', out), {
    stderr: `exoarmur: cannot mkdir ${out}: ENOTDIR: check the path and its permissions, or pass another one [FILE_ACCESS_FAILED]\n`,
    status: 2,
  });
});
