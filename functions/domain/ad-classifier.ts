/**
 * The in-process ad classifier: a linear model over hashed sparse features. It runs inside the
 * embedded guard and the moderate function (no service to call) and is what moderate falls back
 * to while the SageMaker endpoint does not exist. Three ways to fit it:
 *
 * - `svm` (the default, for a labelled corpus): TF-IDF over `adFeatures` — character 1–3 grams
 *   of the text with disguises folded (衣伍扒 → 158, ＶＸ → vx, emoji between characters
 *   dropped), its symbols and emoji, digit-run lengths, contact words — sublinear counts,
 *   L2-normalised, and a class-balanced linear SVM (`linear-svm.ts`) whose cost is chosen on
 *   held-out margins; the same margins make its scores probabilities (Platt scaling), so a
 *   score of 0.9 means about nine in ten such texts are ads (`npm run bench:classifier` prints
 *   the reliability table). Texts that name their group (`LabelledText.group`) also teach that
 *   group its own copy of every feature (a layer per group, over what all groups share), which
 *   `score(text, group)` adds for that group.
 * - `logistic`: the earlier model — binary `modelTokens` (CJK characters and bigrams, Latin
 *   words, digit-run lengths: the tokens the SageMaker path trains on), AdaGrad.
 * - `naive-bayes`: counts over the same tokens; the one for a few hundred noisy labels (what
 *   owners acted on, in a history): it estimates each feature from counts alone and so ranks
 *   texts unlike anything labelled better than a fitted model that has to fit every mislabelled
 *   ad (docs/learning.md has it measured).
 *
 * Every feature is hashed into 2^bits slots (the hashing trick: no vocabulary to store). The
 * saved form is a small JSON header followed by the Float32 weights (and, for the SVM, the
 * Float32 IDF table).
 *
 * @example
 *   const model = AdClassifier.train([{ text: '加微信领红包', label: 'spam' }, …])
 *   model.score('加V信 13800138000') // ≈ 0.97
 *   const copy = AdClassifier.fromBytes(model.toBytes())
 */
import type { Prediction, TextClassifier } from '../ports/classifier.port.ts'
import { fnv1a as hash } from './fnv.ts'
import { marginOf, plattScale, type SparseRow, trainLinearSvm } from './linear-svm.ts'
import { adCues, adFeatures, foldForModel } from './text-features.ts'
import { type LabelledText, modelTokens } from './training-set.ts'

export type { LabelledText }

/** Splits a text into words (e.g. jieba). */
export type Segmenter = (text: string) => readonly string[]

/** A model that cannot be trained from what was given, or bytes that are not a model. */
export class ModelError extends Error {
  override name = 'ModelError'
}

export type Method = 'svm' | 'logistic' | 'naive-bayes'

export interface AdClassifierOptions {
  /** How the weights are fitted. @default 'svm' */
  readonly method?: Method
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
  /**
   * SVM: the cost (`c` of `trainLinearSvm`). Unset, it is chosen among `SVM_COSTS` by F1 on
   * held-out margins (see `trainSvm`). @default chosen
   */
  readonly c?: number
  /**
   * Fold disguised text (`foldForModel`) before taking features; for naive Bayes and logistic
   * also mark contact words and web addresses (`@contact`, `#url`: 加微信, 威信, 扣扣 read as one
   * cue). @default true for the SVM, false for the others (models saved before read raw tokens)
   */
  readonly fold?: boolean
}

/** The costs an SVM's fit chooses among (on held-out texts) when none is given. */
export const SVM_COSTS: readonly number[] = [0.1, 0.3, 1, 3]
/** At most this many texts fit the models that choose the cost. */
const SELECTION_ROWS = 30_000
/** Below this many texts, held-out margins come from 5-fold cross-fitting rather than a tenth. */
const CROSS_FIT_BELOW = 5_000

interface Header {
  readonly format: 'qunguard-ad-classifier'
  /** 1: binary token features; 2: TF-IDF character n-grams (an IDF table follows the weights). */
  readonly version: 1 | 2
  readonly bits: number
  readonly bias: number
  readonly threshold: number
  readonly segmented: boolean
  /** Absent in models saved before naive Bayes existed: logistic. */
  readonly method?: Method
  readonly trainedOn: { readonly spam: number; readonly ham: number }
  /** SVM: the cost it was fitted with, and Platt's a, b (P = 1 / (1 + exp(a·margin + b))). */
  readonly svm?: { readonly c: number; readonly a: number; readonly b: number; readonly fold?: boolean }
  /** SVM: the groups it learnt a layer for (from labelled texts naming them). */
  readonly groups?: readonly string[]
  /** Naive Bayes and logistic: tokens of the folded text, with cue tokens (absent: raw tokens). */
  readonly folded?: boolean
}

export class AdClassifier implements TextClassifier {
  private readonly mask: number
  /** SVM: the groups it has a layer for. */
  private readonly groups: ReadonlySet<string>

  private constructor(
    private readonly weights: Float32Array,
    private readonly header: Header,
    private readonly segment: Segmenter | undefined,
    /** SVM: the inverse document frequency of each hashed feature. */
    private readonly idf?: Float32Array,
  ) {
    this.mask = (1 << header.bits) - 1
    this.groups = new Set(header.groups ?? [])
  }

  /** Trains on labelled texts (any order; they are shuffled deterministically). */
  static train(examples: readonly LabelledText[], options: AdClassifierOptions = {}): AdClassifier {
    const bits = options.bits ?? 20
    if (!(bits >= 10 && bits <= 26)) throw new RangeError(`bits must be between 10 and 26 (got ${bits})`)
    const spam = examples.filter((e) => e.label === 'spam').length
    const ham = examples.length - spam
    if (spam === 0 || ham === 0) throw new ModelError(`training needs both labels (got ${spam} spam, ${ham} ham)`)
    const method = options.method ?? 'svm'
    const header: Header = {
      format: 'qunguard-ad-classifier',
      version: method === 'svm' ? 2 : 1,
      bits,
      bias: 0,
      threshold: options.threshold ?? 0.5,
      segmented: Boolean(options.segment),
      method,
      trainedOn: { spam, ham },
      ...(method !== 'svm' && options.fold ? { folded: true } : {}),
    }
    if (method === 'svm') return AdClassifier.trainSvm(examples, header, options)
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
   * TF-IDF character n-grams (`adFeatures`: sublinear counts, IDF, each text L2-normalised) and a
   * class-balanced linear SVM. Margins of texts its fit did not see — a held-out tenth of a large
   * set, every text once by 5-fold cross-fitting of a small one — choose the cost (when none is
   * given) and fit Platt scaling; then it is refitted on all texts.
   */
  private static trainSvm(examples: readonly LabelledText[], header: Header, options: AdClassifierOptions): AdClassifier {
    const dim = 1 << header.bits
    const mask = dim - 1
    const fold = options.fold ?? true
    const groups = [...new Set(examples.flatMap((e) => (e.group === undefined ? [] : [e.group])))].sort()
    const counted = examples.map((e) => hashedCounts(e.text, mask, options.segment, fold, e.group))
    const df = new Float64Array(dim)
    for (const row of counted) for (const f of row.keys()) df[f] = (df[f] ?? 0) + 1
    const idf = new Float32Array(dim)
    for (let f = 0; f < dim; f++) idf[f] = Math.log((1 + examples.length) / (1 + (df[f] ?? 0))) + 1
    const rows = counted.map((row) => weighted(row, idf))
    const labels = examples.map((e) => e.label === 'spam')
    // Held-out margins choose the cost and calibrate: a held-out tenth of a large set, or every
    // text once through 5-fold cross-fitting of a small one (a tenth of a few hundred is too few).
    const k = examples.length < CROSS_FIT_BELOW ? 5 : 10
    const foldOf = examples.map((e, i) => hash(`${i}:${e.text}`) % k)
    const folds = k === 5 ? [0, 1, 2, 3, 4] : [0]
    const both = (idx: readonly number[]) => idx.some((i) => labels[i]) && idx.some((i) => !labels[i])
    const all = rows.map((_, i) => i)
    const usable = folds.every((f) => both(all.filter((i) => foldOf[i] === f)) && both(all.filter((i) => foldOf[i] !== f)))
    let c = options.c ?? 1
    let platt = { a: -1, b: 0 }
    if (usable) {
      let best = Number.NEGATIVE_INFINITY
      for (const cost of options.c !== undefined ? [options.c] : SVM_COSTS) {
        const margins: number[] = []
        const truth: boolean[] = []
        for (const f of folds) {
          // The fits that choose the cost use at most SELECTION_ROWS texts (the choice does not
          // need them all, and it is most of the training time); the final fit uses every text.
          const rest = all.filter((i) => foldOf[i] !== f)
          const sample = rest.length <= SELECTION_ROWS ? rest : rest.filter((i) => hash(`pick:${i}`) % rest.length < SELECTION_ROWS)
          const fit = trainLinearSvm(
            sample.map((i) => rows[i] as SparseRow),
            sample.map((i) => labels[i] as boolean),
            dim,
            { c: cost },
          )
          for (const i of all)
            if (foldOf[i] === f) {
              margins.push(marginOf(fit.weights, fit.bias, rows[i] as SparseRow))
              truth.push(labels[i] as boolean)
            }
        }
        const f1 = spamF1(
          truth,
          margins.map((m) => m > 0),
        )
        if (f1 > best) {
          best = f1
          c = cost
          platt = plattScale(margins, truth)
        }
      }
    }
    const fit = trainLinearSvm(rows, labels, dim, { c })
    return new AdClassifier(
      Float32Array.from(fit.weights),
      { ...header, bias: fit.bias, svm: { c, ...platt, ...(fold ? {} : { fold }) }, ...(groups.length ? { groups } : {}) },
      options.segment,
      idf,
    )
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
    if (header.format !== 'qunguard-ad-classifier' || (header.version !== 1 && header.version !== 2))
      throw new ModelError(`not a qunguard ad classifier of a version this build reads (1 or 2; got ${header.version})`)
    if (header.version === 2 && !header.svm) throw new ModelError('not a qunguard ad classifier: version 2 without its SVM calibration')
    const start = 4 + headerLength
    const padded = start + ((4 - (start % 4)) % 4)
    const count = 1 << header.bits
    const tables = header.version === 2 ? 2 : 1
    if (bytes.byteLength !== padded + tables * count * 4)
      throw new ModelError(`truncated ad classifier: ${bytes.byteLength} bytes, expected ${padded + tables * count * 4}`)
    if (header.segmented && !words)
      throw new ModelError('this ad classifier was trained with word segmentation (--words): it needs a word segmenter to load')
    const table = (t: number) => {
      const out = new Float32Array(count)
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(padded + (t * count + i) * 4, true)
      return out
    }
    return new AdClassifier(table(0), header, header.segmented ? words?.() : undefined, tables === 2 ? table(1) : undefined)
  }

  toBytes(): Uint8Array {
    const json = new TextEncoder().encode(JSON.stringify(this.header))
    const start = 4 + json.byteLength
    const padded = start + ((4 - (start % 4)) % 4)
    const tables = this.idf ? [this.weights, this.idf] : [this.weights]
    const out = new Uint8Array(padded + tables.length * this.weights.byteLength)
    const view = new DataView(out.buffer)
    view.setUint32(0, json.byteLength, true)
    out.set(json, 4)
    let at = padded
    for (const t of tables) for (let i = 0; i < t.length; i++, at += 4) view.setFloat32(at, t[i] ?? 0, true)
    return out
  }

  /** Whether it was trained with word segmentation (and so scores with it). */
  get segmented(): boolean {
    return this.header.segmented
  }

  /** How its weights were fitted. */
  get method(): Method {
    return this.header.method ?? 'logistic'
  }

  /** SVM: the cost it was fitted with. */
  get cost(): number | undefined {
    return this.header.svm?.c
  }

  /** How many spam and ham texts it was trained on. */
  get trainedOn(): { spam: number; ham: number } {
    return { ...this.header.trainedOn }
  }

  /**
   * Probability that the text is an ad, in [0, 1]. With the group it was posted in, an SVM model
   * adds what it learnt from that group's own labelled texts (nothing, for a group it had none of).
   */
  score(text: string, group?: string): number {
    if (this.idf && this.header.svm) {
      const { a, b, fold = true } = this.header.svm
      const known = group !== undefined && this.groups.has(group) ? group : undefined
      const row = weighted(hashedCounts(text, this.mask, this.segment, fold, known), this.idf)
      return 1 / (1 + Math.exp(a * marginOf(this.weights, this.header.bias, row) + b))
    }
    let z = this.header.bias
    for (const f of this.features(text)) z += this.weights[f] ?? 0
    return 1 / (1 + Math.exp(-z))
  }

  async classify(texts: readonly string[], group?: string): Promise<Prediction[]> {
    return texts.map((t) => {
      const score = this.score(t, group)
      return { label: score >= this.header.threshold ? 'spam' : 'ham', score }
    })
  }

  /** Hashed feature indexes, each once. */
  private features(text: string): number[] {
    const out = new Set<number>()
    const tokens = this.header.folded ? foldedTokens(text) : modelTokens(text).split(' ')
    for (const t of tokens) if (t) out.add(hash(t) & this.mask)
    if (this.segment) for (const w of this.segment(text)) if (w.trim()) out.add(hash(`w:${w.toLowerCase()}`) & this.mask)
    return [...out]
  }
}

/** `modelTokens` of the folded text, and its cues (`@contact`, `#url`). */
function foldedTokens(text: string): string[] {
  return [...modelTokens(foldForModel(text)).split(' '), ...adCues(text)]
}

/** A text's `adFeatures` (and words, given a segmenter) hashed into `mask + 1` slots, with counts. */
function hashedCounts(text: string, mask: number, segment: Segmenter | undefined, fold: boolean, group?: string): Map<number, number> {
  const out = new Map<number, number>()
  const add = (f: string, n: number) => {
    const slot = hash(f) & mask
    out.set(slot, (out.get(slot) ?? 0) + n)
    // The group's own copy of the feature: its weight is what this group's texts teach beyond
    // what all texts do (feature augmentation, Daumé 2007, "Frustratingly easy domain adaptation").
    if (group !== undefined) {
      const own = hash(`g:${group}\u0000${f}`) & mask
      out.set(own, (out.get(own) ?? 0) + n)
    }
  }
  for (const [f, n] of adFeatures(text, fold)) add(f, n)
  if (segment) for (const w of segment(text)) if (w.trim()) add(`w:${w.toLowerCase()}`, 1)
  return out
}

/** Sublinear TF (1 + ln n) × IDF, L2-normalised. */
function weighted(counts: ReadonlyMap<number, number>, idf: Float32Array): SparseRow {
  const index = new Int32Array(counts.size)
  const value = new Float32Array(counts.size)
  let k = 0
  let norm = 0
  for (const [f, n] of counts) {
    const v = (1 + Math.log(n)) * (idf[f] ?? 1)
    index[k] = f
    value[k] = v
    norm += v * v
    k++
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0
  for (let i = 0; i < value.length; i++) value[i] = (value[i] as number) * scale
  return { index, value }
}

/** F1 of the spam class: `truth[i]` whether text i is an ad, `predicted[i]` whether it was called one. */
export function spamF1(truth: readonly boolean[], predicted: readonly boolean[]): number {
  let tp = 0
  let fp = 0
  let fn = 0
  for (const [i, y] of truth.entries()) {
    const p = predicted[i]
    if (p && y) tp++
    else if (p) fp++
    else if (y) fn++
  }
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn)
}
