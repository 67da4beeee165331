/**
 * Exact simplifications of a convolutional ONNX graph, made in memory when a model loads.
 *
 * PaddleOCR's exported models (PP-LCNetV3 backbones) follow every convolution with a
 * "learnable affine" pair `Mul(scalar) → Add(scalar)`, a hard-swish spelled out as four
 * operators `Add 3 → Clip 0..6 → Mul → Div 6`, and another affine pair before the next
 * convolution. onnxruntime fuses none of it (its Conv+Mul fusion wants the constant as the
 * second input and a per-channel shape), so each convolution's output is converted out of its
 * blocked layout and back, and walked six more times. Rewritten here, with the same results up to
 * float rounding:
 *
 * 1. `Conv → Mul(s) → Add(b)` becomes one Conv with weights s·W and bias s·bias + b;
 * 2. `y · clip(y + 3, 0, 6) / 6` becomes `y · HardSigmoid(y; α = 1/6, β = 1/2)`, which
 *    onnxruntime fuses into the convolution before it;
 * 3. `Mul(s) → Add(b) → Conv` without padding becomes one Conv with weights s·W and bias
 *    bias + b·ΣW;
 * 4. the pairs left (before a padded convolution, where folding would change the border)
 *    become a BatchNormalization with scale s and bias b, which onnxruntime runs in the
 *    convolutions' blocked layout instead of converting out of it and back.
 *
 * And on request (`argMaxAxis`) the model's one output is replaced by its arg-max and max along
 * an axis, so a recogniser's greedy decoding runs inside onnxruntime and a few numbers per time
 * step leave it instead of thousands of class scores.
 *
 * On the PP-OCRv4 recogniser this takes about 0.7 of the time per line, on the detector 0.8
 * (docs/vision.md). Anything that does not match exactly (shared weights, a value used twice,
 * a non-scalar constant) is left as it is.
 */
import onnxProto, { type onnx as Onnx } from 'onnx-proto'

// a CommonJS module whose namespace Node's ESM loader cannot see by name
const { onnx } = onnxProto

export interface SimplifyReport {
  /** Affine pairs folded into the convolution before them. */
  readonly affineAfterConv: number
  /** Hard-swish activations rewritten as HardSigmoid · x. */
  readonly hardSwish: number
  /** Affine pairs folded into the (unpadded) convolution after them. */
  readonly affineBeforeConv: number
  /** Affine pairs before a padded convolution, now a BatchNormalization. */
  readonly affineAsNormalization: number
}

export interface SimplifyOptions {
  /** Replace the model's only output by `argmax` (int64) and `max` (float) along this axis. */
  readonly argMaxAxis?: number
}

const FLOAT = 1

/** The model's graph with the lookups the rewrites need, rebuilt after each pass. */
class Graph {
  readonly producer = new Map<string, Onnx.INodeProto>()
  readonly consumers = new Map<string, Onnx.INodeProto[]>()
  readonly uses = new Map<string, number>()
  readonly initializers = new Map<string, Onnx.ITensorProto>()
  private added = 0

  constructor(readonly graph: Onnx.IGraphProto) {
    for (const n of graph.node ?? []) {
      for (const o of n.output ?? []) this.producer.set(o, n)
      for (const i of n.input ?? []) {
        if (!i) continue
        this.consumers.set(i, [...(this.consumers.get(i) ?? []), n])
        this.uses.set(i, (this.uses.get(i) ?? 0) + 1)
      }
    }
    for (const o of graph.output ?? []) if (o.name) this.uses.set(o.name, (this.uses.get(o.name) ?? 0) + 1)
    for (const t of graph.initializer ?? []) if (t.name) this.initializers.set(t.name, t)
  }

  /** The constant tensor behind a value (a Constant node or an initializer). */
  constant(name: string | undefined): Onnx.ITensorProto | undefined {
    if (!name) return undefined
    const init = this.initializers.get(name)
    if (init) return init
    const n = this.producer.get(name)
    return n?.opType === 'Constant' ? (n.attribute?.find((a) => a.name === 'value')?.t ?? undefined) : undefined
  }

  /** A float constant with a single element. */
  scalar(name: string | undefined): number | undefined {
    const t = this.constant(name)
    if (!t || t.dataType !== FLOAT) return undefined
    const f = floats(t)
    return f.length === 1 ? f[0] : undefined
  }

  /** The single node reading a value, if exactly one does (and it is not a graph output). */
  soleConsumer(name: string): Onnx.INodeProto | undefined {
    return this.uses.get(name) === 1 ? this.consumers.get(name)?.[0] : undefined
  }

  used(name: string | undefined): number {
    return name ? (this.uses.get(name) ?? 0) : 0
  }

  /** A new Constant node holding floats, for a bias a convolution did not have. */
  newFloats(values: Float32Array, dims: number[]): { name: string; node: Onnx.NodeProto } {
    let name = `qunguard.simplify.${this.added++}`
    // earlier passes made some already
    while (this.producer.has(name) || this.initializers.has(name)) name = `qunguard.simplify.${this.added++}`
    const t = onnx.TensorProto.create({ dims, dataType: FLOAT, rawData: bytesOf(values) })
    const node = onnx.NodeProto.create({
      opType: 'Constant',
      output: [name],
      attribute: [onnx.AttributeProto.create({ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t })],
    })
    return { name, node }
  }
}

function floats(t: Onnx.ITensorProto): Float32Array {
  if (t.floatData && t.floatData.length > 0) return Float32Array.from(t.floatData)
  // copied (a Buffer's slice() would not be): the bytes may sit at any offset of the model's buffer
  const raw = new Uint8Array(t.rawData ?? new Uint8Array())
  return new Float32Array(raw.buffer, 0, raw.length >> 2)
}

function bytesOf(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength))
}

function setFloats(t: Onnx.ITensorProto, values: Float32Array): void {
  t.floatData = []
  t.rawData = bytesOf(values)
}

/** The input of a two-input node that is not `name`. */
function other(n: Onnx.INodeProto, name: string): string | undefined {
  const [a, b] = n.input ?? []
  return a === name ? b : a
}

function attribute(n: Onnx.INodeProto, name: string): Onnx.IAttributeProto | undefined {
  return n.attribute?.find((a) => a.name === name)
}

/**
 * A convolution's float weights and bias, when nothing else shares them (they are changed in
 * place). A missing bias is created.
 */
function convParameters(
  g: Graph,
  conv: Onnx.INodeProto,
  extra: Onnx.INodeProto[],
): { weights: Float32Array; bias: Float32Array; outputs: number; save(): void } | undefined {
  const [, wName, bName] = conv.input ?? []
  const w = g.constant(wName)
  if (!w || w.dataType !== FLOAT || g.used(wName) !== 1 || !w.dims?.length) return undefined
  const outputs = Number(w.dims[0])
  const b = bName ? g.constant(bName) : undefined
  if (bName && (!b || b.dataType !== FLOAT || g.used(bName) !== 1)) return undefined
  const weights = floats(w)
  const bias = b ? floats(b) : new Float32Array(outputs)
  if (bias.length !== outputs || weights.length % outputs !== 0) return undefined
  return {
    weights,
    bias,
    outputs,
    save() {
      setFloats(w, weights)
      if (b) setFloats(b, bias)
      else {
        const created = g.newFloats(bias, [outputs])
        extra.push(created.node)
        conv.input = [conv.input?.[0] ?? '', wName ?? '', created.name]
      }
    },
  }
}

/** `x · s + b`: a Mul by a scalar, and the Add of a scalar that alone reads it, if there is one. */
interface ScaleShift {
  readonly x: string
  readonly s: number
  readonly b?: number
  /** The Mul, and the Add when there is one. */
  readonly nodes: readonly Onnx.INodeProto[]
  /** The value the pair computes (the Add's output, else the Mul's). */
  readonly out: string
}

function scaleShift(g: Graph, mul: Onnx.INodeProto | undefined): ScaleShift | undefined {
  const mulOut = mul?.output?.[0]
  if (mul?.opType !== 'Mul' || !mulOut) return undefined
  const x = (mul.input ?? []).find((i) => g.scalar(i) === undefined)
  const s = x ? g.scalar(other(mul, x)) : undefined
  if (!x || s === undefined) return undefined
  const add = g.soleConsumer(mulOut)
  const b = add?.opType === 'Add' ? g.scalar(other(add, mulOut)) : undefined
  if (!add || b === undefined) return { x, s, nodes: [mul], out: mulOut }
  return { x, s, b, nodes: [mul, add], out: add.output?.[0] ?? '' }
}

/** A scale-and-shift pair whose one reader is a convolution, as that convolution's input. */
function scaleShiftIntoConv(g: Graph, mul: Onnx.INodeProto): { pair: ScaleShift; conv: Onnx.INodeProto } | undefined {
  const pair = scaleShift(g, mul)
  const conv = pair && g.soleConsumer(pair.out)
  return pair && conv?.opType === 'Conv' && conv.input?.[0] === pair.out ? { pair, conv } : undefined
}

/** Pass 1: Conv → Mul(s) → [Add(b)] into the convolution. */
function affineAfterConv(g: Graph, drop: Set<Onnx.INodeProto>, extra: Onnx.INodeProto[]): number {
  let count = 0
  for (const conv of g.graph.node ?? []) {
    const out = conv.output?.[0]
    if (conv.opType !== 'Conv' || !out) continue
    const pair = scaleShift(g, g.soleConsumer(out))
    if (pair?.x !== out) continue
    const p = convParameters(g, conv, extra)
    if (!p) continue
    for (let i = 0; i < p.weights.length; i++) p.weights[i] = (p.weights[i] as number) * pair.s
    for (let o = 0; o < p.outputs; o++) p.bias[o] = (p.bias[o] as number) * pair.s + (pair.b ?? 0)
    p.save()
    conv.output = [pair.out]
    for (const n of pair.nodes) drop.add(n)
    count++
  }
  return count
}

/** Pass 2: y · clip(y + 3, 0, 6) / 6 → y · HardSigmoid(y). */
function hardSwish(g: Graph, drop: Set<Onnx.INodeProto>): number {
  let count = 0
  for (const div of g.graph.node ?? []) {
    if (div.opType !== 'Div' || g.scalar(div.input?.[1]) !== 6) continue
    const mul = g.producer.get(div.input?.[0] ?? '')
    if (mul?.opType !== 'Mul') continue
    const clip = (mul.input ?? []).map((i) => g.producer.get(i)).find((n) => n?.opType === 'Clip')
    if (!clip) continue
    // Clip's bounds: attributes before opset 11, inputs from it on
    const low = clip.input?.[1] ? g.scalar(clip.input[1]) : attribute(clip, 'min')?.f
    const high = clip.input?.[2] ? g.scalar(clip.input[2]) : attribute(clip, 'max')?.f
    if (low !== 0 || high !== 6) continue
    const add = g.producer.get(clip.input?.[0] ?? '')
    if (add?.opType !== 'Add') continue
    const y = (add.input ?? []).find((i) => g.scalar(i) !== 3)
    if (!y || g.scalar(other(add, y)) !== 3 || !mul.input?.includes(y) || other(mul, y) !== clip.output?.[0]) continue
    if ([add, clip, mul].some((n) => g.used(n.output?.[0]) !== 1)) continue
    clip.opType = 'HardSigmoid'
    clip.input = [y]
    clip.attribute = [
      onnx.AttributeProto.create({ name: 'alpha', type: onnx.AttributeProto.AttributeType.FLOAT, f: 1 / 6 }),
      onnx.AttributeProto.create({ name: 'beta', type: onnx.AttributeProto.AttributeType.FLOAT, f: 0.5 }),
    ]
    mul.input = [y, clip.output?.[0] ?? '']
    mul.output = [...(div.output ?? [])]
    drop.add(add)
    drop.add(div)
    count++
  }
  return count
}

/** Pass 3: Mul(s) → [Add(b)] → Conv without padding into that convolution. */
function affineBeforeConv(g: Graph, drop: Set<Onnx.INodeProto>, extra: Onnx.INodeProto[]): number {
  let count = 0
  for (const mul of g.graph.node ?? []) {
    const found = scaleShiftIntoConv(g, mul)
    if (!found) continue
    const { pair, conv } = found
    const { x, s, b = 0 } = pair
    const pads = attribute(conv, 'pads')?.ints?.map(Number) ?? []
    const autoPad = new TextDecoder().decode(attribute(conv, 'auto_pad')?.s ?? new Uint8Array())
    if (pads.some((p) => p !== 0) || !['', 'NOTSET', 'VALID'].includes(autoPad)) continue
    const p = convParameters(g, conv, extra)
    if (!p) continue
    const perOutput = p.weights.length / p.outputs
    for (let o = 0; o < p.outputs; o++) {
      let sum = 0
      for (let k = o * perOutput; k < (o + 1) * perOutput; k++) {
        sum += p.weights[k] as number
        p.weights[k] = (p.weights[k] as number) * s
      }
      p.bias[o] = (p.bias[o] as number) + b * sum
    }
    p.save()
    conv.input = [x, ...(conv.input ?? []).slice(1)]
    for (const n of pair.nodes) drop.add(n)
    count++
  }
  return count
}

/** Pass 4: the Mul(s) → Add(b) pairs left before a convolution become a BatchNormalization. */
function affineAsNormalization(g: Graph, drop: Set<Onnx.INodeProto>, extra: Onnx.INodeProto[]): number {
  let count = 0
  for (const mul of g.graph.node ?? []) {
    const found = scaleShiftIntoConv(g, mul)
    if (!found) continue
    const { pair, conv } = found
    const { x, s, b } = pair
    const [, add] = pair.nodes
    const weights = g.constant(conv.input?.[1])
    if (b === undefined || !add || !weights?.dims || weights.dims.length < 2) continue
    // the convolution's input channels: weights are [outputs, inputs per group, …]
    const channels = Number(weights.dims[1]) * Number(attribute(conv, 'group')?.i ?? 1)
    const epsilon = 1e-5
    const parameters = [s, b, 0, 1 - epsilon].map((v) => g.newFloats(new Float32Array(channels).fill(v), [channels]))
    extra.push(...parameters.map((p) => p.node))
    add.opType = 'BatchNormalization'
    add.input = [x, ...parameters.map((p) => p.name)]
    add.attribute = [onnx.AttributeProto.create({ name: 'epsilon', type: onnx.AttributeProto.AttributeType.FLOAT, f: epsilon })]
    drop.add(mul)
    count++
  }
  return count
}

/** The model's only output replaced by its arg-max and max along an axis. */
function argMaxOutputs(graph: Onnx.GraphProto, axis: number): void {
  const [output, ...more] = graph.output
  if (!output?.name || more.length) throw new Error(`argMaxAxis needs a model with one output, not ${graph.output.length}`)
  const { INT, INTS } = onnx.AttributeProto.AttributeType
  const keepdims = onnx.AttributeProto.create({ name: 'keepdims', type: INT, i: 0 })
  graph.node.push(
    onnx.NodeProto.create({
      opType: 'ArgMax',
      input: [output.name],
      output: ['argmax'],
      attribute: [onnx.AttributeProto.create({ name: 'axis', type: INT, i: axis }), keepdims],
    }),
    onnx.NodeProto.create({
      opType: 'ReduceMax',
      input: [output.name],
      output: ['max'],
      attribute: [onnx.AttributeProto.create({ name: 'axes', type: INTS, ints: [axis] }), keepdims],
    }),
  )
  const INT64 = 7
  graph.output = [
    onnx.ValueInfoProto.create({ name: 'argmax', type: { tensorType: { elemType: INT64 } } }),
    onnx.ValueInfoProto.create({ name: 'max', type: { tensorType: { elemType: FLOAT } } }),
  ]
}

/** One pass over a fresh view of the graph; removed nodes go, created ones come first. */
function pass(model: Onnx.ModelProto, run: (g: Graph, drop: Set<Onnx.INodeProto>, extra: Onnx.INodeProto[]) => number): number {
  const graph = model.graph as Onnx.GraphProto
  const drop = new Set<Onnx.INodeProto>()
  const extra: Onnx.INodeProto[] = []
  const count = run(new Graph(graph), drop, extra)
  graph.node = [...(extra as Onnx.NodeProto[]), ...graph.node.filter((n) => !drop.has(n))]
  return count
}

/** The model with the rewrites above applied, and how many of each were made. */
export function simplifyConvModel(bytes: Uint8Array, options: SimplifyOptions = {}): { model: Uint8Array; report: SimplifyReport } {
  const model = onnx.ModelProto.decode(bytes)
  if (!model.graph) throw new Error('not an ONNX model: no graph')
  const report: SimplifyReport = {
    affineAfterConv: pass(model, affineAfterConv),
    hardSwish: pass(model, (g, drop) => hardSwish(g, drop)),
    affineBeforeConv: pass(model, affineBeforeConv),
    affineAsNormalization: pass(model, affineAsNormalization),
  }
  const graph = model.graph as Onnx.GraphProto
  if (options.argMaxAxis !== undefined) argMaxOutputs(graph, options.argMaxAxis)
  // constants nothing reads any more (onnxruntime warns about each)
  const g = new Graph(graph)
  graph.node = graph.node.filter((n) => n.opType !== 'Constant' || g.used(n.output?.[0]) > 0)
  return { model: onnx.ModelProto.encode(model).finish(), report }
}
