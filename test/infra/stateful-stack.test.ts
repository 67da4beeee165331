import { Validations } from 'aws-cdk-lib'
import { Match, Template } from 'aws-cdk-lib/assertions'
import { AwsSolutionsChecks } from 'cdk-nag'
import { describe, expect, it } from 'vitest'
import { StatefulStack } from '../../lib/stateful-stack.ts'
import { cdkApp, cdkJson } from '../helpers/cdk-app.ts'

const synth = () => {
  const app = cdkApp()
  const stack = new StatefulStack(app, 'Data')
  return { app, stack, template: Template.fromStack(stack) }
}

describe('StatefulStack', () => {
  it('makes an encrypted table with point-in-time recovery and TTL', () => {
    synth().template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
    })
  })

  it('keeps the learned rules’ short-lived facts in a table of their own: TTL, no backups, deleted with the stack', () => {
    const { template } = synth()
    const tables = Object.values(template.findResources('AWS::DynamoDB::GlobalTable'))
    expect(tables).toHaveLength(2)
    const facts = Object.entries(template.findResources('AWS::DynamoDB::GlobalTable')).find(([id]) => id.startsWith('FactsTable'))?.[1]
    expect(facts?.Properties).toMatchObject({ TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } })
    expect(JSON.stringify(facts?.Properties.Replicas)).not.toContain('PointInTimeRecoveryEnabled":true')
    expect(facts?.DeletionPolicy).toBe('Delete')
  })

  it('makes FIFO queues for events, vision, moderate, approvals and actions, each with an encrypted FIFO dead-letter queue', () => {
    const { template } = synth()
    const queues = template.findResources('AWS::SQS::Queue')
    expect(Object.keys(queues)).toHaveLength(10)
    for (const q of Object.values(queues)) expect(q.Properties).toMatchObject({ FifoQueue: true, SqsManagedSseEnabled: true })
    const redriven = Object.values(queues).filter((q) => q.Properties.RedrivePolicy)
    expect(redriven).toHaveLength(5)
    for (const q of redriven) expect(q.Properties.RedrivePolicy.maxReceiveCount).toBe(5)
    expect(Object.values(queues).some((q) => q.Properties.QueueName)).toBe(false) // names are never hard-coded
  })

  it('denies non-TLS access to queues and buckets', () => {
    const { template } = synth()
    for (const type of ['AWS::SQS::QueuePolicy', 'AWS::S3::BucketPolicy']) {
      const policies = Object.values(template.findResources(type))
      expect(policies.length).toBeGreaterThan(0)
      for (const p of policies) {
        expect(JSON.stringify(p.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"')
      }
    }
  })

  it('blocks public access to the media bucket and expires media', () => {
    synth().template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Prefix: 'media/', ExpirationInDays: 30, Status: 'Enabled' })]) },
      LoggingConfiguration: Match.anyValue(),
    })
  })

  it('refuses a retention below one day at synth', () => {
    expect(() => new StatefulStack(cdkApp(), 'Bad', { mediaRetentionDays: 0 })).toThrow(/mediaRetentionDays must be at least 1/)
  })

  it('passes the cdk-nag AwsSolutions pack with only reasoned acknowledgements', () => {
    const app = cdkApp()
    new StatefulStack(app, 'Data')
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app))
    expect(() => app.synth()).not.toThrow()
  })
})

describe('cdk.json', () => {
  it('sets every feature flag this aws-cdk-lib recommends, each deliberately', async () => {
    const { default: recommended } = (await import('aws-cdk-lib/recommended-feature-flags.json', { with: { type: 'json' } })) as {
      default: Record<string, unknown>
    }
    const set = cdkJson.context
    expect(Object.keys(recommended).filter((k) => !(k in set))).toEqual([])
    // The two we keep off the recommendation, and why (docs/deploy.md):
    expect(set['@aws-cdk/core:defaultCrossStackReferences']).toBe('strong') // the stateless stack imports the tables' exports
    expect(set['@aws-cdk/core:enableAdditionalMetadataCollection']).toBe(false) // no construct metadata sent to AWS
  })
})
