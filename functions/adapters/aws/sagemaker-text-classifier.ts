/**
 * SageMakerTextClassifier: TextClassifier over a SageMaker (serverless) inference endpoint.
 *
 * Request:  POST InvokeEndpoint, application/json `{"instances":["text", …]}`
 * Response: application/json `{"predictions":[{"label":"spam"|"ham","score":0.97}, …]}`, one per text.
 *
 * A missing endpoint is `unavailable` (callers fall back to the in-process model), throttling is
 * `throttled`, anything else `failed`.
 *
 * @example
 *   new SageMakerTextClassifier({ client: new SageMakerRuntimeClient({}), endpointName: process.env.CLASSIFIER_ENDPOINT })
 */
import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime'
import { z } from 'zod'
import { ClassifierError, type Prediction, type TextClassifier } from '../../ports/classifier.port.ts'

const ResponseSchema = z.object({
  predictions: z.array(z.object({ label: z.enum(['spam', 'ham']), score: z.number().min(0).max(1) })),
})

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
          Body: new TextEncoder().encode(JSON.stringify({ instances: texts })),
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
    if (parsed.predictions.length !== texts.length) {
      throw new ClassifierError(
        `SageMaker endpoint ${endpointName} answered ${parsed.predictions.length} predictions for ${texts.length} texts`,
        'failed',
      )
    }
    return parsed.predictions
  }
}
