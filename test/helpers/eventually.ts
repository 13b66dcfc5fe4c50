/**
 * Runs `assertion` until it passes, or throws its last error once `timeoutMs` is over. For a page that re-renders
 * after an action (a fetch, a click): reading it once right after the action races the render.
 */
export async function eventually(assertion: () => Promise<void>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((wake) => setTimeout(wake, 50));
    }
  }
}
