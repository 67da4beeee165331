/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy`. The stateful stack (table, bucket, queues)
 * and the stateless stack (functions, bot host, retraining, alarms, dashboard), checked by
 * cdk-nag's AwsSolutions rules.
 *
 * Context (`-c name=value` or cdk.json):
 *   sagemaker=false          no SageMaker retraining path or endpoint: the in-process classifier only
 *   botHost=false            no Fargate bot host (run bot hosts elsewhere against the same queues)
 *   puppet=<package>         the bot host's Wechaty puppet (default wechaty-puppet-wechat4u)
 *   botAccounts=<accounts>   the WeChat accounts, a Fargate service each: names (jia,yi) or JSON
 *                            ([{"name":"jia"},{"name":"yi","desiredCount":0,"canRemove":false}]);
 *                            default one account, main (docs/accounts.md)
 *   mediaRetentionDays=<n>   days pictures are kept (default 30)
 *   approvalBacklog=<n>      open approval requests that raise the alarm (default 50)
 *   vision=local|aws         how pictures are read: the embedded models in a container image
 *                            (PaddleOCR reads Chinese; default) or Textract + Rekognition
 *   consoleAs=<wxid>         deploy the owner's web console (a function URL with a generated login
 *                            token in Secrets Manager), acting as this owner's WeChat id
 *   guardConfigFile=<path>   a qunguard.yaml for ingest and moderate: validated here (a config
 *                            `doctor` refuses fails the synth), deployed to the media bucket
 */
import fs from 'node:fs'
import { App, Validations } from 'aws-cdk-lib'
import { AwsSolutionsChecks } from 'cdk-nag'
import { loadConfigFile } from '../functions/adapters/local/config-file.ts'
import { parseBotAccounts } from '../lib/bot-host-service.ts'
import { StatefulStack } from '../lib/stateful-stack.ts'
import { StatelessStack } from '../lib/stateless-stack.ts'

const flag = (app: App, name: string, fallback: boolean): boolean => {
  const v = app.node.tryGetContext(name)
  if (v === undefined) return fallback
  if (v === true || v === 'true') return true
  if (v === false || v === 'false') return false
  throw new Error(`context ${name} must be true or false (got ${JSON.stringify(v)})`)
}

export function buildApp(app = new App()): { app: App; stateful: StatefulStack; stateless: StatelessStack } {
  const stateful = new StatefulStack(app, 'QunguardData', {
    mediaRetentionDays: Number(app.node.tryGetContext('mediaRetentionDays') ?? 30),
  })
  const configFile = app.node.tryGetContext('guardConfigFile') as string | undefined
  // The embedded guard's own loader first: the same messages as `doctor` (file, field, reason).
  if (configFile) loadConfigFile(configFile)
  const stateless = new StatelessStack(app, 'QunguardCompute', {
    data: stateful,
    sagemaker: flag(app, 'sagemaker', true),
    botHost: flag(app, 'botHost', true),
    puppet: app.node.tryGetContext('puppet') as string | undefined,
    approvalBacklogThreshold: Number(app.node.tryGetContext('approvalBacklog') ?? 50),
    vision: (app.node.tryGetContext('vision') as 'local' | 'aws' | undefined) ?? 'local',
    guardConfig: configFile ? fs.readFileSync(configFile, 'utf8') : undefined,
    guardConfigSource: configFile,
    consoleAs: app.node.tryGetContext('consoleAs') as string | undefined,
    botAccounts: parseBotAccounts(app.node.tryGetContext('botAccounts')),
  })
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app))
  return { app, stateful, stateless }
}

if (import.meta.url === `file://${process.argv[1]}`) buildApp().app.synth()
