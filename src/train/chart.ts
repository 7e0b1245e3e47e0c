/** Loss and accuracy curves (train and validation) as a self-contained SVG with axes, ticks and a legend. */

export interface CurvePoint {
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  valLoss?: number;
  valAcc?: number;
}

const W = 900;
const H = 360;
const PANEL_W = 400;
const M = { top: 40, left: 60, bottom: 50 };

function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const step0 = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0)!;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + 1e-12; v += step) ticks.push(Number(v.toFixed(10)));
  return ticks;
}

/** One plot; the legend goes where the curves are not: top right for falling curves (loss), bottom right for rising ones. */
function panel(
  x0: number,
  title: string,
  series: { name: string; color: string; dash?: string; points: [number, number][] }[],
  yLabel: string,
  maxEpoch: number,
  yRange?: [number, number],
  legendAtBottom = false,
): string {
  const plotH = H - M.top - M.bottom;
  const all = series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  let [ymin, ymax] = yRange ?? [Math.min(...all), Math.max(...all)];
  if (!(ymax > ymin)) [ymin, ymax] = [ymin - 0.5, ymax + 0.5];
  const pad = (ymax - ymin) * 0.05;
  if (!yRange) [ymin, ymax] = [Math.max(0, ymin - pad), ymax + pad];
  const xs = (e: number) => x0 + M.left + ((e - 1) / Math.max(1, maxEpoch - 1)) * (PANEL_W - M.left - 10);
  const ys = (v: number) => M.top + (1 - (v - ymin) / (ymax - ymin)) * plotH;
  const parts: string[] = [`<text x="${x0 + M.left + (PANEL_W - M.left) / 2}" y="22" text-anchor="middle" font-weight="bold">${title}</text>`];
  parts.push(`<line x1="${x0 + M.left}" y1="${M.top + plotH}" x2="${x0 + PANEL_W - 10}" y2="${M.top + plotH}" stroke="#333"/>`);
  parts.push(`<line x1="${x0 + M.left}" y1="${M.top}" x2="${x0 + M.left}" y2="${M.top + plotH}" stroke="#333"/>`);
  for (const t of niceTicks(ymin, ymax)) {
    parts.push(`<line x1="${x0 + M.left - 4}" y1="${ys(t)}" x2="${x0 + PANEL_W - 10}" y2="${ys(t)}" stroke="#eee"/>`);
    parts.push(`<text x="${x0 + M.left - 8}" y="${ys(t) + 4}" text-anchor="end" font-size="11">${Math.abs(t) < 1e-9 ? 0 : t}</text>`);
  }
  const xticks = niceTicks(1, Math.max(maxEpoch, 1)).filter((t) => Number.isInteger(t));
  for (const t of xticks) parts.push(`<text x="${xs(t)}" y="${M.top + plotH + 18}" text-anchor="middle" font-size="11">${t}</text>`);
  parts.push(`<text x="${x0 + M.left + (PANEL_W - M.left) / 2}" y="${H - 10}" text-anchor="middle" font-size="12">epoch</text>`);
  parts.push(`<text transform="translate(${x0 + 14},${M.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="12">${yLabel}</text>`);
  series.forEach((s, i) => {
    const pts = s.points.filter((p) => Number.isFinite(p[1]));
    if (pts.length) {
      parts.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''} points="${pts.map(([e, v]) => `${xs(e).toFixed(1)},${ys(v).toFixed(1)}`).join(' ')}"/>`,
      );
      for (const [e, v] of pts) parts.push(`<circle cx="${xs(e).toFixed(1)}" cy="${ys(v).toFixed(1)}" r="2.5" fill="${s.color}"/>`);
    }
    const ly = legendAtBottom ? M.top + plotH - 12 - (series.length - 1 - i) * 18 : M.top + 8 + i * 18;
    const lx = x0 + PANEL_W - 120;
    parts.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 22}" y2="${ly}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    parts.push(`<text x="${lx + 28}" y="${ly + 4}" font-size="12">${s.name}</text>`);
  });
  return parts.join('\n');
}

/** Renders the curves; validation series are drawn when present. */
export function renderTrainingChart(points: readonly CurvePoint[], title = 'training'): string {
  const maxEpoch = Math.max(1, ...points.map((p) => p.epoch));
  const series = (key: 'Loss' | 'Acc', scale: number) => [
    { name: 'train', color: '#1f77b4', points: points.map((p) => [p.epoch, p[`train${key}`] * scale] as [number, number]) },
    ...(points.some((p) => p[`val${key}`] !== undefined)
      ? [{ name: 'validation', color: '#d62728', dash: '6 3', points: points.map((p) => [p.epoch, (p[`val${key}`] ?? NaN) * scale] as [number, number]) }]
      : []),
  ];
  const accAll = points.flatMap((p) => [p.trainAcc, p.valAcc ?? p.trainAcc]).map((v) => v * 100);
  const accMin = Math.max(0, Math.floor(Math.min(...accAll) / 5) * 5);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<title>${title}</title>`,
    panel(0, 'loss', series('Loss', 1), 'cross-entropy loss', maxEpoch),
    panel(PANEL_W + 60, 'accuracy', series('Acc', 100), 'top-1 accuracy (%)', maxEpoch, [accMin, 100], true),
    '</svg>',
  ].join('\n');
}
