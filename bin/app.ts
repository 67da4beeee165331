/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy`. The stateful stack (data) and the stateless
 * stack (so far the ingest function, its alarms and a dashboard); the Fargate bot host, the other
 * handlers and the SageMaker path are still to come (issue #3).
 */
import { App, Validations } from 'aws-cdk-lib'
import { AwsSolutionsChecks } from 'cdk-nag'
import { StatefulStack } from '../lib/stateful-stack.ts'
import { StatelessStack } from '../lib/stateless-stack.ts'

export function buildApp(app = new App()): { app: App; stateful: StatefulStack; stateless: StatelessStack } {
  const stateful = new StatefulStack(app, 'QunguardData', {
    mediaRetentionDays: Number(app.node.tryGetContext('mediaRetentionDays') ?? 30),
  })
  const stateless = new StatelessStack(app, 'QunguardCompute', { data: stateful })
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app))
  return { app, stateful, stateless }
}

if (import.meta.url === `file://${process.argv[1]}`) buildApp().app.synth()
