import { App, Validations } from 'aws-cdk-lib'
import { Match, Template } from 'aws-cdk-lib/assertions'
import { AwsSolutionsChecks } from 'cdk-nag'
import { beforeAll, describe, expect, it } from 'vitest'
import { StatefulStack } from '../../lib/stateful-stack.ts'
import { StatelessStack } from '../../lib/stateless-stack.ts'

let app: App
let template: Template

beforeAll(() => {
  app = new App()
  const data = new StatefulStack(app, 'Data')
  const compute = new StatelessStack(app, 'Compute', { data })
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app))
  template = Template.fromStack(compute)
}, 120_000)

describe('StatelessStack', () => {
  it('runs ingest on Node 24 with tracing, wired to the table and action queue by reference', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      TracingConfig: { Mode: 'Active' },
      Environment: { Variables: Match.objectLike({ TABLE_NAME: Match.anyValue(), ACTIONS_QUEUE_URL: Match.anyValue() }) },
    })
  })

  it('consumes the events queue reporting partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionResponseTypes: ['ReportBatchItemFailures'], BatchSize: 10 })
  })

  it('gives ingest only the DynamoDB and SQS actions it uses', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'))
    const actions = new Set(
      policies.flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat())),
    )
    expect([...actions].filter((a) => a.startsWith('dynamodb:')).sort()).toEqual([
      'dynamodb:ConditionCheckItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
    ])
    expect([...actions].filter((a) => a.startsWith('sqs:SendMessage'))).toEqual(['sqs:SendMessage'])
    expect([...actions].some((a) => a.endsWith(':*'))).toBe(false)
  })

  it('alarms on both dead-letter queues and on handler errors', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    const metrics = alarms.map((a) => a.Properties.MetricName).sort()
    expect(metrics).toEqual(['ApproximateNumberOfMessagesVisible', 'ApproximateNumberOfMessagesVisible', 'Errors'])
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1)
  })

  it('passes the cdk-nag AwsSolutions pack with only reasoned acknowledgements', () => {
    expect(() => app.synth()).not.toThrow()
  })
})
