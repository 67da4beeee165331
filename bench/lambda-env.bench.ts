/**
 * `npm run bench:lambda-env` — the size of each Lambda function's environment variables, as
 * `cdk synth` would deploy them with a guard config (Lambda refuses more than 4 KB per function,
 * keys and values together). Prints figures; asserts nothing (test/infra asserts the bound).
 *
 * A value CloudFormation fills in at deploy time (a queue URL, the table's or bucket's name) is
 * not known at synth: it is counted as TOKEN_BYTES, more than a generated queue URL takes
 * (https://sqs.<region>.amazonaws.com/<account>/QunguardData-Events….fifo, about 95 bytes).
 *
 * usage: npm run bench:lambda-env -- [--config qunguard.example.yaml]
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { App } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import { buildApp } from '../bin/app.ts'

const TOKEN_BYTES = 120

const { values: args } = parseArgs({
  options: { config: { type: 'string', default: path.resolve(import.meta.dirname, '../qunguard.example.yaml') } },
})

const app = new App({
  outdir: path.join(os.tmpdir(), `qunguard-env-${process.pid}`),
  context: { guardConfigFile: args.config },
})
const { stateless } = buildApp(app)
const template = Template.fromStack(stateless)
console.log(`config: ${args.config}; a deploy-time value counts ${TOKEN_BYTES} bytes`)
console.log('function     variables  bytes (keys + values)  largest')
for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
  const vars: Record<string, unknown> = fn.Properties.Environment?.Variables ?? {}
  const service = vars.POWERTOOLS_SERVICE_NAME
  if (typeof service !== 'string') continue
  const sizes = Object.entries(vars).map(([k, v]) => {
    const bytes = Buffer.byteLength(k) + (typeof v === 'string' ? Buffer.byteLength(v) : TOKEN_BYTES)
    return [k, bytes] as const
  })
  const total = sizes.reduce((s, [, b]) => s + b, 0)
  const [bigName, bigBytes] = sizes.reduce((a, b) => (b[1] > a[1] ? b : a))
  console.log(
    `${service.padEnd(12)} ${String(sizes.length).padStart(9)}  ${String(total).padStart(21)}  ${bigName} (${bigBytes})${total > 4096 ? '  OVER 4 KB' : ''}`,
  )
}
fs.rmSync(app.outdir, { recursive: true, force: true })
