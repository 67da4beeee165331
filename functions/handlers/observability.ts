/**
 * One Logger, Metrics and Tracer per function (Powertools), shared by its handler.
 * Logs are JSON with every string passed through `redact`, so phone and ID numbers never
 * reach CloudWatch in clear.
 */
import { Logger } from '@aws-lambda-powertools/logger'
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware'
import { Metrics } from '@aws-lambda-powertools/metrics'
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware'
import { Tracer } from '@aws-lambda-powertools/tracer'
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware'
import middy from '@middy/core'
import type { Context } from 'aws-lambda'
import { redactingReplacer } from '../domain/redact.ts'

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'qunguard'

export const logger = new Logger({ serviceName, jsonReplacerFn: redactingReplacer })
export const metrics = new Metrics({ serviceName, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'qunguard' })
export const tracer = new Tracer({ serviceName })

/**
 * A handler as every qunguard function deploys it: middy around the function, with tracing,
 * the Lambda context in every log line, and the EMF metrics flushed at the end.
 *
 * @example
 *   export const handler = withPowertools(function ingestHandler(event: SQSEvent, context) { … })
 */
export function withPowertools<E, R>(fn: (event: E, context: Context) => Promise<R>) {
  return middy(fn).use(captureLambdaHandler(tracer)).use(injectLambdaContext(logger)).use(logMetrics(metrics))
}
