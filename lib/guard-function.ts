/**
 * GuardFunction: one qunguard Lambda handler (functions/handlers/<name>.ts) bundled as an ESM
 * file for Node 24 on arm64 — or, with `image`, built as a container image from a Dockerfile
 * (a handler with native models: the vision function's PaddleOCR) — with its own log group, its
 * own role (logs + tracing only — each caller grants exactly the actions the handler uses),
 * active tracing and the Powertools service name and metric namespace.
 *
 * @example
 *   const fn = new GuardFunction(this, 'Ingest', { handler: 'ingest', environment: { TABLE_NAME: table.tableName } })
 *   fn.allow(['dynamodb:GetItem'], [table.tableArn])
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Duration, Validations } from 'aws-cdk-lib'
import { Platform } from 'aws-cdk-lib/aws-ecr-assets'
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam'
import {
  Architecture,
  DockerImageCode,
  DockerImageFunction,
  type FunctionOptions,
  type Function as LambdaFunction,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda'
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs'
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs'
import { Construct } from 'constructs'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const METRIC_NAMESPACE = 'qunguard'

export interface GuardFunctionProps {
  /** The handler file's name under functions/handlers, e.g. `ingest`. */
  readonly handler: string
  readonly environment?: Record<string, string>
  /** @default 512 */
  readonly memorySize?: number
  /** @default 30 s */
  readonly timeout?: Duration
  readonly description?: string
  /** Files (relative to the project root) copied next to the bundle, e.g. a wasm file a package loads at run time. */
  readonly assets?: readonly string[]
  /**
   * Build the function as a container image for arm64 from this Dockerfile (relative to the
   * project root, which is the build context; .dockerignore applies) instead of a bundle.
   */
  readonly image?: { readonly dockerfile: string }
}

export class GuardFunction extends Construct {
  readonly fn: LambdaFunction
  readonly role: Role
  /** The Powertools service name: the `service` dimension of this function's metrics. */
  readonly service: string

  constructor(scope: Construct, id: string, props: GuardFunctionProps) {
    super(scope, id)
    if (!/^[a-z][a-z-]*$/.test(props.handler))
      throw new Error(`GuardFunction handler must be a file name like "ingest" (got "${props.handler}")`)
    this.service = props.handler
    const logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH })
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') })
    this.role.addToPolicy(
      new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    )
    const common: FunctionOptions = {
      description: props.description,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.handler,
        POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
        ...props.environment,
      },
    }
    this.fn = props.image
      ? new DockerImageFunction(this, 'Function', {
          ...common,
          code: DockerImageCode.fromImageAsset(ROOT, { file: props.image.dockerfile, platform: Platform.LINUX_ARM64 }),
        })
      : this.bundled(props, common)
    // X-Ray's PutTraceSegments/PutTelemetryRecords have no resource-level permissions.
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which AWS only allows on Resource "*".',
    })
  }

  private bundled(props: GuardFunctionProps, common: FunctionOptions): NodejsFunction {
    return new NodejsFunction(this, 'Function', {
      ...common,
      entry: path.join(ROOT, `functions/handlers/${props.handler}.ts`),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      projectRoot: ROOT,
      depsLockFilePath: path.join(ROOT, 'package-lock.json'),
      bundling: {
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: true,
        target: 'node24',
        externalModules: ['@aws-sdk/*'],
        // ESM bundles need a require() for the CommonJS dependencies inside them.
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        ...(props.assets?.length
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) =>
                  (props.assets ?? []).map((a) => `cp "${path.join(inputDir, a)}" "${path.join(outputDir, path.basename(a))}"`),
              },
            }
          : {}),
      },
    })
  }

  /** Grants exactly these actions on these resources. */
  allow(actions: string[], resources: string[]): this {
    this.role.addToPolicy(new PolicyStatement({ actions, resources }))
    return this
  }
}
