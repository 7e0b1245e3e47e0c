/**
 * `npm run playground [-- --port P] [--data-dir DIR] [--host H]`: the playground's development server (Vite), with
 * the cross-origin-isolation headers so training uses every core. --data-dir serves a CIFAR-10 folder (the binary
 * files, gzipped or not) to the CIFAR-10 demo.
 */
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createServer } from 'vite';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '5173' },
    host: { type: 'string', default: 'localhost' },
    'data-dir': { type: 'string' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  console.log('usage: npm run playground [-- --port 5173] [--host localhost] [--data-dir DIR (CIFAR-10 binary files)]');
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`playground: --port must be a port number, got '${values.port}'`);
if (values['data-dir']) {
  const dir = resolve(values['data-dir']);
  if (!existsSync(dir)) throw new Error(`playground: --data-dir ${dir} does not exist`);
  process.env.CONVNET_PLAYGROUND_DATA_DIR = dir;
}
const server = await createServer({
  configFile: new URL('./vite.config.ts', import.meta.url).pathname,
  server: { port, host: values.host, strictPort: false },
});
await server.listen();
const url = server.resolvedUrls?.local[0] ?? `http://${values.host}:${port}/`;
console.log(`convnet-ts playground: ${url}  (cross-origin isolated: threads on)${values['data-dir'] ? `, CIFAR-10 from ${values['data-dir']}` : ''}`);
