export default { test: { include: ['test/vitest/**/*.spec.ts'] } };
