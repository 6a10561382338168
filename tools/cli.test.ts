/**
 * The CLI's failure contract, on the built CLI: exactly one stderr line
 * `exoarmur: <message> [CODE]`, exit 2 for usage, no stack trace unless --debug.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const cliPath = fileURLToPath(new URL('./cli.js', import.meta.url));

function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { KAFKA_BROKERS: _k, EXOARMUR_BROKERS: _e, ...inherited } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const HELP_HINT = '`exoarmur --help` lists the commands, `exoarmur <command> --help` their options';

const cases: Array<[string, string[], NodeJS.ProcessEnv, string, number]> = [
  ['a malformed --brokers', ['inspect', 'some.topic', '--brokers', 'not an address'], {}, 'exoarmur: broker address "not an address" is not host:port: set KAFKA_BROKERS=host:port[,host:port…] [BROKERS_MALFORMED]', 2],
  ['no broker at all', ['inspect', 'some.topic'], {}, 'exoarmur: KAFKA_BROKERS is not set: export KAFKA_BROKERS=host:port (e.g. start one with `make broker-up`, which prints it) [BROKERS_MISSING]', 2],
  ['an unknown command', ['frobnicate'], {}, `exoarmur: Unknown argument: frobnicate: ${HELP_HINT} [ARGUMENTS_INVALID]`, 2],
  ['an unknown flag', ['inspect', 'some.topic', '--bogus-flag'], {}, `exoarmur: Unknown arguments: bogus-flag, bogusFlag: ${HELP_HINT} [ARGUMENTS_INVALID]`, 2],
  ['no command', [], {}, `exoarmur: name a subcommand: ${HELP_HINT} [ARGUMENTS_INVALID]`, 2],
];

for (const [name, args, env, line, code] of cases) {
  test(`${name}: one line on stderr, exit ${code}`, async (t) => {
    const run = await runCli(args, env);
    t.deepEqual({ code: run.code, stderr: run.stderr }, { code, stderr: `${line}\n` });
  });
}

test('operator keygen for an existing key: one line naming the fix, exit 2; --debug adds the stack above it', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'exoarmur-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const first = await runCli(['operator', 'keygen', '--actor', 'alice', '--out', dir]);
  t.is(first.code, 0, first.stderr);
  const line = `exoarmur: ${path.join(dir, 'alice.key')} already exists: keep using it, pass --force to replace it, or choose another --out [KEY_EXISTS]`;
  const again = await runCli(['operator', 'keygen', '--actor', 'alice', '--out', dir]);
  t.deepEqual({ code: again.code, stderr: again.stderr }, { code: 2, stderr: `${line}\n` });

  const debug = await runCli(['operator', 'keygen', '--actor', 'alice', '--out', dir, '--debug']);
  const lines = debug.stderr.trimEnd().split('\n');
  t.is(debug.code, 2);
  t.is(lines[lines.length - 1], line);
  t.regex(lines[0]!, /^UsageError: .*already exists/);
  t.true(lines.some((l) => /^\s+at /.test(l)));
});

/** A loopback port nothing listens on: bound by the OS, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port bound'))));
    });
  });
}

test('an unreachable broker: after the client gives up, one failure line naming the broker settings, exit 1, no stack trace', async (t) => {
  t.timeout(120_000);
  const port = await closedPort();
  const run = await runCli(['inspect', 'some.topic', '--brokers', `127.0.0.1:${port}`]);
  const lines = run.stderr.trimEnd().split('\n');
  t.is(run.code, 1);
  t.regex(lines[lines.length - 1]!, new RegExp(`^exoarmur: cannot reach the Kafka broker \\(Connection error: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\): check --brokers or KAFKA_BROKERS and that the broker runs \\(\`make broker-up\` starts one\\) \\[BROKER_UNREACHABLE\\]$`));
  // Everything above it is the client's own JSON log of its retries, never a stack trace.
  for (const line of lines.slice(0, -1)) t.like(JSON.parse(line), { component: 'kafkajs' });
});
