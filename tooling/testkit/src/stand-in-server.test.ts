import { afterEach, describe, expect, it } from 'vitest';
import { type StandInServer, sendJson, startStandInServer } from './stand-in-server.js';
import { fnv1a, standInWord } from './stand-in-words.js';

let server: StandInServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('startStandInServer', () => {
  it('hands each request its path and JSON body, and records them in order', async () => {
    server = await startStandInServer(({ method, path, body }, response) =>
      sendJson(response, 200, { method, path, body }),
    );
    const answer = await fetch(`${server.url}/api/chat?x=1`, { method: 'POST', body: '{"model":"tiny"}' });
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(await answer.json()).toEqual({ method: 'POST', path: '/api/chat', body: { model: 'tiny' } });
    await fetch(`${server.url}/v2/health/ready`);
    expect(server.requests.map(({ path, body }) => ({ path, body }))).toEqual([
      { path: '/api/chat', body: { model: 'tiny' } },
      { path: '/v2/health/ready', body: {} },
    ]);
  });

  it('answers a body that is not JSON, or a handler that throws, with a 400 error body', async () => {
    server = await startStandInServer(
      () => {
        throw new Error('no such route');
      },
      { jsonContentType: 'application/json; charset=utf-8' },
    );
    const bad = await fetch(server.url, { method: 'POST', body: '{"model":' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await bad.json()).toEqual({ error: expect.stringContaining('JSON') });
    const thrown = await fetch(server.url);
    expect(await thrown.json()).toEqual({ error: 'Error: no such route' });
  });
});

describe('standInWord', () => {
  it('gives the same words for the same seed, capitalised first, space-led after', () => {
    const seed = fnv1a('Tell me about the yard.');
    const text = [0, 1, 2, 3].map((index) => standInWord(seed, index)).join('');
    expect([0, 1, 2, 3].map((index) => standInWord(seed, index)).join('')).toBe(text);
    expect(text).toMatch(/^[A-Z][a-z]+( [a-z]+){3}$/);
  });
});
