// mockstack/vitest: registers mockstack's matchers with vitest's expect. Import it once, in a setup
// file (vitest.config `test.setupFiles`) or at the top of a test file; vitest.d.ts types them.
import { expect } from 'vitest';
import { matchers } from './testing.js';

expect.extend(matchers);
