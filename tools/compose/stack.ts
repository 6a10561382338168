/**
 * One docker-compose project: up (all services, or one again without its dependencies), `docker kill` of a
 * service's container, clean stop, states, logs and `down -v`. docker-compose (v1) is used where installed,
 * else the `docker compose` plugin.
 */
import { ExoArmurError } from '../../processor/errors.js';
import { pollUntil } from '../lib/poll.js';
import { runCommand, runCommandSync, tail, type CommandResult } from './docker.js';

export interface ServiceState {
  service: string;
  container: string;
  image: string;
  status: string;
  health: string | null;
  exit_code: number;
  restart_count: number;
  started_at: string;
}

export class ComposeStack {
  private compose: { program: string; prefix: string[] } | null = null;
  private readonly ids = new Map<string, string>();

  constructor(
    /** The compose file, then any override merged over it (the secure profile). */
    readonly files: readonly string[],
    readonly project: string,
    readonly env: NodeJS.ProcessEnv,
    readonly cwd: string,
  ) {}

  private async composeCommand(): Promise<{ program: string; prefix: string[] }> {
    if (this.compose) return this.compose;
    const v1 = await runCommand('docker-compose', ['version'], { env: this.env });
    this.compose = v1.code === 0 ? { program: 'docker-compose', prefix: [] } : { program: 'docker', prefix: ['compose'] };
    return this.compose;
  }

  async run(args: readonly string[], timeoutMs = 600_000): Promise<CommandResult> {
    const { program, prefix } = await this.composeCommand();
    return runCommand(program, [...prefix, ...this.files.flatMap((f) => ['-f', f]), '-p', this.project, ...args], { env: this.env, cwd: this.cwd, timeoutMs });
  }

  private async must(args: readonly string[], what: string, timeoutMs?: number): Promise<CommandResult> {
    const result = await this.run(args, timeoutMs);
    if (result.code !== 0)
      throw new ExoArmurError('COMPOSE_FAILED', `docker-compose ${what} failed (exit ${result.code}): ${tail(result)}`, { context: { files: this.files.join(',') } });
    return result;
  }

  /** `up -d`: every service, waiting on the file's health and completion conditions. */
  async up(): Promise<void> {
    await this.must(['up', '-d', '--no-build'], 'up');
  }

  /** One service's container started again after a kill or stop (the same container, its dependencies left as they are). */
  async startService(service: string): Promise<void> {
    const id = await this.containerId(service);
    const result = await runCommand('docker', ['start', id], { env: this.env });
    if (result.code !== 0) throw new ExoArmurError('COMPOSE_FAILED', `docker start ${service} failed: ${tail(result)}`, { context: { files: this.files.join(',') } });
  }

  /** SIGTERM, then SIGKILL after 30 s: a clean stop. */
  async stopService(service: string): Promise<void> {
    const id = await this.containerId(service);
    const result = await runCommand('docker', ['stop', '-t', '30', id], { env: this.env });
    if (result.code !== 0) throw new ExoArmurError('COMPOSE_FAILED', `docker stop ${service} failed: ${tail(result)}`, { context: { files: this.files.join(',') } });
  }

  /** One service brought up on its own (no dependencies), as a test does with the broker alone. */
  async upService(service: string): Promise<void> {
    await this.must(['up', '-d', '--no-build', '--no-deps', service], `up ${service}`);
  }

  async containerId(service: string): Promise<string> {
    const known = this.ids.get(service);
    if (known !== undefined) return known;
    const result = await this.must(['ps', '-a', '-q', service], `ps ${service}`);
    const id = result.stdout.trim().split('\n')[0] ?? '';
    if (id === '') throw new ExoArmurError('COMPOSE_FAILED', `docker-compose has no container for service ${service}`, { context: { files: this.files.join(',') } });
    this.ids.set(service, id);
    return id;
  }

  /** `docker kill` (SIGKILL): the container dies as a crashed host process would. */
  async kill(service: string): Promise<void> {
    const id = await this.containerId(service);
    const result = await runCommand('docker', ['kill', id], { env: this.env });
    if (result.code !== 0) throw new ExoArmurError('COMPOSE_FAILED', `docker kill ${service} failed: ${tail(result)}`, { context: { files: this.files.join(',') } });
    await pollUntil(async () => (await this.state(service)).status === 'exited', { timeoutMs: 30_000, intervalMs: 200, what: `${service} to exit after docker kill` });
  }

  /** The container's status read synchronously (running, restarting, exited, …), or null when docker does not answer. */
  statusSync(service: string): string | null {
    const id = this.ids.get(service);
    if (id === undefined) return null;
    return runCommandSync('docker', ['inspect', '-f', '{{.State.Status}}', id], { env: this.env })?.trim() ?? null;
  }

  async state(service: string): Promise<ServiceState> {
    const id = await this.containerId(service);
    const format = '{{json .State}}|{{.Config.Image}}|{{.RestartCount}}';
    const result = await runCommand('docker', ['inspect', '-f', format, id], { env: this.env });
    if (result.code !== 0) throw new ExoArmurError('COMPOSE_FAILED', `docker inspect ${service} failed: ${tail(result)}`, { context: { files: this.files.join(',') } });
    const [stateJson, image, restarts] = result.stdout.trim().split('|');
    const s = JSON.parse(stateJson!) as { Status: string; ExitCode: number; StartedAt: string; Health?: { Status: string } };
    return {
      service,
      container: id,
      image: image!,
      status: s.Status,
      health: s.Health?.Status ?? null,
      exit_code: s.ExitCode,
      restart_count: Number(restarts),
      started_at: s.StartedAt,
    };
  }

  async waitHealthy(service: string, timeoutMs = 180_000): Promise<void> {
    await pollUntil(async () => (await this.state(service)).health === 'healthy', { timeoutMs, intervalMs: 500, what: `${service} to report healthy` });
  }

  async logs(service: string): Promise<string> {
    const id = await this.containerId(service);
    const result = await runCommand('docker', ['logs', '--timestamps', id], { env: this.env });
    return `${result.stdout}${result.stderr}`;
  }

  /** The last lines a service wrote, synchronously, for an error that says why it exited. */
  logTailSync(service: string, lines = 3): string {
    const id = this.ids.get(service);
    if (id === undefined) return 'no container';
    return (runCommandSync('docker', ['logs', '--tail', String(lines), id], { env: this.env }) ?? 'docker logs did not answer').trim().split('\n').join(' | ');
  }

  /** `down -v`: containers, the project network and its volumes removed (a short stop timeout: nothing of them is kept). */
  async down(): Promise<CommandResult> {
    return this.run(['down', '-v', '--remove-orphans', '-t', '3']);
  }
}
