// Integration tests: run against the real broker that `make test` starts (KAFKA_BROKERS).
export default {
  files: ['dist/**/*.integration.test.js'],
  nodeArguments: ['--enable-source-maps'],
  timeout: '5m',
  concurrency: 2,
  workerThreads: false,
};
