/**
 * The lectures' output-size arithmetic, W' = ⌊(W − K + 2P) / S⌋ + 1 (with dilation D: K → D(K − 1) + 1), and a
 * diagram of where each output's window falls on the padded input. Pure functions and a canvas: no Worker needed.
 */
import { h, fill, numberField } from '../ui/dom.js';

export interface ConvGeometry {
  W: number;
  K: number;
  P: number;
  S: number;
  D: number;
}

/** The output size and whether the windows tile the padded input exactly (else PyTorch floors and drops the rest). */
export function convOutput(g: ConvGeometry): { out: number; exact: boolean; span: number; error: string | null } {
  const span = g.D * (g.K - 1) + 1;
  const room = g.W + 2 * g.P - span;
  if (room < 0) return { out: 0, exact: false, span, error: `the kernel (${span} wide with dilation) is larger than the padded input (${g.W + 2 * g.P})` };
  return { out: Math.floor(room / g.S) + 1, exact: room % g.S === 0, span, error: null };
}

export function convSizePanel(): HTMLElement {
  let g: ConvGeometry = { W: 7, K: 3, P: 1, S: 2, D: 1 };
  let hover = 0;
  const formula = h('p', { class: 'formula', role: 'status', 'aria-live': 'polite' });
  const canvas = h('canvas', {
    width: 560,
    height: 200,
    class: 'conv-diagram',
    role: 'img',
    'aria-label': 'the padded input row and the window of the selected output',
  });
  const outputs = h('div', { class: 'conv-outputs', role: 'group', 'aria-label': 'outputs: choose one to see its window' });
  const set = (patch: Partial<ConvGeometry>) => {
    g = { ...g, ...patch };
    hover = 0;
    render();
  };
  const fields = h(
    'div',
    { class: 'inline-fields wrap' },
    numberField('input W', g.W, { name: 'W', min: 1, max: 64, integer: true, step: 1 }, (v) => set({ W: v })),
    numberField('kernel K', g.K, { name: 'K', min: 1, max: 15, integer: true, step: 1 }, (v) => set({ K: v })),
    numberField('padding P', g.P, { name: 'P', min: 0, max: 10, integer: true, step: 1 }, (v) => set({ P: v })),
    numberField('stride S', g.S, { name: 'S', min: 1, max: 8, integer: true, step: 1 }, (v) => set({ S: v })),
    numberField('dilation D', g.D, { name: 'D', min: 1, max: 6, integer: true, step: 1 }, (v) => set({ D: v })),
  );

  function render() {
    const r = convOutput(g);
    const general = g.D > 1 ? 'W′ = ⌊(W − D(K − 1) − 1 + 2P) / S⌋ + 1' : 'W′ = ⌊(W − K + 2P) / S⌋ + 1';
    fill(
      formula,
      r.error
        ? h('span', { class: 'error' }, `No output: ${r.error}.`)
        : `${general} = ⌊(${g.W} − ${r.span} + ${2 * g.P}) / ${g.S}⌋ + 1 = ${r.out}` +
            (r.exact
              ? ' (the windows tile the padded input exactly)'
              : ` (not exact: the last ${(g.W + 2 * g.P - r.span) % g.S} column(s) are never covered — PyTorch floors)`),
    );
    fill(
      outputs,
      ...Array.from({ length: Math.min(r.out, 64) }, (_, i) =>
        h('button', { class: `out-cell${i === hover ? ' on' : ''}`, 'aria-pressed': String(i === hover), onclick: () => ((hover = i), render()) }, String(i)),
      ),
    );
    const ctx = canvas.getContext('2d')!;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const n = g.W + 2 * g.P;
    const cell = Math.min(40, Math.floor((canvas.width - 20) / Math.max(n, 1)));
    const x0 = 10;
    const y0 = 40;
    ctx.font = '12px sans-serif';
    ctx.fillStyle = '#333';
    ctx.fillText('padded input (grey: padding)', x0, 20);
    for (let i = 0; i < n; i++) {
      const pad = i < g.P || i >= g.P + g.W;
      ctx.fillStyle = pad ? '#e3e6ea' : '#fff';
      ctx.fillRect(x0 + i * cell, y0, cell - 2, cell - 2);
      ctx.strokeStyle = '#9aa3ad';
      ctx.strokeRect(x0 + i * cell, y0, cell - 2, cell - 2);
      if (!pad && cell >= 16) {
        ctx.fillStyle = '#333';
        ctx.fillText(String(i - g.P), x0 + i * cell + 3, y0 + cell / 2 + 4);
      }
    }
    if (!r.error && r.out > 0) {
      // The chosen output's window: K taps, D apart, starting at S·i.
      const start = hover * g.S;
      for (let k = 0; k < g.K; k++) {
        const c = start + k * g.D;
        ctx.fillStyle = 'rgba(31, 95, 191, 0.55)';
        ctx.fillRect(x0 + c * cell, y0, cell - 2, cell - 2);
      }
      ctx.strokeStyle = '#1f5fbf';
      ctx.lineWidth = 2;
      ctx.strokeRect(x0 + start * cell - 1, y0 - 1, r.span * cell, cell);
      ctx.lineWidth = 1;
      const oy = y0 + cell + 50;
      ctx.fillStyle = '#333';
      ctx.fillText(`output (${r.out})`, x0, oy - 10);
      for (let i = 0; i < r.out && i < 64; i++) {
        ctx.fillStyle = i === hover ? '#1f5fbf' : '#fff';
        ctx.fillRect(x0 + i * cell, oy, cell - 2, cell - 2);
        ctx.strokeStyle = '#9aa3ad';
        ctx.strokeRect(x0 + i * cell, oy, cell - 2, cell - 2);
      }
      ctx.strokeStyle = '#1f5fbf';
      ctx.beginPath();
      ctx.moveTo(x0 + hover * cell + cell / 2, oy);
      ctx.lineTo(x0 + (start + (r.span - 1) / 2) * cell + cell / 2, y0 + cell);
      ctx.stroke();
    }
  }
  render();
  return h(
    'section',
    { class: 'lecture', 'aria-labelledby': 'conv-size-title' },
    h('h2', { id: 'conv-size-title' }, 'A convolution’s output size'),
    h('p', { class: 'hint' }, 'One row of the input (the same holds for columns). Choose an output to see the window it reads.'),
    fields,
    formula,
    canvas,
    outputs,
  );
}
