import { request as httpRequest } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { createRouter } from '@switchyard/core';
import { createScriptedTarget } from '@switchyard/core/testing';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../src/index.js';
import { createGateway } from '../src/index.js';

const authToken = 'gw-protocol-token-0123456789';
const auth = { authorization: `Bearer ${authToken}` };

describe('gateway HTTP protocol edges (the router answers from a scripted in-process target)', () => {
  let gateway: Gateway;
  let url: string;
  let client: OpenAI;
  const router = createRouter({
    targets: { device: createScriptedTarget({ script: [{ text: 'hello' }] }) },
  });

  beforeAll(async () => {
    gateway = createGateway({ router, authToken, bodyLimitBytes: 16 * 1024 });
    url = await gateway.listen({ port: 0 });
    client = new OpenAI({ baseURL: `${url}/v1`, apiKey: authToken, maxRetries: 0 });
  });
  afterAll(async () => {
    await gateway?.close({ graceMs: 100 });
    await router.dispose();
  });

  describe('GET /v1/models/{model}', () => {
    it('answers the model object the list holds, through the official client (which encodes the slash)', async () => {
      const listed = await client.models.list();
      for (const entry of listed.data) {
        expect(await client.models.retrieve(entry.id)).toEqual(entry);
      }
      const auto = await client.models.retrieve('switchyard/auto');
      expect(auto).toEqual({ id: 'switchyard/auto', object: 'model', created: 0, owned_by: 'switchyard' });
    });

    it('answers an unencoded switchyard/auto too (curl users type it as it is)', async () => {
      const response = await fetch(`${url}/v1/models/switchyard/auto`, { headers: auth });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { id: string }).id).toBe('switchyard/auto');
    });

    it('answers 404 in the OpenAI error shape naming the model and the ones that exist', async () => {
      const error = await client.models.retrieve('gpt-nope').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect((error as InstanceType<typeof OpenAI.NotFoundError>).error).toEqual({
        message: 'The model "gpt-nope" does not exist; use one of "switchyard/auto", "device"',
        type: 'invalid_request_error',
        param: 'model',
        code: 'model_not_found',
      });
    });

    it('needs the bearer token like every /v1 route', async () => {
      expect((await fetch(`${url}/v1/models/device`)).status).toBe(401);
    });
  });

  it.each([
    ['DELETE', '/v1/models', 'GET, HEAD'],
    ['POST', '/v1/models/device', 'GET, HEAD'],
    ['GET', '/v1/chat/completions', 'POST'],
    ['PUT', '/health', 'GET, HEAD'],
    ['POST', '/metrics', 'GET, HEAD'],
  ])('answers %s %s with 405, an Allow header and code method_not_allowed', async (method, path, allowed) => {
    const response = await fetch(`${url}${path}`, { method, headers: auth });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allowed);
    expect(await response.json()).toEqual({
      error: {
        message: `Method not allowed; use ${allowed}`,
        type: 'invalid_request_error',
        param: null,
        code: 'method_not_allowed',
      },
    });
  });

  it.each(['/v1/models', '/v1/models/device', '/health', '/metrics'])(
    'answers HEAD %s as GET without a body (curl -I, monitors)',
    async (path) => {
      const head = await fetch(`${url}${path}`, { method: 'HEAD', headers: auth });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
      const get = await fetch(`${url}${path}`, { headers: auth });
      expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
    },
  );

  describe('Expect: 100-continue', () => {
    /** Sends the head of a chat request that waits for 100 Continue; returns what came back before any body. */
    function headOnly(headers: Record<string, string>): Promise<{ status: number; continued: boolean }> {
      return new Promise((resolve, reject) => {
        const body = JSON.stringify({ model: 'switchyard/auto', messages: [{ role: 'user', content: 'Hi' }] });
        let continued = false;
        const request = httpRequest(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': String(body.length),
            expect: '100-continue',
            ...headers,
          },
        });
        request.on('continue', () => {
          continued = true;
          request.end(body);
        });
        request.on('response', (response) => {
          response.resume();
          resolve({ status: response.statusCode ?? 0, continued });
          if (!continued) request.destroy();
        });
        request.on('error', (error) => (continued ? reject(error) : undefined));
        request.flushHeaders();
      });
    }

    it('refuses a request without a valid token before its body is sent (no 100 Continue)', async () => {
      expect(await headOnly({ authorization: 'Bearer wrong' })).toEqual({ status: 401, continued: false });
    });

    it('lets an authorised request send its body and answers it', async () => {
      expect(await headOnly(auth)).toEqual({ status: 200, continued: true });
    });
  });

  describe('the Content-Type of a chat body', () => {
    const chatBody = JSON.stringify({ model: 'switchyard/auto', messages: [{ role: 'user', content: 'Hi' }] });
    const post = (headers: Record<string, string>, body: string | Uint8Array<ArrayBuffer> = chatBody) =>
      fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { ...auth, ...headers }, body });

    it.each([
      ['text/plain', 'text/plain;charset=UTF-8'],
      ['form data (what curl -d sends without -H)', 'application/x-www-form-urlencoded'],
      ['multipart form data', 'multipart/form-data; boundary=x'],
      ['XML', 'application/xml'],
    ])('refuses %s with a 415 naming the header and the fix', async (_name, contentType) => {
      const response = await post({ 'content-type': contentType });
      expect(response.status).toBe(415);
      const mediaType = contentType.split(';')[0]?.toLowerCase();
      expect(await response.json()).toEqual({
        error: {
          message:
            `Unsupported Content-Type "${mediaType}": the request body must be JSON; send Content-Type: ` +
            'application/json (with curl: -H "Content-Type: application/json")',
          type: 'invalid_request_error',
          param: null,
          code: 'unsupported_media_type',
        },
      });
      // The connection stays usable: the body was read before the answer.
      expect((await post({ 'content-type': 'application/json' })).status).toBe(200);
    });

    it.each([
      ['application/json', 'application/json'],
      ['a charset parameter (what many clients send)', 'application/json; charset=utf-8'],
      ['capitals and spaces', ' Application/JSON ;charset=UTF-8'],
      ['a +json media type', 'application/vnd.api+json'],
    ])('accepts %s', async (_name, contentType) => {
      const response = await post({ 'content-type': contentType });
      expect(response.status).toBe(200);
      expect(
        ((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content,
      ).toBe('hello');
    });

    it('accepts a body with no Content-Type at all', async () => {
      // fetch sends no Content-Type for a byte body.
      const response = await post({}, new TextEncoder().encode(chatBody));
      expect(response.status).toBe(200);
    });

    it('accepts what the official client sends', async () => {
      const completion = await client.chat.completions.create({
        model: 'switchyard/auto',
        messages: [{ role: 'user', content: 'Hi' }],
      });
      expect(completion.choices[0]?.message.content).toBe('hello');
    });
  });

  describe('the bytes of a chat body', () => {
    const chatBody = JSON.stringify({ model: 'switchyard/auto', messages: [{ role: 'user', content: 'Hi' }] });
    const post = (body: Uint8Array | string, contentType = 'application/json') =>
      fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...auth, 'content-type': contentType },
        body: typeof body === 'string' ? body : new Uint8Array(body),
      });

    it('refuses a body that is not UTF-8 with a 400, instead of answering a prompt with U+FFFD in it', async () => {
      const bytes = Buffer.from('{"messages":[{"role":"user","content":"h\xff\xfei"}]}', 'latin1');
      const response = await post(bytes);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: {
          message: 'The request body is not valid UTF-8: JSON must be UTF-8 encoded (RFC 8259); send it so',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_encoding',
        },
      });
    });

    it('reads a body that starts with a UTF-8 byte-order mark (as .NET and PowerShell send it)', async () => {
      const response = await post(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(chatBody)]));
      expect(response.status).toBe(200);
    });

    it('refuses a UTF-16 charset with a 415 saying to send UTF-8', async () => {
      const response = await post(Buffer.from(chatBody, 'utf16le'), 'application/json; charset=utf-16');
      expect(response.status).toBe(415);
      const { error } = (await response.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe('unsupported_media_type');
      expect(error.message).toBe(
        'Unsupported charset "utf-16": JSON request bodies must be UTF-8; send the body UTF-8 encoded with ' +
          'Content-Type: application/json',
      );
    });

    it('reads an ASCII body whatever other charset it declares', async () => {
      expect((await post(chatBody, 'application/json; charset=iso-8859-1')).status).toBe(200);
    });

    it('reads a chunked body and one sent after Expect: 100-continue', async () => {
      const chunked = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: new Blob([chatBody]).stream(),
        duplex: 'half',
      } as RequestInit);
      expect(chunked.status).toBe(200);
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const request = httpRequest(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json', expect: '100-continue' },
        });
        request.on('continue', () => request.end(chatBody));
        request.on('response', (response) => {
          response.resume();
          resolve(response.statusCode);
        });
        request.on('error', reject);
      });
      expect(status).toBe(200);
    });
  });

  it.each([
    ['{"messages":[],}', ': Expected double-quoted property name in JSON at position 15 (line 1 column 16)'],
    ['{"messages": [', ': Unexpected end of JSON input'],
    // V8 quotes the body after an unexpected token: the answer says only that it is not JSON.
    ['{"api_key": sk-live-123}', ''],
  ])('answers the body %s with a 400 saying what JSON.parse found, never quoting the body', async (body, found) => {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        message: `The request body is not valid JSON${found}; send one JSON object`,
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_json',
      },
    });
  });

  describe('a path it does not serve', () => {
    it.each([
      ['/v1/responses', 'use provider.chat(model) instead of provider(model)'],
      ['/v1/responses/resp_1', 'not the Responses API: send POST /v1/chat/completions'],
      ['/v1/completions', 'not the legacy Completions API'],
      ['/chat/completions', "did you mean /v1/chat/completions? Set the client's base URL"],
      ['/v1//chat/completions/', 'did you mean /v1/chat/completions?'],
      ['/v1/embeddings', 'the gateway serves POST /v1/chat/completions, GET /v1/models'],
    ])('answers POST %s with a 404 saying what to use instead', async (path, advice) => {
      const response = await fetch(`${url}${path}`, { method: 'POST', headers: auth, body: '{}' });
      expect(response.status).toBe(404);
      const { error } = (await response.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe('not_found');
      expect(error.message).toContain(`No route for POST ${path}: `);
      expect(error.message).toContain(advice);
    });
  });

  describe('a compressed chat body', () => {
    const chatBody = Buffer.from(
      JSON.stringify({ model: 'switchyard/auto', messages: [{ role: 'user', content: 'Hi' }] }),
    );
    const post = (encoding: string, body: Uint8Array) =>
      fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', 'content-encoding': encoding },
        body: new Uint8Array(body),
      });

    it.each([
      ['gzip', gzipSync(chatBody)],
      ['deflate', deflateSync(chatBody)],
      ['br', brotliCompressSync(chatBody)],
      ['identity', chatBody],
    ])('is decompressed when its Content-Encoding is %s', async (encoding, body) => {
      const response = await post(encoding, body);
      expect(response.status).toBe(200);
      const completion = (await response.json()) as { choices: { message: { content: string } }[] };
      expect(completion.choices[0]?.message.content).toBe('hello');
    });

    it.each([
      ['not gzip at all', chatBody, 'incorrect header check'],
      ['cut off', gzipSync(chatBody).subarray(0, 20), 'unexpected end of file'],
    ])('a gzip body that is %s is a 400 saying it could not be decompressed', async (_name, body, reason) => {
      const response = await post('gzip', body);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: {
          message:
            `The request body could not be decompressed as its Content-Encoding "gzip" says (${reason}); send it ` +
            'gzip-compressed in full, or uncompressed without Content-Encoding',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_content_encoding',
        },
      });
    });

    it('a body over the limit once decompressed is a 413, however small it was compressed', async () => {
      const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024, 32));
      expect(bomb.length).toBeLessThan(16 * 1024);
      const response = await post('gzip', bomb);
      expect(response.status).toBe(413);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('request_too_large');
    });

    it.each([['zstd'], ['gzip, br'], ['constructor']])(
      'an encoding it cannot undo (%s) is a 415 with Accept-Encoding listing the ones it can',
      async (encoding) => {
        const response = await post(encoding, chatBody);
        expect(response.status).toBe(415);
        expect(response.headers.get('accept-encoding')).toBe('gzip, deflate, br');
        const { error } = (await response.json()) as { error: { code: string; message: string } };
        expect(error.code).toBe('unsupported_content_encoding');
        expect(error.message).toContain(`Unsupported Content-Encoding "${encoding}"`);
      },
    );
  });
});
