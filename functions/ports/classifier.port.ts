/**
 * TextClassifier: is a text an ad / marketing (spam) or ordinary chat (ham)?
 *
 * Adapters: an in-process model (issue #4) and `SageMakerTextClassifier` (a SageMaker endpoint).
 * `withFallback` uses a second classifier while the first is unavailable.
 *
 * @example
 *   const [p] = await classifier.classify(['加微信领红包']) // { label: 'spam', score: 0.97 }
 */
export interface Prediction {
  readonly label: 'spam' | 'ham'
  /** Probability of spam, in [0, 1]. */
  readonly score: number
}

export interface TextClassifier {
  /**
   * Scores texts posted in one group. `group` (the room id) lets a model with a layer per group
   * add what it learnt from that group's own labelled texts; models without ignore it.
   */
  classify(texts: readonly string[], group?: string): Promise<Prediction[]>
}

export type ClassifierErrorKind = 'unavailable' | 'throttled' | 'failed'

export class ClassifierError extends Error {
  override name = 'ClassifierError'
  constructor(
    message: string,
    /** unavailable: no endpoint (yet); throttled: try again later; failed: anything else. */
    readonly kind: ClassifierErrorKind,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
