/**
 * The scenario format (DESIGN §5, a contract) plus this harness's two extensions (`raw`, `config`).
 * Parsing is pure so the format is tested without a broker.
 */
import { SENSOR_FORMATS, type SensorFormat } from '../../processor/codec/adapters/index.js';
import { UsageError } from '../../processor/errors.js';

export type FinalStatus = 'RELEASED' | 'DENIED' | 'APPROVED' | 'OPERATOR_DENIED' | 'PENDING' | 'EXPIRED' | 'REJECTED';
export type Fault = 'kill_processor' | 'kill_broker' | 'restart';

export interface OperatorStep {
  action: 'approve' | 'deny' | 'kill_switch_on' | 'kill_switch_off';
  event_id?: string;
  actor_id: string;
  decided_at?: string;
  reason?: string;
  scope?: 'global' | 'tenant';
  tenant_id?: string;
}

/** A public sensor sample delivered in its own format (fixtures/sensors), named by its exoarmur-format header. */
export interface SensorStep {
  format: SensorFormat;
  /** The sample file, relative to the repository root; its bytes (without a final newline) are the record's value. */
  file: string;
  /** The exoarmur-tenant header: whose record it is (formats that carry no tenant need it). */
  tenant_id: string;
  /** The exoarmur-cell header, when given; else the format's own sensor name is the cell. */
  cell_id?: string;
}

export interface Expectation {
  event_id: string;
  verdict?: string;
  rule?: string;
  approval?: 'none' | 'human' | 'quorum';
  final?: FinalStatus;
  /** What the actuator reported for the released intent: succeeded, failed (failed or gave_up), or not_executed. */
  execution?: 'succeeded' | 'failed' | 'not_executed';
}

export type Step =
  | { kind: 'telemetry'; line: string; event: Record<string, unknown>; lineNo: number }
  | { kind: 'raw'; line: string; lineNo: number }
  | { kind: 'sensor'; sensor: SensorStep; lineNo: number }
  | { kind: 'operator'; op: OperatorStep; lineNo: number }
  | { kind: 'wait'; lineNo: number }
  | { kind: 'fault'; fault: Fault; lineNo: number }
  | { kind: 'config'; partial: Record<string, unknown>; lineNo: number }
  | { kind: 'expect'; expect: Expectation; lineNo: number };

const FAULTS: readonly Fault[] = ['kill_processor', 'kill_broker', 'restart'];
const ACTIONS = ['approve', 'deny', 'kill_switch_on', 'kill_switch_off'] as const;
const EXECUTIONS: readonly string[] = ['succeeded', 'failed', 'not_executed'];
const FINALS: readonly FinalStatus[] = ['RELEASED', 'DENIED', 'APPROVED', 'OPERATOR_DENIED', 'PENDING', 'EXPIRED', 'REJECTED'];

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(file: string, lineNo: number, problem: string): never {
  throw new UsageError('SCENARIO_INVALID', `${file}:${lineNo}: ${problem}; fix the scenario line (format: fixtures/scenarios/README.md)`);
}

export function parseScenario(text: string, file = 'scenario.jsonl'): Step[] {
  const steps: Step[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const lineNo = index + 1;
    if (raw.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (error) {
      bad(file, lineNo, `not JSON (${(error as Error).message})`);
    }
    if (!isObj(parsed) || Object.keys(parsed).length !== 1) bad(file, lineNo, 'a step is a JSON object with exactly one key');
    const [key, value] = Object.entries(parsed)[0]!;
    switch (key) {
      case 'telemetry':
        if (!isObj(value)) bad(file, lineNo, 'telemetry must be an object');
        // The delivered bytes are the object as written, so a repeated line is a byte-identical delivery.
        steps.push({ kind: 'telemetry', line: JSON.stringify(value), event: value, lineNo });
        return;
      case 'raw':
        if (typeof value !== 'string') bad(file, lineNo, 'raw must be a string (the exact telemetry value to deliver)');
        steps.push({ kind: 'raw', line: value, lineNo });
        return;
      case 'sensor': {
        if (!isObj(value)) bad(file, lineNo, 'sensor must be an object');
        if (!SENSOR_FORMATS.includes(value['format'] as SensorFormat)) bad(file, lineNo, `sensor.format must be one of ${SENSOR_FORMATS.join(', ')}`);
        if (typeof value['file'] !== 'string' || value['file'] === '') bad(file, lineNo, 'sensor.file must name a sample file (relative to the repository root)');
        if (typeof value['tenant_id'] !== 'string' || value['tenant_id'] === '') bad(file, lineNo, 'sensor.tenant_id must be a tenant id');
        if (value['cell_id'] !== undefined && typeof value['cell_id'] !== 'string') bad(file, lineNo, 'sensor.cell_id must be a string when given');
        const extra = Object.keys(value).filter((k) => !['format', 'file', 'tenant_id', 'cell_id'].includes(k));
        if (extra.length > 0) bad(file, lineNo, `sensor has unknown key ${JSON.stringify(extra[0])}`);
        steps.push({ kind: 'sensor', sensor: value as unknown as SensorStep, lineNo });
        return;
      }
      case 'operator': {
        if (!isObj(value)) bad(file, lineNo, 'operator must be an object');
        const action = value['action'];
        if (!ACTIONS.includes(action as never)) bad(file, lineNo, `operator.action must be one of ${ACTIONS.join(', ')}`);
        if (typeof value['actor_id'] !== 'string') bad(file, lineNo, 'operator.actor_id must be a string');
        if ((action === 'approve' || action === 'deny') && typeof value['event_id'] !== 'string') bad(file, lineNo, `${String(action)} needs event_id`);
        if ((action === 'kill_switch_on' || action === 'kill_switch_off') && value['scope'] !== 'global' && value['scope'] !== 'tenant')
          bad(file, lineNo, 'a kill switch needs scope global or tenant');
        if (value['scope'] === 'tenant' && typeof value['tenant_id'] !== 'string') bad(file, lineNo, 'a tenant kill switch needs tenant_id');
        steps.push({ kind: 'operator', op: value as unknown as OperatorStep, lineNo });
        return;
      }
      case 'wait':
        if (value !== 'settled') bad(file, lineNo, 'wait must be "settled"');
        steps.push({ kind: 'wait', lineNo });
        return;
      case 'fault':
        if (!FAULTS.includes(value as Fault)) bad(file, lineNo, `fault must be one of ${FAULTS.join(', ')}`);
        steps.push({ kind: 'fault', fault: value as Fault, lineNo });
        return;
      case 'config':
        if (!isObj(value)) bad(file, lineNo, 'config must be a partial config object');
        steps.push({ kind: 'config', partial: value, lineNo });
        return;
      case 'expect': {
        if (!isObj(value) || typeof value['event_id'] !== 'string') bad(file, lineNo, 'expect needs event_id');
        if (value['final'] !== undefined && !FINALS.includes(value['final'] as FinalStatus)) bad(file, lineNo, `expect.final must be one of ${FINALS.join(', ')}`);
        if (value['execution'] !== undefined && !EXECUTIONS.includes(value['execution'] as string)) bad(file, lineNo, `expect.execution must be one of ${EXECUTIONS.join(', ')}`);
        steps.push({ kind: 'expect', expect: value as unknown as Expectation, lineNo });
        return;
      }
      default:
        bad(file, lineNo, `unknown step "${key}"`);
    }
  });
  return steps;
}

/** Every actor the scenario names: each gets a per-run key registered in the run's config. */
export function scenarioActors(steps: readonly Step[]): string[] {
  const actors = new Set<string>();
  for (const step of steps) if (step.kind === 'operator') actors.add(step.op.actor_id);
  return [...actors].sort();
}
