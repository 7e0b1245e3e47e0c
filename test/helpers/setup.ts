/**
 * Runs before every test file. Many tests compute synchronously for seconds; a macrotask turn after each test lets
 * vitest's worker RPC replies through (otherwise they queue behind the computation and time out after 60 s in total).
 */
import { afterEach } from 'vitest';

afterEach(() => new Promise<void>((resolve) => setTimeout(resolve, 0)));
