/** The lectures' per-layer table (output, memory, parameters, multiply-adds, receptive field), scrollable. */
import { h } from './dom.js';
import type { LayerSummary } from '../model/protocol.js';

const fmt = (n: number) => n.toLocaleString('en', { maximumFractionDigits: 1 });

/**
 * Args: layers, total — from analysis.summary; onPick — called with a row's layer when it is chosen (click or
 * Enter), e.g. to show its receptive field.
 */
export function layerTable(
  layers: LayerSummary[],
  total: { memoryKB: number; params: number; flops: number },
  onPick?: (l: LayerSummary) => void,
): HTMLElement {
  return h(
    'div',
    { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'the per-layer table (scrolls)' },
    h(
      'table',
      { class: 'layers wide' },
      h(
        'caption',
        {},
        `${fmt(total.params)} parameters · ${fmt(total.flops / 1e6)} M multiply-adds · ${fmt(total.memoryKB / 1024)} MB of activations (batch 1)`,
      ),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['layer', 'type', 'output', 'memory (KB)', 'parameters', 'multiply-adds (M)', 'receptive field'].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h(
        'tbody',
        {},
        ...layers.map((r) =>
          h(
            'tr',
            { class: r.group ? 'group' : '' },
            h(
              'td',
              { style: `padding-left:${0.3 + r.depth * 0.8}rem` },
              onPick && !r.group ? h('button', { class: 'linklike', onclick: () => onPick(r), title: 'show its receptive field' }, r.name) : r.name,
            ),
            h('td', {}, r.type),
            h('td', {}, r.outputShape.slice(1).join('×')),
            h('td', { class: 'num' }, r.group ? '' : fmt(r.memoryKB)),
            h('td', { class: 'num' }, r.params ? fmt(r.params) : ''),
            h('td', { class: 'num' }, r.flops ? fmt(r.flops / 1e6) : ''),
            h('td', { class: 'num' }, r.receptiveField),
          ),
        ),
      ),
    ),
  );
}
