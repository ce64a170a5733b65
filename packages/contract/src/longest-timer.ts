/**
 * The longest a timer can wait, in milliseconds (2^31 − 1, 24.8 days). Node and browsers run a longer `setTimeout` at
 * once (Node warns), so a longer timeout or deadline would end every call immediately: settings and requests are
 * checked against it.
 */
export const longestTimerMs = 2_147_483_647;

/** The problem reported for a timer setting longer than {@link longestTimerMs}. */
export const longestTimerMessage = `expected at most ${longestTimerMs} ms (24.8 days): a longer timer fires at once`;
