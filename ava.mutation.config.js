// Mutation testing (make mutation): the pure tests that judge processor/core, run by StrykerJS's command runner
// through tools/testing/mutation/run-tests.ts. The require hook records which mutants each test file reaches.
export default {
  files: ['dist/processor/core/*.test.js', 'dist/processor/engine/*.test.js'],
  require: ['./dist/tools/testing/mutation/coverage-hook.js'],
  timeout: '2m',
  failFast: true,
};
