// Registers mockstack's matchers with vitest's expect (vitest.config.mjs runs this first) and, being in
// tsconfig.json's files, types them: `expect(stack).toHaveReceived(...)`.
import 'mockstack/vitest';
