/** `npm run bench`: the same measurements as `convnet bench` (src/cli/bench.ts). */
import { benchCommand } from '../src/cli/bench.js';

await benchCommand(process.argv.slice(2));
