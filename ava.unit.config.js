// Pure tests: compiled *.test.js that are not integration tests. No broker needed.
export default {
  files: ['dist/**/*.test.js', '!dist/**/*.integration.test.js'],
  nodeArguments: ['--enable-source-maps'],
  timeout: '2m',
};
