/**
 * Effective config = defaults ← --config file ← EXOARMUR_* env ← flags (DESIGN §3).
 * Env names: EXOARMUR_ + the key path upper-cased, levels joined by "__"
 * (EXOARMUR_APP_ID, EXOARMUR_POLICY__DEFAULT_TRUST, EXOARMUR_TOPICS__AUDIT,
 * EXOARMUR_PINNED_POLICY_SHA256, EXOARMUR_BROKER_AUTH__PASSWORD). Values are JSON when they
 * parse as JSON and plain strings otherwise. EXOARMUR_BROKER_AUTH__PASSWORD_FILE names a file holding
 * the broker password instead (a container's mounted secret: no environment or `docker inspect`
 * ever shows it); its content, less a trailing newline, is the password. Brokers follow the one broker rule of brokers.ts:
 * --brokers, then KAFKA_BROKERS (EXOARMUR_BROKERS), then the file; there is no default.
 * EXOARMUR_* variables whose first segment is not a config key belong to other tools and are ignored.
 */
import { readFileSync } from 'node:fs';
import type { EffectiveConfig } from './types.js';
import { UsageError } from '../errors.js';
import { resolveBrokers } from './brokers.js';
import { DEFAULT_CONFIG } from './defaults.js';
import { buildEffectiveConfig, deepMerge, expandDotted, validateConfig } from './model.js';

export function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError('CONFIG_FILE_UNREADABLE', `cannot read config file ${file}: ${(err as Error).message}; check the --config path`, { cause: err });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError('CONFIG_FILE_NOT_JSON', `config file ${file} is not JSON: ${(err as Error).message}; fix the file`, { cause: err });
  }
}

export function configFromEnv(env: Record<string, string | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const topLevel = Object.keys(DEFAULT_CONFIG);
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('EXOARMUR_') || raw === undefined || name === 'EXOARMUR_BROKERS' || name === PASSWORD_FILE_ENV) continue;
    const path = name.slice('EXOARMUR_'.length).toLowerCase().split('__');
    if (!topLevel.includes(path[0]!)) continue;
    out[path.join('.')] = parseEnvValue(raw);
  }
  return expandDotted(out);
}

export const PASSWORD_FILE_ENV = 'EXOARMUR_BROKER_AUTH__PASSWORD_FILE';

/** The broker password read from the file EXOARMUR_BROKER_AUTH__PASSWORD_FILE names, as a config layer; nothing when unset. */
export function passwordFromFile(env: Record<string, string | undefined>): Record<string, unknown> {
  const file = env[PASSWORD_FILE_ENV];
  if (file === undefined || file === '') return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(
      'BROKER_PASSWORD_FILE_UNREADABLE',
      `${PASSWORD_FILE_ENV}=${file} cannot be read: ${(err as Error).message}; point it at the file holding the broker password`,
      {
        cause: err,
      },
    );
  }
  return { broker_auth: { password: text.replace(/\r?\n$/, '') } };
}

function parseEnvValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

export interface LoadOptions {
  file?: string | undefined;
  env?: Record<string, string | undefined>;
  /** The `--brokers` flag as given: the broker rule (brokers.ts) decides between it, the environment and the file. */
  brokers?: string | undefined;
  /** Partial config, nested or with dotted keys ({ 'policy.default_trust': 0.7 }). */
  flags?: Record<string, unknown>;
}

export function loadEffectiveConfig(options: LoadOptions = {}): EffectiveConfig {
  const env = options.env ?? {};
  let merged: unknown = DEFAULT_CONFIG;
  let fileBrokers: string[] | undefined;
  if (options.file !== undefined) {
    const file = readConfigFile(options.file);
    const listed = (file as { brokers?: unknown } | null)?.brokers;
    if (Array.isArray(listed)) fileBrokers = listed.map(String);
    merged = deepMerge(merged, file);
  }
  merged = deepMerge(merged, configFromEnv(env));
  merged = deepMerge(merged, passwordFromFile(env));
  merged = deepMerge(merged, expandDotted(options.flags ?? {}));
  const brokers = resolveBrokers({ flag: options.brokers, env, configFile: fileBrokers });
  return buildEffectiveConfig(validateConfig({ ...(merged as object), brokers }));
}
