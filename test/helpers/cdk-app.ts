/**
 * A CDK App with the project's own context (cdk.json: its feature flags), as `cdk synth` and
 * `cdk deploy` build it — so that the infra tests check the stacks that are deployed.
 *
 * @example
 *   const app = cdkApp({ guardConfigFile: file })
 */
import fs from 'node:fs'
import { App } from 'aws-cdk-lib'
import { tempDir } from './temp-dirs.ts'

export const cdkJson = JSON.parse(fs.readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>
}

export function cdkApp(context: Record<string, unknown> = {}): App {
  return new App({ outdir: tempDir('qunguard-cdk-'), context: { ...cdkJson.context, ...context } })
}
