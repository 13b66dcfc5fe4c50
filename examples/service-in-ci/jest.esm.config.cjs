// jest's native ES module mode (run with NODE_OPTIONS=--experimental-vm-modules), TypeScript through ts-jest.
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/jest/**/*.spec.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};
