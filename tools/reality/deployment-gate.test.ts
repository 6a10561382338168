/** Gate 4's three outcomes: UNPROVEN only where no engine can run (or compose was left out), PASS only when compose decided as the embedded run, FAIL otherwise. */
import test from 'ava';
import { deploymentGate, type DeploymentEvidence } from './deployment-gate.js';

const composeRan: Extract<DeploymentEvidence, { engine: 'ran' }> = {
  engine: 'ran',
  flavour: 'airgap-kafka',
  compose_file: 'docker-compose.airgap.yml',
  compose_file_sha256: 'ab'.repeat(32),
  failure: null,
  events_compared: 20,
  mismatches: [],
  evidence_problems: [],
  processor_kills: 1,
  broker_kills: 1,
  faults_required: true,
  down: true,
};

test('gate 4 is UNPROVEN where no Docker engine can run, naming the reason and the command that enables one', (t) => {
  t.deepEqual(deploymentGate({ engine: 'unavailable', reason: 'no docker CLI on this machine', enable: 'as root: make deps' }), {
    n: 4,
    name: 'DEPLOYMENT',
    status: 'UNPROVEN',
    evidence: 'no docker CLI on this machine; docker-compose deployment cannot be exercised here (to enable: as root: make deps)',
  });
});

test('gate 4 PASSes when compose ran the scenario through both kills and decided as the embedded run, saying which broker', (t) => {
  t.deepEqual(deploymentGate(composeRan), {
    n: 4,
    name: 'DEPLOYMENT',
    status: 'PASS',
    evidence:
      'docker-compose up on path airgap-kafka: air-gapped Apache Kafka KRaft (docker-compose.airgap.yml, images built by make images): docker-compose.airgap.yml sha256 abababababab; scenario played with docker kill of the processor 1x and the broker 1x (each up again); 20 scenario events decided as in the embedded run (intent hash, verdict, rule, approval, final state); down -v done',
  });
  t.regex(deploymentGate({ ...composeRan, flavour: 'redpanda' }).evidence, /^docker-compose up on path redpanda: Redpanda \(production docker-compose\.yml\)/);
});

const composeFailures: Array<[string, Partial<Extract<DeploymentEvidence, { engine: 'ran' }>>, RegExp]> = [
  [
    'the compose phase failed',
    { failure: 'kafka never became healthy', events_compared: 0 },
    /^failed: compose run failed: kafka never became healthy; no scenario event compared \(/,
  ],
  [
    'a decision differs',
    { mismatches: ['01JS0000000000000000000D02 verdict require_human != allow'] },
    /^failed: 1 decision\(s\) differ from the embedded run: 01JS0000000000000000000D02 verdict/,
  ],
  [
    'the compose evidence files do not hold',
    { evidence_problems: ['docker-compose.airgap.yml does not hash to compose_file_sha256'] },
    /^failed: compose evidence does not hold: docker-compose.airgap.yml does not hash to compose_file_sha256 \(/,
  ],
  ['no processor kill', { processor_kills: 0 }, /^failed: the processor container was never killed \(/],
  ['no broker kill', { broker_kills: 0 }, /^failed: the broker container was never killed \(/],
  ['down -v failed', { down: false }, /^failed: docker-compose down -v failed \(/],
];

test('gate 4: a --no-faults run needs no container kill; a run the caller kept from compose is UNPROVEN, saying so', (t) => {
  t.is(deploymentGate({ ...composeRan, processor_kills: 0, broker_kills: 0, faults_required: false } as DeploymentEvidence).status, 'PASS');
  t.deepEqual(deploymentGate({ engine: 'skipped', reason: '--no-compose' }), {
    n: 4,
    name: 'DEPLOYMENT',
    status: 'UNPROVEN',
    evidence: '--no-compose; docker-compose deployment not exercised in this run',
  });
});
for (const [name, change, reason] of composeFailures) {
  test(`gate 4 FAILs when compose was tried: ${name}`, (t) => {
    const gate = deploymentGate({ ...composeRan, ...change } as DeploymentEvidence);
    t.is(gate.status, 'FAIL');
    t.regex(gate.evidence, reason);
  });
}
