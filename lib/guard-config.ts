/**
 * GuardConfig: the guard's qunguard.yaml, validated at synth with the schema the functions use,
 * and deployed as a JSON object in the media bucket under its content's hash
 * (`config/guard-<sha256>.json`). Functions get only the key (QUNGUARD_CONFIG_KEY), read the
 * object once per cold start and may read nothing else under `config/`: a Lambda environment
 * holds at most 4 KB, which a real config overflows.
 *
 * A config the schema refuses fails `cdk synth` with the field and the reason. Old objects are
 * kept: a function still running with the previous key can read it until replaced.
 *
 * @example
 *   const config = new GuardConfig(this, 'GuardConfig', { bucket, text: fs.readFileSync('qunguard.yaml', 'utf8') })
 *   config.grantRead(ingest)
 */
import { createHash } from 'node:crypto'
import { Stack, Validations } from 'aws-cdk-lib'
import { PolicyStatement } from 'aws-cdk-lib/aws-iam'
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs'
import type { IBucket } from 'aws-cdk-lib/aws-s3'
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources'
import { Construct } from 'constructs'
import YAML from 'yaml'
import { ConfigError, parseConfig } from '../functions/domain/config.ts'
import { guardConfigKey } from '../functions/domain/stored-config.ts'
import type { GuardFunction } from './guard-function.ts'

/** The construct id CDK gives the per-stack AwsCustomResource provider function (`AWS` + its fixed uuid). */
const AWS_CUSTOM_RESOURCE_PROVIDER = 'AWS679f53fac002430cb0da5b7982bd2287'

export interface GuardConfigProps {
  /** The bucket the functions read it from (the stateful stack's media bucket). */
  readonly bucket: IBucket
  /** qunguard.yaml (YAML or JSON text). */
  readonly text: string
  /** What to call it in errors. @default 'guard config' */
  readonly source?: string
}

export class GuardConfig extends Construct {
  /** The object's key in the bucket. */
  readonly key: string
  readonly deployment: AwsCustomResource
  private readonly bucket: IBucket

  constructor(scope: Construct, id: string, props: GuardConfigProps) {
    super(scope, id)
    const source = props.source ?? 'guard config'
    let doc: unknown
    try {
      doc = YAML.parse(props.text, { prettyErrors: true })
    } catch (e) {
      throw new ConfigError(`${source} is not valid YAML: ${(e as Error).message}`, { cause: e })
    }
    try {
      parseConfig(doc)
    } catch (e) {
      if (e instanceof ConfigError) throw new ConfigError(`${source}: ${e.message}`, { cause: e })
      throw e
    }
    // The document as written (not with defaults filled in): the functions validate it again.
    const json = JSON.stringify(doc ?? {})
    this.key = guardConfigKey(createHash('sha256').update(json).digest('hex'))
    this.bucket = props.bucket
    // One PutObject at deploy time, allowed on this key only (a BucketDeployment would need write
    // access to the whole bucket and a 22 MB AWS CLI layer).
    const put = {
      service: 'S3',
      action: 'putObject',
      parameters: { Bucket: props.bucket.bucketName, Key: this.key, Body: json, ContentType: 'application/json' },
      physicalResourceId: PhysicalResourceId.of(this.key),
    }
    this.deployment = new AwsCustomResource(this, 'Deploy', {
      onCreate: put,
      onUpdate: put,
      // Deleting the stack (or replacing the config) leaves the object: the bucket is retained too.
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({ actions: ['s3:PutObject'], resources: [props.bucket.arnForObjects(this.key)] }),
      ]),
      installLatestAwsSdk: false,
      logGroup: new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH }),
    })
    // The provider is one function per stack, made by CDK: acknowledge on its role only.
    const provider = Stack.of(this).node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER)
    const role = provider?.node.tryFindChild('ServiceRole')
    if (!role) throw new Error(`GuardConfig: CDK's AwsCustomResource provider is no longer ${AWS_CUSTOM_RESOURCE_PROVIDER}/ServiceRole`)
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'CDK’s AwsCustomResource provider function (it writes the guard config) logs with the basic execution role.',
    })
  }

  /** Lets a function read the config (that object only) and tells it where: QUNGUARD_CONFIG_KEY in MEDIA_BUCKET. */
  grantRead(fn: GuardFunction): void {
    fn.allow(['s3:GetObject'], [this.bucket.arnForObjects(this.key)])
    fn.fn.addEnvironment('QUNGUARD_CONFIG_KEY', this.key)
    fn.fn.addEnvironment('MEDIA_BUCKET', this.bucket.bucketName)
    // The object exists before a function that reads it is created or updated.
    fn.fn.node.addDependency(this.deployment)
  }
}
