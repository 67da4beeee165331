import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it } from 'vitest'
import { SageMakerTextClassifier } from '../../functions/adapters/aws/sagemaker-text-classifier.ts'
import { withFallback } from '../../functions/domain/classifier-fallback.ts'
import { ClassifierError, type TextClassifier } from '../../functions/ports/classifier.port.ts'

const sagemaker = mockClient(SageMakerRuntimeClient)
const client = new SageMakerRuntimeClient({ region: 'us-east-1' })
const json = (o: unknown) => new TextEncoder().encode(JSON.stringify(o)) as never
const sdkError = (name: string, message: string) => Object.assign(new Error(message), { name })

beforeEach(() => sagemaker.reset())

describe('Class: SageMakerTextClassifier', () => {
  it('sends the tokenized texts as BlazingText instances to the named endpoint and maps the spam probability', async () => {
    sagemaker.on(InvokeEndpointCommand).resolves({
      Body: json([
        { label: ['__label__spam', '__label__ham'], prob: [0.97, 0.03] },
        { label: ['__label__ham', '__label__spam'], prob: [0.98, 0.02] },
      ]),
    })
    const c = new SageMakerTextClassifier({ client, endpointName: 'qunguard-classifier' })
    expect(await c.classify(['加微信 13800138000', '周六见'])).toEqual([
      { label: 'spam', score: 0.97 },
      { label: 'ham', score: 0.02 },
    ])
    const calls = sagemaker.commandCalls(InvokeEndpointCommand)
    expect(calls).toHaveLength(1)
    const input = calls[0]!.args[0].input
    expect(input).toMatchObject({ EndpointName: 'qunguard-classifier', ContentType: 'application/json', Accept: 'application/json' })
    expect(JSON.parse(new TextDecoder().decode(input.Body as Uint8Array))).toEqual({
      instances: ['加 微 加微 信 微信 #11', '周 六 周六 见 六见'],
      configuration: { k: 2 },
    })
  })

  it('takes the complement when only the top label comes back', async () => {
    sagemaker.on(InvokeEndpointCommand).resolves({ Body: json([{ label: ['__label__ham'], prob: [0.9] }]) })
    const [p] = await new SageMakerTextClassifier({ client, endpointName: 'e' }).classify(['x'])
    expect(p?.label).toBe('ham')
    expect(p?.score).toBeCloseTo(0.1)
  })

  it('throws throttled on ThrottlingException', async () => {
    sagemaker.on(InvokeEndpointCommand).rejects(sdkError('ThrottlingException', 'Rate exceeded'))
    const err = await new SageMakerTextClassifier({ client, endpointName: 'e' }).classify(['x']).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ClassifierError)
    expect(err).toMatchObject({ kind: 'throttled' })
  })

  it('throws unavailable when the endpoint does not exist or is not configured', async () => {
    sagemaker.on(InvokeEndpointCommand).rejects(sdkError('ValidationError', 'Endpoint e of account 1 not found.'))
    await expect(new SageMakerTextClassifier({ client, endpointName: 'e' }).classify(['x'])).rejects.toMatchObject({ kind: 'unavailable' })
    await expect(new SageMakerTextClassifier({ client, endpointName: undefined }).classify(['x'])).rejects.toMatchObject({
      kind: 'unavailable',
    })
  })

  it('throws failed on a model error, a malformed answer or a wrong count', async () => {
    const c = new SageMakerTextClassifier({ client, endpointName: 'e' })
    sagemaker.on(InvokeEndpointCommand).rejects(sdkError('ModelError', 'boom'))
    await expect(c.classify(['x'])).rejects.toMatchObject({ kind: 'failed' })
    sagemaker.on(InvokeEndpointCommand).resolves({ Body: json([{ label: ['maybe'], prob: [2] }]) })
    await expect(c.classify(['x'])).rejects.toMatchObject({ kind: 'failed', message: expect.stringContaining('unexpected shape') })
    sagemaker.on(InvokeEndpointCommand).resolves({ Body: json([]) })
    await expect(c.classify(['x'])).rejects.toMatchObject({ kind: 'failed', message: expect.stringContaining('0 predictions for 1 texts') })
  })

  it('sends nothing for no texts', async () => {
    expect(await new SageMakerTextClassifier({ client, endpointName: 'e' }).classify([])).toEqual([])
    expect(sagemaker.commandCalls(InvokeEndpointCommand)).toHaveLength(0)
  })
})

describe('withFallback', () => {
  const local: TextClassifier = { classify: async (texts) => texts.map(() => ({ label: 'ham' as const, score: 0.1 })) }

  it('uses the in-process model while the endpoint does not exist', async () => {
    sagemaker.on(InvokeEndpointCommand).rejects(sdkError('ValidationError', 'Endpoint e not found.'))
    const c = withFallback(new SageMakerTextClassifier({ client, endpointName: 'e' }), local)
    expect(await c.classify(['x'])).toEqual([{ label: 'ham', score: 0.1 }])
  })

  it('does not hide throttling', async () => {
    sagemaker.on(InvokeEndpointCommand).rejects(sdkError('ThrottlingException', 'slow down'))
    const c = withFallback(new SageMakerTextClassifier({ client, endpointName: 'e' }), local)
    await expect(c.classify(['x'])).rejects.toMatchObject({ kind: 'throttled' })
  })
})
