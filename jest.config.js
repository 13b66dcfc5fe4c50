/** Native-ESM jest over the TypeScript sources (see shared/toolchain.md §2). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022', experimental: { keepImportAttributes: true } },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleNameMapper: {
    '^@mockstack/([^/]+)$': '<rootDir>/packages/$1/src/index.ts',
    '^@mockstack/([^/]+)/([^/]+)$': '<rootDir>/packages/$1/src/$2.ts',
    '^mockstack$': '<rootDir>/packages/mockstack/src/index.ts',
    '^mockstack/msw$': '<rootDir>/packages/mockstack/src/msw.ts',
    '^mockstack/wiremock$': '<rootDir>/packages/mockstack/src/wiremock.ts',
    '^mockstack/mountebank$': '<rootDir>/packages/mockstack/src/mountebank.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/packages/*/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testTimeout: 20000,
};
