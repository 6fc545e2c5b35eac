/**
 * A minimal ONNX model writer: just enough protobuf (ModelProto, GraphProto,
 * NodeProto, AttributeProto, ValueInfoProto) to describe small single-purpose
 * graphs (a convolution wrapped in layout transposes) that the onnxruntime
 * kernel provider compiles once per shape. Field numbers follow onnx.proto3.
 */

/** Protobuf wire-format writer (varints and length-delimited fields only). */
class ProtoWriter {
  private readonly bytes: number[] = [];

  private varint(value: number): void {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.bytes.push(Number((v & 0x7fn) | 0x80n));
      v >>= 7n;
    }
    this.bytes.push(Number(v));
  }

  private tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  int(field: number, value: number): this {
    this.tag(field, 0);
    this.varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(new Float32Array([value]).buffer);
    this.bytes.push(...b);
    return this;
  }

  bytesField(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.varint(value.length);
    for (const b of value) this.bytes.push(b);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytesField(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytesField(field, inner.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** An ONNX node attribute: an int, a float or a list of ints. */
export type OnnxAttribute = number | number[] | { float: number };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, OnnxAttribute>;
}

export interface OnnxValue {
  name: string;
  /** Element type: 1 float32, 7 int64. */
  elemType?: 1 | 7;
  shape: number[];
}

/** An int64 constant baked into the graph (shapes for Reshape, Slice bounds). */
export interface OnnxInt64Constant {
  name: string;
  values: number[];
}

/** A float32 scalar baked into the graph (Clip bounds). */
export interface OnnxFloatConstant {
  name: string;
  value: number;
}

export interface OnnxGraph {
  inputs: OnnxValue[];
  outputs: OnnxValue[];
  nodes: OnnxNode[];
  constants?: OnnxInt64Constant[];
  floatConstants?: OnnxFloatConstant[];
  opset?: number;
}

const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;

function writeValueInfo(w: ProtoWriter, v: OnnxValue): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, v.elemType ?? 1);
      tensor.message(2, (shape) => {
        for (const d of v.shape) shape.message(1, (dim) => dim.int(1, d));
      });
    }),
  );
}

function writeAttribute(w: ProtoWriter, name: string, value: OnnxAttribute): void {
  w.string(1, name);
  if (Array.isArray(value)) {
    for (const v of value) w.int(8, v);
    w.int(20, ATTR_INTS);
  } else if (typeof value === 'number') {
    w.int(3, value);
    w.int(20, ATTR_INT);
  } else {
    w.float(2, value.float);
    w.int(20, ATTR_FLOAT);
  }
}

/** Serialises a graph to ONNX ModelProto bytes (IR version 8). */
export function encodeOnnxModel(graph: OnnxGraph): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, 8); // ir_version
  w.string(2, 'fedcl'); // producer_name
  w.message(7, (g) => {
    graph.nodes.forEach((node, i) => {
      g.message(1, (n) => {
        for (const input of node.inputs) n.string(1, input);
        for (const output of node.outputs) n.string(2, output);
        n.string(3, `n${i}`);
        n.string(4, node.op);
        for (const [name, value] of Object.entries(node.attributes ?? {})) {
          n.message(5, (a) => writeAttribute(a, name, value));
        }
      });
    });
    g.string(2, 'fedcl_kernel');
    for (const c of graph.constants ?? []) {
      g.message(5, (t) => {
        t.int(1, c.values.length); // dims
        t.int(2, 7); // data_type int64
        for (const v of c.values) t.int(7, v); // int64_data
        t.string(8, c.name);
      });
    }
    for (const c of graph.floatConstants ?? []) {
      g.message(5, (t) => {
        t.int(2, 1); // data_type float, no dims: a scalar
        t.float(4, c.value); // float_data
        t.string(8, c.name);
      });
    }
    for (const v of graph.inputs) g.message(11, (vi) => writeValueInfo(vi, v));
    for (const v of graph.outputs) g.message(12, (vi) => writeValueInfo(vi, v));
  });
  w.message(8, (o) => o.string(1, '').int(2, graph.opset ?? 17));
  return w.finish();
}
