/**
 * The one error module: every failure the shell or the tools raise is an ExoArmurError whose
 * `code` is registered below with its recovery class and a hint (what to do about it). The code's
 * type is the registry's keys, so an unregistered code does not compile. Business outcomes (deny,
 * reject) are values in the core, never exceptions.
 *
 * Recovery classes, and who acts on them:
 * - usage: the command line, the config or a file must change; the CLI exits 2.
 * - retriable: backing off and trying again can succeed; the processor retries.
 * - rebuild_task: another owner took the partition's transactional id (fenced, migrated): the task
 *   is rebuilt with a new producer, re-fenced, re-restored and re-seeked.
 * - permanent: the same work will fail the same way until something outside changes; the
 *   processor halts after repeated failure (exit 2), a command fails (exit 1).
 * - invariant: an assumption of the code broke (a bug); treated as permanent.
 * - unclassified: a broker failure nothing recognised; the processor rebuilds the task and retries
 *   with backoff, never halts, because taking a transient failure for a permanent one would stop
 *   the service.
 */
export type Recovery = 'usage' | 'retriable' | 'rebuild_task' | 'permanent' | 'invariant' | 'unclassified';

export interface ErrorSpec {
  recovery: Recovery;
  hint: string;
}

export const ERRORS = {
  ACTION_REJECTED: { recovery: 'permanent', hint: 'the processor refused the action: its reason code says why (see docs/design.md, operator actions)' },
  ACTION_TARGET_INVALID: { recovery: 'usage', hint: 'name an approval the action decides (operator pending lists them)' },
  ACTUATE_DRIVER_INVALID: { recovery: 'usage', hint: 'give --driver webhook --url URL, or --driver exec --command CMD' },
  ACTOR_INVALID: { recovery: 'usage', hint: "give an actor id of letters, digits, '.', '_' or '-'" },
  ACTOR_MISSING: { recovery: 'usage', hint: 'pass --actor' },
  ACTOR_NOT_REGISTERED: { recovery: 'usage', hint: 'add the actor\'s public key under "operators" in the config and restart the processor' },
  ALREADY_VOTED: { recovery: 'usage', hint: 'another registered operator must cast the next vote' },
  APPROVAL_EXPIRED: { recovery: 'usage', hint: 'the approval expired; the intent must be proposed again' },
  APPROVAL_NOT_FOUND: { recovery: 'usage', hint: 'check the approval id against exoarmur operator pending' },
  APPROVAL_NOT_PENDING: { recovery: 'usage', hint: 'the approval is already decided; exoarmur operator pending lists open ones' },
  BENCH_EVENTS_INVALID: { recovery: 'usage', hint: 'give --events as an integer of at least 1000' },
  BENCH_JOBS_INVALID: { recovery: 'usage', hint: 'give --jobs as a comma list of baseline, catch-up, replay, latency, scaling, recovery' },
  BENCH_PARTITIONS_INVALID: { recovery: 'usage', hint: 'give --partitions as a positive integer' },
  BENCH_REPLAY_FAILED: { recovery: 'permanent', hint: "read the replay's stderr in the message" },
  BENCH_TIMEOUT: { recovery: 'permanent', hint: 'the machine may be overloaded: rerun on a quieter machine' },
  BROKERS_MALFORMED: { recovery: 'usage', hint: 'give brokers as host:port[,host:port...]' },
  BROKERS_MISSING: { recovery: 'usage', hint: 'give --brokers, set KAFKA_BROKERS, or set brokers in the config file' },
  BROKER_AUTH_FAILED: { recovery: 'usage', hint: "check broker_auth.username and the password against the broker's SCRAM users" },
  BROKER_AUTH_INCOMPLETE: { recovery: 'usage', hint: 'set broker_auth.username and the password (config file or EXOARMUR_BROKER_AUTH__*)' },
  BROKER_PASSWORD_FILE_UNREADABLE: { recovery: 'usage', hint: 'set EXOARMUR_BROKER_AUTH__PASSWORD_FILE to a readable file holding the broker password' },
  BROKER_TLS_CA_UNREADABLE: { recovery: 'usage', hint: "set EXOARMUR_TLS_CA_FILE to the broker's CA certificate (the secure embedded broker's <data-dir>/tls/ca.pem)" },
  BROKER_TLS_FAILED: { recovery: 'permanent', hint: 'check that keytool (Java 17+) is on PATH and the data dir is writable' },
  BROKER_EXITED: { recovery: 'permanent', hint: 'read the broker log named in the message' },
  BROKER_FETCH_FAILED: { recovery: 'usage', hint: 'check that Maven reaches Maven Central, then run make broker-fetch' },
  BROKER_FETCH_INCOMPLETE: { recovery: 'permanent', hint: 'run make broker-fetch again' },
  BROKER_NOT_READY: { recovery: 'usage', hint: 'read the broker log named in the message' },
  BROKER_RUNNING_ELSEWHERE: { recovery: 'usage', hint: 'stop that broker first (exoarmur broker stop) or use another --data-dir' },
  BROKER_SPAWN_FAILED: { recovery: 'permanent', hint: 'check that java is on PATH' },
  BROKER_STATE_MISSING: { recovery: 'permanent', hint: 'start the broker with exoarmur broker start' },
  BROKER_STOP_TIMEOUT: { recovery: 'usage', hint: 'stop it with exoarmur broker stop --kill' },
  BROKER_UNREACHABLE: { recovery: 'usage', hint: 'start the broker (make broker-up) or fix --brokers, KAFKA_BROKERS or the config brokers' },
  BUNDLE_NOT_FOUND: { recovery: 'usage', hint: 'point at an evidence bundle directory (artifacts/<run_id>/)' },
  BUNDLE_NO_MANIFEST: { recovery: 'usage', hint: 'point at an evidence bundle directory that holds manifest.json' },
  BUNDLE_UNVERIFIED: { recovery: 'permanent', hint: 'read the failed checks in the message' },
  BUNDLE_UNJUDGEABLE: { recovery: 'permanent', hint: 'the evidence files the gates read are missing or unreadable; re-run make reality' },
  CLI_USAGE: { recovery: 'usage', hint: 'run exoarmur --help, or exoarmur <command> --help' },
  CLUSTER_MISSING: { recovery: 'usage', hint: 'start the cluster with exoarmur broker start --cluster --data-dir DIR' },
  CHILD_COMMAND_FAILED: { recovery: 'permanent', hint: "read the child's stderr in the message" },
  COMPOSE_FAILED: { recovery: 'permanent', hint: 'read the compose evidence (compose/ in the bundle) and the docker-compose output in the message' },
  COMPOSE_SECURE_NEEDS_ROOT: { recovery: 'usage', hint: 'run the secure compose profile as root (it hands each container its secrets owned by the container user)' },
  CONFIG_FILE_NOT_JSON: { recovery: 'usage', hint: 'fix the JSON of the config file' },
  CONFIG_FILE_UNREADABLE: { recovery: 'usage', hint: 'check the --config path and its permissions' },
  CONFIG_HASH_MISMATCH: { recovery: 'usage', hint: 'the snapshot was edited: use the one the processor published' },
  CONFIG_INVALID: { recovery: 'usage', hint: 'fix the config field named in the message' },
  CONTAINMENT_NOT_FOUND: { recovery: 'usage', hint: 'check the intent id against exoarmur operator contained' },
  CONTAINMENT_REVERTED: { recovery: 'usage', hint: 'the containment was reverted; a new containment must be released to contain again' },
  DATA_DIR_CORRUPT: { recovery: 'usage', hint: 'remove the data dir or pass another --data-dir' },
  DATA_DIR_UNFORMATTABLE: { recovery: 'usage', hint: "read kafka-storage's output in the message" },
  DELIVERY_UNCONFIRMED: { recovery: 'permanent', hint: 'check that the broker is up and rerun' },
  FILE_ACCESS_FAILED: { recovery: 'usage', hint: 'check the path and its permissions' },
  GROUP_OFFSETS_INCOMPLETE: { recovery: 'retriable', hint: "none: the group coordinator's answer left out a partition; the offsets are fetched again" },
  HOSTILE_CORPUS_DRIFT: { recovery: 'invariant', hint: 'the corpus no longer opens the approvals its operator cases aim at: update tools/hostile to the policy' },
  HOSTILE_OUTCOME_MISMATCH: { recovery: 'permanent', hint: 'read the first mismatching record in the message and the report table' },
  INJECT_FILE_UNREADABLE: { recovery: 'usage', hint: 'check the events file path' },
  INJECT_LINE_INVALID: { recovery: 'usage', hint: 'fix the line named in the message, or pass --raw to send it unchecked' },
  INJECT_SCENARIO_FORMAT: { recovery: 'usage', hint: 'play a scenario with exoarmur reality --scenario DIR, or extract its telemetry lines' },
  INPUT_POSITION_BEYOND_LOG: { recovery: 'permanent', hint: 'the input topic is not the one the state was built from: use a new app id for fresh state, or restore the topic' },
  INSPECT_FROM_INVALID: { recovery: 'usage', hint: 'give --from as earliest, latest or an offset' },
  JAVA_MISSING: { recovery: 'usage', hint: 'install Java 17 or newer (make deps does, as root)' },
  JAVA_TOO_OLD: { recovery: 'usage', hint: 'install Java 17 or newer (make deps does, as root)' },
  KAFKA_OPERATION_FAILED: { recovery: 'unclassified', hint: 'read the broker error in the message' },
  KAFKA_VERSION_MISSING: { recovery: 'permanent', hint: 'restore <kafka.version> in tools/broker/pom.xml' },
  KEEP_UNTIL_INVALID: { recovery: 'usage', hint: 'give --until as an RFC 3339 time, or leave it out to keep with no end' },
  KEEP_UNTIL_TOO_EARLY: { recovery: 'usage', hint: 'give an --until after both the partition stream time and the end in force (exoarmur operator contained shows them)' },
  KEY_EXISTS: { recovery: 'usage', hint: 'keep the existing key, or remove it first to make a new one' },
  MAVEN_MISSING: { recovery: 'usage', hint: 'install Maven (make deps does, as root)' },
  OPERATOR_KEY_INVALID: { recovery: 'usage', hint: 'pass a key file written by exoarmur operator keygen' },
  CHECKPOINT_KEY_INVALID: { recovery: 'usage', hint: 'make a checkpoint key with exoarmur keygen --out FILE and name it in checkpoints.key_file' },
  CHECKPOINT_KEY_MISMATCH: { recovery: 'usage', hint: 'checkpoints.public_key must be the public key keygen printed for checkpoints.key_file' },
  CHECKPOINT_UNREADABLE: { recovery: 'permanent', hint: 'the checkpoint topic holds a record that does not decode; it is written only by this processor' },
  CHECKPOINT_TREE_INCOMPLETE: {
    recovery: 'permanent',
    hint: 'the audit topic no longer holds every record of the partition (retention?): restore its records, or run with checkpoints off',
  },
  TRUST_KEY_INVALID: {
    recovery: 'usage',
    hint: "pass --trust a base64 SPKI Ed25519 public key, a PEM public key file, a config file with checkpoints.public_key, or the bundle's config_snapshot.json",
  },
  TRUST_SNAPSHOT_UNMATCHED: { recovery: 'usage', hint: 'pass the config_snapshot.json of the bundle you verify (its config_hash.txt names the snapshot), or the key itself' },
  PROOF_INVALID: { recovery: 'usage', hint: 'pass a proof written by exoarmur prove' },
  PROOF_FAILED: { recovery: 'permanent', hint: 'the proof does not hold against the trusted key: read the reason in the message' },
  AUDIT_ID_NOT_FOUND: { recovery: 'usage', hint: 'give an audit_id of a record in the bundle (audit_export.jsonl)' },
  OPERATOR_KEY_MISMATCH: { recovery: 'usage', hint: 'pass the key whose public half the config registers for this actor' },
  OPERATOR_KEY_UNREADABLE: { recovery: 'usage', hint: 'check the --key path and its permissions' },
  OPERATOR_TOPIC_MISSING: { recovery: 'usage', hint: "create the topics first (exoarmur topics ensure) or check the config's topics" },
  OUTCOME_RECORD_UNDECODABLE: { recovery: 'permanent', hint: 'the audit topic holds records ExoArmur did not write' },
  PARTITION_MISSING: { recovery: 'permanent', hint: 'the topic has fewer partitions than the config: recreate it or fix the config' },
  PORT_BUSY: { recovery: 'usage', hint: 'pick another --port, or let the broker choose with --port 0' },
  PROCESSING_HALTED: { recovery: 'permanent', hint: 'fix the cause named in the message and restart; processing resumes at the failed batch' },
  PROCESSOR_EXITED: { recovery: 'permanent', hint: "read the processor's log named in the message (a reality run's is service.log)" },
  PROCESSOR_STOP_FAILED: { recovery: 'permanent', hint: "read the processor's log named in the message" },
  PRODUCE_ANSWER_MISMATCH: { recovery: 'retriable', hint: 'none: the transaction is aborted and the batch redone (a kafkajs retry across a leader move)' },
  PRODUCER_FENCED: { recovery: 'rebuild_task', hint: 'none: the task is rebuilt with a new producer' },
  PRODUCER_PERF_FAILED: { recovery: 'permanent', hint: "read kafka-producer-perf-test's output in the message" },
  PRODUCER_PERF_UNPARSEABLE: { recovery: 'permanent', hint: "read kafka-producer-perf-test's output in the message" },
  REASON_REQUIRED: { recovery: 'usage', hint: 'pass --reason' },
  READ_TIMEOUT: { recovery: 'retriable', hint: 'check the broker, and look for a hanging transaction on the partition (kafka-transactions.sh find-hanging)' },
  RECORDED_FILE_MISSING: { recovery: 'permanent', hint: 're-record the run (exoarmur record) or restore the file' },
  RECORDED_FILE_UNREADABLE: { recovery: 'permanent', hint: 're-record the run (exoarmur record) or restore the file' },
  RECORDED_FORMAT_UNKNOWN: { recovery: 'permanent', hint: 'record it again with this version (exoarmur record)' },
  RECORDED_PARTITION_UNKNOWN: { recovery: 'permanent', hint: 're-record the run (exoarmur record)' },
  RECORD_RUN_EMPTY: { recovery: 'permanent', hint: 'check the run id: the broker holds no audit records for it' },
  RECORD_RUN_MISSING: { recovery: 'usage', hint: 'pass --run <run_id>' },
  RECORD_UNDECODABLE: { recovery: 'permanent', hint: 'the topic holds records ExoArmur did not write' },
  REPLAY_CONFIG_MISSING: { recovery: 'permanent', hint: 'replay needs every config snapshot the run used (check the config topic)' },
  REPLAY_INPUT_MISSING: { recovery: 'permanent', hint: "replay needs the run's inputs (check the input topics' retention)" },
  REPLAY_RECORD_UNREADABLE: { recovery: 'permanent', hint: 'the topic holds records ExoArmur did not write' },
  REPLAY_RUN_MISSING: { recovery: 'usage', hint: 'pass --run <run_id> or --topic-prefix' },
  REPLAY_WORKERS_INVALID: { recovery: 'usage', hint: 'give --workers a positive integer' },
  REPLAY_UNKNOWN_INPUT_TOPIC: { recovery: 'permanent', hint: "pass the run's topic names (--run or --topic-prefix)" },
  REPO_ROOT_MISSING: { recovery: 'permanent', hint: 'run from a checkout or package of exoarmur' },
  RUN_STOPPING: { recovery: 'permanent', hint: 'the run was stopped by a signal and starts nothing more; run it again' },
  RUN_NOT_SETTLED: { recovery: 'permanent', hint: "read the run's service.log" },
  SCENARIO_INVALID: { recovery: 'usage', hint: 'fix the scenario line named in the message' },
  SCENARIO_MISSING: { recovery: 'usage', hint: 'point --scenario at a directory with scenario.jsonl' },
  SCHEMAS_NOT_FOUND: { recovery: 'permanent', hint: 'run from a checkout or package that ships schemas/' },
  SECRET_IN_BUNDLE: { recovery: 'permanent', hint: 'a secret leaked into evidence: find what wrote it to the named file and make it write a hash' },
  SOAK_FAILED: { recovery: 'permanent', hint: 'read report.json: its first_offending names the record, its bundle the evidence' },
  STATE_STORE_FAILED: {
    recovery: 'permanent',
    hint: 'check the state directory (--state-dir): free space and permissions; removing it makes the next start restore from the changelog',
  },
  STATE_STORE_OVERTAKEN: { recovery: 'rebuild_task', hint: 'none: another owner of the partition moved the state store on; the task is rebuilt and restores from it' },
  STATE_RECORD_UNDECODABLE: { recovery: 'permanent', hint: 'the state topic holds records ExoArmur did not write' },
  STATE_RECORD_UNREADABLE: { recovery: 'permanent', hint: 'the state topic holds records ExoArmur did not write: give the processor its own topic' },
  TASK_STATE: { recovery: 'invariant', hint: 'a bug: report it with the log' },
  TENANT_INVALID: { recovery: 'usage', hint: "give a tenant id of letters, digits, '.', '_' or '-'" },
  TOPIC_NOT_AUTHORIZED: { recovery: 'usage', hint: 'use the credentials of a role the ACLs allow on that topic (see processor/io/acls.ts)' },
  TOPIC_MISSING: { recovery: 'usage', hint: 'check the topic name, run id or prefix, and --brokers' },
  STARTUP_STEP_TIMEOUT: {
    recovery: 'retriable',
    hint: 'the broker did not answer a start-up request in time; the processor retries it, and exits naming the step when every attempt failed',
  },
  TOPICS_NOT_READY: { recovery: 'permanent', hint: 'check the broker: its topics did not get leaders in time' },
  TOPIC_DRIFT: { recovery: 'usage', hint: 'delete or recreate the topic, or use another topic prefix' },
  TRACE_NOT_FOUND: { recovery: 'usage', hint: 'check the id and where it was recorded (--config or --bundle)' },
  TRANSACTION_STATE: { recovery: 'invariant', hint: 'a bug: report it with the log' },
  UNEXPECTED_ERROR: { recovery: 'invariant', hint: 'a bug: rerun with --debug and report the stack' },
  UNKNOWN_INPUT_TOPIC: { recovery: 'invariant', hint: 'a bug: report it with the log' },
  VIEWER_BAD_MANIFEST: { recovery: 'usage', hint: 'regenerate the bundle' },
  VIEWER_NO_MANIFEST: { recovery: 'usage', hint: 'point at an evidence bundle directory (artifacts/<run_id>/)' },
  VIEWER_SOURCE_INVALID: { recovery: 'permanent', hint: 'reinstall the package: evidence-viewer/ is damaged' },
  VIEWER_SOURCE_MISSING: { recovery: 'permanent', hint: 'reinstall the package so evidence-viewer/ ships with it' },
  WAIT_TIMEOUT: { recovery: 'permanent', hint: 'read what it waited for in the message' },
  WHATIF_BUNDLE_UNVERIFIED: { recovery: 'permanent', hint: 'the bundle differs from what the run wrote: read the failed checks (exoarmur verify)' },
  WHATIF_CANDIDATE_MISSING: { recovery: 'usage', hint: 'pass --config FILE, the candidate config to decide the recorded inputs with' },
  WHATIF_SOURCE_MISSING: { recovery: 'usage', hint: 'pass exactly one of --recorded DIR, --bundle DIR, --run RUN_ID or --topic-prefix PREFIX' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** The codes of one recovery class (so a UsageError can only carry a usage code). */
export type CodeOf<R extends Recovery> = { [K in ErrorCode]: (typeof ERRORS)[K]['recovery'] extends R ? K : never }[ErrorCode];

export interface ErrorContext {
  topic?: string;
  partition?: number;
  offset?: string;
  [key: string]: unknown;
}

export interface ErrorOptions {
  cause?: unknown;
  context?: ErrorContext;
  /** Only for an unclassified broker failure: whether the failure it wraps is retriable. */
  retriable?: boolean;
}

export class ExoArmurError extends Error {
  readonly code: ErrorCode;
  readonly recovery: Recovery;
  /** Whether backing off and trying again can help (retriable, rebuild_task, or a retriable unclassified failure). */
  readonly retriable: boolean;
  readonly context: ErrorContext;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.recovery = ERRORS[code].recovery;
    this.retriable = this.recovery === 'retriable' || this.recovery === 'rebuild_task' || (this.recovery === 'unclassified' && options.retriable === true);
    this.context = options.context ?? {};
  }

  get hint(): string {
    return ERRORS[this.code].hint;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, recovery: this.recovery, message: this.message, retriable: this.retriable, context: this.context };
  }
}

/** A user-facing problem with a fix: the CLI prints `message` and exits 2, no stack. */
export class UsageError extends ExoArmurError {
  constructor(code: CodeOf<'usage'>, message: string, options: Omit<ErrorOptions, 'retriable'> = {}) {
    super(code, message, options);
  }
}

/** A broken assumption of the code itself (a bug), never a user or broker problem. */
export class InvariantError extends ExoArmurError {
  constructor(code: CodeOf<'invariant'>, message: string, options: Omit<ErrorOptions, 'retriable'> = {}) {
    super(code, message, options);
  }
}

/** An existing topic's partition count or cleanup policy differs from its spec; ExoArmur never alters it silently. */
export class TopicDriftError extends UsageError {
  readonly property: string;
  readonly expected: string;
  readonly actual: string;

  constructor(topic: string, property: string, expected: string, actual: string, options: { fix?: string } = {}) {
    super('TOPIC_DRIFT', `topic ${topic} has ${property}=${actual} but ExoArmur expects ${property}=${expected}: ${options.fix ?? ERRORS.TOPIC_DRIFT.hint}`, {
      context: { topic, property, expected, actual },
    });
    this.property = property;
    this.expected = expected;
    this.actual = actual;
  }
}

/** A broker operation of the processor shell failed; its code's recovery says what can help. */
export class KafkaOperationError extends ExoArmurError {}

/** Another owner took this partition's transactional id (or the epoch moved on): rebuild the task. */
export class ProducerFencedError extends ExoArmurError {
  constructor(message: string, options: Omit<ErrorOptions, 'retriable'> = {}) {
    super('PRODUCER_FENCED', message, options);
  }
}

/**
 * The same input batch failed again and again with an error retrying cannot fix (e.g. an output
 * record above its topic's max.message.bytes). The processor stops with this error rather than
 * spin silently: nothing of the batch was committed, and a restart after the fix resumes there.
 */
export class ProcessingHaltedError extends ExoArmurError {
  constructor(message: string, options: Omit<ErrorOptions, 'retriable'> = {}) {
    super('PROCESSING_HALTED', message, options);
  }
}
