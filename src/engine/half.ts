// IEEE half (F16) and bfloat16 (BF16) ⇄ float32 on raw 16-bit patterns. Checkpoints are mostly
// stored in one of these, the CPU provider computes in float32: widening is exact, narrowing rounds
// to nearest, ties to even (what PyTorch and numpy do), so a model read as BF16 writes back as BF16.

// Every F16 pattern's float32 value, built once: widening a 7B model is then one lookup per value.
let f16Table: Float32Array | undefined;

function buildF16Table(): Float32Array {
  const table = new Float32Array(65536);
  const bits = new Uint32Array(table.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const mant = h & 0x3ff;
    // NaN keeps its sign and payload (shifted into the float32 mantissa), so F16 → F32 → F16 is exact.
    if (exp === 31 && mant) bits[h] = ((h & 0x8000) << 16) | 0x7f800000 | (mant << 13);
    else if (exp === 31) table[h] = sign * Infinity;
    else if (exp === 0)
      table[h] = sign * mant * 2 ** -24; // ±0 and subnormals
    else table[h] = sign * (1024 + mant) * 2 ** (exp - 25);
  }
  return table;
}

export function f16ToF32(bits: Uint16Array): Float32Array {
  const table = (f16Table ??= buildF16Table());
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]!]!;
  return out;
}

/** BF16 is the top half of a float32, so widening is a shift. */
export function bf16ToF32(bits: Uint16Array): Float32Array {
  const out = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = bits[i]! << 16;
  return new Float32Array(out.buffer);
}

function f32BitsToF16(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? mant >>> 13 || 0x200 : 0); // a NaN must stay a NaN
  const e = exp - 112; // rebias 127 → 15
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half (or zero): the value in units of 2^-24, rounded half to even.
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    const rem = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    let h = m >>> shift;
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa bumps the exponent, up to 0x7c00 (infinity): exactly IEEE overflow.
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  return sign | h;
}

export function f32ToF16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < bits.length; i++) out[i] = f32BitsToF16(bits[i]!);
  return out;
}

export function f32ToBf16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < bits.length; i++) {
    const x = bits[i]!;
    const top = x >>> 16;
    // NaN keeps its payload's top bits, or gets one set if they are all zero (else it would read as infinity).
    if ((x & 0x7fffffff) > 0x7f800000) out[i] = top & 0x7f ? top : top | 0x40;
    else out[i] = (x + 0x7fff + (top & 1)) >>> 16;
  }
  return out;
}
