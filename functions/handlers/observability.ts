/**
 * One Logger, Metrics and Tracer per function (Powertools), shared by its handler.
 * Logs are JSON with every string passed through `redact`, so phone and ID numbers never
 * reach CloudWatch in clear.
 */
import { Logger } from '@aws-lambda-powertools/logger'
import { Metrics } from '@aws-lambda-powertools/metrics'
import { Tracer } from '@aws-lambda-powertools/tracer'
import { redactingReplacer } from '../domain/redact.ts'

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'qunguard'

export const logger = new Logger({ serviceName, jsonReplacerFn: redactingReplacer })
export const metrics = new Metrics({ serviceName, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'qunguard' })
export const tracer = new Tracer({ serviceName })
