// Mutation testing (make mutation): the pure tests that judge processor/core, run once per mutant by StrykerJS's command runner.
export default {
  files: ['dist/processor/core/*.test.js', 'dist/processor/engine/*.test.js'],
  nodeArguments: ['--enable-source-maps'],
  timeout: '2m',
  failFast: true,
};
