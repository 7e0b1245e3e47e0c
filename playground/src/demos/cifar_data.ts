/**
 * Where the CIFAR-10 demo gets its data: the server's data folder (`npm run playground -- --data-dir DIR`), else the
 * official cifar-10-binary.tar.gz the user picks once — kept in IndexedDB (io.cache) so later visits skip the picker.
 */
import * as cache from '../../../src/io/cache.js';
import { h } from '../ui/dom.js';
import type { DataSource } from '../trainer/protocol.js';

const CACHE_KEY = 'playground:cifar-10-binary.tar.gz';
/** Training images the demo uses by default (of 45,000 after the validation split): epochs of a few minutes. */
const TRAIN_IMAGES = 20000;

/** Whether the server has a CIFAR-10 folder (data/index.json lists the datasets it serves). */
async function served(dataBase: string): Promise<boolean> {
  const r = await fetch(`${dataBase}index.json`).catch(() => null);
  const index = r?.ok ? ((await r.json().catch(() => null)) as { datasets?: string[] } | null) : null;
  return index?.datasets?.includes('cifar10') ?? false;
}

export function mountCifarData(root: HTMLElement, dataBase: string, start: (source: DataSource) => void): { close(): void } {
  const input = h('input', { type: 'file', id: 'cifar-archive', accept: '.tar.gz,.tgz,application/gzip' });
  const message = h('p', { role: 'status' }, 'Looking for CIFAR-10…');
  const box = h(
    'div',
    { class: 'data-picker' },
    h('h1', {}, 'CIFAR-10'),
    message,
    h(
      'p',
      {},
      'Pick the official archive, ',
      h('a', { href: 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz' }, 'cifar-10-binary.tar.gz'),
      ' (162 MB, from the dataset’s page). It stays on this computer, in this browser’s storage.',
    ),
    h('label', { for: 'cifar-archive' }, 'CIFAR-10 binary archive '),
    input,
  );
  let closed = false;
  const go = (source: DataSource) => {
    if (closed) return;
    box.remove();
    start({ ...source, trainImages: TRAIN_IMAGES });
  };
  input.addEventListener('change', async () => {
    const f = input.files?.[0];
    if (!f) return;
    message.textContent = `Reading ${f.name}…`;
    const bytes = new Uint8Array(await f.arrayBuffer());
    await cache.put(CACHE_KEY, bytes).catch(() => undefined); // storage may be full or disabled: train anyway
    go({ dataset: 'cifar10', archive: new Blob([bytes]) });
  });
  root.append(box);
  void (async () => {
    if (await served(dataBase)) return go({ dataset: 'cifar10', root: `${dataBase}cifar10/` });
    const cached = await cache.get(CACHE_KEY).catch(() => null);
    if (cached) return go({ dataset: 'cifar10', archive: new Blob([cached as Uint8Array<ArrayBuffer>]) });
    message.textContent = 'This server has no CIFAR-10 folder (start it with --data-dir DIR to serve one).';
  })();
  return { close: () => void (closed = true) };
}
