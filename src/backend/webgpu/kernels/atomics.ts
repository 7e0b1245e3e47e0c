/**
 * Float addition into a buffer several threads write (max-pool and pad gradients): WGSL has atomics only on 32-bit
 * integers, so the float's bits are swapped in with compare-exchange until no other thread got there first.
 * The sum's order, and so its last bit, can vary between runs where windows overlap.
 */
export const ATOMIC_ADD = `
fn atomic_add_f32(p: ptr<storage, atomic<u32>, read_write>, v: f32) {
  var old = atomicLoad(p);
  loop {
    let r = atomicCompareExchangeWeak(p, old, bitcast<u32>(bitcast<f32>(old) + v));
    if (r.exchanged) { break; }
    old = r.old_value;
  }
}`;
