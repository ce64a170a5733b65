/**
 * The demo page's script: a chat that streams `POST /api/chat` (the router's parts as Server-Sent Events) and shows
 * where each answer ran and why, a device panel that posts the router's signals, live per-target stats and a chart
 * of recent decisions. Plain DOM, no framework: it is bundled into one small file with esbuild.
 */
import type { RoutePlan, RouteSummary } from '@switchyard/core';
import type { DecisionRecord } from '../decision-log.js';
import type { DemoState } from '../demo-state.js';
import { inBrowserPath } from '../page-setup.js';
import type { ChatEvent } from '../run-chat.js';
import type { TraceView } from '../trace-recorder.js';
import type { DemoBackend } from './demo-backend.js';
import { createServerBackend } from './demo-backend.js';

type Child = Node | string | null | undefined | false;

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) element.setAttribute(name, value);
  for (const child of children) if (child) element.append(child);
  return element;
}

function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
}

const messagesBox = byId<HTMLDivElement>('messages');
const prompt = byId<HTMLTextAreaElement>('prompt');
const sendButton = byId<HTMLButtonElement>('send');
const battery = byId<HTMLInputElement>('battery');
const batteryValue = byId<HTMLOutputElement>('battery-value');
const charging = byId<HTMLInputElement>('charging');
const offline = byId<HTMLInputElement>('offline');
const metered = byId<HTMLInputElement>('metered');
const privateToggle = byId<HTMLInputElement>('private');
const thermal = byId<HTMLSelectElement>('thermal');
const mode = byId<HTMLSelectElement>('mode');
const breakRemote = byId<HTMLButtonElement>('break-remote');
const traceBox = byId<HTMLDivElement>('trace');

/**
 * Where the router runs: in the demo's Node process (`/`), or in this tab (`/in-browser`: wllama on the device,
 * the stand-in GPU through adapter-openai's fetch transport, this browser's own signals). The in-tab runtime is a
 * separate bundle, loaded only here; its URL is a variable so the bundler leaves the import to the browser.
 */
const inBrowser = location.pathname === inBrowserPath;
const pageRuntimeUrl = '/page-runtime.js';
const backend: DemoBackend = inBrowser ? await openPageBackend() : createServerBackend();
document.body.dataset.where = backend.where;
showWhere();

const modes = ['prefer-local', 'auto', 'prefer-remote', 'local-only', 'remote-only'];
for (const value of modes) mode.append(h('option', { value }, value));

/** The conversation; `private` marks turns sent while the toggle was on (their answers too). */
const history: { role: 'user' | 'assistant'; content: string; private: boolean }[] = [];
let state: DemoState | undefined;
let busy = false;
/** Panel changes in flight: a message waits for them, so it is routed with what the panel shows. */
let pendingUpdate: Promise<unknown> = Promise.resolve();

// ---- where the router runs ----

/**
 * The in-tab runtime, or, when the demo offers the page nothing to run (its targets come from `--config` or a real
 * endpoint, which never reach a page), that reason in the page instead of a blank page and an error in the console.
 */
async function openPageBackend(): Promise<DemoBackend> {
  try {
    return await ((await import(pageRuntimeUrl)) as typeof import('./page-runtime.js')).createPageBackend();
  } catch (error) {
    showWhere();
    const notice = byId('stand-in-notice');
    notice.replaceChildren(
      h('strong', {}, 'Not available in this browser.'),
      ` ${error instanceof Error ? error.message : String(error)} `,
      h('a', { href: '/' }, 'Run it in the demo server'),
    );
    notice.hidden = false;
    notice.dataset.testid = 'page-backend-error';
    sendButton.disabled = true;
    document.body.dataset.ready = 'unavailable';
    // Nothing below can run without a backend: this module stops here, the message stays.
    return new Promise<never>(() => {});
  }
}

/** The header's switch between the two modes, and the labels that differ between them. */
function showWhere(): void {
  const link = (href: string, label: string, current: boolean) =>
    h('a', { href, class: current ? 'current' : undefined, 'aria-current': current ? 'page' : undefined }, label);
  byId('where').replaceChildren(
    'Router runs ',
    link('/', 'in the demo server', !inBrowser),
    link(inBrowserPath, 'in this browser', inBrowser),
  );
  if (inBrowser) {
    const read = byId<HTMLButtonElement>('read-device');
    read.textContent = "Use this browser's readings";
    read.title = 'Drop the panel edits: battery, network and CPU pressure from @switchyard/signals-browser';
    byId('trace-hint').textContent =
      'OpenTelemetry spans (GenAI semantic conventions) the router in this tab recorded with the SDK in the page; ' +
      "the GPU stand-in's own server span is recorded in the demo's process, not here.";
  }
}

// ---- formatting ----

function ms(value: number | undefined): string {
  return value === undefined ? '—' : value < 10 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`;
}

function usd(value: number): string {
  if (value === 0) return '$0';
  return value < 0.01 ? `$${value.toPrecision(2)}` : `$${value.toFixed(2)}`;
}

function rate(value: number | undefined): string {
  return value === undefined ? '—' : `${Math.round(value)} tok/s`;
}

function pill(text: string, kind = '', title?: string): HTMLSpanElement {
  return h('span', { class: `pill ${kind}`.trim(), title }, text);
}

// ---- state and panel ----

function applyControls(next: DemoState): void {
  const signals = next.signals;
  const level = Math.round((signals.battery?.level ?? 1) * 100);
  battery.value = String(level);
  batteryValue.textContent = `${level}%`;
  charging.checked = signals.battery?.charging === true;
  offline.checked = signals.network?.online === false;
  metered.checked = signals.network?.metered === true;
  thermal.value = signals.thermal ?? 'nominal';
  mode.value = next.mode;
}

function renderState(next: DemoState): void {
  state = next;
  renderDeviceSummary(next);
  renderNotice(next);
  renderTargets(next);
  renderChart(next.decisions);
  byId('policy-json').textContent = JSON.stringify(next.policy, null, 2);
  const fault = byId('fault-control');
  fault.hidden = next.remoteFault === undefined;
  if (next.remoteFault) {
    breakRemote.classList.toggle('armed', next.remoteFault.armed);
    breakRemote.textContent = next.remoteFault.armed
      ? 'Armed: the next remote request breaks'
      : 'Break the remote next time';
    breakRemote.dataset.armed = String(next.remoteFault.armed);
  }
}

function renderDeviceSummary(next: DemoState): void {
  const signals = next.signals;
  const box = byId('device-summary');
  const level = signals.battery?.level;
  const low = level !== undefined && level < 0.2 && signals.battery?.charging !== true;
  const pills: (HTMLSpanElement | null)[] = [
    pill(`mode ${next.mode}`),
    pill(
      `battery ${level === undefined ? '?' : `${Math.round(level * 100)}%`}${signals.battery?.charging ? ', charging' : ''}`,
      low ? 'warn' : '',
    ),
    pill(
      `thermal ${signals.thermal ?? 'nominal'}`,
      signals.thermal === 'serious' || signals.thermal === 'critical' ? 'warn' : '',
    ),
    signals.network?.online === false ? pill('offline', 'bad') : pill('online'),
    signals.network?.metered ? pill('metered', 'warn') : null,
    privateToggle.checked || history.some((turn) => turn.private)
      ? pill(privateToggle.checked ? 'private' : 'private conversation', 'local')
      : null,
  ];
  box.replaceChildren(...pills.filter((element) => element !== null));
}

function renderNotice(next: DemoState): void {
  const notice = byId('stand-in-notice');
  notice.hidden = !next.usesStandIns;
  const standIns = next.targets.filter((target) => target.source === 'stand-in');
  byId('stand-in-text').textContent = ` ${standIns
    .map((target) => `"${target.name}" is ${target.description}.`)
    .join(' ')} Answers are gibberish by design; the routing is real.`;
  byId('real-targets-help').textContent = next.realTargetsHelp.join('\n');
}

function renderTargets(next: DemoState): void {
  const box = byId('targets');
  box.replaceChildren(
    ...next.targets.map((target) => {
      const stats = target.stats;
      const status =
        target.status.state === 'ready'
          ? pill('ready', target.locality)
          : pill(target.status.state, 'bad', 'reason' in target.status ? target.status.reason : undefined);
      const circuit = stats?.circuit ?? 'closed';
      return h(
        'div',
        { class: `target ${target.locality}`, 'data-target': target.name },
        h(
          'header',
          {},
          h('span', { class: 'name' }, target.name),
          h('span', {}, pill(target.locality, target.locality), ' ', status),
        ),
        h('div', { class: 'about', title: `${target.description}\n${target.location}` }, target.summary),
        h(
          'div',
          { class: 'stats' },
          stat(ms(stats?.ttftMsEwma), 'TTFT (EWMA)'),
          stat(rate(stats?.tokensPerSecondEwma), 'speed (EWMA)'),
          stat(String(stats?.queueDepth ?? 0), 'queued'),
          stat(circuit, 'circuit', circuit === 'closed' ? '' : 'bad'),
          stat(`${stats?.requests ?? 0} / ${stats?.failures ?? 0}`, 'req / failed'),
          stat(usd(stats?.spentUsd ?? 0), 'spent'),
        ),
      );
    }),
  );
}

function stat(value: string, label: string, kind = ''): HTMLDivElement {
  return h('div', { class: `stat ${kind}`.trim() }, h('b', {}, value), h('span', {}, label));
}

// ---- chart ----

const svgNS = 'http://www.w3.org/2000/svg';

function svg(tag: string, attributes: Record<string, string | number>): SVGElement {
  const element = document.createElementNS(svgNS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

/** One bar per decision: height is the whole request, the darker cap is time to first token. */
function renderChart(decisions: DecisionRecord[]): void {
  const box = byId('chart');
  const recent = decisions.slice(-30);
  if (recent.length === 0) {
    box.replaceChildren(h('div', { class: 'empty-chart' }, 'No decisions yet: send a message.'));
    return;
  }
  const width = 340;
  const height = 130;
  const top = 12;
  const bottom = 18;
  const left = 44;
  const plotHeight = height - top - bottom;
  const maxMs = Math.max(10, ...recent.map((record) => record.durationMs));
  const slot = (width - left) / 30;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img' });
  chart.setAttribute('aria-label', 'Recent routing decisions: bar height is latency, colour is where it ran');
  for (const fraction of [0, 0.5, 1]) {
    const y = top + plotHeight * (1 - fraction);
    chart.append(svg('line', { x1: left, x2: width, y1: y, y2: y, stroke: '#e3e6ec', 'stroke-width': 1 }));
    const label = svg('text', { x: left - 4, y: y + 3, 'text-anchor': 'end', 'font-size': 9, fill: '#98a2b3' });
    label.textContent = fraction === 0 ? '0' : `${Math.round(maxMs * fraction)} ms`;
    chart.append(label);
  }
  recent.forEach((record, index) => {
    const x = left + index * slot + slot * 0.18;
    const barWidth = slot * 0.64;
    const color = record.locality === 'local' ? '#0e9f8e' : record.locality === 'remote' ? '#6a5cf6' : '#d64545';
    const title = svg('title', {});
    title.textContent =
      record.target === null
        ? `#${record.id}: no eligible target (${record.excluded.map((entry) => `${entry.target} ${entry.reason}`).join(', ')})`
        : `#${record.id}: ${record.target} (${record.locality}), TTFT ${ms(record.ttftMs)}, total ${ms(record.durationMs)}${
            record.fallbacks > 0 ? `, ${record.fallbacks} fallback(s)` : ''
          }`;
    const group = svg('g', {});
    group.append(title);
    if (record.target === null) {
      group.append(svg('rect', { x, y: top + plotHeight - 4, width: barWidth, height: 4, fill: color, rx: 1 }));
    } else {
      const total = Math.max(2, (record.durationMs / maxMs) * plotHeight);
      const ttft = Math.min(total, Math.max(1, ((record.ttftMs ?? 0) / maxMs) * plotHeight));
      const y = top + plotHeight - total;
      group.append(svg('rect', { x, y, width: barWidth, height: total, fill: color, opacity: 0.45, rx: 2 }));
      group.append(svg('rect', { x, y: top + plotHeight - ttft, width: barWidth, height: ttft, fill: color, rx: 2 }));
      if (record.fallbacks > 0 || record.hedged) {
        group.append(svg('circle', { cx: x + barWidth / 2, cy: y - 5, r: 3, fill: '#e8871e' }));
      }
    }
    chart.append(group);
  });
  const local = recent.filter((record) => record.locality === 'local').length;
  const remote = recent.filter((record) => record.locality === 'remote').length;
  const caption = svg('text', { x: width, y: height - 4, 'text-anchor': 'end', 'font-size': 10, fill: '#667085' });
  caption.textContent = `last ${recent.length}: ${local} on device, ${remote} remote (solid = time to first token)`;
  chart.append(caption);
  box.replaceChildren(chart);
}

// ---- chat ----

interface AnswerView {
  root: HTMLElement;
  text: HTMLDivElement;
  route: HTMLDivElement;
  live: Text;
}

function addUserMessage(content: string): void {
  byId('empty-state').hidden = true;
  messagesBox.append(h('div', { class: 'msg user' }, h('div', { class: 'text' }, content)));
}

function addAnswer(): AnswerView {
  const live = document.createTextNode('');
  const text = h('div', { class: 'text' }, live);
  const route = h('div', { class: 'route', 'data-testid': 'route' }, pill('deciding…'));
  const root = h('article', { class: 'msg assistant', 'data-state': 'streaming' }, route, text);
  messagesBox.append(root);
  return { root, text, route, live };
}

function scrollDown(): void {
  messagesBox.scrollTop = messagesBox.scrollHeight;
}

function exclusionPills(plan: RoutePlan): HTMLSpanElement[] {
  return plan.excluded.map((entry) =>
    pill(
      `${entry.target} ✗ ${entry.reason}${entry.reason === 'privacy' && plan.privacy.detected.length > 0 ? ` (${plan.privacy.detected.join(', ')})` : ''}`,
      entry.reason === 'privacy' ? 'local' : 'warn',
      entry.detail,
    ),
  );
}

function explanationDetails(plan: RoutePlan): HTMLDetailsElement {
  return h('details', {}, h('summary', {}, 'why'), h('ul', {}, ...plan.explanation.map((line) => h('li', {}, line))));
}

function showDecision(view: AnswerView, plan: RoutePlan): void {
  const order = plan.plan.map((entry) => entry.target).join(' → ');
  view.route.replaceChildren(
    pill(`plan: ${order || 'nothing eligible'}`),
    ...exclusionPills(plan),
    explanationDetails(plan),
  );
}

function showSummary(view: AnswerView, route: RouteSummary, failovers: string[]): void {
  const locality = route.locality ?? 'none';
  view.root.dataset.target = route.target ?? '';
  view.root.dataset.locality = locality;
  const where = pill(`${route.target ?? 'nothing'} · ${locality}`, locality, `ran on ${route.target}`);
  where.dataset.testid = 'route-target';
  const metrics = [
    h('span', { class: 'metric' }, `TTFT ${ms(route.ttftMs)}`),
    h('span', { class: 'metric' }, rate(route.tokensPerSecond)),
    h('span', { class: 'metric' }, usd(route.costUsd)),
  ];
  const events: HTMLSpanElement[] = failovers.map((line) => pill(line, 'warn'));
  if (route.fallbacks > 0 && failovers.length === 0) events.push(pill(`${route.fallbacks} fallback(s)`, 'warn'));
  if (route.hedged) events.push(pill('hedged', 'warn'));
  for (const attempt of route.attempts) {
    if (attempt.outcome !== 'success' && attempt.error) {
      events.push(pill(`${attempt.target}: ${attempt.error.code}`, 'bad', attempt.error.message));
    }
  }
  view.route.replaceChildren(
    where,
    ...exclusionPills(route.plan),
    ...metrics,
    ...events,
    explanationDetails(route.plan),
  );
}

function showError(view: AnswerView, event: Extract<ChatEvent, { type: 'error' }>): void {
  view.root.dataset.locality = 'none';
  view.text.replaceChildren(h('div', { class: 'error' }, event.message));
  if (event.excluded) {
    view.route.replaceChildren(
      pill('no eligible target', 'bad'),
      ...event.excluded.map((entry) => pill(`${entry.target} ✗ ${entry.reason}`, 'warn', entry.detail)),
    );
  }
}

async function send(content: string): Promise<void> {
  if (busy || content.trim() === '') return;
  busy = true;
  sendButton.disabled = true;
  prompt.value = '';
  await pendingUpdate.catch(() => {});
  addUserMessage(content);
  // Fail closed: once a private turn is in the history, every later request carries it, so it stays private too.
  const isPrivate = privateToggle.checked || history.some((turn) => turn.private);
  history.push({ role: 'user', content, private: isPrivate });
  const view = addAnswer();
  scrollDown();
  let answer = '';
  const failovers: string[] = [];
  try {
    const events = backend.chat({
      messages: history.map(({ role, content }) => ({ role, content })),
      private: isPrivate,
    });
    for await (const event of events) {
      switch (event.type) {
        case 'route':
          if (event.phase === 'decision') showDecision(view, event.plan);
          else showSummary(view, event.route, failovers);
          break;
        case 'text-delta':
          answer += event.text;
          view.live.appendData(event.text);
          break;
        case 'tool-call':
          view.text.append(h('div', {}, `tool call: ${event.toolCall.name}(${event.toolCall.arguments})`));
          break;
        case 'failover': {
          failovers.push(`failover ${event.from} → ${event.to} (${event.mode})`);
          const cut = h('span', { class: 'cut' }, ` [${event.from} broke: ${event.error.code}; ${event.to} `);
          cut.append(event.mode === 'continue' ? 'continues] ' : 'starts over] ');
          if (event.mode === 'restart') {
            // The next target starts from scratch: keep the broken text visible but struck through.
            view.text.replaceChild(h('span', { class: 'discarded' }, view.live.data), view.live);
            answer = '';
          }
          view.text.append(cut);
          view.live = document.createTextNode('');
          view.text.append(view.live);
          break;
        }
        case 'error':
          showError(view, event);
          break;
        case 'record':
          if (state) renderChart([...state.decisions.filter((record) => record.id !== event.record.id), event.record]);
          break;
        default:
          break;
      }
      scrollDown();
    }
    if (answer) history.push({ role: 'assistant', content: answer, private: isPrivate });
    else history.pop();
    view.root.dataset.state = view.root.dataset.locality === 'none' ? 'error' : 'done';
  } catch (error) {
    showError(view, { type: 'error', code: 'network', message: (error as Error).message });
    view.root.dataset.state = 'error';
    history.pop();
  } finally {
    busy = false;
    sendButton.disabled = false;
    await refresh();
  }
}

// ---- the last request's trace ----

/** Draws the spans as a waterfall: one row per span, indented under its parent, a bar from its start to its end. */
function renderTrace(trace: TraceView): void {
  if (trace.spans.length === 0 || traceBox.dataset.traceId === `${trace.traceId}:${trace.spans.length}`) return;
  traceBox.dataset.traceId = `${trace.traceId}:${trace.spans.length}`;
  traceBox.dataset.spans = String(trace.spans.length);
  const total = Math.max(trace.durationMs, 0.001);
  const depth = new Map<string, number>();
  const rows = trace.spans.map((span) => {
    const level = span.parentSpanId === undefined ? 0 : (depth.get(span.parentSpanId) ?? 0) + 1;
    depth.set(span.spanId, level);
    const left = (span.startMs / total) * 100;
    const width = Math.max((span.durationMs / total) * 100, 0.5);
    const bar = h('div', {
      class: `bar ${span.kind} ${span.locality ?? ''} ${span.error ? 'error' : ''}`.replace(/\s+/g, ' ').trim(),
      style: `left:${left.toFixed(2)}%;width:${Math.min(width, 100 - left).toFixed(2)}%`,
      title: `${span.name}: ${ms(span.durationMs)}${span.detail ? ` (${span.detail})` : ''}`,
    });
    for (const event of span.events) {
      bar.append(
        h('i', {
          class: 'event',
          style: `left:${(((event.atMs - span.startMs) / Math.max(span.durationMs, 0.001)) * 100).toFixed(1)}%`,
          title: event.name,
        }),
      );
    }
    return h(
      'div',
      {
        class: 'span-row',
        'data-kind': span.kind,
        'data-target': span.target,
        'data-locality': span.locality,
        'data-testid': 'span',
      },
      h(
        'div',
        { class: 'span-label', style: `padding-left:${level * 12}px`, title: span.detail || span.name },
        h('span', { class: 'span-name' }, span.name),
        h('span', { class: 'span-kind' }, span.kind),
      ),
      h('div', { class: 'span-track' }, bar),
      h('div', { class: 'span-time' }, ms(span.durationMs)),
    );
  });
  traceBox.replaceChildren(...rows);
}

async function refreshTrace(): Promise<void> {
  try {
    renderTrace(await backend.request<TraceView>('/api/trace'));
  } catch {
    // Drawn on the next refresh.
  }
}

// ---- wiring ----

async function refresh(): Promise<void> {
  try {
    renderState(await backend.request<DemoState>('/api/state'));
  } catch {
    // The next poll tries again; the demo server may be restarting.
  }
  // The remote server's span can end a moment after the answer: the next refresh redraws with it.
  await refreshTrace();
}

/**
 * Bumped on every edit of a control. An answer to an older request must not set the controls back: while a change
 * of the mode was in flight, a battery level dragged to 12 % jumped back to the server's 80 % when that answer came.
 */
let controlEdits = 0;

function update(path: string, body: unknown): void {
  controlEdits += 1;
  const edit = controlEdits;
  pendingUpdate = pendingUpdate
    .catch(() => {})
    .then(() => backend.request<DemoState>(path, body))
    .then((next) => {
      renderState(next);
      if (edit === controlEdits) applyControls(next);
    });
}

battery.addEventListener('input', () => {
  controlEdits += 1;
  batteryValue.textContent = `${battery.value}%`;
});
battery.addEventListener('change', () => update('/api/signals', { battery: { level: Number(battery.value) / 100 } }));
charging.addEventListener('change', () => update('/api/signals', { battery: { charging: charging.checked } }));
offline.addEventListener('change', () => update('/api/signals', { network: { online: !offline.checked } }));
metered.addEventListener('change', () => update('/api/signals', { network: { metered: metered.checked } }));
thermal.addEventListener('change', () => update('/api/signals', { thermal: thermal.value }));
mode.addEventListener('change', () => update('/api/policy', { mode: mode.value }));
privateToggle.addEventListener('change', () => state && renderDeviceSummary(state));
breakRemote.addEventListener('click', () => update('/api/remote/break', {}));
byId<HTMLButtonElement>('read-device').addEventListener('click', () => {
  pendingUpdate = pendingUpdate
    .catch(() => {})
    .then(() => backend.request<DemoState & { deviceReading: string }>('/api/signals/this-device', {}))
    .then((next) => {
      renderState(next);
      applyControls(next);
      const note = byId('device-reading');
      note.textContent = `This machine: ${next.deviceReading}.`;
      note.hidden = false;
    });
});
byId<HTMLButtonElement>('new-chat').addEventListener('click', () => {
  if (busy) return;
  history.length = 0;
  for (const message of messagesBox.querySelectorAll('.msg')) message.remove();
  byId('empty-state').hidden = false;
  if (state) renderDeviceSummary(state);
  prompt.focus();
});

byId<HTMLFormElement>('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  void send(prompt.value);
});
prompt.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    void send(prompt.value);
  }
});
for (const button of document.querySelectorAll<HTMLButtonElement>('.suggestion')) {
  button.addEventListener('click', () => void send((button.textContent ?? '').replace(/\s+/g, ' ').trim()));
}

void backend.request<DemoState>('/api/state').then((initial) => {
  renderState(initial);
  applyControls(initial);
  document.body.dataset.ready = 'true';
});
// In this tab the state is local (no request): refresh often, so a model download's progress shows as it goes.
setInterval(
  () => {
    if (!document.hidden && !busy) void refresh();
  },
  backend.where === 'page' ? 500 : 2_000,
);
