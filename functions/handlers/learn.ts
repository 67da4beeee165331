/**
 * learn: the first step of scheduled retraining. Builds the weak-labelled training set from the
 * stored messages and decisions (domain/training-set.ts) and writes it to S3 for the SageMaker
 * training job; the Step Functions workflow then trains, deploys and points moderate at the
 * new model. Invoked by the workflow (or directly by the schedule when SageMaker is off).
 *
 * When the set is big enough it also trains the in-process classifier and saves it to
 * `models/inprocess/` (moderate's fallback, and its only model with the SageMaker path off).
 * Returns where the set is and whether it is big enough to train on, for the workflow's choice.
 * Learning readable per-room rules from the same history comes with issue #4.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics'
import { AdClassifier } from '../domain/ad-classifier.ts'
import { IN_PROCESS_MODEL_KEY } from '../domain/stored-classifier.ts'
import { buildTrainingSet } from '../domain/training-set.ts'
import type { GuardStore } from '../ports/guard-store.port.ts'
import type { MediaStore } from '../ports/media-store.port.ts'
import { aws } from './aws-clients.ts'
import { requiredEnv } from './env.ts'
import { logger, metrics, withPowertools } from './observability.ts'

export interface LearnDeps {
  readonly store: Pick<GuardStore, 'listMessages' | 'listDecisions'>
  readonly media: MediaStore
  readonly bucket: string
  /** Days of history to learn from. @default 90 */
  readonly days?: number
  /** Fewer spam examples than this: no training this time. @default 50 */
  readonly minSpam?: number
  readonly now?: () => Date
}

export interface LearnResult {
  /** The S3 prefix of this run's channels (train/train.txt, validation/validation.txt). */
  readonly prefix: string
  readonly trainUri: string
  readonly validationUri: string
  /** Where the training job writes the model. */
  readonly modelsUri: string
  readonly spam: number
  readonly ham: number
  /** Enough examples of both labels to train. */
  readonly enough: boolean
  /** Where the in-process model was saved, when it was trained. */
  readonly inProcessModel?: string | undefined
  /** A name for this run's training job and model (unique per run, within SageMaker's 63 characters). */
  readonly runName: string
}

export async function learn(deps: LearnDeps): Promise<LearnResult> {
  const now = (deps.now ?? (() => new Date()))()
  const since = new Date(now.getTime() - (deps.days ?? 90) * 86_400_000).toISOString()
  const [messages, decisions] = await Promise.all([deps.store.listMessages({ since }), deps.store.listDecisions()])
  const set = buildTrainingSet({ messages, decisions })
  // Every tenth line (deterministic) is held out for the training job's validation channel.
  const train = set.lines.filter((_, i) => i % 10 !== 9)
  const validation = set.lines.filter((_, i) => i % 10 === 9)
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')
  const prefix = `training/${stamp}`
  const enc = new TextEncoder()
  await deps.media.put(`${prefix}/train/train.txt`, enc.encode(`${train.join('\n')}\n`), 'text/plain; charset=utf-8')
  await deps.media.put(`${prefix}/validation/validation.txt`, enc.encode(`${validation.join('\n')}\n`), 'text/plain; charset=utf-8')
  const enough = set.spam >= (deps.minSpam ?? 50) && set.ham >= (deps.minSpam ?? 50)
  // The in-process model (moderate's fallback, and the only model with SageMaker off) trains right here.
  let inProcessModel: string | undefined
  if (enough) {
    const t0 = performance.now()
    const model = AdClassifier.train(set.examples)
    await deps.media.put(IN_PROCESS_MODEL_KEY, model.toBytes(), 'application/octet-stream')
    inProcessModel = IN_PROCESS_MODEL_KEY
    metrics.addMetric('InProcessTrainingMs', MetricUnit.Milliseconds, performance.now() - t0)
  }
  metrics.addMetric('TrainingSpam', MetricUnit.Count, set.spam)
  metrics.addMetric('TrainingHam', MetricUnit.Count, set.ham)
  logger.info('training set written', { prefix, spam: set.spam, ham: set.ham, messages: messages.length, enough, inProcessModel })
  return {
    prefix,
    trainUri: `s3://${deps.bucket}/${prefix}/train/`,
    validationUri: `s3://${deps.bucket}/${prefix}/validation/`,
    modelsUri: `s3://${deps.bucket}/models/`,
    spam: set.spam,
    ham: set.ham,
    enough,
    inProcessModel,
    runName: `qunguard-${stamp.toLowerCase()}`,
  }
}

let deps: LearnDeps | undefined
/** Production wiring: TABLE_NAME, MEDIA_BUCKET, LEARN_DAYS (default 90), LEARN_MIN_EXAMPLES (default 50). */
export function depsFromEnv(): LearnDeps {
  deps ??= {
    store: aws.guardStore(),
    media: aws.media(),
    bucket: requiredEnv('MEDIA_BUCKET'),
    days: Number(process.env.LEARN_DAYS ?? 90),
    minSpam: Number(process.env.LEARN_MIN_EXAMPLES ?? 50),
  }
  return deps
}

export const handler = withPowertools(function learnHandler() {
  return learn(depsFromEnv())
})
