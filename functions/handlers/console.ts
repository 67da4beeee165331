/**
 * console: the owner's web console (functions/console, docs/console.md) on AWS, deployed with
 * `-c console=on` behind a Lambda function URL. The same pages as embedded, on the deployment's
 * DynamoDB table (the guard store and supervision's records); the owner's answers and rule
 * switches (`Y3`, `启用 R2`, `加关键词 G1 团购`) go to the events queue as the owner's private
 * messages — the path the bot host sends them on — so ingest stores them and approvals carries
 * them out exactly as if typed in WeChat (a moment later: the page says they were sent). Words for
 * the word cloud come from ICU (`Intl.Segmenter`): jieba's native binary is not bundled.
 *
 * The learned rulebook is read once per cold start (rule names, backtests).
 *
 * Login: the token in Secrets Manager (CONSOLE_TOKEN_SECRET), as a bearer or through the login
 * form; the console acts as CONSOLE_AS (an owner's WeChat id) and shows only their groups.
 */
import { randomUUID } from 'node:crypto'
import { getSecret } from '@aws-lambda-powertools/parameters/secrets'
import type { Context } from 'aws-lambda'
import type { Hono } from 'hono'
import { handle, type LambdaEvent } from 'hono/aws-lambda'
import { consoleApp } from '../console/console-app.ts'
import { CHINESE_STOP_WORDS, icuWords } from '../console/icu-words.ts'
import type { GroupEvent } from '../domain/events.ts'
import { supervisorFor } from '../domain/supervision/catalogue.ts'
import { aws } from './aws-clients.ts'
import { withPowertools } from './observability.ts'

let app: Promise<Hono> | undefined

/** Production wiring: TABLE_NAME, EVENTS_QUEUE_URL, CONSOLE_TOKEN_SECRET, CONSOLE_AS, MEDIA_BUCKET and QUNGUARD_CONFIG_KEY (the guard config). */
export function consoleFromEnv(): Promise<Hono> {
  app ??= (async () => {
    const viewer = process.env.CONSOLE_AS
    const secret = process.env.CONSOLE_TOKEN_SECRET
    if (!viewer || !secret) throw new Error('the console needs CONSOLE_AS (an owner’s WeChat id) and CONSOLE_TOKEN_SECRET')
    const token = await getSecret<string>(secret)
    if (typeof token !== 'string') throw new Error(`the console's token secret ${secret} holds no text`)
    const config = await aws.guardConfig().load()
    const store = aws.guardStore()
    // The rulebook as this cold start finds it: its rules' names, and backtests of them.
    const policy = await aws.rulebook().current()
    const approvals = aws.approvalStore()
    const supervisor = supervisorFor(config, approvals, {
      policy,
      rooms: store,
      decisions: store,
      members: store,
      blacklist: store,
    })
    const events = aws.queue<GroupEvent>('EVENTS_QUEUE_URL')
    return consoleApp(
      {
        viewer,
        supervisor: () => supervisor,
        store,
        requests: approvals,
        facts: aws.factsStore(),
        policy,
        config,
        analytics: { segment: icuWords, stop: CHINESE_STOP_WORDS, utcOffsetMinutes: config.supervision.utcOffsetMinutes },
        days: aws.analyticsStore(),
        say: async (text) => {
          const event: GroupEvent = { kind: 'private', id: `console-${randomUUID()}`, ts: new Date().toISOString(), sender: viewer, text }
          await events.send({ group: 'private', dedupeId: event.id, body: event })
        },
      },
      { token },
    )
  })()
  return app
}

export const handler = withPowertools(async function consoleHandler(event: LambdaEvent, context: Context) {
  return handle(await consoleFromEnv())(event, context)
})
