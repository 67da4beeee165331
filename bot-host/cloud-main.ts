/**
 * The bot host of the AWS deployment (the Fargate task's command): Wechaty with the
 * QunGuardRelay (events → inbound queue, pictures → S3, actions queue → WeChat) and a Heartbeat
 * to the bot registry. It judges nothing itself; the Lambda functions do.
 *
 * Environment (set by the stack): EVENTS_QUEUE_URL, ACTIONS_QUEUE_URL, TABLE_NAME, MEDIA_BUCKET;
 * WECHATY_PUPPET (default wechaty-puppet-wechat4u) and, for token-based puppets,
 * WECHATY_PUPPET_SERVICE_TOKEN (from Secrets Manager); CAN_REMOVE=false for puppets that cannot
 * remove members; HEARTBEAT_SECONDS (default 60).
 *
 * Logging in: with a QR-code puppet the login QR code and its URL appear in the task's log
 * stream (CloudWatch); scan it with the WeChat account the guard runs as.
 */
import os from 'node:os'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { S3Client } from '@aws-sdk/client-s3'
import { SQSClient } from '@aws-sdk/client-sqs'
import qrcodeTerminal from 'qrcode-terminal'
import { ScanStatus, WechatyBuilder } from 'wechaty'
import { DynamoDbBotRegistry } from '../functions/adapters/aws/dynamodb-bot-registry.ts'
import { S3MediaStore } from '../functions/adapters/aws/s3-media-store.ts'
import { SqsMessageQueue } from '../functions/adapters/aws/sqs-message-queue.ts'
import type { GroupEvent } from '../functions/domain/events.ts'
import type { ActionRequest } from '../functions/ports/action-executor.port.ts'
import { QunGuardRelay } from './cloud-relay.ts'
import { checkPuppet, DEFAULT_PUPPET, StartupError } from './embedded.ts'
import { Heartbeat } from './heartbeat.ts'
import { dropEmptyMemoryCard } from './memory-card.ts'

function need(name: string): string {
  const v = process.env[name]
  if (!v) throw new StartupError(`environment variable ${name} is required`)
  return v
}

export async function runCloudBotHost(log: (line: string) => void = (l) => console.log(l)): Promise<void> {
  const puppet = process.env.WECHATY_PUPPET ?? DEFAULT_PUPPET
  await checkPuppet(puppet)
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false })
  const table = need('TABLE_NAME')
  const registry = new DynamoDbBotRegistry({ client: new DynamoDBClient({}), table })
  const heartbeatSeconds = Number(process.env.HEARTBEAT_SECONDS ?? 60)
  const canRemove = process.env.CAN_REMOVE !== 'false'
  const relay = QunGuardRelay({
    events: new SqsMessageQueue<GroupEvent>({ client: sqs, queueUrl: need('EVENTS_QUEUE_URL') }),
    actions: new SqsMessageQueue<ActionRequest>({ client: sqs, queueUrl: need('ACTIONS_QUEUE_URL') }),
    media: new S3MediaStore({ client: new S3Client({}), bucket: need('MEDIA_BUCKET') }),
    executor: { canRemove },
    // With several accounts in a group: the one that can (the owner's own first for a removal) acts.
    routing: { registry, heartbeatSeconds },
    onAction: (r, o) => log(`${r.decision.room} ${r.decision.target}: ${r.decision.action} — ${o.status}: ${o.detail}`),
    onError: (e) => log(`[qunguard relay] ${e.message}`),
  })
  const heartbeat = Heartbeat({
    registry,
    intervalSeconds: heartbeatSeconds,
    // What this account's puppet can do, as the deployment says (CAN_REMOVE, CAN_RECALL, CAN_INVITE).
    can: { remove: canRemove, recall: process.env.CAN_RECALL === 'true', invite: process.env.CAN_INVITE === 'true' },
    // Which account's service and task (owners are told it when the account stops beating).
    host: [process.env.BOT_ACCOUNT, process.env.ECS_CONTAINER_METADATA_URI_V4?.split('/').pop() ?? os.hostname()]
      .filter(Boolean)
      .join(' / '),
    onError: (e) => log(`[qunguard heartbeat] ${e.message}`),
  })
  dropEmptyMemoryCard('qunguard-cloud')
  const bot = WechatyBuilder.build({ name: 'qunguard-cloud', puppet: puppet as never })
  bot.use(relay, heartbeat)
  bot.on('scan', (qrcode, status) => {
    if (status === ScanStatus.Waiting || status === ScanStatus.Timeout) {
      log(`Scan to log in (or open ${qrcode} in a QR-code generator):`)
      qrcodeTerminal.generate(qrcode, { small: true })
    }
  })
  bot.on('login', (user) => log(`logged in as ${user.name()} (${user.id})`))
  bot.on('error', (e) => log(`[wechaty] ${e instanceof Error ? e.message : String(e)}`))
  const stopped = new Promise<void>((resolve) => {
    const stop = async (why: string) => {
      log(`stopping (${why})…`)
      heartbeat.stop()
      await bot.stop().catch(() => {})
      await relay.idle()
      await relay.stop()
      resolve()
    }
    process.once('SIGTERM', () => void stop('SIGTERM'))
    process.once('SIGINT', () => void stop('SIGINT'))
  })
  await bot.start()
  await stopped
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCloudBotHost().catch((e: unknown) => {
    console.error(e instanceof StartupError ? e.message : e)
    process.exit(1)
  })
}
