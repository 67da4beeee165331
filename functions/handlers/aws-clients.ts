/**
 * The AWS adapters the handlers use, built once per cold start from the environment (names come
 * from the stack, never from the code). Each getter fails with the missing variable's name.
 *
 * SQS clients send to the configured (regional, or AWS_ENDPOINT_URL_SQS) endpoint rather than the
 * queue URL's host, so the same code runs against local servers.
 */
import fs from 'node:fs'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { RekognitionClient } from '@aws-sdk/client-rekognition'
import { S3Client } from '@aws-sdk/client-s3'
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime'
import { SQSClient } from '@aws-sdk/client-sqs'
import { TextractClient } from '@aws-sdk/client-textract'
import { TranscribeStreamingClient } from '@aws-sdk/client-transcribe-streaming'
import { AwsTranscribe } from '../adapters/aws/aws-transcribe.ts'
import { AwsVision } from '../adapters/aws/aws-vision.ts'
import { DynamoDbAnalyticsStore } from '../adapters/aws/dynamodb-analytics-store.ts'
import { DynamoDbApprovalStore } from '../adapters/aws/dynamodb-approval-store.ts'
import { DynamoDbBotRegistry } from '../adapters/aws/dynamodb-bot-registry.ts'
import { DynamoDbFactsStore } from '../adapters/aws/dynamodb-facts-store.ts'
import { DynamoDbGuardStore } from '../adapters/aws/dynamodb-guard-store.ts'
import { S3MediaStore } from '../adapters/aws/s3-media-store.ts'
import { SageMakerTextClassifier } from '../adapters/aws/sagemaker-text-classifier.ts'
import { SqsMessageQueue } from '../adapters/aws/sqs-message-queue.ts'
import { ZxingLiteQrReader } from '../adapters/local/zxing-lite-qr-reader.ts'
import { StoredConfig } from '../domain/stored-config.ts'
import { POLICY_KEY, StoredPolicy } from '../domain/stored-policy.ts'
import type { QrReader } from '../ports/qr-reader.port.ts'
import { requiredEnv } from './env.ts'
import { logger } from './observability.ts'

const once = <T>(make: () => T): (() => T) => {
  let value: T | undefined
  return () => {
    value ??= make()
    return value
  }
}

const dynamodb = once(() => new DynamoDBClient({}))
const sqs = once(() => new SQSClient({ useQueueUrlAsEndpoint: false }))

export const aws = {
  /**
   * The account's id and rooms' records (topic, owner, admins: they change rarely) are kept five
   * minutes per container: the container that stores a new snapshot sees it at once, the others
   * within five minutes. A member's record is kept a minute once found (a member not found is
   * read again, so a newcomer's join stored by another container is seen at once).
   */
  guardStore: once(
    () => new DynamoDbGuardStore({ client: dynamodb(), table: requiredEnv('TABLE_NAME'), cacheMs: 300_000, memberCacheMs: 60_000 }),
  ),
  approvalStore: once(() => new DynamoDbApprovalStore({ client: dynamodb(), table: requiredEnv('TABLE_NAME') })),
  /**
   * What the learned rules remember between messages, in a table of its own (FACTS_TABLE_NAME):
   * short-lived items (TTL) that backups and retraining's Scan of the guard table need not read.
   * A deployment from before that table keeps them in the guard table (TABLE_NAME).
   */
  factsStore: once(() => new DynamoDbFactsStore({ client: dynamodb(), table: process.env.FACTS_TABLE_NAME || requiredEnv('TABLE_NAME') })),
  /** The console's summarised days (analytics), in the table. */
  analyticsStore: once(() => new DynamoDbAnalyticsStore({ client: dynamodb(), table: requiredEnv('TABLE_NAME') })),
  /** The learned rulebook retraining saved (POLICY_KEY in MEDIA_BUCKET), reloaded every 5 minutes. */
  rulebook: once(
    (): StoredPolicy =>
      new StoredPolicy({ media: aws.media(), key: POLICY_KEY, onProblem: (line) => logger.warn('rulebook', { problem: line }) }),
  ),
  botRegistry: once(() => new DynamoDbBotRegistry({ client: dynamodb(), table: requiredEnv('TABLE_NAME') })),
  media: once(() => new S3MediaStore({ client: new S3Client({}), bucket: requiredEnv('MEDIA_BUCKET') })),
  vision: once(() => new AwsVision({ textract: new TextractClient({}), rekognition: new RekognitionClient({}) })),
  transcribe: once(
    () =>
      new AwsTranscribe({ client: new TranscribeStreamingClient({}), language: (process.env.TRANSCRIBE_LANGUAGE ?? 'zh-CN') as 'zh-CN' }),
  ),
  /** Unavailable (and so skipped) until CLASSIFIER_ENDPOINT names an endpoint that exists. */
  classifier: once(
    () =>
      new SageMakerTextClassifier({ client: new SageMakerRuntimeClient({}), endpointName: process.env.CLASSIFIER_ENDPOINT || undefined }),
  ),
  /**
   * The guard config the deployment wrote to the media bucket (QUNGUARD_CONFIG_KEY in
   * MEDIA_BUCKET), read on the first `load()` of a cold start and kept; the built-in defaults
   * when the stack was deployed without one.
   */
  guardConfig: once((): StoredConfig => {
    const key = process.env.QUNGUARD_CONFIG_KEY || undefined
    return new StoredConfig({ media: key ? aws.media() : { get: async () => undefined }, key })
  }),
  /** zxing, loaded on the first picture; its wasm ships next to the bundle (or comes from node_modules). */
  qrReader: once((): QrReader => {
    let reader: Promise<QrReader> | undefined
    const bundled = new URL('./zxing_reader.wasm', import.meta.url)
    return {
      read: async (image) => {
        reader ??= ZxingLiteQrReader.create({ wasmPath: fs.existsSync(bundled) ? bundled : undefined })
        return (await reader).read(image)
      },
    }
  }),
  /** A queue named by an environment variable holding its URL. */
  queue: <T>(envName: string) => new SqsMessageQueue<T>({ client: sqs(), queueUrl: requiredEnv(envName) }),
}
