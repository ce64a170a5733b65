import type { ChatRoute } from './chat-message.js';

/**
 * The route in words, for the page and the console: where the answer ran, then why ("gpu ✗ privacy (email)",
 * "1 fallback: gpu failed (connection)", "private prompt", the planned order).
 */
export function describeRoute(route: ChatRoute): { where: string; why: string[] } {
  const where = `${route.target ?? 'no target'} · ${route.locality ?? 'unknown'}`;
  const why: string[] = [];
  if (route.privacy?.private) {
    const detected = route.privacy.detected.length > 0 ? ` (${route.privacy.detected.join(', ')} detected)` : '';
    why.push(`private prompt${detected}: local targets only`);
  }
  for (const exclusion of route.excluded ?? []) why.push(`${exclusion.target} ✗ ${exclusion.reason}`);
  const failed = (route.attempts ?? []).filter((attempt) => attempt.outcome !== 'success' && attempt.error);
  if (route.fallbacks) {
    const reasons = failed.map((attempt) => `${attempt.target} failed (${attempt.error?.code})`).join(', ');
    why.push(`${route.fallbacks} fallback${route.fallbacks === 1 ? '' : 's'}${reasons ? `: ${reasons}` : ''}`);
  }
  if (route.plan && route.plan.length > 0) why.push(`plan ${route.plan.join(' → ')}`);
  if (route.ttftMs !== undefined) why.push(`first token ${Math.round(route.ttftMs)} ms`);
  return { where, why };
}
