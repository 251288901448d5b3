/** Jest runs the TypeScript sources directly through ts-jest. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
  },
  // Every response of a test app is checked against openapi.yaml (test/helpers/specCheck.ts).
  setupFilesAfterEnv: ['<rootDir>/test/helpers/specCheckSetup.ts'],
  testTimeout: 60000,
  maxWorkers: 2,
};
