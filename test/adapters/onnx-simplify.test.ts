/**
 * The ONNX graph simplification on small convolutional models built here in PaddleOCR's export
 * style (constants as Constant nodes, the constant first in Mul), run by onnxruntime before and
 * after: the same outputs, fewer operators, and nothing touched that is not safe to touch.
 */
import onnxProto, { type onnx as Onnx } from 'onnx-proto'
import { InferenceSession, Tensor } from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { simplifyConvModel } from '../../functions/adapters/local/onnx-simplify.ts'

const { onnx } = onnxProto
const { FLOAT, INTS, INT, TENSOR } = onnx.AttributeProto.AttributeType

/** A deterministic series in [−1, 1). */
function series(n: number, seed: number): Float32Array {
  let s = seed
  return Float32Array.from({ length: n }, () => {
    s = (s * 16_807) % 2_147_483_647
    return (2 * s) / 2_147_483_647 - 1
  })
}

/** Builds a graph node by node; constants become Constant nodes (or initializers when asked). */
class Builder {
  readonly nodes: Onnx.INodeProto[] = []
  readonly initializers: Onnx.ITensorProto[] = []
  private n = 0

  constructor(readonly opset: number) {}

  constant(values: Float32Array | number, dims: number[] = [1], asInitializer = false): string {
    const data = typeof values === 'number' ? Float32Array.of(values) : values
    const name = `c${this.n++}`
    const t = onnx.TensorProto.create({ name, dims, dataType: 1, floatData: [...data] })
    if (asInitializer) this.initializers.push(t)
    else this.nodes.push({ opType: 'Constant', output: [name], attribute: [{ name: 'value', type: TENSOR, t }] })
    return name
  }

  op(opType: string, input: string[], attribute: Onnx.IAttributeProto[] = []): string {
    const out = `v${this.n++}`
    this.nodes.push({ opType, input, output: [out], attribute })
    return out
  }

  conv(
    x: string,
    out: number,
    inPerGroup: number,
    k: number,
    pad: number,
    opts: { group?: number; bias?: boolean; init?: boolean } = {},
  ): string {
    const w = this.constant(series(out * inPerGroup * k * k, this.n + 7), [out, inPerGroup, k, k], opts.init)
    const inputs = [x, w]
    if (opts.bias !== false) inputs.push(this.constant(series(out, this.n + 11), [out], opts.init))
    return this.op('Conv', inputs, [
      { name: 'kernel_shape', type: INTS, ints: [k, k] },
      { name: 'pads', type: INTS, ints: [pad, pad, pad, pad] },
      { name: 'group', type: INT, i: opts.group ?? 1 },
    ])
  }

  /** Paddle's learnable affine pair: Mul(constant first) then Add. */
  affine(x: string, s: number, b: number): string {
    return this.op('Add', [this.op('Mul', [this.constant(s), x]), this.constant(b)])
  }

  /** Hard-swish spelled out as Paddle exports it (Clip bounds as attributes before opset 11). */
  hardSwish(y: string): string {
    const shifted = this.op('Add', [y, this.constant(3)])
    const clipped =
      this.opset < 11
        ? this.op(
            'Clip',
            [shifted],
            [
              { name: 'min', type: FLOAT, f: 0 },
              { name: 'max', type: FLOAT, f: 6 },
            ],
          )
        : this.op('Clip', [shifted, this.constant(0, []), this.constant(6, [])])
    return this.op('Div', [this.op('Mul', [y, clipped]), this.constant(6)])
  }

  model(input: string, outputs: string[], shape: number[]): Uint8Array {
    const info = (name: string) => ({ name, type: { tensorType: { elemType: 1 } } })
    const model = onnx.ModelProto.create({
      irVersion: 7,
      opsetImport: [{ domain: '', version: this.opset }],
      graph: {
        name: 'test',
        node: this.nodes,
        initializer: this.initializers,
        input: [{ name: input, type: { tensorType: { elemType: 1, shape: { dim: shape.map((dimValue) => ({ dimValue })) } } } }],
        output: outputs.map(info),
      },
    })
    return onnx.ModelProto.encode(model).finish()
  }
}

/** Conv → affine → hard-swish → affine → 1×1 conv → hard-swish → affine → padded depthwise conv. */
function paddleBlock(opset: number): Uint8Array {
  const b = new Builder(opset)
  let v = b.conv('x', 4, 2, 3, 1)
  v = b.hardSwish(b.affine(v, 1.5, 0.25))
  v = b.conv(b.affine(v, 0.7, -0.2), 6, 4, 1, 0, { bias: false, init: true })
  v = b.conv(b.affine(b.hardSwish(v), 0.5, 0.1), 6, 1, 3, 1, { group: 6 })
  return b.model('x', [v], [1, 2, 7, 9])
}

async function run(model: Uint8Array, input: Float32Array, dims: number[]): Promise<Float32Array[]> {
  const session = await InferenceSession.create(model)
  const out = await session.run({ x: new Tensor('float32', input, dims) })
  const values = session.outputNames.map((n) => out[n]?.data as Float32Array)
  await session.release()
  return values
}

function ops(model: Uint8Array): string[] {
  return (onnx.ModelProto.decode(model).graph?.node ?? []).map((n) => n.opType ?? '').filter((t) => t !== 'Constant')
}

describe('simplifyConvModel', () => {
  for (const opset of [9, 11]) {
    it(`folds affine pairs and spelled-out hard-swish, with the same outputs (opset ${opset})`, async () => {
      const model = paddleBlock(opset)
      const { model: simple, report } = simplifyConvModel(model)
      // the pair before the padded convolution is not folded (the border would change)
      expect(report).toEqual({ affineAfterConv: 1, hardSwish: 2, affineBeforeConv: 1, affineAsNormalization: 1 })
      expect(ops(model)).toHaveLength(17)
      expect(ops(simple)).toEqual(['Conv', 'HardSigmoid', 'Mul', 'Conv', 'HardSigmoid', 'Mul', 'BatchNormalization', 'Conv'])

      const input = series(2 * 7 * 9, 42).map((v) => 4 * v)
      const [before] = await run(model, input, [1, 2, 7, 9])
      const [after] = await run(simple, input, [1, 2, 7, 9])
      expect(after).toHaveLength(6 * 7 * 9)
      for (let i = 0; i < (before?.length ?? 0); i++) expect(after?.[i]).toBeCloseTo(before?.[i] as number, 4)
    })
  }

  it('leaves a convolution alone when its output is read elsewhere too, or its weights are shared', async () => {
    const b = new Builder(11)
    const conv = b.conv('x', 1, 1, 1, 0)
    const scaled = b.affine(conv, 2, 1)
    // the same weights and bias behind two convolutions
    const node = b.nodes.find((n) => n.output?.[0] === conv)
    const shared = b.op(
      'Conv',
      [...(node?.input ?? [])].map((i, k) => (k === 0 ? scaled : i)),
    )
    const model = b.model('x', [conv, b.affine(shared, 3, 0)], [1, 1, 2, 2])
    const { model: simple, report } = simplifyConvModel(model)
    // (the pair before the second convolution still becomes a BatchNormalization: that is safe)
    expect(report).toEqual({ affineAfterConv: 0, hardSwish: 0, affineBeforeConv: 0, affineAsNormalization: 1 })
    const input = Float32Array.of(1, -2, 3, 0.5)
    expect(await run(simple, input, [1, 1, 2, 2])).toEqual(await run(model, input, [1, 1, 2, 2]))
  })

  it('moves greedy decoding into the model on request: arg-max and max along an axis', async () => {
    const b = new Builder(9)
    const scores = b.op('Softmax', ['x'], [{ name: 'axis', type: INT, i: 2 }])
    const model = b.model('x', [scores], [1, 4, 5])
    const { model: greedy } = simplifyConvModel(model, { argMaxAxis: 2 })
    const input = series(20, 7)
    const session = await InferenceSession.create(greedy)
    const out = await session.run({ x: new Tensor('float32', input, [1, 4, 5]) })
    await session.release()
    const [probabilities] = await run(model, input, [1, 4, 5])
    for (let step = 0; step < 4; step++) {
      const row = [...(probabilities ?? [])].slice(step * 5, step * 5 + 5)
      expect(Number(out.argmax?.data[step])).toBe(row.indexOf(Math.max(...row)))
      expect(out.max?.data[step]).toBeCloseTo(Math.max(...row), 6)
    }
    expect(() => simplifyConvModel(b.model('x', [scores, 'x'], [1, 4, 5]), { argMaxAxis: 2 })).toThrow(/one output/)
  })

  it('says what is wrong with bytes that are not a model', () => {
    expect(() => simplifyConvModel(new Uint8Array([0x0a, 0x02, 0x08]))).toThrow()
    expect(() => simplifyConvModel(new Uint8Array())).toThrow(/no graph/)
  })
})
