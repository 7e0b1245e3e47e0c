/**
 * The browser's download cache (IndexedDB), with integrity checks: `io.cache.fetch(url, { sha256 })` returns cached
 * bytes when intact, else downloads, verifies and stores them. In Node, use the file cache (~/.cache/convnet-ts).
 * Example: const model = await io.loadSafetensors(await io.cache.fetch('/weights/lenet5.safetensors'));
 */
export {
  cachedFetch as fetch,
  cacheGet as get,
  cachePut as put,
  cacheDelete as remove,
  cacheList as list,
  cacheClear as clear,
  sha256,
  type CachedFetchOptions,
  type CacheEntryInfo,
} from '../platform/browser_cache.js';
