/**
 * Closes every resource of a test file, each under its own generous hang guard, and always tries all of them: one
 * close that never settles must not leave the rest open, and the failure must say which step hung instead of a
 * bare "hook timed out".
 */
export async function closeAll(
  steps: ReadonlyArray<readonly [name: string, close: (() => Promise<unknown>) | undefined]>,
  options: { guardMs?: number } = {},
): Promise<void> {
  const guardMs = options.guardMs ?? 30_000;
  const problems: string[] = [];
  for (const [name, close] of steps) {
    if (!close) continue;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const guard = new Promise<'hung'>((resolve) => {
      timer = setTimeout(() => resolve('hung'), guardMs);
    });
    try {
      const outcome = await Promise.race([close().then(() => 'closed' as const), guard]);
      if (outcome === 'hung') {
        problems.push(`${name} did not settle within ${guardMs} ms (active: ${describeActiveResources()})`);
      }
    } catch (error) {
      problems.push(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }
  if (problems.length > 0) throw new Error(`teardown: ${problems.join('; ')}`);
}

function describeActiveResources(): string {
  const counts = new Map<string, number>();
  for (const name of process.getActiveResourcesInfo()) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts].map(([name, count]) => `${name} ×${count}`).join(', ') || 'none';
}
