// A minimal GGUF v3 writer, written from the GGUF specification (ggml's docs/gguf.md): a header, typed metadata
// key/values, tensor infos, then tensor data aligned to `general.alignment`. Only what the tiny model needs: scalar
// and array metadata, and f32 tensors.

/** GGUF metadata value types (the numbers are fixed by the format). */
const GgufType = {
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
} as const;

/** ggml tensor type of 32-bit floats. */
const GGML_TYPE_F32 = 0;

/** One metadata value, tagged with its GGUF type because JS numbers do not say whether they are int or float. */
export type GgufValue =
  | { type: 'uint32'; value: number }
  | { type: 'int32'; value: number }
  | { type: 'float32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'string[]'; value: readonly string[] }
  | { type: 'float32[]'; value: ArrayLike<number> }
  | { type: 'int32[]'; value: ArrayLike<number> };

/** One f32 tensor. `dims` lists the fastest-varying (input) dimension first, as ggml does. */
export interface GgufTensor {
  name: string;
  dims: readonly number[];
  data: Float32Array;
}

export const GGUF_ALIGNMENT = 32;

class ByteSink {
  private chunks: Buffer[] = [];
  length = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  u32(value: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value >>> 0);
    this.push(b);
  }

  i32(value: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(value | 0);
    this.push(b);
  }

  u64(value: number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(value));
    this.push(b);
  }

  f32(value: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(value);
    this.push(b);
  }

  str(value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    this.u64(bytes.length);
    this.push(bytes);
  }

  padTo(alignment: number): void {
    const rest = this.length % alignment;
    if (rest !== 0) this.push(Buffer.alloc(alignment - rest));
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}

function writeValue(sink: ByteSink, value: GgufValue): void {
  switch (value.type) {
    case 'uint32':
      sink.u32(GgufType.uint32);
      sink.u32(value.value);
      return;
    case 'int32':
      sink.u32(GgufType.int32);
      sink.i32(value.value);
      return;
    case 'float32':
      sink.u32(GgufType.float32);
      sink.f32(value.value);
      return;
    case 'bool':
      sink.u32(GgufType.bool);
      sink.push(Buffer.from([value.value ? 1 : 0]));
      return;
    case 'string':
      sink.u32(GgufType.string);
      sink.str(value.value);
      return;
    case 'string[]':
      sink.u32(GgufType.array);
      sink.u32(GgufType.string);
      sink.u64(value.value.length);
      for (const item of value.value) sink.str(item);
      return;
    case 'float32[]':
      sink.u32(GgufType.array);
      sink.u32(GgufType.float32);
      sink.u64(value.value.length);
      for (let i = 0; i < value.value.length; i++) sink.f32(value.value[i] as number);
      return;
    case 'int32[]':
      sink.u32(GgufType.array);
      sink.u32(GgufType.int32);
      sink.u64(value.value.length);
      for (let i = 0; i < value.value.length; i++) sink.i32(value.value[i] as number);
      return;
  }
}

/**
 * Encodes a complete GGUF v3 file. Metadata keys are written in the order given, so equal inputs give equal bytes.
 */
export function encodeGguf(
  metadata: ReadonlyArray<readonly [string, GgufValue]>,
  tensors: readonly GgufTensor[],
): Buffer {
  const head = new ByteSink();
  head.push(Buffer.from('GGUF', 'ascii'));
  head.u32(3);
  head.u64(tensors.length);
  head.u64(metadata.length);
  for (const [key, value] of metadata) {
    head.str(key);
    writeValue(head, value);
  }
  let offset = 0;
  const offsets: number[] = [];
  for (const tensor of tensors) {
    const elements = tensor.dims.reduce((a, b) => a * b, 1);
    if (elements !== tensor.data.length) {
      throw new Error(`tensor ${tensor.name}: dims ${tensor.dims.join('x')} do not match ${tensor.data.length} values`);
    }
    head.str(tensor.name);
    head.u32(tensor.dims.length);
    for (const dim of tensor.dims) head.u64(dim);
    head.u32(GGML_TYPE_F32);
    head.u64(offset);
    offsets.push(offset);
    offset += tensor.data.byteLength;
    offset += (GGUF_ALIGNMENT - (offset % GGUF_ALIGNMENT)) % GGUF_ALIGNMENT;
  }
  head.padTo(GGUF_ALIGNMENT);
  const dataStart = head.length;
  const out = Buffer.alloc(dataStart + offset);
  head.toBuffer().copy(out, 0);
  tensors.forEach((tensor, i) => {
    // Little-endian hosts only (x64, arm64): the Float32Array's bytes are already in GGUF's byte order.
    Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength).copy(out, dataStart + offsets[i]!);
  });
  return out;
}
