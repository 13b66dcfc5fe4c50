// jest's default CommonJS mode, TypeScript through ts-jest.
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/jest/**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.cjs.json' }] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};
