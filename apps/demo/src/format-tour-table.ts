import type { TourResult } from './tour.js';

/** The reasons behind a result, short: `gpu ✗ privacy (email)`, or the rule / mode that ordered the plan. */
export function describeWhy(result: TourResult): string {
  const parts = result.excluded.map((entry) =>
    entry.reason === 'privacy' && result.privacy.detected.length > 0
      ? `${entry.target} ✗ privacy (${result.privacy.detected.join(', ')})`
      : `${entry.target} ✗ ${entry.reason}`,
  );
  const rule = result.explanation.find((line) => line.includes(' matched: '));
  if (rule) parts.push(rule.replace(' matched: ', ': '));
  if (parts.length === 0) {
    const order = result.explanation.find((line) => line.startsWith('plan ('));
    if (order) parts.push(order.replace(/^plan \((.+?)\): /, '$1: '));
  }
  return parts.join('; ');
}

/** What happened while it ran: failovers, tool calls, how it finished. */
export function describeEvents(result: TourResult): string {
  if (result.skipped) return `skipped: ${result.skipped}`;
  if (result.error) return `${result.error.code}: ${result.error.message}`;
  const parts: string[] = [];
  for (const failover of result.failovers) {
    parts.push(`failover ${failover.from} → ${failover.to} (${failover.mode}) after ${failover.error.code}`);
  }
  if (result.hedged) parts.push('hedged');
  for (const call of result.toolCalls) parts.push(`tool call ${call.name}(${call.arguments})`);
  if (result.finishReason) parts.push(`finished: ${result.finishReason}, ${result.text.length} chars`);
  return parts.join('; ');
}

function ranOn(result: TourResult): string {
  if (result.skipped) return '—';
  if (result.target === null) return 'nothing';
  return `${result.target} (${result.locality})`;
}

function formatMs(value: number | undefined): string {
  return value === undefined ? '—' : `${Math.round(value)} ms`;
}

/** Dollars with enough digits to see sub-cent costs: `$0.000042`. */
export function formatUsd(value: number): string {
  if (value === 0) return '$0';
  return value < 0.01 ? `$${value.toPrecision(2)}` : `$${value.toFixed(2)}`;
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** Wraps `text` into lines of at most `width` characters, breaking at spaces where it can. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (candidate.length <= width) line = candidate;
    else {
      if (line !== '') lines.push(line);
      line = truncate(word, width);
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/** The tour as a plain-text table: one row per scenario, wrapped to fit a terminal. */
export function formatTourTable(results: readonly TourResult[]): string {
  const headers = ['#', 'Scenario', 'Ran on', 'Why', 'TTFT', 'Cost', 'What happened'];
  const widths = [2, 26, 16, 34, 8, 10, 40];
  const rows = results.map((result, index) => [
    String(index + 1),
    result.title,
    ranOn(result),
    describeWhy(result),
    result.skipped ? '—' : formatMs(result.ttftMs),
    result.skipped ? '—' : formatUsd(result.costUsd),
    describeEvents(result),
  ]);
  const renderRow = (cells: string[]): string[] => {
    const wrapped = cells.map((cell, column) => wrap(cell, widths[column]!));
    const height = Math.max(...wrapped.map((lines) => lines.length));
    const out: string[] = [];
    for (let line = 0; line < height; line += 1) {
      out.push(
        wrapped
          .map((lines, column) => (lines[line] ?? '').padEnd(widths[column]!))
          .join('  ')
          .trimEnd(),
      );
    }
    return out;
  };
  const rule = widths.map((width) => '─'.repeat(width)).join('  ');
  const lines = [...renderRow(headers), rule];
  for (const row of rows) lines.push(...renderRow(row));
  return lines.join('\n');
}
