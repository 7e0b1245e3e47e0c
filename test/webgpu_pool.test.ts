// The webgpu backend's buffer pool, on a stand-in device: size classes, reuse, and the cap on pooled bytes.
import { describe, expect, it } from 'vitest';
import { BufferPool, sizeClass } from '../src/backend/webgpu/buffers.js';

/** A device that only creates numbered buffers, and a pool on it that records what it destroys. */
function poolOnFakeDevice(maxPooled: number) {
  let next = 0;
  const device = { createBuffer: ({ size }: { size: number }) => ({ id: next++, size }) } as unknown as GPUDevice;
  const destroyed: { id: number; size: number }[] = [];
  const pool = new BufferPool(device, 2 ** 30, (b) => destroyed.push(b as unknown as { id: number; size: number }), maxPooled);
  return { pool, destroyed };
}

describe('webgpu buffer pool', () => {
  it('rounds sizes up to 1, 1.25, 1.5 or 1.75 × a power of two, at least 16 bytes', () => {
    expect([1, 16, 17, 20, 21, 24, 28, 29, 32, 1000, 1024, 1025].map(sizeClass)).toEqual([16, 16, 20, 20, 24, 24, 28, 32, 32, 1024, 1024, 1280]);
  });

  it('reuses a freed buffer of the same class instead of creating one', () => {
    const { pool } = poolOnFakeDevice(2 ** 20);
    for (let step = 0; step < 100; step++) {
      const slots = [100, 200, 300, 100].map((b) => pool.acquire(b));
      for (const s of slots) pool.release(s);
    }
    expect(pool.created).toBe(4);
    expect(pool.liveBytes).toBe(0);
  });

  it('keeps at most maxPooled bytes, destroying the least recently freed buffers first', () => {
    const { pool, destroyed } = poolOnFakeDevice(4096);
    const slots = Array.from({ length: 6 }, () => pool.acquire(1024));
    for (const s of slots) pool.release(s);
    expect(pool.pooledBytes).toBe(4096);
    expect(destroyed.map((b) => b.id)).toEqual([0, 1]);
    // The survivors are reused, newest first.
    expect(pool.acquire(1024).buffer).toBe(slots[5].buffer);
    expect(pool.pooledBytes).toBe(3072);
  });

  it('a pool filled by an earlier workload’s large buffers still pools the next workload’s small ones', () => {
    // The CI failure: earlier tests left the pool at its cap, every small buffer freed later was destroyed, and a
    // training loop created thousands of buffers per 200 steps.
    const { pool, destroyed } = poolOnFakeDevice(64 * 1024);
    const large = Array.from({ length: 8 }, () => pool.acquire(8 * 1024));
    for (const s of large) pool.release(s);
    expect(pool.pooledBytes).toBe(64 * 1024);
    const createdBefore = pool.created;
    for (let step = 0; step < 200; step++) {
      const slots = Array.from({ length: 10 }, (_, i) => pool.acquire(64 + 16 * i));
      for (const s of slots) pool.release(s);
    }
    expect(pool.created - createdBefore).toBe(10);
    expect(pool.pooledBytes).toBeLessThanOrEqual(64 * 1024);
    // Room was made by destroying stale large buffers, oldest first; no small buffer was destroyed.
    expect(destroyed.every((b) => b.size === 8 * 1024)).toBe(true);
    expect(destroyed.map((b) => b.id)).toEqual([0]);
  });

  it('a buffer larger than the cap is destroyed when freed, evicting nothing, and trim empties the pool', () => {
    const { pool, destroyed } = poolOnFakeDevice(1024);
    const small = pool.acquire(512);
    const huge = pool.acquire(4096);
    pool.release(small);
    pool.release(huge);
    expect(destroyed.map((b) => b.size)).toEqual([4096]);
    expect(pool.pooledBytes).toBe(512);
    pool.release(pool.acquire(256));
    pool.trim();
    expect(pool.pooledBytes).toBe(0);
    expect(destroyed.map((b) => b.size)).toEqual([4096, 512, 256]);
    pool.acquire(256);
    expect(pool.created).toBe(4);
  });
});
