/**
 * A cache of downloaded bytes (datasets, checkpoints) in the browser's IndexedDB — the counterpart of Node's
 * ~/.cache/convnet-ts. Every entry keeps the SHA-256 of its bytes, checked on each read, so a corrupted entry is
 * dropped and fetched again rather than used; a caller may also pin the expected SHA-256 of a download.
 */
import { openDB, type IDBPDatabase } from 'idb';
import { fetchBytes } from './source.js';

const DB_NAME = 'convnet-ts-cache';
const STORE = 'files';

interface Entry {
  key: string;
  bytes: Uint8Array;
  sha256: string;
  size: number;
  storedAt: number;
}

/** What `list()` reports about an entry. */
export interface CacheEntryInfo {
  key: string;
  size: number;
  sha256: string;
  storedAt: Date;
}

let db: Promise<IDBPDatabase> | null = null;

function database(what: string): Promise<IDBPDatabase> {
  if (typeof indexedDB === 'undefined') {
    throw new Error(`${what}: IndexedDB is not available here (in Node, downloads are cached in ~/.cache/convnet-ts or $CONVNET_TS_CACHE)`);
  }
  db ??= openDB(DB_NAME, 1, {
    upgrade(d) {
      d.createObjectStore(STORE, { keyPath: 'key' });
    },
  });
  return db;
}

/** SHA-256 of bytes as lowercase hex (Web Crypto, available in pages, Workers and Node ≥ 20). */
export async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as BufferSource);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The cached bytes under `key`, or null when absent or corrupted (a corrupted entry is deleted). */
export async function cacheGet(key: string): Promise<Uint8Array | null> {
  const d = await database('cache.get');
  const e = (await d.get(STORE, key)) as Entry | undefined;
  if (!e) return null;
  if (!(e.bytes instanceof Uint8Array) || e.bytes.length !== e.size || (await sha256(e.bytes)) !== e.sha256) {
    await d.delete(STORE, key);
    return null;
  }
  return e.bytes;
}

/** Stores bytes under `key` (replacing any entry) with their SHA-256. */
export async function cachePut(key: string, bytes: Uint8Array): Promise<void> {
  const d = await database('cache.put');
  const entry: Entry = { key, bytes, sha256: await sha256(bytes), size: bytes.length, storedAt: Date.now() };
  await d.put(STORE, entry);
}

export async function cacheDelete(key: string): Promise<void> {
  await (await database('cache.delete')).delete(STORE, key);
}

/** Every entry's key, size, SHA-256 and time stored. */
export async function cacheList(): Promise<CacheEntryInfo[]> {
  const entries = (await (await database('cache.list')).getAll(STORE)) as Entry[];
  return entries.map((e) => ({ key: e.key, size: e.size, sha256: e.sha256, storedAt: new Date(e.storedAt) }));
}

export async function cacheClear(): Promise<void> {
  await (await database('cache.clear')).clear(STORE);
}

export interface CachedFetchOptions {
  /** The expected SHA-256 (hex) of the file: a download that differs is an error and is not stored. */
  sha256?: string;
  /** The cache key (default: the absolute URL). */
  key?: string;
}

/**
 * The bytes at `url`, from the IndexedDB cache when present and intact, else fetched, checked and stored.
 * Example: const bytes = await io.cache.fetch('/models/lenet5.safetensors', { sha256: '…' });
 */
export async function cachedFetch(url: string | URL, opts: CachedFetchOptions = {}): Promise<Uint8Array> {
  const abs = typeof location !== 'undefined' ? new URL(url, location.href).href : new URL(url).href;
  const key = opts.key ?? abs;
  const hit = await cacheGet(key);
  if (hit && (!opts.sha256 || (await sha256(hit)) === opts.sha256.toLowerCase())) return hit;
  const bytes = await fetchBytes(abs, 'cache.fetch');
  if (opts.sha256) {
    const got = await sha256(bytes);
    if (got !== opts.sha256.toLowerCase())
      throw new Error(`cache.fetch: ${abs} has SHA-256 ${got}, expected ${opts.sha256} (corrupt or changed download; not cached)`);
  }
  await cachePut(key, bytes);
  return bytes;
}
