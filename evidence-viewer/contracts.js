// @ts-check
// ExoArmur evidence viewer: the contracts it re-checks (docs/contracts.md): canonical JSON, SHA-256 and Ed25519 via WebCrypto, the audit stages, the PASS_FAIL.txt grammar.
// A classic script, because a page opened from file:// may not load ES modules. Each script of the
// viewer adds what it defines to one namespace, globalThis.exoViewer, and reads what the scripts
// before it defined; index.html loads them in this order: contracts, dom, bundle, counts, record-checks, signatures, checks, actuation, derived, run-gates, gates, proof, overview, time-axes, time-tables, time-chart, reports, whatif, operators, trace, viewer.
'use strict';

(() => {
  const exo = /** @type {any} */ (globalThis.exoViewer = {});

  const ZERO_HASH = '0'.repeat(64);
  const SVG_NS = 'http://www.w3.org/2000/svg';
  const GATE_LINE = /^GATE\s+(\d+)\s+(.+?):\s*(PASS|FAIL|UNPROVEN)\b\s*(?:-\s*(.*))?$/;
  const PARTITION_COLOURS = ['#2563eb', '#0d9488', '#7c3aed', '#c2410c', '#0891b2', '#be185d', '#4d7c0f', '#a16207'];

  /** Which trace stage an audit event_kind belongs to, in the order the decision chain runs. */
  /** @type {Array<[string, string[]]>} */
  const STAGES = [
    [
      'receipt',
      [
        'telemetry_received',
        'telemetry_duplicate',
        'telemetry_rejected',
        'action_received',
        'action_duplicate',
        'action_rejected',
        'result_received',
        'result_duplicate',
        'result_rejected',
      ],
    ],
    ['facts', ['facts_derived']],
    ['belief', ['belief_emitted']],
    ['collective', ['collective_updated']],
    ['intent', ['intent_proposed']],
    ['safety', ['safety_evaluated']],
    ['approval', ['approval_requested', 'operator_action_applied', 'operator_action_rejected', 'approval_granted', 'approval_denied', 'approval_expired']],
    ['outcome', ['intent_released', 'intent_denied']],
    ['execution', ['execution_succeeded', 'execution_failed']],
    ['guard', ['kill_switch_changed', 'circuit_breaker_tripped', 'containment_in_force', 'containment_kept', 'containment_reverted']],
  ];
  const STAGE_OF = new Map(STAGES.flatMap(([stage, kinds]) => kinds.map((k) => [k, stage])));
  const BAD_KINDS = new Set([
    'telemetry_rejected',
    'action_rejected',
    'result_rejected',
    'operator_action_rejected',
    'intent_denied',
    'approval_denied',
    'approval_expired',
    'execution_failed',
  ]);

  // ---------------------------------------------------------------- contracts (docs/contracts.md)

  /** Canonical JSON: sorted keys (UTF-16 order), no whitespace, scalars exactly as JSON.stringify writes them. */
  function canonicalJson(value) {
    if (value === null || typeof value !== 'object') return JSON.stringify(value);
    if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }

  async function sha256HexBytes(bytes) {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  const sha256Hex = (text) => sha256HexBytes(new TextEncoder().encode(text));

  function base64ToBytes(b64) {
    const binary = atob(b64.replace(/\s+/g, ''));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  }

  /** Operator keys are base64 SPKI DER (contract); raw 32-byte keys and PEM are accepted too. */
  async function importOperatorKey(publicKey) {
    const pem = publicKey.match(/-----BEGIN PUBLIC KEY-----([\s\S]*?)-----END PUBLIC KEY-----/);
    const der = base64ToBytes(pem ? pem[1] : publicKey);
    const format = der.length === 32 ? 'raw' : 'spki';
    return crypto.subtle.importKey(format, der, { name: 'Ed25519' }, false, ['verify']);
  }
  function parsePassFail(text) {
    const result = { runId: null, gates: [], overall: null, unparsed: [] };
    for (const raw of (text ?? '').split('\n')) {
      const line = raw.trim();
      if (line === '') continue;
      let m;
      if ((m = line.match(/^RUN\s+(\S+)/))) result.runId = m[1];
      else if ((m = line.match(GATE_LINE))) result.gates.push({ n: Number(m[1]), name: m[2], status: m[3], evidence: m[4] ?? '' });
      else if ((m = line.match(/^OVERALL:\s*(PASS|FAIL)\b/))) result.overall = m[1];
      else result.unparsed.push(line);
    }
    return result;
  }

  Object.assign(exo, {
    ZERO_HASH,
    SVG_NS,
    GATE_LINE,
    PARTITION_COLOURS,
    STAGES,
    STAGE_OF,
    BAD_KINDS,
    canonicalJson,
    sha256HexBytes,
    sha256Hex,
    base64ToBytes,
    importOperatorKey,
    parsePassFail,
  });
})();
