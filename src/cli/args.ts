/** Argument parsing on node:util's parseArgs, with value validation that names the flag and what it expected. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A usage error: printed as `convnet: <message>` with exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parse(
  command: string,
  argv: string[],
  options: Options,
  allowPositionals = false,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  // A negative number after an option that takes a value is that value (`--lr -0.1`), so the range check can say
  // what is wrong rather than parseArgs calling it an ambiguous option.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith('--') ? argv[i].slice(2) : null;
    if (name && options[name]?.type === 'string' && i + 1 < argv.length && /^-(\d|\.\d)/.test(argv[i + 1])) {
      args.push(`--${name}=${argv[++i]}`);
    } else args.push(argv[i]);
  }
  try {
    const r = parseArgs({ args, options, allowPositionals, strict: true });
    return { values: r.values as Record<string, string | boolean | undefined>, positionals: r.positionals };
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(`${command}: ${msg} (see 'convnet ${command} --help')`);
  }
}

export function intFlag(values: Record<string, unknown>, name: string, dflt: number, min = 1): number {
  const v = values[name];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got '${v}'`);
  return n;
}

export function numFlag(
  values: Record<string, unknown>,
  name: string,
  dflt: number | undefined,
  opts: { min?: number; positive?: boolean } = {},
): number | undefined {
  const v = values[name];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n) || (opts.positive && !(n > 0)) || (opts.min !== undefined && n < opts.min)) {
    throw new UsageError(`--${name} must be a ${opts.positive ? 'positive ' : ''}finite number${opts.min !== undefined ? ` >= ${opts.min}` : ''}, got '${v}'`);
  }
  return n;
}

export function choiceFlag<T extends string>(values: Record<string, unknown>, name: string, choices: readonly T[], dflt: T): T {
  const v = values[name];
  if (v === undefined) return dflt;
  if (!choices.includes(v as T)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${v}'`);
  return v as T;
}

/** `a=1,b=relu` → { a: 1, b: 'relu' } (numbers and booleans converted). */
export function keyValues(text: string | undefined, flag: string): Record<string, unknown> {
  if (!text) return {};
  const out: Record<string, unknown> = {};
  for (const part of text.split(',').filter(Boolean)) {
    const [k, v, ...rest] = part.split('=');
    if (!k || v === undefined || rest.length) throw new UsageError(`--${flag} expects key=value pairs separated by commas, got '${part}'`);
    out[k] = v === 'true' ? true : v === 'false' ? false : Number.isFinite(Number(v)) && v.trim() !== '' ? Number(v) : v;
  }
  return out;
}

export function required(values: Record<string, unknown>, name: string, command: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`${command}: --${name} is required (see 'convnet ${command} --help')`);
  return v;
}

/** The candidate closest to `name` (edit distance), for "did you mean …?" in messages; null when none is close. */
export function closest(name: string, candidates: readonly string[]): string | null {
  const dist = (a: string, b: string): number => {
    const d = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let prev = d[0];
      d[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const cur = d[j];
        d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = cur;
      }
    }
    return d[b.length];
  };
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const dd = dist(name.toLowerCase(), c.toLowerCase());
    if (dd < bestD) [best, bestD] = [c, dd];
  }
  return best !== null && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : null;
}

/** "unknown model 'x' (did you mean 'y'? available: …)". */
export function unknownName(what: string, name: string, candidates: readonly string[], extra = ''): string {
  const guess = closest(name, candidates);
  return `unknown ${what} '${name}' (${guess ? `did you mean '${guess}'? ` : ''}available: ${candidates.join(', ')}${extra})`;
}
