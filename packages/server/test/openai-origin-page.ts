// The page of gateway-origin-browser.test.ts: calls a gateway with the official openai client, as an app's page would.
import OpenAI from 'openai';

/** What the page exposes to the test. */
export interface OriginPageApi {
  /** One chat completion through the official client: the answer's text, or what the client threw. */
  complete(baseURL: string): Promise<{ text: string | null } | { error: string }>;
}

declare global {
  var originPage: OriginPageApi;
}

globalThis.originPage = {
  async complete(baseURL) {
    const client = new OpenAI({ baseURL, apiKey: 'page-key', dangerouslyAllowBrowser: true, maxRetries: 0 });
    try {
      const completion = await client.chat.completions.create({
        model: 'switchyard/auto',
        messages: [{ role: 'user', content: 'Hi' }],
      });
      return { text: completion.choices[0]?.message.content ?? null };
    } catch (error) {
      return { error: String(error) };
    }
  },
};
