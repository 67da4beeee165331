/**
 * StoredClassifier: the in-process ad classifier as the learn step last saved it (a key in the
 * media store — S3 on AWS), loaded on first use and reloaded after `refreshMs`, so that a
 * long-lived process (a warm Lambda container) picks up the daily retraining.
 *
 * Until a model has been saved it is `unavailable`, like a SageMaker endpoint that does not exist.
 *
 * @example
 *   const local = new StoredClassifier({ media, key: IN_PROCESS_MODEL_KEY })
 *   const classifier = withFallback(sagemaker, local)
 */
import { ClassifierError, type Prediction, type TextClassifier } from '../ports/classifier.port.ts'
import type { MediaStore } from '../ports/media-store.port.ts'
import { AdClassifier } from './ad-classifier.ts'

/** Where learn saves the in-process model and moderate reads it. */
export const IN_PROCESS_MODEL_KEY = 'models/inprocess/ad-classifier.bin'

export interface StoredClassifierOptions {
  readonly media: Pick<MediaStore, 'get'>
  readonly key: string
  /** @default 1 hour */
  readonly refreshMs?: number
  readonly now?: () => number
}

export class StoredClassifier implements TextClassifier {
  private model: AdClassifier | undefined
  private loadedAt = Number.NEGATIVE_INFINITY
  private loading: Promise<void> | undefined

  constructor(private readonly options: StoredClassifierOptions) {}

  async classify(texts: readonly string[], group?: string): Promise<Prediction[]> {
    const now = (this.options.now ?? Date.now)()
    if (now - this.loadedAt >= (this.options.refreshMs ?? 3_600_000)) {
      this.loading ??= this.load(now).finally(() => {
        this.loading = undefined
      })
      await this.loading
    }
    if (!this.model) throw new ClassifierError(`no in-process model at ${this.options.key} yet`, 'unavailable')
    return this.model.classify(texts, group)
  }

  private async load(now: number): Promise<void> {
    let bytes: Uint8Array | undefined
    try {
      bytes = await this.options.media.get(this.options.key)
    } catch (e) {
      // Try again in a minute, not on every message; keep the model we have meanwhile.
      this.loadedAt = now - (this.options.refreshMs ?? 3_600_000) + 60_000
      if (this.model) return
      throw new ClassifierError(`could not read the in-process model ${this.options.key}: ${(e as Error).message}`, 'unavailable', {
        cause: e,
      })
    }
    this.loadedAt = now
    if (!bytes) return
    try {
      this.model = AdClassifier.fromBytes(bytes)
    } catch (e) {
      throw new ClassifierError(`the in-process model ${this.options.key} is unreadable: ${(e as Error).message}`, 'failed', { cause: e })
    }
  }
}
