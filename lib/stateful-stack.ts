/**
 * StatefulStack: what keeps data — the guard's DynamoDB table and the learned rules' facts table, the media bucket (pictures under
 * `media/`, training sets under `training/`, models under `models/`), and the SQS FIFO queues
 * between the stages (inbound events, vision, moderate, approvals, outbound actions; message
 * group = room), each with a dead-letter queue. Nothing here has a hard-coded name; the
 * stateless stack receives these constructs.
 *
 * @example
 *   const data = new StatefulStack(app, 'QunguardData', { mediaRetentionDays: 30 })
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib'
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb'
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3'
import { DeduplicationScope, FifoThroughputLimit, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs'
import type { Construct } from 'constructs'

export interface StatefulStackProps extends StackProps {
  /** Days media (pictures, voice) are kept before S3 deletes them. @default 30 */
  readonly mediaRetentionDays?: number
  /** Receives of one message before it goes to its dead-letter queue. @default 5 */
  readonly maxReceiveCount?: number
}

export class StatefulStack extends Stack {
  readonly table: TableV2
  /**
   * What the learned rules remember between messages (`DynamoDbFactsStore`): members' recent
   * activity, rooms' rhythm, a week of text signatures, what was read from pictures, reports —
   * minutes to a week each, by TTL. Apart from the guard table so that its point-in-time backups
   * and retraining's Scan of the history do not carry them (with campaign rules they are several
   * times the history's size).
   */
  readonly factsTable: TableV2
  readonly mediaBucket: Bucket
  readonly eventsQueue: Queue
  readonly eventsDlq: Queue
  readonly actionsQueue: Queue
  readonly actionsDlq: Queue
  readonly visionQueue: Queue
  readonly visionDlq: Queue
  readonly moderateQueue: Queue
  readonly moderateDlq: Queue
  readonly approvalsQueue: Queue
  readonly approvalsDlq: Queue

  constructor(scope: Construct, id: string, props: StatefulStackProps = {}) {
    super(scope, id, props)
    const retention = props.mediaRetentionDays ?? 30
    const maxReceiveCount = props.maxReceiveCount ?? 5
    if (!(retention >= 1)) throw new Error(`mediaRetentionDays must be at least 1 (got ${retention})`)
    if (!(maxReceiveCount >= 1)) throw new Error(`maxReceiveCount must be at least 1 (got ${maxReceiveCount})`)

    this.table = new TableV2(this, 'GuardTable', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: RemovalPolicy.RETAIN,
    })

    this.factsTable = new TableV2(this, 'FactsTable', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: RemovalPolicy.DESTROY,
    })
    Validations.of(this.factsTable).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason: 'Short-lived facts (minutes to a week, by TTL) that the guard rebuilds as messages come: nothing to restore.',
    })

    const accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    })
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket receives the media bucket’s server access logs; logging it into itself would loop.',
    })

    this.mediaBucket = new Bucket(this, 'Media', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'media/',
      lifecycleRules: [
        { prefix: 'media/', expiration: Duration.days(retention) },
        { prefix: 'training/', expiration: Duration.days(30) },
        // The endpoint's model must outlive many retrainings; older ones go after a year.
        { prefix: 'models/', expiration: Duration.days(365) },
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    })

    const fifo = (name: string, deadLetter?: Queue) =>
      new Queue(this, name, {
        fifo: true,
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(deadLetter ? 4 : 14),
        visibilityTimeout: Duration.seconds(60),
        // Per-room ordering with high throughput: deduplication and limits per message group.
        deduplicationScope: DeduplicationScope.MESSAGE_GROUP,
        fifoThroughputLimit: FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
        ...(deadLetter ? { deadLetterQueue: { queue: deadLetter, maxReceiveCount } } : {}),
      })
    this.eventsDlq = fifo('EventsDlq')
    this.actionsDlq = fifo('ActionsDlq')
    this.eventsQueue = fifo('Events', this.eventsDlq)
    this.actionsQueue = fifo('Actions', this.actionsDlq)
    this.visionDlq = fifo('VisionDlq')
    this.visionQueue = fifo('Vision', this.visionDlq)
    this.moderateDlq = fifo('ModerateDlq')
    this.moderateQueue = fifo('Moderate', this.moderateDlq)
    this.approvalsDlq = fifo('ApprovalsDlq')
    this.approvalsQueue = fifo('Approvals', this.approvalsDlq)

    new CfnOutput(this, 'TableName', { value: this.table.tableName })
    new CfnOutput(this, 'FactsTableName', { value: this.factsTable.tableName })
    new CfnOutput(this, 'EventsQueueUrl', { value: this.eventsQueue.queueUrl })
    new CfnOutput(this, 'ActionsQueueUrl', { value: this.actionsQueue.queueUrl })
    new CfnOutput(this, 'MediaBucketName', { value: this.mediaBucket.bucketName })
  }
}
