/**
 * What every experiment is: a lecture's claim, a run that measures it (quick or at the full budget), and a report —
 * every plotted number (results.json), a figure whose title states the claim (figure.svg), a Markdown table and a
 * one-line verdict saying whether the claim held and by which criterion. `runExperiment` seeds, times, records the
 * machine and writes the files.
 */
import { getBackend, getNumThreads } from '../backend/registry.js';
import { renderSvg } from '../chart/render.js';
import type { ChartSpec } from '../chart/spec.js';
import { builtin, isNode } from '../platform/builtins.js';
import { joinPath, writeFileAtomic } from '../platform/node.js';
import { manualSeed } from '../tensor/random.js';

export interface RunOptions {
  /** The quick budget (≤ 60 s on 2 cores; what the tests run) instead of the full one. */
  quick: boolean;
  seed: number;
  /** A line saying where the run is (the CLI prints it on stderr). */
  onProgress: (line: string) => void;
  /** Experiment-specific overrides from the command line (e.g. width=1024), checked by the experiment. */
  params: Readonly<Record<string, string>>;
}

/** Whether the lecture's claim held: what was measured, by which criterion, and the answer (null: not decided at this budget). */
export interface Verdict {
  holds: boolean | null;
  measured: string;
  criterion: string;
}

export interface Outcome<R = unknown> {
  /** Every number the figure and the table show. */
  results: R;
  figure: ChartSpec;
  /** A Markdown table of the main numbers. */
  table: string;
  verdict: Verdict;
}

export interface Experiment<R = unknown> {
  name: string;
  /** The lecture(s) in ../shared/seeds the claim comes from, e.g. '004'. */
  lectures: string;
  /** The claim, as the lecture makes it. */
  claim: string;
  /** What one run does, in a sentence (the CLI's help and the gallery show it). */
  description: string;
  /** Overrides it accepts (name → meaning), passed as --set name=value. */
  params?: Readonly<Record<string, string>>;
  run(opts: RunOptions): Promise<Outcome<R>>;
}

/** Where and how a report was made. */
export interface RunInfo {
  experiment: string;
  lectures: string;
  claim: string;
  quick: boolean;
  seed: number;
  params: Record<string, string>;
  backend: string;
  threads: number;
  version: string;
  runtime: string;
  cpu: string | null;
  cores: number | null;
  startedAt: string;
  wallSeconds: number;
}

export interface Report<R = unknown> extends Outcome<R> {
  info: RunInfo;
  /** The verdict as one line: claim, measurement, answer, criterion. */
  verdictLine: string;
  /** Files written (when an output folder was given). */
  files: { results?: string; figure?: string; table?: string };
}

/** The package version, kept in step with package.json by test/experiments.test.ts. */
export const VERSION = '0.1.0';

/** The verdict as one line: "claim: measured — holds (criterion)". */
export function verdictLine(claim: string, v: Verdict): string {
  const answer = v.holds === null ? 'not decided at this budget' : v.holds ? 'holds' : 'does not hold';
  return `${claim}: ${v.measured} — ${answer} (${v.criterion})`;
}

export async function machine(): Promise<{ runtime: string; cpu: string | null; cores: number | null }> {
  const os = isNode() ? await builtin<typeof import('node:os')>('node:os') : null;
  if (os) {
    const cpus = os.cpus();
    const version = (globalThis as { process?: { version?: string } }).process?.version ?? '';
    return { runtime: `Node ${version}`, cpu: cpus[0]?.model.trim() ?? null, cores: cpus.length };
  }
  const nav = (globalThis as { navigator?: { userAgent?: string; hardwareConcurrency?: number } }).navigator;
  return { runtime: nav?.userAgent ?? 'unknown', cpu: null, cores: nav?.hardwareConcurrency ?? null };
}

/** A Markdown table from a header and rows of cells. */
export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A positive-integer setting from --set (or `fallback`), with an error naming the experiment and the setting. */
export function intSetting(experiment: string, params: Readonly<Record<string, string>>, name: string, fallback: number): number {
  const v = params[name] === undefined ? fallback : Number(params[name]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`experiment ${experiment}: ${name} must be a positive integer, got '${params[name]}'`);
  return v;
}

/** Rejects overrides the experiment does not take, naming the ones it does. */
function checkParams(exp: Experiment, params: Readonly<Record<string, string>>): void {
  const known = Object.keys(exp.params ?? {});
  const unknown = Object.keys(params).filter((k) => !known.includes(k));
  if (unknown.length) {
    throw new Error(`experiment ${exp.name}: no setting ${unknown.map((k) => `'${k}'`).join(', ')} (its settings: ${known.join(', ') || 'none'})`);
  }
}

/**
 * Runs an experiment: seeds the generators, runs it at the quick or full budget, and (with `out`) writes
 * results.json, figure.svg and table.md there.
 *
 * Args: exp — an experiment (experiments.EXPERIMENTS lists them); opts.quick, seed (default 0), out (a folder, Node),
 * params (its overrides), onProgress.
 * Example: const r = await runExperiment(EXPERIMENTS.find((e) => e.name === 'init')!, { quick: true }); console.log(r.verdictLine);
 */
export async function runExperiment<R>(
  exp: Experiment<R>,
  opts: { quick?: boolean; seed?: number; out?: string; params?: Record<string, string>; onProgress?: (line: string) => void } = {},
): Promise<Report<R>> {
  const quick = opts.quick ?? false;
  const seed = opts.seed ?? 0;
  const params = opts.params ?? {};
  checkParams(exp, params);
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  manualSeed(seed);
  const outcome = await exp.run({ quick, seed, params, onProgress: opts.onProgress ?? (() => {}) });
  const wallSeconds = Math.round((performance.now() - t0) / 100) / 10;
  const m = await machine();
  const info: RunInfo = {
    experiment: exp.name,
    lectures: exp.lectures,
    claim: exp.claim,
    quick,
    seed,
    params: { ...params },
    backend: getBackend(),
    threads: getNumThreads(),
    version: VERSION,
    ...m,
    startedAt,
    wallSeconds,
  };
  const report: Report<R> = { ...outcome, info, verdictLine: verdictLine(exp.claim, outcome.verdict), files: {} };
  if (opts.out) {
    const files = {
      results: await joinPath(opts.out, 'results.json'),
      figure: await joinPath(opts.out, 'figure.svg'),
      table: await joinPath(opts.out, 'table.md'),
    };
    await writeFileAtomic(
      files.results,
      JSON.stringify({ info, verdict: { ...outcome.verdict, line: report.verdictLine }, results: outcome.results }, null, 1) + '\n',
      'experiment',
    );
    await writeFileAtomic(files.figure, await renderSvg(outcome.figure), 'experiment');
    await writeFileAtomic(files.table, outcome.table + '\n', 'experiment');
    report.files = files;
  }
  return report;
}
