// The conv geometry block shared by the conv tasks: the first 16 argument words, in Conv2dInfo's order.

/** A view of the argument words (no allocation: the pointer is the args block itself, shared by all threads). */
@unmanaged export class Geo {
  batch: i32; inC: i32; inH: i32; inW: i32; outC: i32; kH: i32; kW: i32;
  sH: i32; sW: i32; pT: i32; pL: i32; dH: i32; dW: i32; groups: i32; outH: i32; outW: i32;
}

// @ts-ignore: decorator
@inline export function arg(args: usize, i: i32): i32 {
  return load<i32>(args + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline export function argF(args: usize, i: i32): f32 {
  return load<f32>(args + (<usize>i << 2));
}

