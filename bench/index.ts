/** `npm run bench`: the same measurements as `convnet bench` (src/cli/bench.ts); `--browser` adds Chromium's columns. */
import { benchCommand } from '../src/cli/bench.js';

const argv = process.argv.slice(2);
const extra = argv.includes('--browser') ? (await import('./browser.js')).browserColumns : undefined;
await benchCommand(argv, extra);
