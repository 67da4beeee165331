/**
 * StatelessStack: the code that runs on the stateful stack's data. So far: the `ingest` Lambda
 * (inbound FIFO queue → Guard → DynamoDB → action queue), its least-privilege role, alarms on
 * the dead-letter queues and on handler errors, and a CloudWatch dashboard.
 *
 * Still to come (issue #3): the other handlers, the Fargate bot host, the retraining schedule
 * and SageMaker path, heartbeat and approval-backlog alarms.
 *
 * @example
 *   new StatelessStack(app, 'QunguardCompute', { data })
 */

import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib'
import { Alarm, ComparisonOperator, Dashboard, GraphWidget, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch'
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam'
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda'
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources'
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs'
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs'
import type { Queue } from 'aws-cdk-lib/aws-sqs'
import type { Construct } from 'constructs'
import type { StatefulStack } from './stateful-stack.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const NAMESPACE = 'qunguard'

export interface StatelessStackProps extends StackProps {
  /** The tables, buckets and queues the functions use. */
  readonly data: Pick<StatefulStack, 'table' | 'eventsQueue' | 'eventsDlq' | 'actionsQueue' | 'actionsDlq'>
  /** The guard's config (qunguard.yaml as text) given to the functions. @default built-in defaults, no rules */
  readonly guardConfig?: string
}

export class StatelessStack extends Stack {
  readonly ingest: NodejsFunction

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props)
    const { data } = props

    const logGroup = new LogGroup(this, 'IngestLogs', { retention: RetentionDays.ONE_MONTH })
    const role = new Role(this, 'IngestRole', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') })
    role.addToPolicy(new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }))
    // Exactly what DynamoDbGuardStore calls (TransactWriteItems is authorised per Put/Update/ConditionCheck).
    role.addToPolicy(
      new PolicyStatement({
        actions: [
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:ConditionCheckItem',
          'dynamodb:Query',
          'dynamodb:Scan',
        ],
        resources: [data.table.tableArn],
      }),
    )
    role.addToPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [data.actionsQueue.queueArn] }))

    this.ingest = new NodejsFunction(this, 'Ingest', {
      entry: path.join(ROOT, 'functions/handlers/ingest.ts'),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      projectRoot: ROOT,
      depsLockFilePath: path.join(ROOT, 'package-lock.json'),
      environment: {
        TABLE_NAME: data.table.tableName,
        ACTIONS_QUEUE_URL: data.actionsQueue.queueUrl,
        POWERTOOLS_SERVICE_NAME: 'ingest',
        POWERTOOLS_METRICS_NAMESPACE: NAMESPACE,
        ...(props.guardConfig ? { QUNGUARD_CONFIG: props.guardConfig } : {}),
      },
      bundling: {
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: true,
        target: 'node24',
        externalModules: ['@aws-sdk/*'],
        // ESM bundles need a require() for the CommonJS dependencies inside them.
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
      },
    })
    // X-Ray's PutTraceSegments/PutTelemetryRecords have no resource-level permissions.
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which AWS only allows on Resource "*".',
    })
    this.ingest.addEventSource(new SqsEventSource(data.eventsQueue as Queue, { batchSize: 10, reportBatchItemFailures: true }))

    const alarm = (name: string, metric: Metric, description: string) =>
      new Alarm(this, name, {
        metric,
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      })
    const dlqDepth = (q: Queue) => q.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' })
    alarm('EventsDlqAlarm', dlqDepth(data.eventsDlq as Queue), 'Group events failed ingest repeatedly and wait in the dead-letter queue.')
    alarm('ActionsDlqAlarm', dlqDepth(data.actionsDlq as Queue), 'Actions the bot host could not carry out wait in the dead-letter queue.')
    alarm('IngestErrorsAlarm', this.ingest.metricErrors({ period: Duration.minutes(5) }), 'The ingest function failed invocations.')

    const custom = (name: string) =>
      new Metric({ namespace: NAMESPACE, metricName: name, dimensionsMap: { service: 'ingest' }, statistic: 'Sum' })
    new Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new GraphWidget({
            title: 'Events and decisions',
            left: [custom('EventsStored'), custom('Decisions'), custom('DuplicateEvents'), custom('InvalidEvents')],
          }),
          new GraphWidget({
            title: 'Ingest',
            left: [this.ingest.metricInvocations(), this.ingest.metricErrors()],
            right: [this.ingest.metricDuration()],
          }),
        ],
        [
          new GraphWidget({
            title: 'Queues',
            left: [
              (data.eventsQueue as Queue).metricApproximateNumberOfMessagesVisible(),
              (data.actionsQueue as Queue).metricApproximateNumberOfMessagesVisible(),
            ],
            right: [dlqDepth(data.eventsDlq as Queue), dlqDepth(data.actionsDlq as Queue)],
          }),
        ],
      ],
    })
  }
}
