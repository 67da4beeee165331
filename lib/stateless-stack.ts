/**
 * StatelessStack: the code that runs on the stateful stack's data.
 *
 *   bot host (Fargate) ─► events ─► ingest ─┬─► vision ─► moderate ─┬─► actions ─► bot host
 *                                  (text judged in ingest) └──────────────────────┤
 *                                                                                 └─► approvals ─► actions
 *                     owner's answers ─► ingest ─► approvals ─► actions
 *   every minute: monitor (heartbeats; verification timeouts; supervision's clock: expiry, digests, daily report; backlog)
 *   daily: retraining (learn → SageMaker training → serverless endpoint used by moderate),
 *          or just learn when the SageMaker path is off
 *
 * Every function has its own role with exactly the actions it uses; alarms watch every
 * dead-letter queue, every function's errors, missing heartbeats, the approval backlog and
 * failed retraining runs; one dashboard shows them.
 *
 * @example
 *   new StatelessStack(app, 'QunguardCompute', { data, sagemaker: true })
 */
import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib'
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  Metric,
  SingleValueWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch'
import { Rule, Schedule } from 'aws-cdk-lib/aws-events'
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets'
import { PolicyStatement } from 'aws-cdk-lib/aws-iam'
import { FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda'
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources'
import { Secret } from 'aws-cdk-lib/aws-secretsmanager'
import type { Queue } from 'aws-cdk-lib/aws-sqs'
import type { Construct } from 'constructs'
import { POLICY_KEY } from '../functions/domain/stored-policy.ts'
import { type BotAccount, BotHostService, DEFAULT_ACCOUNT } from './bot-host-service.ts'
import { GuardConfig } from './guard-config.ts'
import { GuardFunction, METRIC_NAMESPACE } from './guard-function.ts'
import { acknowledgeWildcards, renderedArn } from './nag.ts'
import { Retraining } from './retraining.ts'
import type { StatefulStack } from './stateful-stack.ts'

type Data = Pick<
  StatefulStack,
  | 'table'
  | 'factsTable'
  | 'mediaBucket'
  | 'eventsQueue'
  | 'eventsDlq'
  | 'visionQueue'
  | 'visionDlq'
  | 'moderateQueue'
  | 'moderateDlq'
  | 'approvalsQueue'
  | 'approvalsDlq'
  | 'actionsQueue'
  | 'actionsDlq'
>

export interface StatelessStackProps extends StackProps {
  /** The tables, buckets and queues the functions use. */
  readonly data: Data
  /**
   * The guard's config (qunguard.yaml as text): validated at synth (a refused config fails
   * `cdk synth`), stored in the media bucket and read by ingest and moderate. @default built-in defaults, no rules
   */
  readonly guardConfig?: string
  /** The config's file name, for error messages. @default 'guard config' */
  readonly guardConfigSource?: string
  /** The SageMaker retraining path and endpoint; false keeps only the in-process path. @default true */
  readonly sagemaker?: boolean
  /** When retraining runs. @default daily at 19:00 UTC (03:00 Beijing time) */
  readonly retrainSchedule?: Schedule
  /** Spam probability above which the classifier proposes a warning (in shadow). @default 0.9 */
  readonly classifierThreshold?: number
  /** The Fargate bot host; false when bot hosts run elsewhere (they need the same queues). @default true */
  readonly botHost?: boolean
  /** The bot host's Wechaty puppet. @default wechaty-puppet-wechat4u */
  readonly puppet?: string
  /** The WeChat accounts, a Fargate service each (`-c botAccounts=…`, see parseBotAccounts). @default one, `main` */
  readonly botAccounts?: readonly BotAccount[] | undefined
  /** Open approval requests above this raise the backlog alarm. @default 50 */
  readonly approvalBacklogThreshold?: number
  /** Seconds between bot heartbeats. @default 60 */
  readonly heartbeatSeconds?: number
  /**
   * How the vision function reads pictures: `local` — the embedded guard's own models (PaddleOCR
   * reads Chinese; a container image built at deploy); `aws` — Textract (Latin script only) and
   * Rekognition, a zip bundle. @default 'local'
   */
  readonly vision?: 'local' | 'aws'
  /**
   * The owner's web console (docs/console.md) as a function URL, acting as this WeChat id (an
   * owner's), its login token generated in Secrets Manager. @default no console
   */
  readonly consoleAs?: string | undefined
}

// Exactly what each store call needs (a TransactWriteItems is authorised per Put/Update/Delete in it).
const GET = 'dynamodb:GetItem'
const QUERY = 'dynamodb:Query'
const PUT = 'dynamodb:PutItem'
const UPDATE = 'dynamodb:UpdateItem'
const DELETE = 'dynamodb:DeleteItem'

export class StatelessStack extends Stack {
  readonly functions: Record<'ingest' | 'vision' | 'moderate' | 'approvals' | 'learn' | 'monitor', GuardFunction>
  readonly retraining?: Retraining
  readonly botHost?: BotHostService

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props)
    const { data } = props
    const useSageMaker = props.sagemaker ?? true
    const threshold = props.classifierThreshold ?? 0.9
    if (!(threshold > 0 && threshold <= 1)) throw new Error(`classifierThreshold must be in (0, 1] (got ${threshold})`)
    const heartbeatSeconds = props.heartbeatSeconds ?? 60
    const table = data.table.tableArn
    const facts = data.factsTable.tableArn
    // What a Guard's learned rules remember (DynamoDbFactsStore): get and put a member's activity
    // and a room's rhythm, query and batch-write text signatures, put and query pictures read and reports.
    const FACTS = [GET, QUERY, PUT, 'dynamodb:BatchWriteItem']
    const guardConfig =
      props.guardConfig === undefined
        ? undefined
        : new GuardConfig(this, 'GuardConfig', { bucket: data.mediaBucket, text: props.guardConfig, source: props.guardConfigSource })

    const ingest = new GuardFunction(this, 'Ingest', {
      handler: 'ingest',
      description:
        'Validates, deduplicates and stores group events; judges plain messages (as moderate does); routes pictures and voice to vision, answers to approvals.',
      environment: {
        TABLE_NAME: data.table.tableName,
        VISION_QUEUE_URL: data.visionQueue.queueUrl,
        APPROVALS_QUEUE_URL: data.approvalsQueue.queueUrl,
      },
    }).allow(['sqs:SendMessage'], [data.visionQueue.queueArn, data.approvalsQueue.queueArn])

    const eyes = props.vision ?? 'local'
    if (eyes !== 'local' && eyes !== 'aws') throw new Error(`vision must be local or aws (got ${JSON.stringify(eyes)})`)
    const vision = new GuardFunction(this, 'Vision', {
      handler: 'vision',
      description:
        eyes === 'local'
          ? 'Reads pictures with the embedded models (PaddleOCR Chinese and English text, faces, unsafe content, QR codes) and hears voice (Transcribe); keeps what it read for 识别/评分; passes messages on to moderate.'
          : 'Reads pictures (Textract text, Rekognition labels, faces, unsafe content) and hears voice (Transcribe); keeps what it read for 识别/评分; passes messages on to moderate.',
      // The local models: about one vCPU (1,769 MB) and room for them (~0.5 GB resident); see docs/vision.md.
      memorySize: eyes === 'local' ? 2048 : 1024,
      // Voice is streamed to Transcribe; stay under the queue's 60-second visibility timeout.
      timeout: Duration.seconds(55),
      ...(eyes === 'local'
        ? { image: { dockerfile: 'functions/vision.Dockerfile' } }
        : // silk-wasm and zxing-wasm load their wasm from next to the bundle.
          { assets: ['node_modules/silk-wasm/lib/silk.wasm', 'node_modules/zxing-wasm/dist/reader/zxing_reader.wasm'] }),
      environment: {
        MEDIA_BUCKET: data.mediaBucket.bucketName,
        MODERATE_QUEUE_URL: data.moderateQueue.queueUrl,
        FACTS_TABLE_NAME: data.factsTable.tableName,
      },
    })
      .allow(['s3:GetObject'], [data.mediaBucket.arnForObjects('media/*')])
      // Textract, Rekognition and Transcribe streaming have no resource-level permissions (acknowledged with tracing's Resource::*).
      .allow(
        eyes === 'local'
          ? ['transcribe:StartStreamTranscription']
          : [
              'textract:DetectDocumentText',
              'rekognition:DetectLabels',
              'rekognition:DetectFaces',
              'rekognition:DetectModerationLabels',
              'transcribe:StartStreamTranscription',
            ],
        ['*'],
      )
      .allow(['sqs:SendMessage'], [data.moderateQueue.queueArn])
      // What it read from each picture, for 识别 / 评分 (FactsStore: one item per picture, TTL).
      .allow([PUT], [facts])
    acknowledgeWildcards(
      vision.role,
      [`Resource::${renderedArn(this, data.mediaBucket, data.mediaBucket.bucketArn)}/media/*`],
      'Pictures are objects under media/ named per message.',
    )

    const learn = new GuardFunction(this, 'Learn', {
      handler: 'learn',
      description:
        'Builds the weak-labelled training set (S3 training/), trains the in-process ad classifier (S3 models/inprocess/) and relearns the rooms’ rulebook from the history and the owners’ Y/N answers (S3 models/policy/).',
      memorySize: 1769, // one full vCPU
      timeout: Duration.minutes(15),
      // zxing-wasm (QR codes in the stored pictures) loads its wasm from next to the bundle.
      assets: ['node_modules/zxing-wasm/dist/reader/zxing_reader.wasm'],
      environment: {
        TABLE_NAME: data.table.tableName,
        MEDIA_BUCKET: data.mediaBucket.bucketName,
        ACTIONS_QUEUE_URL: data.actionsQueue.queueUrl,
      },
    })
      // GetItem: each answered request the ANSWERS index names (the owners' Y / N).
      .allow([GET, QUERY, 'dynamodb:Scan'], [table])
      .allow(['s3:GetObject'], [data.mediaBucket.arnForObjects('media/*'), data.mediaBucket.arnForObjects(POLICY_KEY)])
      .allow(
        ['s3:PutObject'],
        [
          data.mediaBucket.arnForObjects('training/*'),
          data.mediaBucket.arnForObjects('models/inprocess/*'),
          data.mediaBucket.arnForObjects(POLICY_KEY),
          data.mediaBucket.arnForObjects('models/policy/rooms/*'),
        ],
      )
      .allow(['sqs:SendMessage'], [data.actionsQueue.queueArn])
    const bucketArn = renderedArn(this, data.mediaBucket, data.mediaBucket.bucketArn)
    acknowledgeWildcards(
      learn.role,
      [
        `Resource::${bucketArn}/training/*`,
        `Resource::${bucketArn}/models/inprocess/*`,
        `Resource::${bucketArn}/media/*`,
        `Resource::${bucketArn}/models/policy/rooms/*`,
      ],
      'Training sets are objects under training/ named per run; the in-process model is saved under models/inprocess/; pictures (read for QR codes) are objects under media/ named per message; each room’s rulebook text for operators under models/policy/rooms/.',
    )
    guardConfig?.grantRead(learn)

    const retraining = useSageMaker
      ? new Retraining(this, 'Retraining', {
          learn: learn.fn,
          bucket: data.mediaBucket,
          schedule: props.retrainSchedule ?? Schedule.cron({ hour: '19', minute: '0' }),
        })
      : undefined
    if (!retraining)
      new Rule(this, 'LearnSchedule', {
        schedule: props.retrainSchedule ?? Schedule.cron({ hour: '19', minute: '0' }),
        targets: [new LambdaFunction(learn.fn)],
      })
    this.retraining = retraining

    const moderate = new GuardFunction(this, 'Moderate', {
      handler: 'moderate',
      description:
        'Judges what vision hands on (pictures, voice, 识别/评分) as ingest judges text: keyword rules, picture text, ad classifier, the learned rulebook; active decisions to actions, every decision to approvals.',
      environment: { TABLE_NAME: data.table.tableName },
    })
    // ingest judges plain messages with moderate's code, so both need what judging needs.
    for (const judge of [ingest, moderate]) {
      judge.fn.addEnvironment('ACTIONS_QUEUE_URL', data.actionsQueue.queueUrl)
      judge.fn.addEnvironment('APPROVALS_QUEUE_URL', data.approvalsQueue.queueUrl)
      judge.fn.addEnvironment('MEDIA_BUCKET', data.mediaBucket.bucketName)
      judge.fn.addEnvironment('FACTS_TABLE_NAME', data.factsTable.tableName)
      if (retraining) judge.fn.addEnvironment('CLASSIFIER_ENDPOINT', retraining.endpointName)
      judge
        .allow([GET, QUERY, PUT, UPDATE], [table])
        .allow(FACTS, [facts])
        .allow(['sqs:SendMessage'], [data.actionsQueue.queueArn, data.approvalsQueue.queueArn])
        .allow(['s3:GetObject'], [data.mediaBucket.arnForObjects('models/inprocess/*'), data.mediaBucket.arnForObjects(POLICY_KEY)])
      acknowledgeWildcards(
        judge.role,
        [`Resource::${bucketArn}/models/inprocess/*`],
        `${judge.service} reads the in-process model learn saves under models/inprocess/.`,
      )
      if (retraining) judge.allow(['sagemaker:InvokeEndpoint'], [retraining.endpointArn])
    }
    guardConfig?.grantRead(ingest)
    guardConfig?.grantRead(moderate)

    const approvals = new GuardFunction(this, 'Approvals', {
      handler: 'approvals',
      description: 'Supervision: numbered approval requests to owners (paced, digests), their answers and commands, rule records.',
      environment: {
        TABLE_NAME: data.table.tableName,
        ACTIONS_QUEUE_URL: data.actionsQueue.queueUrl,
        MEDIA_BUCKET: data.mediaBucket.bucketName,
      },
    })
      // Scan: once per table, to copy rooms stored before the rooms' directory into it (listRooms).
      .allow([GET, QUERY, PUT, UPDATE, DELETE, 'dynamodb:Scan'], [table])
      .allow(['sqs:SendMessage'], [data.actionsQueue.queueArn])
      .allow(['s3:GetObject'], [data.mediaBucket.arnForObjects(POLICY_KEY)])
    guardConfig?.grantRead(approvals)

    const monitor = new GuardFunction(this, 'Monitor', {
      handler: 'monitor',
      description:
        'Every minute: bot heartbeats; newcomers whose time to verify ran out; supervision’s clock (expiry with rule records, digests, daily reports); the approval backlog.',
      environment: {
        TABLE_NAME: data.table.tableName,
        ACTIONS_QUEUE_URL: data.actionsQueue.queueUrl,
        APPROVALS_QUEUE_URL: data.approvalsQueue.queueUrl,
        MEDIA_BUCKET: data.mediaBucket.bucketName,
        FACTS_TABLE_NAME: data.factsTable.tableName,
        HEARTBEAT_SECONDS: String(heartbeatSeconds),
      },
    })
      .allow([GET, QUERY, PUT, UPDATE, DELETE, 'dynamodb:Scan'], [table])
      // Its Guard (verification timeouts) reads and replaces a removed member's activity (their messages to recall).
      .allow([GET, QUERY, PUT], [facts])
      .allow(['sqs:SendMessage'], [data.actionsQueue.queueArn, data.approvalsQueue.queueArn])
      .allow(['s3:GetObject'], [data.mediaBucket.arnForObjects(POLICY_KEY)])
    guardConfig?.grantRead(monitor)
    new Rule(this, 'MonitorSchedule', { schedule: Schedule.rate(Duration.minutes(1)), targets: [new LambdaFunction(monitor.fn)] })

    const consume = (fn: GuardFunction, queue: Queue) =>
      fn.fn.addEventSource(new SqsEventSource(queue, { batchSize: 10, reportBatchItemFailures: true }))
    consume(ingest, data.eventsQueue)
    consume(vision, data.visionQueue)
    consume(moderate, data.moderateQueue)
    consume(approvals, data.approvalsQueue)

    this.functions = { ingest, vision, moderate, approvals, learn, monitor }

    if (props.consoleAs) {
      // The console's login token: generated, read by the function at cold start, fetched by the owner with the CLI.
      const token = new Secret(this, 'ConsoleToken', {
        description: 'qunguard console login token (Authorization: Bearer, or the login form)',
        generateSecretString: { passwordLength: 32, excludePunctuation: true },
      })
      Validations.of(token).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'A login token the owner pastes into the console: rotating it is done by hand (no service to rotate it for).',
      })
      const web = new GuardFunction(this, 'Console', {
        handler: 'console',
        description:
          'The owner’s web console: groups, rules, decisions, approvals, members, analytics (answers go to the events queue as the owner’s words).',
        memorySize: 1024,
        environment: {
          TABLE_NAME: data.table.tableName,
          EVENTS_QUEUE_URL: data.eventsQueue.queueUrl,
          MEDIA_BUCKET: data.mediaBucket.bucketName,
          CONSOLE_TOKEN_SECRET: token.secretArn,
          CONSOLE_AS: props.consoleAs,
          FACTS_TABLE_NAME: data.factsTable.tableName,
        },
        // ECharts is served by the console itself: shipped next to the bundle.
        assets: ['node_modules/echarts/dist/echarts.min.js', 'node_modules/echarts-wordcloud/dist/echarts-wordcloud.min.js'],
      })
        .allow([GET, QUERY, 'dynamodb:Scan', 'dynamodb:BatchGetItem'], [table])
        // Members' reports of one another (FactsStore), shown with the member.
        .allow([QUERY], [facts])
        .allow(['sqs:SendMessage'], [data.eventsQueue.queueArn])
        .allow(['s3:GetObject'], [data.mediaBucket.arnForObjects(POLICY_KEY)])
      // It writes only the groups' summarised days (analytics): items whose key begins ANALYTICS#.
      web.role.addToPolicy(
        new PolicyStatement({
          actions: [PUT, UPDATE, DELETE, 'dynamodb:BatchWriteItem'],
          resources: [table],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ANALYTICS#*'] } },
        }),
      )
      token.grantRead(web.role)
      guardConfig?.grantRead(web)
      const url = web.fn.addFunctionUrl({ authType: FunctionUrlAuthType.NONE })
      new CfnOutput(this, 'ConsoleUrl', { value: url.url, description: 'The owner’s console (log in with the ConsoleToken secret)' })
      new CfnOutput(this, 'ConsoleTokenSecret', {
        value: token.secretArn,
        description: 'aws secretsmanager get-secret-value --secret-id <this>',
      })
    }

    if (props.botHost ?? true) {
      this.botHost = new BotHostService(this, 'BotHost', {
        table: data.table,
        mediaBucket: data.mediaBucket,
        eventsQueue: data.eventsQueue,
        actionsQueue: data.actionsQueue,
        puppet: props.puppet,
        heartbeatSeconds,
        accounts: props.botAccounts,
      })
      new CfnOutput(this, 'BotHostLogGroup', { value: this.botHost.logGroup.logGroupName, description: 'The login QR codes appear here.' })
      for (const a of this.botHost.accounts)
        new CfnOutput(this, a.name === DEFAULT_ACCOUNT ? 'PuppetTokenSecret' : `PuppetTokenSecret-${a.name}`, {
          value: a.puppetToken.secretName,
          description: `Account ${a.name}'s puppet token`,
        })
    }
    if (retraining) new CfnOutput(this, 'ClassifierEndpoint', { value: retraining.endpointName })

    this.alarmsAndDashboard(data, props.approvalBacklogThreshold ?? 50)
  }

  private alarmsAndDashboard(data: Data, backlogThreshold: number): void {
    const alarm = (name: string, metric: IMetric, description: string, threshold = 0, missing = TreatMissingData.NOT_BREACHING) =>
      new Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: missing,
        alarmDescription: description,
      })
    const dlqDepth = (q: Queue) => q.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' })
    const dlqs: [string, Queue][] = [
      ['Events', data.eventsDlq],
      ['Vision', data.visionDlq],
      ['Moderate', data.moderateDlq],
      ['Approvals', data.approvalsDlq],
      ['Actions', data.actionsDlq],
    ]
    for (const [name, q] of dlqs)
      alarm(`${name}DlqAlarm`, dlqDepth(q), `${name}: messages failed repeatedly and wait in the dead-letter queue.`)
    for (const [name, f] of Object.entries(this.functions))
      alarm(
        `${name[0]?.toUpperCase()}${name.slice(1)}ErrorsAlarm`,
        f.fn.metricErrors({ period: Duration.minutes(5) }),
        `The ${name} function failed invocations.`,
      )

    const custom = (name: string, service: string, statistic = 'Sum') =>
      new Metric({ namespace: METRIC_NAMESPACE, metricName: name, dimensionsMap: { service }, statistic, period: Duration.minutes(1) })
    alarm(
      'MissingHeartbeatsAlarm',
      custom('MissingHeartbeats', 'monitor', 'Maximum'),
      'A bot host missed three heartbeats: its groups are unguarded. Check the bot host’s logs (logged out? needs a new QR scan?).',
    )
    new Alarm(this, 'NoLiveBotAlarm', {
      metric: custom('LiveBots', 'monitor', 'Maximum').with({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      // No data means the monitor itself is not running: that is not fine either.
      treatMissingData: TreatMissingData.BREACHING,
      alarmDescription: 'No bot host is alive (or the monitor is not reporting).',
    })
    alarm(
      'ApprovalBacklogAlarm',
      custom('ApprovalBacklog', 'monitor', 'Maximum').with({ period: Duration.minutes(15) }),
      `More than ${backlogThreshold} approval requests are waiting for owners.`,
      backlogThreshold,
    )
    if (this.retraining)
      alarm('RetrainingFailedAlarm', this.retraining.stateMachine.metricFailed({ period: Duration.hours(1) }), 'A retraining run failed.')

    const fns = Object.values(this.functions)
    new Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new SingleValueWidget({
            title: 'Bots and approvals',
            metrics: [
              custom('LiveBots', 'monitor', 'Maximum'),
              custom('MissingHeartbeats', 'monitor', 'Maximum'),
              custom('ApprovalBacklog', 'monitor', 'Maximum'),
            ],
          }),
          new GraphWidget({
            title: 'Events and decisions',
            left: [
              custom('MessagesRouted', 'ingest'),
              custom('EventsStored', 'moderate'),
              custom('Decisions', 'moderate'),
              custom('ShadowDecisions', 'moderate'),
              custom('DuplicateEvents', 'ingest'),
              custom('InvalidEvents', 'ingest'),
            ],
          }),
          new GraphWidget({
            title: 'Approvals',
            left: [
              custom('ApprovalsOpened', 'approvals'),
              custom('Approved', 'approvals'),
              custom('Rejected', 'approvals'),
              custom('MarkedWrong', 'approvals'),
              custom('ApprovalsExpired', 'monitor'),
            ],
          }),
          new GraphWidget({
            title: 'Rules',
            left: [custom('RulesPromoted', 'approvals'), custom('RulesDemoted', 'approvals'), custom('RulesLearned', 'learn', 'Maximum')],
          }),
        ],
        [
          new GraphWidget({ title: 'Invocations', left: fns.map((f) => f.fn.metricInvocations()) }),
          new GraphWidget({ title: 'Errors', left: fns.map((f) => f.fn.metricErrors()) }),
          new GraphWidget({ title: 'Duration (p90)', left: fns.map((f) => f.fn.metricDuration({ statistic: 'p90' })) }),
        ],
        [
          new GraphWidget({
            title: 'Queue depth',
            left: [data.eventsQueue, data.visionQueue, data.moderateQueue, data.approvalsQueue, data.actionsQueue].map((q) =>
              (q as Queue).metricApproximateNumberOfMessagesVisible(),
            ),
          }),
          new GraphWidget({ title: 'Dead-letter queues', left: dlqs.map(([, q]) => dlqDepth(q)) }),
          new GraphWidget({ title: 'Pictures', left: [custom('ImagesRead', 'vision'), custom('ImagesUnreadable', 'vision')] }),
        ],
      ],
    })
  }
}
