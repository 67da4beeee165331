/**
 * SageMakerTextClassifier: TextClassifier over the serverless inference endpoint that the
 * retraining workflow deploys (SageMaker's built-in BlazingText, supervised mode).
 *
 * Request:  InvokeEndpoint, application/json
 *           `{"instances":["加 微 信 加微 微信 …", …],"configuration":{"k":2}}` — texts tokenized
 *           with `modelTokens`, exactly as the training set was
 * Response: `[{"label":["__label__spam","__label__ham"],"prob":[0.97,0.03]}, …]`, one per text;
 *           the score is the probability of `__label__spam`.
 *
 * A missing endpoint is `unavailable` (callers fall back to the in-process model), throttling is
 * `throttled`, anything else `failed`.
 *
 * @example
 *   new SageMakerTextClassifier({ client: new SageMakerRuntimeClient({}), endpointName: process.env.CLASSIFIER_ENDPOINT })
 */
import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime'
import { z } from 'zod'
import { modelTokens } from '../../domain/training-set.ts'
import { ClassifierError, type Prediction, type TextClassifier } from '../../ports/classifier.port.ts'

const ResponseSchema = z.array(
  z.object({
    label: z.array(z.enum(['__label__spam', '__label__ham'])).min(1),
    prob: z.array(z.number().min(0).max(1.000001)).min(1),
  }),
)

export interface SageMakerTextClassifierOptions {
  readonly client: SageMakerRuntimeClient
  /** Unset until the first retraining has created the endpoint: every call is then `unavailable`. */
  readonly endpointName: string | undefined
}

export class SageMakerTextClassifier implements TextClassifier {
  constructor(private readonly options: SageMakerTextClassifierOptions) {}

  async classify(texts: readonly string[]): Promise<Prediction[]> {
    const { endpointName, client } = this.options
    if (!endpointName) throw new ClassifierError('no SageMaker endpoint configured yet', 'unavailable')
    if (texts.length === 0) return []
    let body: Uint8Array | undefined
    try {
      const r = await client.send(
        new InvokeEndpointCommand({
          EndpointName: endpointName,
          ContentType: 'application/json',
          Accept: 'application/json',
          Body: new TextEncoder().encode(JSON.stringify({ instances: texts.map(modelTokens), configuration: { k: 2 } })),
        }),
      )
      body = r.Body
    } catch (e) {
      const name = (e as { name?: string }).name ?? ''
      const message = (e as Error).message ?? ''
      if (name === 'ThrottlingException' || name === 'ServiceUnavailable')
        throw new ClassifierError(`SageMaker endpoint ${endpointName} is throttling: ${message}`, 'throttled', { cause: e })
      if (name === 'ValidationError' && /not found|could not find/i.test(message)) {
        throw new ClassifierError(`SageMaker endpoint ${endpointName} does not exist: ${message}`, 'unavailable', { cause: e })
      }
      throw new ClassifierError(`SageMaker endpoint ${endpointName} failed: ${name} ${message}`.trim(), 'failed', { cause: e })
    }
    let parsed: z.infer<typeof ResponseSchema>
    try {
      parsed = ResponseSchema.parse(JSON.parse(new TextDecoder().decode(body ?? new Uint8Array())))
    } catch (e) {
      throw new ClassifierError(`SageMaker endpoint ${endpointName} answered in an unexpected shape`, 'failed', { cause: e })
    }
    if (parsed.length !== texts.length) {
      throw new ClassifierError(
        `SageMaker endpoint ${endpointName} answered ${parsed.length} predictions for ${texts.length} texts`,
        'failed',
      )
    }
    return parsed.map((p) => {
      const i = p.label.indexOf('__label__spam')
      // With k=2 both labels come back; if only the top one did, spam's probability is its complement.
      const spam = Math.min(1, i >= 0 ? (p.prob[i] ?? 0) : 1 - (p.prob[0] ?? 0))
      return { label: spam >= 0.5 ? 'spam' : 'ham', score: spam }
    })
  }
}
