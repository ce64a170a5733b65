import type { ScoreEvaluation } from './evaluate-scores.js';

/** Options for {@link renderCurveSvg}. */
export interface CurvePlotOptions {
  /** Title above the plot. */
  title?: string;
  /** Width and height in pixels (default 640 × 420). */
  width?: number;
  height?: number;
}

const margin = { top: 40, right: 20, bottom: 50, left: 60 };

/**
 * Draws the cost–quality curve as a small standalone SVG: accuracy against the share of strong calls for the router,
 * a random router and the oracle, the 95 % target line, and where the router and random reach it.
 * @example
 * writeFileSync('curve.svg', renderCurveSvg(evaluateScores({ outcomes, scores })));
 */
export function renderCurveSvg(evaluation: ScoreEvaluation, options: CurvePlotOptions = {}): string {
  const width = options.width ?? 640;
  const height = options.height ?? 420;
  const title = options.title ?? 'Cost–quality curve';
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const accuracies = evaluation.curve.flatMap((point) => [point.accuracy, point.oracleAccuracy, point.randomAccuracy]);
  const low = Math.floor(Math.min(...accuracies, evaluation.targetAccuracy) * 20) / 20;
  const high = Math.ceil(Math.max(...accuracies) * 20) / 20;
  const span = high - low || 1;
  const x = (share: number): number => margin.left + share * plotWidth;
  const y = (accuracy: number): number => margin.top + (1 - (accuracy - low) / span) * plotHeight;
  const line = (select: (point: ScoreEvaluation['curve'][number]) => number): string =>
    evaluation.curve.map((point) => `${x(point.strongShare).toFixed(1)},${y(select(point)).toFixed(1)}`).join(' ');
  const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
  );
  for (let tick = 0; tick <= 10; tick += 2) {
    const share = tick / 10;
    parts.push(
      `<line x1="${x(share)}" y1="${margin.top}" x2="${x(share)}" y2="${margin.top + plotHeight}" stroke="#eee"/>`,
      `<text x="${x(share)}" y="${margin.top + plotHeight + 16}" text-anchor="middle">${tick * 10}%</text>`,
    );
  }
  for (let accuracy = low; accuracy <= high + 1e-9; accuracy += 0.05) {
    parts.push(
      `<line x1="${margin.left}" y1="${y(accuracy).toFixed(1)}" x2="${margin.left + plotWidth}" y2="${y(accuracy).toFixed(1)}" stroke="#eee"/>`,
      `<text x="${margin.left - 6}" y="${(y(accuracy) + 4).toFixed(1)}" text-anchor="end">${Math.round(accuracy * 100)}%</text>`,
    );
  }
  parts.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999"/>`,
    `<text x="${margin.left + plotWidth / 2}" y="${height - 12}" text-anchor="middle">share of prompts sent to the strong model</text>`,
    `<text transform="translate(16 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">accuracy</text>`,
    `<line x1="${margin.left}" y1="${y(evaluation.targetAccuracy).toFixed(1)}" x2="${margin.left + plotWidth}" y2="${y(evaluation.targetAccuracy).toFixed(1)}" stroke="#d62728" stroke-dasharray="6 4"/>`,
    `<polyline fill="none" stroke="#2ca02c" stroke-width="1.5" stroke-dasharray="2 3" points="${line((point) => point.oracleAccuracy)}"/>`,
    `<polyline fill="none" stroke="#888" stroke-width="1.5" stroke-dasharray="6 4" points="${line((point) => point.randomAccuracy)}"/>`,
    `<polyline fill="none" stroke="#1f77b4" stroke-width="2.5" points="${line((point) => point.accuracy)}"/>`,
  );
  for (const [share, color] of [
    [evaluation.strongShareAt95, '#1f77b4'],
    [evaluation.randomShareAt95, '#888'],
  ] as const) {
    parts.push(
      `<line x1="${x(share).toFixed(1)}" y1="${y(evaluation.targetAccuracy).toFixed(1)}" x2="${x(share).toFixed(1)}" y2="${margin.top + plotHeight}" stroke="${color}" stroke-dasharray="3 3"/>`,
      `<circle cx="${x(share).toFixed(1)}" cy="${y(evaluation.targetAccuracy).toFixed(1)}" r="4" fill="${color}"/>`,
    );
  }
  const legend = [
    ['#1f77b4', `router: ${percent(evaluation.strongShareAt95)} strong calls for 95% of strong accuracy`],
    ['#888', `random: ${percent(evaluation.randomShareAt95)} (router saves ${percent(evaluation.savingsVsRandom)})`],
    ['#2ca02c', `oracle: ${percent(evaluation.oracleShareAt95)}`],
    ['#d62728', `target: ${percent(evaluation.targetAccuracy)} accuracy (95% of strong-only)`],
  ] as const;
  legend.forEach(([color, text], index) => {
    const top = margin.top + plotHeight - 12 - (legend.length - 1 - index) * 16;
    parts.push(
      `<line x1="${x(0.36)}" y1="${top - 4}" x2="${x(0.36) + 18}" y2="${top - 4}" stroke="${color}" stroke-width="2.5"/>`,
      `<text x="${x(0.36) + 24}" y="${top}">${escapeXml(text)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
