/**
 * Where a dataset's files are: a folder (Node), a base URL (fetched, in browsers or Node), or named sources — File
 * objects from a picker, bytes, an archive's entries. Loaders ask for files by name and never care which.
 */
import { fileExists, joinPath, readFileBytes } from '../platform/node.js';
import { isNode } from '../platform/builtins.js';
import { fetchBytes, readSource, urlExists, type ByteSource } from '../platform/source.js';
import { cachedFetch, cacheGet } from '../platform/browser_cache.js';

export interface Folder {
  /** For messages: the path, the URL, or 'the given files'. */
  readonly name: string;
  /** True when files can be written into it (a Node folder: downloads are cached there). */
  readonly writable: boolean;
  has(file: string): Promise<boolean>;
  read(file: string, who: string): Promise<Uint8Array>;
  /** A sub-folder (named sources are flat: the same set). */
  sub(folder: string): Folder;
  /** The path of `file` in a Node folder (for writing downloads); null elsewhere. */
  pathOf(file: string): Promise<string | null>;
}

/** The files of a dataset: a path (Node) or, in a browser or as a URL object, a base URL; or named sources. */
export type FolderSource = string | URL | Record<string, ByteSource>;

function isUrlRoot(root: string | URL): boolean {
  return root instanceof URL ? root.protocol !== 'file:' || !isNode() : /^(https?|blob):/i.test(root) || !isNode();
}

/** `cache`: read URLs through the browser's IndexedDB cache (io.cache), so a second visit needs no network. */
export function folderOf(root: FolderSource, opts: { cache?: boolean } = {}): Folder {
  if (typeof root === 'string' || root instanceof URL) {
    if (isUrlRoot(root)) return urlFolder(root.toString(), opts.cache ?? false);
    return nodeFolder(root instanceof URL ? decodeURIComponent(root.pathname) : root);
  }
  return namedFolder(root);
}

function nodeFolder(dir: string): Folder {
  return {
    name: dir,
    writable: true,
    has: async (f) => fileExists(await joinPath(dir, f)),
    read: async (f, who) => readFileBytes(await joinPath(dir, f), who),
    sub: (s) => nodeFolder(`${dir.replace(/\/+$/, '')}/${s}`),
    pathOf: (f) => joinPath(dir, f),
  };
}

function urlFolder(base: string, cache: boolean): Folder {
  const b = base.endsWith('/') ? base : `${base}/`;
  const url = (f: string) => (typeof location !== 'undefined' ? new URL(f, new URL(b, location.href)) : new URL(f, b)).href;
  return {
    name: b,
    writable: false,
    has: async (f) => (cache && (await cacheGet(url(f))) !== null) || urlExists(url(f)),
    read: (f, who) => (cache ? cachedFetch(url(f)) : fetchBytes(url(f), who)),
    sub: (s) => urlFolder(`${b}${s}/`, cache),
    pathOf: async () => null,
  };
}

/** Named sources, matched by their last path component (so an archive's 'cifar-10-batches-bin/x.bin' is 'x.bin'). */
function namedFolder(files: Record<string, ByteSource>): Folder {
  const byBase = new Map<string, ByteSource>();
  for (const [k, v] of Object.entries(files)) byBase.set(k.split('/').pop()!, v);
  const self: Folder = {
    name: 'the given files',
    writable: false,
    has: async (f) => byBase.has(f),
    read: async (f, who) => {
      const src = byBase.get(f);
      if (src === undefined) throw new Error(`${who}: ${f} is not among the given files (${[...byBase.keys()].join(', ') || 'none'})`);
      return readSource(src, who);
    },
    sub: () => self,
    pathOf: async () => null,
  };
  return self;
}
