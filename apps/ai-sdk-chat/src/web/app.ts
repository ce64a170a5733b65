/**
 * The page's script: sends the conversation with the AI SDK's own `DefaultChatTransport` and renders the UI message
 * stream as it arrives with `readUIMessageStream` (no framework). Each answer's route comes as message metadata.
 */
import { DefaultChatTransport, readUIMessageStream } from 'ai';
import type { ChatMessage } from '../chat-message.js';
import { describeRoute } from '../describe-route.js';

const transport = new DefaultChatTransport<ChatMessage>({ api: '/api/chat' });
const messages: ChatMessage[] = [];
const list = document.querySelector<HTMLDivElement>('#messages')!;
const form = document.querySelector<HTMLFormElement>('#composer')!;
const input = document.querySelector<HTMLInputElement>('#prompt')!;
const privateBox = document.querySelector<HTMLInputElement>('#private')!;
const send = document.querySelector<HTMLButtonElement>('#send')!;
let chatId = crypto.randomUUID();

function element(tag: string, className: string, text = ''): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  node.textContent = text;
  return node;
}

/** Draws an assistant message: its route (where, why) above its text. */
function render(view: HTMLElement, message: ChatMessage): void {
  // How many states of the message arrived: more than one means the answer streamed in (the test reads it).
  view.dataset.updates = String(Number(view.dataset.updates ?? 0) + 1);
  const text = message.parts.map((part) => (part.type === 'text' ? part.text : '')).join('');
  view.querySelector('.text')!.textContent = text;
  const route = message.metadata?.route;
  if (!route) return;
  const { where, why } = describeRoute(route);
  const line = view.querySelector('.route')!;
  line.replaceChildren(element('span', `where ${route.locality ?? ''}`, where), ` — ${why.join(' · ')}`);
  view.dataset.target = route.target ?? '';
}

async function ask(prompt: string): Promise<void> {
  const user: ChatMessage = { id: crypto.randomUUID(), role: 'user', parts: [{ type: 'text', text: prompt }] };
  messages.push(user);
  list.append(element('div', 'msg user', prompt));
  const view = element('div', 'msg assistant');
  view.dataset.state = 'streaming';
  view.append(element('div', 'route', 'routing…'), element('div', 'text'));
  list.append(view);
  let last: ChatMessage | undefined;
  let failure: string | undefined;
  try {
    const stream = await transport.sendMessages({
      trigger: 'submit-message',
      chatId,
      messageId: undefined,
      messages,
      abortSignal: undefined,
      body: { private: privateBox.checked },
    });
    for await (const message of readUIMessageStream<ChatMessage>({
      stream,
      onError: (error) => {
        failure = error instanceof Error ? error.message : String(error);
      },
    })) {
      last = message;
      render(view, message);
    }
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
  }
  if (last) messages.push(last);
  if (failure) view.append(element('div', 'error', failure));
  view.dataset.state = failure ? 'error' : 'done';
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const prompt = input.value.trim();
  if (!prompt) return;
  input.value = '';
  send.disabled = true;
  ask(prompt).finally(() => {
    send.disabled = false;
    input.focus();
  });
});
// The whole conversation is sent with every message, so one private message keeps the conversation on the device.
document.querySelector<HTMLButtonElement>('#new-chat')!.addEventListener('click', () => {
  messages.length = 0;
  list.replaceChildren();
  chatId = crypto.randomUUID();
  input.focus();
});
document.body.dataset.ready = 'true';
