/**
 * BotHostService: the Wechaty bot host (bot-host/Dockerfile, bot-host/cloud-main.ts) as one
 * Fargate task — exactly one, since two tasks logged in as the same WeChat account would push
 * each other out. It runs in public subnets with a public IP and no inbound rules (WeChat and
 * the AWS APIs are reached outbound; no NAT gateway to pay for). The puppet token lives in
 * Secrets Manager and reaches the container as WECHATY_PUPPET_SERVICE_TOKEN.
 *
 * @example
 *   new BotHostService(this, 'BotHost', { data, puppet: 'wechaty-puppet-wechat4u' })
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
}

export class BotHostService extends Construct {
  readonly service: FargateService
  readonly puppetToken: Secret
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

    this.puppetToken = new Secret(this, 'PuppetToken', {
      description:
        'Token of a Wechaty puppet service (WECHATY_PUPPET_SERVICE_TOKEN); unused by QR-code puppets. Set it with `aws secretsmanager put-secret-value`.',
      generateSecretString: { excludePunctuation: true, passwordLength: 32 },
    })
    Validations.of(this.puppetToken).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The puppet token is issued by the puppet provider; it can only be replaced by hand when the provider issues a new one.',
    })

    const task = new FargateTaskDefinition(this, 'Task', {
      cpu: 512,
      memoryLimitMiB: 1024,
      runtimePlatform: { cpuArchitecture: CpuArchitecture.ARM64, operatingSystemFamily: OperatingSystemFamily.LINUX },
    })
    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH })
    task.addContainer('bot-host', {
      image: ContainerImage.fromAsset(ROOT, { file: 'bot-host/Dockerfile', platform: Platform.LINUX_ARM64 }),
      logging: LogDrivers.awsLogs({ streamPrefix: 'bot-host', logGroup: this.logGroup }),
      environment: {
        TABLE_NAME: props.table.tableName,
        MEDIA_BUCKET: props.mediaBucket.bucketName,
        EVENTS_QUEUE_URL: props.eventsQueue.queueUrl,
        ACTIONS_QUEUE_URL: props.actionsQueue.queueUrl,
        WECHATY_PUPPET: props.puppet ?? 'wechaty-puppet-wechat4u',
        CAN_REMOVE: String(props.canRemove ?? true),
        HEARTBEAT_SECONDS: String(props.heartbeatSeconds ?? 60),
      },
      secrets: { WECHATY_PUPPET_SERVICE_TOKEN: EcsSecret.fromSecretsManager(this.puppetToken) },
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

    this.service = new FargateService(this, 'Service', {
      cluster,
      taskDefinition: task,
      desiredCount: 1,
      // Never two at once: one WeChat login per account.
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      assignPublicIp: true,
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      circuitBreaker: { rollback: true },
    })
  }
}
