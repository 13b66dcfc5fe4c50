export default { test: { include: ['test/vitest/**/*.spec.ts'], setupFiles: ['test/vitest/setup.ts'] } };
