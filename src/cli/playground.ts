/** `convnet playground`: serves the built playground (dist/playground) with the isolation headers, threads on. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { intFlag, parse, UsageError } from './args.js';
import { serveStatic } from './static_server.js';

export const PLAYGROUND_HELP = `convnet playground — the lectures' CNNs training live in a web page

Usage: convnet playground [--port 8080] [--host 127.0.0.1] [--data-dir DIR] [--site DIR]

Serves the playground (built by 'npm run build:playground' into dist/playground) with the
cross-origin-isolation headers, so training runs on every core. --data-dir serves a CIFAR-10 folder
(data_batch_*.bin, gzipped or not) to the CIFAR-10 demo; without it that demo asks for the archive.
From a clone, 'npm run playground' starts the development server instead.

Examples:
  convnet playground
  convnet playground --port 8000 --data-dir ~/.cache/convnet-ts/cifar10`;

export async function playgroundCommand(argv: string[]): Promise<void> {
  const { values } = parse('playground', argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    'data-dir': { type: 'string' },
    site: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return void console.log(PLAYGROUND_HELP);
  const site = values.site ? resolve(String(values.site)) : fileURLToPath(new URL('../playground/', import.meta.url));
  if (!existsSync(resolve(site, 'index.html')))
    throw new UsageError(`playground: no built playground in ${site} (run 'npm run build:playground' first, or 'npm run playground' in a clone)`);
  const mounts: Record<string, string> = {};
  if (values['data-dir'] !== undefined) {
    const dir = resolve(String(values['data-dir']));
    if (!existsSync(dir)) throw new UsageError(`playground: --data-dir ${dir} does not exist`);
    mounts['/data/cifar10/'] = dir;
  }
  const port = values.port === undefined ? 8080 : intFlag(values, 'port', 8080, 0);
  // data/index.json tells the pages which datasets this server has.
  const files = { '/data/index.json': JSON.stringify({ datasets: ['mnist', ...(mounts['/data/cifar10/'] ? ['cifar10'] : [])] }) };
  const s = await serveStatic(site, { port, host: values.host === undefined ? '127.0.0.1' : String(values.host), mounts, files });
  console.log(`convnet-ts playground: ${s.url}  (cross-origin isolated: threads on; Ctrl-C stops it)`);
  await new Promise<void>((resolve) => {
    const stop = () => void s.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
