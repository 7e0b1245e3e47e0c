/**
 * Address-space bookkeeping for the wasm heap (no memory access here). Small blocks (≤ 64 KiB) come from exact
 * size-class lists: a training loop asks for the same sizes every step. Large blocks are best-fit from a list of
 * free ranges sorted by address that coalesces neighbours and gives the top of the heap back to the bump pointer,
 * so memory freed by one model can serve another of different shapes.
 */

const ALIGN = 64;
const SMALL_MAX = 65536;

export interface Block {
  ptr: number;
  /** Bytes reserved (the size class or the rounded size); pass back to `release`. */
  size: number;
}

export class BlockAllocator {
  /** One past the highest reserved byte. */
  top: number;
  private readonly small = new Map<number, number[]>();
  /** Free large ranges, sorted by address, never adjacent (they are merged). */
  private large: Block[] = [];

  constructor(
    readonly base: number,
    /** Makes [0, end) addressable; throws when it cannot. */
    private readonly ensure: (end: number) => void,
  ) {
    this.top = base;
  }

  alloc(bytes: number): Block {
    const size = roundSize(bytes);
    if (size <= SMALL_MAX) {
      const list = this.small.get(size);
      if (list && list.length > 0) return { ptr: list.pop()!, size };
      return { ptr: this.bump(size), size };
    }
    // Best fit among the free large ranges.
    let best = -1;
    for (let i = 0; i < this.large.length; i++) {
      const b = this.large[i];
      if (b.size >= size && (best < 0 || b.size < this.large[best].size)) {
        best = i;
        if (b.size === size) break;
      }
    }
    if (best >= 0) {
      const b = this.large[best];
      if (b.size - size >= SMALL_MAX) {
        // Split: hand out the front, keep the rest free.
        this.large[best] = { ptr: b.ptr + size, size: b.size - size };
      } else {
        this.large.splice(best, 1);
        return { ptr: b.ptr, size: b.size };
      }
      return { ptr: b.ptr, size };
    }
    // A free range touching the top can be extended instead of leaving it stranded below a new block.
    const last = this.large[this.large.length - 1];
    if (last && last.ptr + last.size === this.top) {
      this.ensure(last.ptr + size);
      this.large.pop();
      this.top = last.ptr + size;
      return { ptr: last.ptr, size };
    }
    return { ptr: this.bump(size), size };
  }

  release(ptr: number, size: number): void {
    if (size <= SMALL_MAX) {
      let list = this.small.get(size);
      if (!list) this.small.set(size, (list = []));
      list.push(ptr);
      return;
    }
    // Insert sorted, merge with neighbours, and return a range at the top to the bump pointer.
    let lo = 0;
    let hi = this.large.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.large[mid].ptr < ptr) lo = mid + 1;
      else hi = mid;
    }
    let start = ptr;
    let end = ptr + size;
    let from = lo;
    let to = lo;
    const prev = this.large[lo - 1];
    if (prev && prev.ptr + prev.size === start) {
      start = prev.ptr;
      from = lo - 1;
    }
    const next = this.large[lo];
    if (next && next.ptr === end) {
      end = next.ptr + next.size;
      to = lo + 1;
    }
    if (end === this.top) {
      this.large.splice(from, to - from);
      this.top = start;
    } else {
      this.large.splice(from, to - from, { ptr: start, size: end - start });
    }
  }

  /** Forgets every block (after the heap has been emptied). */
  reset(): void {
    this.small.clear();
    this.large = [];
    this.top = this.base;
  }

  /** Bytes in free large ranges (fragmentation diagnostics). */
  get freeLargeBytes(): number {
    let s = 0;
    for (const b of this.large) s += b.size;
    return s;
  }

  private bump(size: number): number {
    const ptr = this.top;
    this.ensure(ptr + size);
    this.top = ptr + size;
    return ptr;
  }
}

/** Multiples of 64 bytes up to 64 KiB (exact classes), then multiples of 4 KiB. */
function roundSize(bytes: number): number {
  const b = Math.max(bytes, ALIGN);
  if (b <= SMALL_MAX) return Math.ceil(b / ALIGN) * ALIGN;
  return Math.ceil(b / 4096) * 4096;
}
