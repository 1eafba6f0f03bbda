/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
  },
  testTimeout: 30000,
  // Two test files at a time on these 2-core machines (jest's default leaves one core idle): most of a
  // file's time is spent waiting on the bot processes, the simulator and Azurite it starts.
  maxWorkers: 2,
  watchman: false,
  reporters: ['default', '<rootDir>/test/support/summaryReporter.js'],
};
