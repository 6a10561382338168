/**
 * Kill switches as an operator sees them. A switch is written to every partition of the operator
 * topic and each partition applies it in its own order, so its state is per partition: normally
 * all agree, and a split ("on in 2 of 3 partitions") means some partition has not consumed the
 * action yet (its processor is behind or down).
 */
import type { PartitionKillSwitch } from './approvals.js';

export interface KillSwitchView {
  /** "global" or "tenant acme". */
  scope: string;
  /** Partitions where the switch is on, of the partitions that hold a record of it. */
  on_partitions: number[];
  off_partitions: number[];
  /** The latest decision recorded for this switch (greatest decided_at). */
  last: { on: boolean; actor_id: string; reason: string; decided_at: string; action_id: string };
}

export function killSwitchViews(records: readonly PartitionKillSwitch[]): KillSwitchView[] {
  const byScope = new Map<string, PartitionKillSwitch[]>();
  for (const r of records) {
    const scope = r.scope === 'global' ? 'global' : `tenant ${r.tenant_id ?? ''}`;
    byScope.set(scope, [...(byScope.get(scope) ?? []), r]);
  }
  return [...byScope.entries()]
    .sort(([a], [b]) => (a === 'global' ? -1 : b === 'global' ? 1 : a < b ? -1 : 1))
    .map(([scope, rs]) => {
      const latest = rs.reduce((x, y) => (y.decided_at > x.decided_at ? y : x));
      return {
        scope,
        on_partitions: rs
          .filter((r) => r.on)
          .map((r) => r.partition)
          .sort((a, b) => a - b),
        off_partitions: rs
          .filter((r) => !r.on)
          .map((r) => r.partition)
          .sort((a, b) => a - b),
        last: { on: latest.on, actor_id: latest.actor_id, reason: latest.reason, decided_at: latest.decided_at, action_id: latest.action_id },
      };
    });
}

/** One line per switch ever set; "all off" when none was. */
export function killSwitchText(views: readonly KillSwitchView[]): string {
  if (views.length === 0) return 'kill switches: none ever set (all off)\n';
  const lines = views.map((v) => {
    const total = v.on_partitions.length + v.off_partitions.length;
    const state =
      v.on_partitions.length === 0 ? 'OFF' : v.off_partitions.length === 0 ? 'ON' : `ON in ${v.on_partitions.length} of ${total} partitions (not yet applied everywhere)`;
    return `kill switch ${v.scope}: ${state} — last ${v.last.on ? 'on' : 'off'} by ${v.last.actor_id} at ${v.last.decided_at}: "${v.last.reason}"`;
  });
  return `${lines.join('\n')}\n`;
}
