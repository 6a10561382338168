/**
 * What each safety-gate rule of evaluateGate (gate.ts, DESIGN §2 stage 6) says, in words, for
 * people reading a decision (`exoarmur trace`, the evidence viewer). Data only; the rules
 * themselves are decided in gate.ts, and gate-rules.test.ts checks this table names exactly the
 * rules the gate can return.
 */
export const SAFETY_RULE_DESCRIPTIONS: { readonly [rule: string]: string } = {
  'SG-101': 'global kill switch is on, class is not A0: deny',
  'SG-102': "the tenant's kill switch is on, class is not A0: deny",
  'SG-105': 'unknown cell (not in policy.trust) under policy.unknown_cell observe_only, class is not A0: deny',
  'SG-201': 'policy not verified (pinned_policy_sha256 set and different), class is not A0: require quorum',
  'SG-150': 'protected subject (policy.protected_subjects), class is not A0: require a human',
  'SG-160': 'a containment of the same or a stronger class is in force on the subject (policy.no_double_containment), class is not A0: deny',
  'SG-301': 'cell trust < 0.35, class A2 or A3: require a human',
  'SG-302': 'cell trust < 0.50, class A2: require quorum',
  'SG-303': 'cell trust < 0.80, class A3: require a human',
  'SG-401': 'class A1 with confidence ≥ 0.80: allow',
  'SG-402': 'class A1 with confidence < 0.80: deny',
  'SG-403': 'class A2 with confidence ≥ 0.90, or quorum ≥ 2 cells and aggregate ≥ 0.85: allow',
  'SG-404': 'class A2 otherwise: require quorum',
  'SG-405': 'class A3 with confidence ≥ 0.97, quorum ≥ 3 and aggregate ≥ 0.92: allow',
  'SG-406': 'class A3 otherwise: require a human',
  'SG-501': 'class A0 (observe): allow',
  'SG-999': 'no rule matched: deny',
};

/** "SG-403 (class A2 with confidence ≥ 0.90, …: allow)", or the bare id of a rule this version does not know. */
export function describeRule(rule: string): string {
  const text = Object.prototype.hasOwnProperty.call(SAFETY_RULE_DESCRIPTIONS, rule) ? SAFETY_RULE_DESCRIPTIONS[rule] : undefined;
  return text === undefined ? rule : `${rule} (${text})`;
}
