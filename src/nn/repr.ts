/** Python-style formatting for module descriptions, so printed models read like PyTorch's. */

/** Python's repr of a float: 0.1, 1.0, 1e-05. */
export function pyFloat(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    const [m, e] = x.toExponential().split('e');
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const s = String(x);
  return Number.isInteger(x) ? `${s}.0` : s;
}

export const pyBool = (b: boolean): string => (b ? 'True' : 'False');

/** A tuple as Python prints it: (1, 1); a 1-tuple as (5,). */
export function pyTuple(xs: readonly (number | string)[]): string {
  return xs.length === 1 ? `(${xs[0]},)` : `(${xs.join(', ')})`;
}

export function pyValue(v: unknown): string {
  if (typeof v === 'boolean') return pyBool(v);
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return pyTuple(v.map((x) => (x === null ? 'None' : x)));
  if (v === null || v === undefined) return 'None';
  return String(v);
}
