/**
 * Where bytes come from, the same in Node and browsers: a path (Node), a URL (fetched; `file:` URLs read in Node),
 * bytes, an ArrayBuffer, a Blob or File (file pickers, drag and drop) or a fetch Response.
 */
import { isNode } from './builtins.js';
import { readFileBytes } from './node.js';

/** Anything whose bytes a loader can read. In a browser a string is a URL (relative to the page); in Node, a path. */
export type ByteSource = string | URL | Uint8Array | ArrayBuffer | Blob | Response;

/** A readable name for messages: the path, URL or file name. */
export function sourceName(src: ByteSource, fallback: string): string {
  if (typeof src === 'string') return src;
  if (src instanceof URL) return src.href;
  if (typeof File !== 'undefined' && src instanceof File) return src.name;
  if (typeof Response !== 'undefined' && src instanceof Response) return src.url || fallback;
  return fallback;
}

function isUrlString(s: string): boolean {
  return /^(https?|blob|data):/i.test(s) || !isNode();
}

/** The bytes of `src`; `what` (the calling function) appears in errors, with the source's name. */
export async function readSource(src: ByteSource, what: string): Promise<Uint8Array> {
  if (src instanceof Uint8Array) return src;
  if (src instanceof ArrayBuffer) return new Uint8Array(src);
  if (typeof Blob !== 'undefined' && src instanceof Blob) return new Uint8Array(await src.arrayBuffer());
  if (typeof Response !== 'undefined' && src instanceof Response) return responseBytes(src, src.url || 'response', what);
  if (src instanceof URL) {
    if (src.protocol === 'file:' && isNode()) return readFileBytes(decodeURIComponent(src.pathname), what);
    return fetchBytes(src.href, what);
  }
  if (typeof src === 'string') return isUrlString(src) ? fetchBytes(src, what) : readFileBytes(src, what);
  throw new Error(`${what}: expected a path, URL, Uint8Array, ArrayBuffer, Blob/File or Response; got ${Object.prototype.toString.call(src)}`);
}

/** GETs a URL (relative URLs resolve against the page) and returns its bytes; HTTP errors name the URL. */
export async function fetchBytes(url: string, what: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`${what}: cannot fetch ${url} (${(e as Error).message})`);
  }
  return responseBytes(res, url, what);
}

async function responseBytes(res: Response, name: string, what: string): Promise<Uint8Array> {
  if (!res.ok) throw new Error(`${what}: ${name} answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Whether a URL answers a HEAD request; false on 404 or a network error. */
export async function urlExists(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { method: 'HEAD' });
    await res.arrayBuffer(); // read the (empty) body: a response left unread shows in DevTools as a failed request
    return res.ok;
  } catch {
    return false;
  }
}

/** Wraps bytes as a Blob (for a download link, IndexedDB or upload); `type` is the MIME type. */
export function toBlob(bytes: Uint8Array, type = 'application/octet-stream'): Blob {
  return new Blob([bytes as BlobPart], { type });
}

/**
 * Offers bytes or a Blob as a file download in a browser page (a temporary link clicked programmatically).
 * Example: io.downloadBlob(io.toBlob(io.encodeSafetensors(model.stateDict())), 'model.safetensors');
 */
export function downloadBlob(data: Blob | Uint8Array, filename: string): void {
  if (typeof document === 'undefined') throw new Error(`downloadBlob: needs a browser page (no document here); in Node, write ${filename} with fs`);
  const blob = data instanceof Uint8Array ? toBlob(data) : data;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
