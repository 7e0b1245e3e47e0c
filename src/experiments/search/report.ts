/**
 * What `convnet search` writes: results.json (every candidate), candidates.svg (accuracy against multiply-adds, and
 * the best accuracy found against candidates trained), best_cell.svg (the best genotype's two cells), table.md, and
 * model.json — the found network as a zoo definition that `convnet train --model model.json` trains from scratch.
 */
import { renderSvg } from '../../chart/render.js';
import { figure, lineChart, row, scatter, PALETTE, type ChartSpec } from '../../chart/spec.js';
import { MODEL_DEFINITION_FORMAT, type ModelDefinition } from '../../models/definition.js';
import { joinPath, writeFileAtomic } from '../../platform/node.js';
import { markdownTable } from '../experiment.js';
import { cellDiagram } from './diagram.js';
import type { Candidate, SearchResult, SearchStrategy } from './search.js';
import { describeCell } from './space.js';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The two panels: every candidate's accuracy against its multiply-adds; the best so far against candidates trained. */
export function searchFigure(r: SearchResult): ChartSpec {
  const s = r.settings;
  const cloud = scatter({
    title: 'every candidate',
    x: { title: 'multiply-adds per image (millions)' },
    y: { title: 'validation accuracy (%)' },
    points: r.candidates.map((c) => ({
      label: c.id === r.best.id ? `best #${c.id}` : '',
      x: c.macs / 1e6,
      y: c.valAccuracy * 100,
      group: c.strategy,
    })),
    groupTitle: 'strategy',
    width: 320,
    height: 240,
  });
  const progress = lineChart({
    title: 'best so far',
    x: { title: 'candidates trained', integer: true },
    y: { title: 'best validation accuracy (%)' },
    series: s.strategies.map((st: SearchStrategy) => {
      let best = 0;
      const own = r.candidates.filter((c) => c.strategy === st);
      // The scatter colours strategies in sorted order: the same colour here.
      return {
        name: st,
        color: PALETTE[[...s.strategies].sort().indexOf(st)],
        points: own.map((c, k) => [k + 1, (best = Math.max(best, c.valAccuracy * 100))] as [number, number]),
      };
    }),
    width: 320,
    height: 240,
  });
  const data = `${s.dataset === 'mnist' ? 'MNIST' : 'CIFAR-10'}: ${s.trainImages.toLocaleString('en')} training images, scored on ${s.valImages.toLocaleString('en')} held-out training images`;
  return figure(row([cloud, progress]), `Architecture search over the NASNet cell space: the best cell reaches ${pct(r.best.valAccuracy)}`, {
    subtitle: [
      data,
      `each candidate: NASNet N=${s.cellsPerStack}, F=${s.filters}, B=${s.blocks} blocks; ${s.epochs} epoch${s.epochs > 1 ? 's' : ''} of Adam (lr ${s.lr}, cosine); BN statistics re-estimated before scoring`,
      s.strategies.includes('evolution')
        ? `regularized evolution: population ${s.population}, sample ${s.sampleSize}; ${s.candidates} candidates per strategy`
        : `${s.candidates} candidates`,
    ],
  });
}

/** The ten best candidates as a Markdown table. */
export function searchTable(r: SearchResult): string {
  const top = [...r.candidates].sort((a, b) => b.valAccuracy - a.valAccuracy || a.macs - b.macs).slice(0, 10);
  return markdownTable(
    ['#', 'strategy', 'validation accuracy', 'multiply-adds (M)', 'parameters', 'seconds', 'parent'],
    top.map((c) => [c.id, c.strategy, pct(c.valAccuracy), (c.macs / 1e6).toFixed(1), c.params.toLocaleString('en-US'), c.seconds, c.parent ?? '—']),
  );
}

/** The best candidate as a zoo definition (built by models.fromDefinition; trained by `convnet train --model FILE`). */
export function searchDefinition(r: SearchResult, best: Candidate = r.best): ModelDefinition {
  const s = r.settings;
  return {
    format: MODEL_DEFINITION_FORMAT,
    model: 'nasnet',
    options: { genotype: best.genotype, stem: 'cifar', cellsPerStack: s.cellsPerStack, filters: s.filters },
    description: `Found by convnet search (${best.strategy}, candidate #${best.id}): ${pct(best.valAccuracy)} validation accuracy on ${s.dataset} after ${s.epochs} epoch(s) at N=${s.cellsPerStack}, F=${s.filters}. Scale it up with --model-opts cellsPerStack=6,filters=32 (NASNet-A 6@768's size).`,
  };
}

/** Writes the report's files into `dir` and returns their paths. */
export async function writeSearchReport(r: SearchResult, dir: string): Promise<Record<'results' | 'figure' | 'cell' | 'table' | 'model', string>> {
  const files = {
    results: await joinPath(dir, 'results.json'),
    figure: await joinPath(dir, 'candidates.svg'),
    cell: await joinPath(dir, 'best_cell.svg'),
    table: await joinPath(dir, 'table.md'),
    model: await joinPath(dir, 'model.json'),
  };
  await writeFileAtomic(files.results, JSON.stringify(r, null, 1) + '\n', 'search');
  await writeFileAtomic(files.figure, await renderSvg(searchFigure(r)), 'search');
  const b = r.best;
  await writeFileAtomic(
    files.cell,
    await renderSvg(cellDiagram(b.genotype, `The best cells: candidate #${b.id} (${b.strategy}), ${pct(b.valAccuracy)} validation accuracy`)),
    'search',
  );
  const cells = [
    'Normal cell:',
    ...describeCell(b.genotype.normal).map((l) => `- ${l}`),
    '',
    'Reduction cell:',
    ...describeCell(b.genotype.reduction).map((l) => `- ${l}`),
  ];
  await writeFileAtomic(files.table, `${searchTable(r)}\n\nBest candidate #${b.id}:\n\n${cells.join('\n')}\n`, 'search');
  await writeFileAtomic(files.model, JSON.stringify(searchDefinition(r), null, 1) + '\n', 'search');
  return files;
}
