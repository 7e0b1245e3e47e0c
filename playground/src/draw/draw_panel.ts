/**
 * "Draw a digit": a canvas the user draws on with the mouse, a finger or a pen (pointer events); each stroke is made
 * MNIST-like (preprocess.ts) and sent to the model, whose class probabilities and per-layer activations come back.
 */
import { h, fill } from '../ui/dom.js';
import { blankCanvas, paintImage, retain, showActivations } from '../ui/views.js';
import { toMnist } from './preprocess.js';
import type { LayerActivation } from '../trainer/session.js';

const SIZE = 280;
const BRUSH = 22;

export interface DrawPanel {
  el: HTMLElement;
  /** Shows the model's answer for the last drawing. */
  show(probs: Float32Array, activations: LayerActivation[], classes: readonly string[]): void;
  clear(): void;
}

export function drawPanel(onDrawing: (pixels: Float32Array) => void, sample?: () => Uint8Array | null): DrawPanel {
  const canvas = h('canvas', { width: SIZE, height: SIZE, class: 'draw', 'aria-label': 'drawing area: draw a digit with the mouse, a finger or a pen' });
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const preview = h('div', { class: 'draw-preview' });
  const answer = h('div', { class: 'draw-answer', role: 'status', 'aria-live': 'polite' }, 'Draw a digit in the black square.');
  const probs = h('div', { class: 'draw-probs' });
  const layers = h('div', { class: 'activations' });
  const clearButton = h('button', { onclick: () => clear() }, 'Clear');
  // Without a mouse or a finger (the keyboard, a screen reader): paint a test image instead of drawing.
  const sampleButton = sample
    ? h(
        'button',
        {
          onclick: () => {
            const px = sample();
            if (!px) return;
            const img = ctx.createImageData(SIZE, SIZE);
            for (let y = 0; y < SIZE; y++)
              for (let x = 0; x < SIZE; x++) {
                const v = px[Math.floor((y * 28) / SIZE) * 28 + Math.floor((x * 28) / SIZE)];
                const k = (y * SIZE + x) * 4;
                img.data[k] = img.data[k + 1] = img.data[k + 2] = v;
                img.data[k + 3] = 255;
              }
            ctx.putImageData(img, 0, 0);
            send();
          },
        },
        'Use a test image',
      )
    : null;

  function clear() {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, SIZE, SIZE);
    fill(preview);
    fill(probs);
    fill(layers);
    fill(answer, 'Draw a digit in the black square.');
  }
  clear();

  let drawing = false;
  let last: [number, number] | null = null;
  let pending = false;
  const at = (e: PointerEvent): [number, number] => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * SIZE) / r.width, ((e.clientY - r.top) * SIZE) / r.height];
  };
  const stroke = (to: [number, number]) => {
    ctx.strokeStyle = '#fff';
    ctx.fillStyle = '#fff';
    ctx.lineWidth = BRUSH;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    if (last) {
      ctx.moveTo(last[0], last[1]);
      ctx.lineTo(to[0], to[1]);
      ctx.stroke();
    } else {
      ctx.arc(to[0], to[1], BRUSH / 2, 0, 2 * Math.PI);
      ctx.fill();
    }
    last = to;
    // One prediction per animation frame at most.
    if (!pending) {
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        send();
      });
    }
  };
  function send() {
    const rgba = ctx.getImageData(0, 0, SIZE, SIZE).data;
    const ink = new Float32Array(SIZE * SIZE);
    for (let i = 0; i < ink.length; i++) ink[i] = rgba[i * 4] / 255;
    const pixels = toMnist(ink, SIZE);
    if (!pixels) return;
    retain(preview, 'preview', pixels, () => {
      const seen = blankCanvas(28, 28, 3, 'the drawing as the model sees it (28×28)');
      return { nodes: [seen, h('span', {}, 'as the model sees it')], paint: (px) => paintImage(seen, px, 1, 28, 28, 0, 1) };
    });
    onDrawing(pixels);
  }
  canvas.addEventListener('pointerdown', (e) => {
    drawing = true;
    last = null;
    canvas.setPointerCapture(e.pointerId);
    stroke(at(e));
  });
  canvas.addEventListener('pointermove', (e) => {
    if (drawing) stroke(at(e));
  });
  const end = () => {
    drawing = false;
    last = null;
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);

  const el = h(
    'div',
    { class: 'draw-panel' },
    h('div', { class: 'draw-left' }, canvas, h('div', { class: 'buttons' }, clearButton, sampleButton), preview),
    h('div', { class: 'draw-right' }, answer, probs, h('h3', {}, 'Activations for your drawing'), layers),
  );
  return {
    el,
    clear,
    show(p, activations, classes) {
      let best = 0;
      for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
      fill(answer, h('strong', {}, classes[best]), ` (${(p[best] * 100).toFixed(1)}%)`);
      fill(
        probs,
        ...Array.from(p, (v, i) =>
          h(
            'div',
            { class: `prob${i === best ? ' best' : ''}` },
            h('span', { class: 'prob-label' }, classes[i]),
            h('span', { class: 'prob-bar' }, h('i', { style: `width:${(v * 100).toFixed(1)}%` })),
            h('span', { class: 'prob-value' }, `${(v * 100).toFixed(1)}%`),
          ),
        ),
      );
      showActivations(layers, activations);
    },
  };
}
