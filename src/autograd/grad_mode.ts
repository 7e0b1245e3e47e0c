/** Whether ops record the graph. `noGrad(fn)` runs fn without recording (inference, optimizer updates). */

let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

/**
 * Runs `fn` with gradient recording off and returns its result.
 *
 * Example:
 *   const y = noGrad(() => model.forward(x)); // no graph is kept
 */
export function noGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/** Runs `fn` with gradient recording on (e.g. inside a noGrad region). */
export function enableGrad<T>(fn: () => T): T {
  const prev = enabled;
  enabled = true;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}
