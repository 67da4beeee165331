/**
 * The in-process ad classifier: a linear model over hashed sparse features — logistic regression
 * trained with AdaGrad (the default), or naive Bayes counts (`method: 'naive-bayes'`). It runs
 * inside the embedded guard and the moderate function (no service to call) and is what moderate
 * falls back to while the SageMaker endpoint does not exist.
 *
 * Features are the `modelTokens` of a text (CJK characters and bigrams, Latin words, digit-run
 * lengths — the same tokens the SageMaker path trains on) plus, when a word segmenter is given,
 * its words; each is hashed into 2^bits weights (the hashing trick: no vocabulary to store).
 *
 * Both methods give a weight per hashed feature and a bias, so they save, load and score alike.
 * Naive Bayes is the one for a few hundred noisy labels (what owners acted on, in a history): it
 * estimates each feature from counts alone and so ranks texts unlike anything labelled better
 * than a regression that has to fit every mislabelled ad; logistic regression is the one for a
 * labelled corpus (docs/learning.md has both measured).
 *
 * The saved form is a small JSON header followed by the Float32 weights.
 *
 * @example
 *   const model = AdClassifier.train([{ text: '加微信领红包', label: 'spam' }, …])
 *   model.score('加V信 13800138000') // ≈ 0.97
 *   const copy = AdClassifier.fromBytes(model.toBytes())
 */
import type { Prediction, TextClassifier } from '../ports/classifier.port.ts'
import { fnv1a as hash } from './fnv.ts'
import { type LabelledText, modelTokens } from './training-set.ts'

export type { LabelledText }

/** Splits a text into words (e.g. jieba). */
export type Segmenter = (text: string) => readonly string[]

/** A model that cannot be trained from what was given, or bytes that are not a model. */
export class ModelError extends Error {
  override name = 'ModelError'
}

export interface AdClassifierOptions {
  /** How the weights are fitted. @default 'logistic' */
  readonly method?: 'logistic' | 'naive-bayes'
  /** log2 of the number of weights. @default 20 */
  readonly bits?: number
  /** Logistic: passes over the data. @default 6 */
  readonly epochs?: number
  /** Logistic: AdaGrad step size. @default 0.5 */
  readonly learningRate?: number
  /** Logistic: L2 penalty per update. @default 1e-6 */
  readonly l2?: number
  /** Naive Bayes: additive (Lidstone) smoothing of the feature counts. @default 0.1 */
  readonly smoothing?: number
  /**
   * Naive Bayes: its log-odds are divided by this. The model treats a text's overlapping
   * n-grams as independent evidence and so counts the same evidence many times over; undamped,
   * nearly every score is 0 or 1 and a threshold means nothing. @default 5
   */
  readonly temperature?: number
  /** Splits text into words (e.g. jieba); its words are added to the features. @default none */
  readonly segment?: Segmenter | undefined
  /** Spam probability from which `classify` answers "spam". @default 0.5 */
  readonly threshold?: number
}

interface Header {
  readonly format: 'qunguard-ad-classifier'
  readonly version: 1
  readonly bits: number
  readonly bias: number
  readonly threshold: number
  readonly segmented: boolean
  /** Absent in models saved before naive Bayes existed: logistic. */
  readonly method?: 'logistic' | 'naive-bayes'
  readonly trainedOn: { readonly spam: number; readonly ham: number }
}

export class AdClassifier implements TextClassifier {
  private readonly mask: number

  private constructor(
    private readonly weights: Float32Array,
    private readonly header: Header,
    private readonly segment: Segmenter | undefined,
  ) {
    this.mask = (1 << header.bits) - 1
  }

  /** Trains on labelled texts (any order; they are shuffled deterministically). */
  static train(examples: readonly LabelledText[], options: AdClassifierOptions = {}): AdClassifier {
    const bits = options.bits ?? 20
    if (!(bits >= 10 && bits <= 26)) throw new RangeError(`bits must be between 10 and 26 (got ${bits})`)
    const spam = examples.filter((e) => e.label === 'spam').length
    const ham = examples.length - spam
    if (spam === 0 || ham === 0) throw new ModelError(`training needs both labels (got ${spam} spam, ${ham} ham)`)
    const header: Header = {
      format: 'qunguard-ad-classifier',
      version: 1,
      bits,
      bias: 0,
      threshold: options.threshold ?? 0.5,
      segmented: Boolean(options.segment),
      method: options.method ?? 'logistic',
      trainedOn: { spam, ham },
    }
    const model = new AdClassifier(new Float32Array(1 << bits), header, options.segment)
    const rows = examples.map((e) => ({ x: model.features(e.text), y: e.label === 'spam' ? 1 : 0 }))
    if (header.method === 'naive-bayes') {
      const bias = AdClassifier.fitNaiveBayes(model.weights, rows, options.smoothing ?? 0.1, options.temperature ?? 5)
      return new AdClassifier(model.weights, { ...header, bias }, options.segment)
    }
    const order = rows.map((_, i) => i).sort((a, b) => hash(String(a * 2654435761)) - hash(String(b * 2654435761)))
    const g2 = new Float32Array(1 << bits)
    let bias = 0
    let biasG2 = 0
    const rate = options.learningRate ?? 0.5
    const l2 = options.l2 ?? 1e-6
    const w = model.weights
    for (let epoch = 0; epoch < (options.epochs ?? 6); epoch++) {
      for (const i of order) {
        const row = rows[i]
        if (!row) continue
        let z = bias
        for (const f of row.x) z += w[f] ?? 0
        const p = 1 / (1 + Math.exp(-z))
        const g = p - row.y
        for (const f of row.x) {
          const grad = g + l2 * (w[f] ?? 0)
          g2[f] = (g2[f] ?? 0) + grad * grad
          w[f] = (w[f] ?? 0) - (rate * grad) / Math.sqrt((g2[f] ?? 0) + 1e-8)
        }
        biasG2 += g * g
        bias -= (rate * g) / Math.sqrt(biasG2 + 1e-8)
      }
    }
    return new AdClassifier(w, { ...header, bias }, options.segment)
  }

  /**
   * Multinomial naive Bayes over binary features (each counted once per text), as weights:
   * w[f] = log P(f | ad) − log P(f | not), each with additive smoothing over the features seen;
   * the bias is the log prior odds; both divided by the temperature. A feature no training text
   * had keeps the smoothed ratio of nothing, which leans towards the smaller class (the ads): a
   * text unlike anything trained on leans towards an ad (docs/learning.md measures what that
   * does). Fills `w`, returns the bias.
   */
  private static fitNaiveBayes(w: Float32Array, rows: readonly { x: number[]; y: number }[], alpha: number, temperature: number): number {
    if (!(alpha > 0)) throw new RangeError(`smoothing must be above 0 (got ${alpha})`)
    if (!(temperature > 0)) throw new RangeError(`temperature must be above 0 (got ${temperature})`)
    const spamCounts = new Float64Array(w.length)
    const hamCounts = new Float64Array(w.length)
    let spamTotal = 0
    let hamTotal = 0
    let spamDocs = 0
    for (const row of rows) {
      const counts = row.y ? spamCounts : hamCounts
      for (const f of row.x) counts[f] = (counts[f] ?? 0) + 1
      if (row.y) {
        spamTotal += row.x.length
        spamDocs++
      } else hamTotal += row.x.length
    }
    let seen = 0
    for (let f = 0; f < w.length; f++) if ((spamCounts[f] ?? 0) + (hamCounts[f] ?? 0) > 0) seen++
    const spamNorm = Math.log(spamTotal + alpha * seen)
    const hamNorm = Math.log(hamTotal + alpha * seen)
    for (let f = 0; f < w.length; f++)
      w[f] = (Math.log((spamCounts[f] ?? 0) + alpha) - spamNorm - (Math.log((hamCounts[f] ?? 0) + alpha) - hamNorm)) / temperature
    return Math.log(spamDocs / (rows.length - spamDocs)) / temperature
  }

  /**
   * Reads a saved model. A model trained with word segmentation needs a segmenter again: `words`
   * is asked for one only then (so callers need not load a dictionary for models without).
   */
  static fromBytes(bytes: Uint8Array, words?: () => Segmenter): AdClassifier {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    if (bytes.byteLength < 4) throw new ModelError('not a qunguard ad classifier: too short')
    const headerLength = view.getUint32(0, true)
    let header: Header
    try {
      header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + headerLength))) as Header
    } catch {
      throw new ModelError('not a qunguard ad classifier: unreadable header')
    }
    if (header.format !== 'qunguard-ad-classifier' || header.version !== 1) throw new ModelError('not a qunguard ad classifier (version 1)')
    const start = 4 + headerLength
    const padded = start + ((4 - (start % 4)) % 4)
    const count = 1 << header.bits
    if (bytes.byteLength !== padded + count * 4)
      throw new ModelError(`truncated ad classifier: ${bytes.byteLength} bytes, expected ${padded + count * 4}`)
    if (header.segmented && !words)
      throw new ModelError('this ad classifier was trained with word segmentation (--words): it needs a word segmenter to load')
    const weights = new Float32Array(count)
    for (let i = 0; i < count; i++) weights[i] = view.getFloat32(padded + i * 4, true)
    return new AdClassifier(weights, header, header.segmented ? words?.() : undefined)
  }

  toBytes(): Uint8Array {
    const json = new TextEncoder().encode(JSON.stringify(this.header))
    const start = 4 + json.byteLength
    const padded = start + ((4 - (start % 4)) % 4)
    const out = new Uint8Array(padded + this.weights.byteLength)
    const view = new DataView(out.buffer)
    view.setUint32(0, json.byteLength, true)
    out.set(json, 4)
    for (let i = 0; i < this.weights.length; i++) view.setFloat32(padded + i * 4, this.weights[i] ?? 0, true)
    return out
  }

  /** Whether it was trained with word segmentation (and so scores with it). */
  get segmented(): boolean {
    return this.header.segmented
  }

  /** How its weights were fitted. */
  get method(): 'logistic' | 'naive-bayes' {
    return this.header.method ?? 'logistic'
  }

  /** How many spam and ham texts it was trained on. */
  get trainedOn(): { spam: number; ham: number } {
    return { ...this.header.trainedOn }
  }

  /** Probability that the text is an ad, in [0, 1]. */
  score(text: string): number {
    let z = this.header.bias
    for (const f of this.features(text)) z += this.weights[f] ?? 0
    return 1 / (1 + Math.exp(-z))
  }

  async classify(texts: readonly string[]): Promise<Prediction[]> {
    return texts.map((t) => {
      const score = this.score(t)
      return { label: score >= this.header.threshold ? 'spam' : 'ham', score }
    })
  }

  /** Hashed feature indexes, each once. */
  private features(text: string): number[] {
    const out = new Set<number>()
    const tokens = modelTokens(text)
    if (tokens) for (const t of tokens.split(' ')) out.add(hash(t) & this.mask)
    if (this.segment) for (const w of this.segment(text)) if (w.trim()) out.add(hash(`w:${w.toLowerCase()}`) & this.mask)
    return [...out]
  }
}
