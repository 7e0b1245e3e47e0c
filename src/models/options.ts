/** Option handling shared by the zoo's factories. */

/**
 * A factory's options: `defaults` under the caller's options, `overrides` over them. A view rather than a copy
 * ({ ...opts }), so models.create still sees which options the architecture reads and can reject the others.
 * Example: new ResNet('bottleneck', [3, 4, 6, 3], withOptions(opts, { groups: 32, widthPerGroup: 4 }))
 */
export function withOptions<O extends object>(opts: O, defaults: Record<string, unknown>, overrides: Record<string, unknown> = {}): O {
  const src = opts as Record<string, unknown>;
  const value = (k: string) => (k in overrides ? overrides[k] : (src[k] ?? defaults[k]));
  return new Proxy(
    {},
    {
      get: (_t, k) => (typeof k === 'string' ? value(k) : undefined),
      has: (_t, k) => typeof k === 'string' && value(k) !== undefined,
      ownKeys: () => [...new Set([...Reflect.ownKeys(src), ...Object.keys(defaults), ...Object.keys(overrides)])],
      getOwnPropertyDescriptor: (_t, k) => (typeof k === 'string' ? { value: value(k), enumerable: true, configurable: true, writable: true } : undefined),
    },
  ) as O;
}
