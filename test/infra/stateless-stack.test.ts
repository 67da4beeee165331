import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { type App, Validations } from 'aws-cdk-lib'
import { Match, Template } from 'aws-cdk-lib/assertions'
import { AwsSolutionsChecks } from 'cdk-nag'
import { beforeAll, describe, expect, it } from 'vitest'
import YAML from 'yaml'
import { buildApp } from '../../bin/app.ts'
import { ConfigError } from '../../functions/domain/config.ts'
import { parseBotAccounts } from '../../lib/bot-host-service.ts'
import { StatefulStack } from '../../lib/stateful-stack.ts'
import { StatelessStack, type StatelessStackProps } from '../../lib/stateless-stack.ts'
import { cdkApp } from '../helpers/cdk-app.ts'
import { tempDir } from '../helpers/temp-dirs.ts'

function build(props: Omit<StatelessStackProps, 'data'> = {}) {
  const app = cdkApp()
  const data = new StatefulStack(app, 'Data')
  const compute = new StatelessStack(app, 'Compute', { data, ...props })
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app))
  return { app, compute, template: Template.fromStack(compute) }
}

/**
 * The actions each function's role may perform, by handler name — with `on`, only those of
 * statements whose resource names it (a construct id such as `FactsTable`), and only the
 * functions that have some.
 */
function actionsByFunction(template: Template, on?: string): Record<string, string[]> {
  const roles = template.findResources('AWS::IAM::Role')
  const policies = Object.values(template.findResources('AWS::IAM::Policy'))
  const out: Record<string, string[]> = {}
  for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
    const service = fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME
    if (!service) continue
    const roleId = fn.Properties.Role['Fn::GetAtt'][0]
    expect(roles[roleId]).toBeDefined()
    const own = policies.filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))
    const actions = own.flatMap((p) =>
      p.Properties.PolicyDocument.Statement.flatMap((s: { Action: string | string[]; Resource: unknown }) =>
        on === undefined || JSON.stringify(s.Resource).includes(on) ? [s.Action].flat() : [],
      ),
    )
    const kept = [...new Set(actions as string[])].filter((a) => !/^(logs|xray):/.test(a)).sort()
    if (on === undefined || kept.length) out[service] = kept
  }
  return out
}

/** Lambda's limit on one function's variables, keys and values together. */
const LAMBDA_ENV_LIMIT = 4096
/** A value CloudFormation fills in (a queue URL, a table name) counted as more than a generated queue URL takes. */
const TOKEN_BYTES = 120

/** Each function's variables, by handler name. */
function environments(template: Template): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {}
  for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
    const vars = fn.Properties.Environment?.Variables
    if (vars?.POWERTOOLS_SERVICE_NAME) out[vars.POWERTOOLS_SERVICE_NAME] = vars
  }
  return out
}

const envBytes = (vars: Record<string, unknown>) =>
  Object.entries(vars).reduce((n, [k, v]) => n + Buffer.byteLength(k) + (typeof v === 'string' ? Buffer.byteLength(v) : TOKEN_BYTES), 0)

const EXAMPLE_CONFIG = fs.readFileSync(new URL('../../qunguard.example.yaml', import.meta.url), 'utf8')

const CONSUME = ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage']

describe('StatelessStack', () => {
  let app: App
  let template: Template
  beforeAll(() => {
    ;({ app, template } = build())
  }, 120_000)

  it('runs six handlers on Node 24 with tracing, each with its own role (vision as a container image)', () => {
    const fns = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (f) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME,
    )
    const service = (f: (typeof fns)[number]) => f.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME
    expect(fns.map((f) => f.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME).sort()).toEqual([
      'approvals',
      'ingest',
      'learn',
      'moderate',
      'monitor',
      'vision',
    ])
    for (const f of fns.filter((f) => service(f) !== 'vision'))
      expect(f.Properties).toMatchObject({ Runtime: 'nodejs24.x', TracingConfig: { Mode: 'Active' }, Architectures: ['arm64'] })
    // The vision image is built FROM the Node 24 Lambda base image (functions/vision.Dockerfile).
    expect(fns.find((f) => service(f) === 'vision')?.Properties).toMatchObject({
      PackageType: 'Image',
      TracingConfig: { Mode: 'Active' },
      Architectures: ['arm64'],
      MemorySize: 2048,
    })
    expect(new Set(fns.map((f) => JSON.stringify(f.Properties.Role))).size).toBe(6)
  })

  it('feeds four handlers from their FIFO queues with partial batch failures', () => {
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'))
    expect(mappings).toHaveLength(4)
    for (const m of mappings) expect(m.Properties).toMatchObject({ FunctionResponseTypes: ['ReportBatchItemFailures'], BatchSize: 10 })
  })

  it('gives each function exactly the actions it uses', () => {
    expect(actionsByFunction(template)).toEqual({
      // ingest judges plain messages with moderate's code: the same actions as moderate.
      ingest: [
        ...CONSUME,
        'dynamodb:BatchWriteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        's3:GetObject',
        'sagemaker:InvokeEndpoint',
        'sqs:SendMessage',
      ].sort(),
      vision: [...CONSUME, 'dynamodb:PutItem', 's3:GetObject', 'sqs:SendMessage', 'transcribe:StartStreamTranscription'].sort(),
      moderate: [
        ...CONSUME,
        'dynamodb:BatchWriteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        's3:GetObject',
        'sagemaker:InvokeEndpoint',
        'sqs:SendMessage',
      ].sort(),
      // Scan: once per table, for the rooms' directory (listRooms).
      approvals: [
        ...CONSUME,
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:Scan',
        'dynamodb:UpdateItem',
        's3:GetObject',
        'sqs:SendMessage',
      ].sort(),
      learn: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 's3:GetObject', 's3:PutObject', 'sqs:SendMessage'],
      monitor: [
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:Scan',
        'dynamodb:UpdateItem',
        's3:GetObject',
        'sqs:SendMessage',
      ],
    })
    // The learned rules' facts are in a table of their own (retraining's Scan and the backups skip them).
    const judging = ['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']
    expect(actionsByFunction(template, 'FactsTable')).toEqual({
      ingest: judging,
      moderate: judging,
      vision: ['dynamodb:PutItem'],
      monitor: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
    })
    for (const fn of ['ingest', 'moderate', 'vision', 'monitor']) expect(environments(template)[fn]?.FACTS_TABLE_NAME, fn).toBeDefined()
    const all = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) =>
      p.Properties.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat()),
    )
    expect(all.filter((a: string) => a.endsWith(':*') || a === '*')).toEqual([])
  })

  it('lets the bot host write only heartbeats to the table, and gives it the puppet token from Secrets Manager', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['dynamodb:PutItem', 'dynamodb:Query'],
            Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['BOTS'] } },
          }),
        ]),
      },
    })
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Secrets: [Match.objectLike({ Name: 'WECHATY_PUPPET_SERVICE_TOKEN' })],
          Environment: Match.arrayWith([Match.objectLike({ Name: 'EVENTS_QUEUE_URL' }), Match.objectLike({ Name: 'ACTIONS_QUEUE_URL' })]),
        }),
      ],
      RuntimePlatform: { CpuArchitecture: 'ARM64' },
    })
    template.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 1,
      DeploymentConfiguration: Match.objectLike({ MaximumPercent: 100, MinimumHealthyPercent: 0 }),
    })
    template.resourceCountIs('AWS::SecretsManager::Secret', 1)
  })

  it('runs one Fargate service per WeChat account (botAccounts), each with its own token, at most one task', () => {
    const { template: t } = build({
      sagemaker: false,
      botAccounts: parseBotAccounts('[{"name":"jia"},{"name":"yi","desiredCount":0,"canRemove":false,"canRecall":true}]'),
    })
    const services = Object.values(t.findResources('AWS::ECS::Service')).map((r) => r.Properties.DesiredCount)
    expect(services.sort()).toEqual([0, 1])
    t.resourceCountIs('AWS::SecretsManager::Secret', 2)
    const envs = Object.values(t.findResources('AWS::ECS::TaskDefinition')).map((r) =>
      Object.fromEntries(
        (r.Properties.ContainerDefinitions[0].Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]),
      ),
    )
    expect(envs.map((e) => [e.BOT_ACCOUNT, e.CAN_REMOVE, e.CAN_RECALL]).sort()).toEqual([
      ['jia', 'true', 'false'],
      ['yi', 'false', 'true'],
    ])
    expect(parseBotAccounts('jia, yi').map((a) => a.name)).toEqual(['jia', 'yi'])
    expect(parseBotAccounts(undefined)).toEqual([{ name: 'main' }])
    expect(() => parseBotAccounts('[{"name":"jia","desiredCount":2}]')).toThrow(/0 or 1.*log each other out/)
    expect(() => parseBotAccounts('jia,jia')).toThrow(/used twice/)
    expect(() => parseBotAccounts('[{"name":"j a"}]')).toThrow(/letters, digits and -/)
    expect(() => parseBotAccounts('[{"name":"jia","token":"x"}]')).toThrow(/unknown field token/)
  })

  it('retrains on a schedule through SageMaker and points moderate at the endpoint', () => {
    const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))
    expect(machines).toHaveLength(1)
    const definition = JSON.stringify(machines[0]?.Properties.DefinitionString)
    for (const step of ['sagemaker:createTrainingJob.sync', 'createModel', 'createEndpointConfig', 'createEndpoint', 'updateEndpoint'])
      expect(definition).toContain(step)
    expect(definition).toContain('ServerlessConfig')
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 19 * * ? *)' })
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' })
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'moderate', CLASSIFIER_ENDPOINT: Match.stringLikeRegexp('^[a-z0-9-]+$') }),
      },
    })
  })

  it('alarms on every dead-letter queue, every function’s errors, missing heartbeats, the approval backlog and failed retraining', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties)
    const byMetric = (name: string) => alarms.filter((a) => a.MetricName === name)
    expect(byMetric('ApproximateNumberOfMessagesVisible')).toHaveLength(5)
    expect(byMetric('Errors')).toHaveLength(6)
    expect(byMetric('MissingHeartbeats')).toEqual([expect.objectContaining({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' })])
    expect(byMetric('LiveBots')).toEqual([expect.objectContaining({ Threshold: 1, TreatMissingData: 'breaching' })])
    expect(byMetric('ApprovalBacklog')).toEqual([expect.objectContaining({ Threshold: 50 })])
    expect(byMetric('ExecutionsFailed')).toHaveLength(1)
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1)
  })

  it('gives moderate the media bucket it reads the in-process model from', () => {
    expect(environments(template).moderate?.MEDIA_BUCKET).toBeDefined()
  })

  it('passes the cdk-nag AwsSolutions pack with only reasoned acknowledgements', () => {
    expect(() => app.synth()).not.toThrow()
  })

  it('bundles each handler into an ES module that loads and exports `handler`', async () => {
    const dir = app.synth().directory
    const bundles = fs
      .readdirSync(dir)
      .map((d) => path.join(dir, d, 'index.mjs'))
      .filter((f) => fs.existsSync(f))
    expect(bundles).toHaveLength(5)
    for (const b of bundles) expect(typeof (await import(pathToFileURL(b).href)).handler).toBe('function')
  })

  it('builds the vision image from its Dockerfile with the project as context, without node_modules, tests or the store', () => {
    const dir = app.synth().directory
    const assets = JSON.parse(fs.readFileSync(path.join(dir, 'Compute.assets.json'), 'utf8')).dockerImages
    const vision = Object.values(assets as Record<string, { source: { directory: string; dockerFile?: string } }>).find(
      (a) => a.source.dockerFile === 'functions/vision.Dockerfile',
    )
    expect(vision).toBeDefined()
    const context = path.join(dir, vision?.source.directory ?? '')
    expect(fs.existsSync(path.join(context, 'functions/handlers/vision-image.mjs'))).toBe(true)
    expect(fs.existsSync(path.join(context, 'package-lock.json'))).toBe(true)
    for (const left of ['node_modules', 'test', '.git']) expect(fs.existsSync(path.join(context, left))).toBe(false)
  })

  it('starts the vision image’s handler: the TypeScript sources load through tsx and export `handler`', async () => {
    const entry = new URL('../../functions/handlers/vision-image.mjs', import.meta.url)
    expect(typeof (await import(entry.href)).handler).toBe('function')
  })
})

describe('StatelessStack with Textract and Rekognition for pictures (vision=aws)', () => {
  it('bundles vision with its wasm files and grants it Textract and Rekognition', async () => {
    const { app, template } = build({ vision: 'aws', botHost: false, sagemaker: false })
    expect(actionsByFunction(template).vision).toEqual(
      [
        ...CONSUME,
        'dynamodb:PutItem',
        'rekognition:DetectFaces',
        'rekognition:DetectLabels',
        'rekognition:DetectModerationLabels',
        's3:GetObject',
        'sqs:SendMessage',
        'textract:DetectDocumentText',
        'transcribe:StartStreamTranscription',
      ].sort(),
    )
    const dir = app.synth().directory
    const bundles = fs
      .readdirSync(dir)
      .map((d) => path.join(dir, d, 'index.mjs'))
      .filter((f) => fs.existsSync(f))
    expect(bundles).toHaveLength(6)
    // The vision function decodes voice (silk-wasm) and QR codes (zxing-wasm), which load their wasm from next to the bundle.
    const vision = bundles.filter((b) => fs.existsSync(path.join(path.dirname(b), 'silk.wasm')))
    expect(vision).toHaveLength(1)
    expect(fs.existsSync(path.join(path.dirname(vision[0] as string), 'zxing_reader.wasm'))).toBe(true)
    expect(typeof (await import(pathToFileURL(vision[0] as string).href)).handler).toBe('function')
  }, 120_000)
})

describe('StatelessStack with the owner’s console (consoleAs)', () => {
  it('serves it from a function URL with a generated token, reading the table and sending only to the events queue; the bundle loads with its charts', async () => {
    const { app, template } = build({ consoleAs: 'wxid_owner', botHost: false, sagemaker: false, vision: 'aws' })
    template.resourceCountIs('AWS::Lambda::Url', 1)
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE' })
    template.resourceCountIs('AWS::SecretsManager::Secret', 1)
    const env = environments(template).console
    expect(env?.CONSOLE_AS).toBe('wxid_owner')
    expect(Object.keys(env ?? {})).toEqual(expect.arrayContaining(['TABLE_NAME', 'EVENTS_QUEUE_URL', 'CONSOLE_TOKEN_SECRET']))
    expect(actionsByFunction(template).console).toEqual(
      [
        'dynamodb:BatchGetItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:Scan',
        'dynamodb:UpdateItem',
        's3:GetObject',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'sqs:SendMessage',
      ].sort(),
    )
    // Its writes: only the summarised days of the analytics (keys beginning ANALYTICS#).
    const writes = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap(
        (p) =>
          (p as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Condition?: unknown }[] } } }).Properties
            .PolicyDocument.Statement,
      )
      .filter((st) => st.Condition !== undefined && [st.Action].flat().includes('dynamodb:BatchWriteItem'))
    expect(writes).toEqual([
      expect.objectContaining({
        Action: ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ANALYTICS#*'] } },
      }),
    ])
    expect(() => app.synth()).not.toThrow()
    const dir = app.synth().directory
    const bundle = fs
      .readdirSync(dir)
      .map((d) => path.join(dir, d, 'index.mjs'))
      .find((f) => fs.existsSync(f) && fs.existsSync(path.join(path.dirname(f), 'echarts.min.js')))
    expect(bundle).toBeDefined()
    expect(fs.existsSync(path.join(path.dirname(bundle as string), 'echarts-wordcloud.min.js'))).toBe(true)
    expect(typeof (await import(pathToFileURL(bundle as string).href)).handler).toBe('function')
  }, 120_000)
})

describe('StatelessStack without SageMaker or the Fargate bot host', () => {
  it('schedules learn alone, gives moderate no endpoint, and still passes cdk-nag', () => {
    const { app, template } = build({ sagemaker: false, botHost: false })
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 0)
    template.resourceCountIs('AWS::ECS::Service', 0)
    const moderate = Object.values(template.findResources('AWS::Lambda::Function')).find(
      (f) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'moderate',
    )
    expect(moderate?.Properties.Environment.Variables.CLASSIFIER_ENDPOINT).toBeUndefined()
    expect(actionsByFunction(template).moderate).not.toContain('sagemaker:InvokeEndpoint')
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 19 * * ? *)',
      Targets: [Match.objectLike({ Arn: Match.anyValue() })],
    })
    expect(() => app.synth()).not.toThrow()
  })

  it('refuses a classifier threshold outside (0, 1]', () => {
    expect(() => build({ classifierThreshold: 1.5, botHost: false })).toThrow(/classifierThreshold/)
  })
})

describe('StatelessStack with a guard config', () => {
  let app: App
  let template: Template
  beforeAll(() => {
    ;({ app, template } = build({ guardConfig: EXAMPLE_CONFIG, guardConfigSource: 'qunguard.example.yaml' }))
  }, 120_000)

  it('keeps every function’s variables small and puts no config in them, only the key of the stored object', () => {
    const envs = environments(template)
    const key = envs.ingest?.QUNGUARD_CONFIG_KEY as string
    expect(key).toMatch(/^config\/guard-[0-9a-f]{64}\.json$/)
    expect(envs.moderate?.QUNGUARD_CONFIG_KEY).toBe(key)
    for (const [name, vars] of Object.entries(envs)) {
      expect(envBytes(vars), name).toBeLessThan(LAMBDA_ENV_LIMIT / 4) // room for many more settings
      for (const v of Object.values(vars)) if (typeof v === 'string') expect(v.length, name).toBeLessThan(200)
    }
    expect(JSON.stringify(envs)).not.toContain('no-ads') // a rule id of the example
  })

  it('writes the validated document under its content’s hash, before the functions that read it, and lets them read only that object', () => {
    const key = environments(template).ingest?.QUNGUARD_CONFIG_KEY as string
    const json = JSON.stringify(YAML.parse(EXAMPLE_CONFIG))
    const [put, ...others] = Object.entries(template.findResources('Custom::AWS'))
    expect(others).toEqual([])
    const create = JSON.stringify(put?.[1].Properties.Create)
    expect(create).toContain('\\"action\\":\\"putObject\\"')
    expect(create).toContain(key)
    expect(create).toContain(JSON.stringify(JSON.stringify(json)).slice(3, -3)) // the Body, escaped twice over
    const fns = Object.values(template.findResources('AWS::Lambda::Function')).filter((f) =>
      ['ingest', 'moderate', 'approvals', 'monitor', 'learn'].includes(f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME),
    )
    expect(fns).toHaveLength(5)
    for (const f of fns) expect(f.DependsOn).toContain(put?.[0])
    const reads = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) =>
      p.Properties.PolicyDocument.Statement.filter((st: { Resource: unknown }) => JSON.stringify(st.Resource).includes('/config/guard-')),
    )
    expect(reads.map((st: { Action: string }) => st.Action).sort()).toEqual([
      's3:GetObject',
      's3:GetObject',
      's3:GetObject',
      's3:GetObject',
      's3:GetObject',
      's3:PutObject',
    ])
    for (const st of reads) expect(JSON.stringify(st.Resource)).toContain(`/${key}`)
  })

  it('still passes the cdk-nag AwsSolutions pack', () => {
    expect(() => app.synth()).not.toThrow()
  })

  it('fails the synth on a misspelt field, naming the file and the field', () => {
    const bad = EXAMPLE_CONFIG.replace('offenceWindowDays', 'offenseWindowDays')
    expect(bad).not.toBe(EXAMPLE_CONFIG)
    expect(() => build({ guardConfig: bad, guardConfigSource: 'qunguard.yaml', botHost: false })).toThrow(ConfigError)
    expect(() => build({ guardConfig: bad, guardConfigSource: 'qunguard.yaml', botHost: false })).toThrow(
      /^qunguard\.yaml: .*offenseWindowDays/,
    )
    expect(() => build({ guardConfig: 'groups: [', botHost: false })).toThrow(/guard config is not valid YAML/)
  })

  it('fails `cdk synth -c guardConfigFile=…` on a misspelt field before building anything', () => {
    const file = path.join(tempDir('qunguard-config-'), 'qunguard.yaml')
    fs.writeFileSync(file, EXAMPLE_CONFIG.replace('offenceWindowDays', 'offenseWindowDays'))
    expect(() => buildApp(cdkApp({ guardConfigFile: file }))).toThrow(/qunguard\.yaml.*offenseWindowDays/)
  })
})
