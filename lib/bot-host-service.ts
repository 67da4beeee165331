/**
 * BotHostService: the Wechaty bot hosts (bot-host/Dockerfile, bot-host/cloud-main.ts), one
 * Fargate service per WeChat account (`-c botAccounts=…`), each of at most one task — two tasks
 * logged in as the same account would push each other out. A task that fails is replaced by ECS
 * and logs in again where the puppet keeps its session (a token puppet; a QR-code puppet needs a
 * new scan, its code in the log). They run in public subnets with a public IP and no inbound rules
 * (WeChat and the AWS APIs are reached outbound; no NAT gateway to pay for). Each account's puppet
 * token lives in its own Secrets Manager secret and reaches its container as
 * WECHATY_PUPPET_SERVICE_TOKEN. All accounts share the queues and the registry (docs/accounts.md).
 *
 * @example
 *   new BotHostService(this, 'BotHost', { ..., accounts: parseBotAccounts('[{"name":"jia"},{"name":"yi","canRemove":false}]') })
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Validations } from 'aws-cdk-lib'
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb'
import { FlowLogDestination, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2'
import { Platform } from 'aws-cdk-lib/aws-ecr-assets'
import {
  Cluster,
  ContainerImage,
  ContainerInsights,
  CpuArchitecture,
  Secret as EcsSecret,
  FargateService,
  FargateTaskDefinition,
  LogDrivers,
  OperatingSystemFamily,
} from 'aws-cdk-lib/aws-ecs'
import { PolicyStatement } from 'aws-cdk-lib/aws-iam'
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs'
import type { IBucket } from 'aws-cdk-lib/aws-s3'
import { Secret } from 'aws-cdk-lib/aws-secretsmanager'
import type { IQueue } from 'aws-cdk-lib/aws-sqs'
import { Construct } from 'constructs'
import { acknowledgeWildcards, renderedArn } from './nag.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** One WeChat account's bot host. */
export interface BotAccount {
  /** Letters, digits and - (names its service, secret and log streams). */
  readonly name: string
  /** 1 runs it, 0 pauses it (its groups fail over to the other accounts). @default 1 */
  readonly desiredCount?: 0 | 1
  /** The Wechaty puppet package in the image. @default the deployment's puppet */
  readonly puppet?: string
  /** false for puppets that cannot remove members. @default true */
  readonly canRemove?: boolean
  /** true for puppets that can recall other members' messages. @default false */
  readonly canRecall?: boolean
  /** true for puppets that can invite into groups. @default false */
  readonly canInvite?: boolean
}

/** The account of a deployment that names none: the construct ids of a single bot host, kept. */
export const DEFAULT_ACCOUNT = 'main'

/**
 * The accounts of `-c botAccounts=…`: a JSON list of BotAccount, or names separated by commas;
 * explains what is wrong with anything else.
 */
export function parseBotAccounts(value: unknown): BotAccount[] {
  if (value === undefined || value === null || value === '') return [{ name: DEFAULT_ACCOUNT }]
  let list: unknown = value
  if (typeof value === 'string') {
    const text = value.trim()
    list = text.startsWith('[') ? JSON.parse(text) : text.split(',').map((name) => ({ name: name.trim() }))
  }
  if (!Array.isArray(list) || list.length === 0) throw new Error('botAccounts: a JSON list of accounts, or names separated by commas')
  const names = new Set<string>()
  return list.map((a: unknown, i) => {
    const where = `botAccounts[${i}]`
    if (typeof a !== 'object' || a === null) throw new Error(`${where}: an object with a name`)
    const o = a as Record<string, unknown>
    const known = ['name', 'desiredCount', 'puppet', 'canRemove', 'canRecall', 'canInvite']
    for (const k of Object.keys(o)) if (!known.includes(k)) throw new Error(`${where}: unknown field ${k} (known: ${known.join(', ')})`)
    if (typeof o.name !== 'string' || !/^[A-Za-z0-9-]{1,24}$/.test(o.name))
      throw new Error(`${where}.name: letters, digits and - only, at most 24 (got ${JSON.stringify(o.name)})`)
    if (names.has(o.name)) throw new Error(`${where}.name: ${o.name} is used twice`)
    names.add(o.name)
    if (o.desiredCount !== undefined && o.desiredCount !== 0 && o.desiredCount !== 1)
      throw new Error(
        `${where}.desiredCount: 0 or 1 (got ${JSON.stringify(o.desiredCount)}) — two tasks on one WeChat account log each other out; add another account instead`,
      )
    for (const k of ['canRemove', 'canRecall', 'canInvite'])
      if (o[k] !== undefined && typeof o[k] !== 'boolean') throw new Error(`${where}.${k}: true or false`)
    if (o.puppet !== undefined && (typeof o.puppet !== 'string' || !o.puppet)) throw new Error(`${where}.puppet: a package name`)
    return o as unknown as BotAccount
  })
}

export interface BotHostServiceProps {
  readonly table: ITableV2
  readonly mediaBucket: IBucket
  readonly eventsQueue: IQueue
  readonly actionsQueue: IQueue
  /** The Wechaty puppet package in the image. @default wechaty-puppet-wechat4u (log in by QR code) */
  readonly puppet?: string
  /** false for puppets that cannot remove members: the owner is alerted instead. @default true */
  readonly canRemove?: boolean
  /** Seconds between heartbeats (the monitor must use the same). @default 60 */
  readonly heartbeatSeconds?: number
  /** The WeChat accounts, one Fargate service each. @default one account, `main`, with `puppet` and `canRemove` */
  readonly accounts?: readonly BotAccount[]
}

/** One account's running parts. */
export interface BotHostAccount {
  readonly name: string
  readonly service: FargateService
  readonly puppetToken: Secret
}

export class BotHostService extends Construct {
  readonly accounts: readonly BotHostAccount[]
  /** The log group of every account's bot host (streams `bot-host-<account>/…`): the login QR codes appear here. */
  readonly logGroup: LogGroup

  constructor(scope: Construct, id: string, props: BotHostServiceProps) {
    super(scope, id)
    const vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 }],
    })
    vpc.addFlowLog('FlowLog', {
      destination: FlowLogDestination.toCloudWatchLogs(new LogGroup(this, 'FlowLogs', { retention: RetentionDays.ONE_MONTH })),
    })
    const cluster = new Cluster(this, 'Cluster', { vpc, containerInsightsV2: ContainerInsights.ENABLED })
    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH })
    // One image for every account.
    const image = ContainerImage.fromAsset(ROOT, { file: 'bot-host/Dockerfile', platform: Platform.LINUX_ARM64 })
    const accounts = props.accounts ?? [{ name: DEFAULT_ACCOUNT, puppet: props.puppet, canRemove: props.canRemove }]
    this.accounts = accounts.map((account) => this.account(account, { ...props, cluster, image }))
  }

  private account(account: BotAccount, props: BotHostServiceProps & { cluster: Cluster; image: ContainerImage }): BotHostAccount {
    // The default account keeps the ids a single bot host had (no replacement on upgrade).
    const id = (part: string) => (account.name === DEFAULT_ACCOUNT ? part : `${part}-${account.name}`)
    const puppetToken = new Secret(this, id('PuppetToken'), {
      description: `Token of account ${account.name}'s Wechaty puppet service (WECHATY_PUPPET_SERVICE_TOKEN); unused by QR-code puppets. Set it with \`aws secretsmanager put-secret-value\`.`,
      generateSecretString: { excludePunctuation: true, passwordLength: 32 },
    })
    Validations.of(puppetToken).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The puppet token is issued by the puppet provider; it can only be replaced by hand when the provider issues a new one.',
    })

    const task = new FargateTaskDefinition(this, id('Task'), {
      cpu: 512,
      memoryLimitMiB: 1024,
      runtimePlatform: { cpuArchitecture: CpuArchitecture.ARM64, operatingSystemFamily: OperatingSystemFamily.LINUX },
    })
    task.addContainer('bot-host', {
      image: props.image,
      logging: LogDrivers.awsLogs({
        streamPrefix: account.name === DEFAULT_ACCOUNT ? 'bot-host' : `bot-host-${account.name}`,
        logGroup: this.logGroup,
      }),
      environment: {
        TABLE_NAME: props.table.tableName,
        MEDIA_BUCKET: props.mediaBucket.bucketName,
        EVENTS_QUEUE_URL: props.eventsQueue.queueUrl,
        ACTIONS_QUEUE_URL: props.actionsQueue.queueUrl,
        WECHATY_PUPPET: account.puppet ?? props.puppet ?? 'wechaty-puppet-wechat4u',
        BOT_ACCOUNT: account.name,
        CAN_REMOVE: String(account.canRemove ?? props.canRemove ?? true),
        CAN_RECALL: String(account.canRecall ?? false),
        CAN_INVITE: String(account.canInvite ?? false),
        HEARTBEAT_SECONDS: String(props.heartbeatSeconds ?? 60),
      },
      secrets: { WECHATY_PUPPET_SERVICE_TOKEN: EcsSecret.fromSecretsManager(puppetToken) },
    })
    Validations.of(task).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason: 'The environment holds only resource names and settings; the one secret (the puppet token) comes from Secrets Manager.',
    })

    const role = task.taskRole
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.eventsQueue.queueArn] }))
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'],
        resources: [props.actionsQueue.queueArn],
      }),
    )
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [props.mediaBucket.arnForObjects('media/*')] }))
    // Heartbeats only: the bot host may write and read nothing but the BOTS partition of the table
    // (it reads the other bots' records to route actions in groups several accounts share).
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:PutItem', 'dynamodb:Query'],
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['BOTS'] } },
      }),
    )
    acknowledgeWildcards(
      role,
      [`Resource::${renderedArn(this, props.mediaBucket, props.mediaBucket.bucketArn)}/media/*`],
      'The bot host uploads pictures under media/ with per-message names (media/<room>/<event id>).',
    )
    acknowledgeWildcards(
      task.obtainExecutionRole(),
      ['Resource::*'],
      'The execution role needs ecr:GetAuthorizationToken to pull the bot host image, which has no resource-level permissions.',
    )

    const service = new FargateService(this, id('Service'), {
      cluster: props.cluster,
      taskDefinition: task,
      desiredCount: account.desiredCount ?? 1,
      // Never two at once: one WeChat login per account. A stopped task is replaced (a new login).
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      assignPublicIp: true,
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      circuitBreaker: { rollback: true },
    })
    return { name: account.name, service, puppetToken }
  }
}
