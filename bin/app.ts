/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy`. Only the stateful stack exists so far; the
 * stateless stack (functions, Fargate bot host, schedules, alarms) is still to come (issue #3).
 */
import { App, Validations } from 'aws-cdk-lib'
import { AwsSolutionsChecks } from 'cdk-nag'
import { StatefulStack } from '../lib/stateful-stack.ts'

export function buildApp(app = new App()): { app: App; stateful: StatefulStack } {
  const stateful = new StatefulStack(app, 'QunguardData', {
    mediaRetentionDays: Number(app.node.tryGetContext('mediaRetentionDays') ?? 30),
  })
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app))
  return { app, stateful }
}

if (import.meta.url === `file://${process.argv[1]}`) buildApp().app.synth()
