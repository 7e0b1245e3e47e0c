/**
 * The configuration in the URL, as TensorFlow Playground does: `#/mnist?c=<base64url JSON>`. A shared link
 * reproduces the setup (same network, hyperparameters and seed, hence the same training).
 */
import { configErrors, type TrainConfig } from './trainer/config.js';

const toBase64Url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const fromBase64Url = (s: string) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

export function encodeConfig(c: object): string {
  return toBase64Url(new TextEncoder().encode(JSON.stringify(c)));
}

/** Any demo's settings from a link, completed with its defaults; `check` lists what is invalid (then it throws). */
export function decodeState<C extends object>(s: string, defaults: C, check: (c: C) => string[]): C {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64Url(s)));
  } catch {
    throw new Error('this link’s configuration is not readable (it may have been cut short)');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('this link’s configuration is not an object');
  const c = { ...defaults, ...(parsed as Partial<C>) };
  const errs = check(c);
  if (errs.length) throw new Error(`this link’s configuration is invalid: ${errs.join('; ')}`);
  return c;
}

/** A training configuration from a link (TrainConfig's checks, and the demo's own). */
export function decodeConfig<C extends TrainConfig>(s: string, defaults: C, check: (c: C) => string[] = () => []): C {
  return decodeState(s, defaults, (c) => [...configErrors(c), ...check(c)]);
}

/** The link to a demo with a configuration. */
export function shareUrl(route: string, c: object, base = location.href): string {
  const u = new URL(base);
  u.hash = `#/${route}?c=${encodeConfig(c)}`;
  return u.toString();
}

/** The route and `c` parameter of the current hash. */
export function parseHash(hash = location.hash): { route: string; config: string | null } {
  const [path, query = ''] = hash.replace(/^#\/?/, '').split('?');
  return { route: path || '', config: new URLSearchParams(query).get('c') };
}
