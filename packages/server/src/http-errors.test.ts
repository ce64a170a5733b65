import type { ExclusionReason } from '@switchyard/contract';
import { AllTargetsFailedError, ApiCallError, InvalidRequestError, NoEligibleTargetError } from '@switchyard/contract';
import { describe, expect, it } from 'vitest';
import { toHttpError } from './http-errors.js';

const noEligible = (...reasons: ExclusionReason[]) =>
  new NoEligibleTargetError({
    excluded: reasons.map((reason, index) => ({ target: `t${index}`, reason, detail: `${reason} detail` })),
  });

describe('toHttpError', () => {
  it.each<[string, ExclusionReason[], number]>([
    ['images no target takes, the other target pinned away', ['capability', 'rule'], 400],
    ['a context window every target lacks', ['context-window', 'context-window'], 400],
    ['a capability and a policy mode', ['capability', 'mode'], 400],
    ['a capability, but another target only unavailable for now', ['capability', 'unavailable'], 503],
    ['a capability, but another target behind an open circuit', ['capability', 'circuit-open'], 503],
    ['privacy alone', ['privacy'], 503],
    ['a pinned target list alone', ['rule'], 503],
  ])('answers no eligible target for %s (%j) with %i', (_name, reasons, status) => {
    const mapped = toHttpError(noEligible(...reasons));
    expect(mapped.status).toBe(status);
    expect(mapped.body.error.code).toBe('no_eligible_target');
    expect(mapped.body.error.type).toBe(status === 400 ? 'invalid_request_error' : 'server_error');
    if (status === 400) expect(mapped.body.error.message).toContain('No configured target can serve this request');
  });

  it('answers 400 naming the OpenAI field when every target refused the request as invalid', () => {
    const refused = (target: string) =>
      new InvalidRequestError({
        problems: [{ path: 'toolChoice.name', message: 'no tool named "x" in tools' }],
        target,
      });
    const mapped = toHttpError(
      new AllTargetsFailedError({
        attempts: [
          { target: 'a', error: refused('a') },
          { target: 'b', error: refused('b') },
        ],
      }),
    );
    expect(mapped.status).toBe(400);
    expect(mapped.body.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'invalid_value',
      param: 'tool_choice.name',
      message: 'Invalid request: tool_choice.name: no tool named "x" in tools',
      switchyard: { code: 'all-targets-failed' },
    });
  });

  it('answers 400 rejected_by_targets, quoting them, when the upstreams refused the request with 400, 413 or 422', () => {
    const refused = (status: number) =>
      new ApiCallError({ url: 'http://127.0.0.1:1/v1/chat/completions', status, detail: 'bad schema' });
    const mapped = toHttpError(
      new AllTargetsFailedError({
        attempts: [
          { target: 'a', error: refused(400) },
          { target: 'b', error: refused(422) },
        ],
      }),
    );
    expect(mapped.status).toBe(400);
    expect(mapped.body.error).toMatchObject({ type: 'invalid_request_error', code: 'rejected_by_targets' });
    expect(mapped.body.error.message).toBe(
      'The request was refused where it was sent (a: [POST] "http://127.0.0.1:1/v1/chat/completions": 400 (bad ' +
        'schema); b: [POST] "http://127.0.0.1:1/v1/chat/completions": 422 (bad schema)); change it: a retry gets the same',
    );
    expect(toHttpError(refused(413)).status).toBe(400);
    expect(toHttpError(refused(401)).status).toBe(502);
  });

  it('answers 502 when any target failed for another reason', () => {
    const mapped = toHttpError(
      new AllTargetsFailedError({
        attempts: [
          { target: 'a', error: new InvalidRequestError({ problems: [{ path: 'x', message: 'bad' }] }) },
          { target: 'b', error: new ApiCallError({ url: 'http://127.0.0.1:1/v1', status: 500 }) },
        ],
      }),
    );
    expect(mapped.status).toBe(502);
    expect(mapped.body.error.code).toBe('all_targets_failed');
  });
});
