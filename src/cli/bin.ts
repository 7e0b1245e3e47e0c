#!/usr/bin/env node
/** Entry point of the `convnet` bin. */
import { main } from './main.js';

const code = await main(process.argv.slice(2));
process.exitCode = code;
// The command is over: if a thread or handle still holds the event loop (a worker that a failed run could not stop),
// leave anyway once output has had time to flush. An unref'd timer never keeps a finished process alive.
setTimeout(() => process.exit(code), 2000).unref();
