/**
 * Retraining: the scheduled path that turns the owners' past actions into the ad classifier
 * behind moderate's SageMaker endpoint.
 *
 *   EventBridge schedule → Step Functions:
 *     learn (Lambda: weak-labelled training set → S3 training/<run>/)
 *     → enough examples? no → done
 *     → SageMaker training job (built-in BlazingText, supervised; model → S3 models/)
 *     → model → serverless endpoint config → create the endpoint, or update it when it exists
 *
 * The endpoint's name is fixed per deployment (derived from the construct path, never
 * hard-coded), so moderate knows it before it exists; until the first run creates it, moderate
 * judges by rules alone.
 *
 * @example
 *   const r = new Retraining(this, 'Retraining', { learn, bucket, schedule: Schedule.cron({ hour: '19', minute: '0' }) })
 *   moderate.allow(['sagemaker:InvokeEndpoint'], [r.endpointArn])
 */
import { ArnFormat, Aws, CfnMapping, Duration, Fn, Names, Size, Stack } from 'aws-cdk-lib'
import { InstanceClass, InstanceSize, InstanceType } from 'aws-cdk-lib/aws-ec2'
import { Rule, type Schedule } from 'aws-cdk-lib/aws-events'
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets'
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam'
import type { IFunction } from 'aws-cdk-lib/aws-lambda'
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs'
import type { IBucket } from 'aws-cdk-lib/aws-s3'
import {
  Choice,
  Condition,
  DefinitionBody,
  IntegrationPattern,
  JsonPath,
  LogLevel,
  StateMachine,
  Succeed,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions'
import {
  CallAwsService,
  ContainerDefinition,
  DockerImage,
  LambdaInvoke,
  S3DataType,
  S3Location,
  SageMakerCreateModel,
  SageMakerCreateTrainingJob,
} from 'aws-cdk-lib/aws-stepfunctions-tasks'
import { Construct } from 'constructs'
import { acknowledgeWildcards, renderedArn } from './nag.ts'

/** Accounts that publish SageMaker's BlazingText image, per commercial region (from the SageMaker Python SDK's image table). */
const BLAZINGTEXT_ACCOUNTS: Record<string, string> = {
  'af-south-1': '455444449433',
  'ap-east-1': '286214385809',
  'ap-northeast-1': '501404015308',
  'ap-northeast-2': '306986355934',
  'ap-northeast-3': '364406365360',
  'ap-south-1': '991648021394',
  'ap-southeast-1': '475088953585',
  'ap-southeast-2': '544295431143',
  'ca-central-1': '469771592824',
  'eu-central-1': '813361260812',
  'eu-north-1': '669576153137',
  'eu-south-1': '257386234256',
  'eu-west-1': '685385470294',
  'eu-west-2': '644912444149',
  'eu-west-3': '749696950732',
  'me-south-1': '249704162688',
  'sa-east-1': '855470959533',
  'us-east-1': '811284229777',
  'us-east-2': '825641698319',
  'us-west-1': '632365934929',
  'us-west-2': '433757028032',
}

export interface RetrainingProps {
  /** The learn function (functions/handlers/learn.ts). */
  readonly learn: IFunction
  /** The bucket learn writes `training/` to; models go to `models/`. */
  readonly bucket: IBucket
  readonly schedule: Schedule
  /** Memory of the serverless endpoint. @default 2048 */
  readonly endpointMemoryMb?: number
  /** Concurrent invocations the endpoint serves before throttling. @default 5 */
  readonly endpointMaxConcurrency?: number
}

export class Retraining extends Construct {
  readonly stateMachine: StateMachine
  readonly endpointName: string
  readonly endpointArn: string

  constructor(scope: Construct, id: string, props: RetrainingProps) {
    super(scope, id)
    const memory = props.endpointMemoryMb ?? 2048
    if (![1024, 2048, 3072, 4096, 5120, 6144].includes(memory))
      throw new Error(`endpointMemoryMb must be one of 1024, 2048, …, 6144 (got ${memory})`)
    this.endpointName = Names.uniqueResourceName(this, { maxLength: 50, separator: '-' }).toLowerCase()
    const stack = Stack.of(this)
    this.endpointArn = stack.formatArn({ service: 'sagemaker', resource: 'endpoint', resourceName: this.endpointName })
    const configArns = stack.formatArn({ service: 'sagemaker', resource: 'endpoint-config', resourceName: 'qunguard-*' })

    const images = new CfnMapping(this, 'BlazingTextAccounts', {
      mapping: Object.fromEntries(Object.entries(BLAZINGTEXT_ACCOUNTS).map(([r, a]) => [r, { account: a }])),
    })
    const image = Fn.join('', [images.findInMap(Aws.REGION, 'account'), '.dkr.ecr.', Aws.REGION, '.amazonaws.com/blazingtext:1'])

    // The role SageMaker assumes to train and to serve: read the training set, write and read the model.
    const sagemakerRole = new Role(this, 'SageMakerRole', { assumedBy: new ServicePrincipal('sagemaker.amazonaws.com') })
    sagemakerRole.addToPolicy(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [props.bucket.arnForObjects('training/*'), props.bucket.arnForObjects('models/*')],
      }),
    )
    sagemakerRole.addToPolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [props.bucket.arnForObjects('models/*')] }))
    sagemakerRole.addToPolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.bucket.bucketArn] }))
    sagemakerRole.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [
          stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: '/aws/sagemaker/*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    )
    sagemakerRole.addToPolicy(new PolicyStatement({ actions: ['cloudwatch:PutMetricData'], resources: ['*'] }))

    const learn = new LambdaInvoke(this, 'BuildTrainingSet', {
      lambdaFunction: props.learn,
      payload: TaskInput.fromObject({}),
      payloadResponseOnly: true,
      resultPath: '$.set',
      retryOnServiceExceptions: true,
    })
    const train = new SageMakerCreateTrainingJob(this, 'Train', {
      trainingJobName: JsonPath.stringAt('$.set.runName'),
      // Wait for the job (.sync): the model step needs its artifacts.
      integrationPattern: IntegrationPattern.RUN_JOB,
      role: sagemakerRole,
      algorithmSpecification: { trainingImage: DockerImage.fromRegistry(image) },
      hyperparameters: {
        mode: 'supervised',
        epochs: '10',
        min_count: '2',
        learning_rate: '0.05',
        vector_dim: '64',
        early_stopping: 'true',
        patience: '3',
        min_epochs: '3',
      },
      inputDataConfig: [
        {
          channelName: 'train',
          contentType: 'text/plain',
          dataSource: { s3DataSource: { s3DataType: S3DataType.S3_PREFIX, s3Location: S3Location.fromJsonExpression('$.set.trainUri') } },
        },
        {
          channelName: 'validation',
          contentType: 'text/plain',
          dataSource: {
            s3DataSource: { s3DataType: S3DataType.S3_PREFIX, s3Location: S3Location.fromJsonExpression('$.set.validationUri') },
          },
        },
      ],
      // From the run's input (not S3Location.fromBucket, which would grant delete rights): s3://<bucket>/models/
      outputDataConfig: { s3OutputLocation: S3Location.fromJsonExpression('$.set.modelsUri') },
      resourceConfig: {
        instanceCount: 1,
        instanceType: InstanceType.of(InstanceClass.C5, InstanceSize.XLARGE),
        volumeSize: Size.gibibytes(10),
      },
      stoppingCondition: { maxRuntime: Duration.hours(1) },
      resultSelector: { modelData: JsonPath.stringAt('$.ModelArtifacts.S3ModelArtifacts') },
      resultPath: '$.trained',
    })
    const model = new SageMakerCreateModel(this, 'CreateModel', {
      modelName: JsonPath.stringAt('$.set.runName'),
      role: sagemakerRole,
      primaryContainer: new ContainerDefinition({
        image: DockerImage.fromRegistry(image),
        modelS3Location: S3Location.fromJsonExpression('$.trained.modelData'),
      }),
      resultPath: JsonPath.DISCARD,
    })
    const endpointConfig = new CallAwsService(this, 'CreateServerlessEndpointConfig', {
      service: 'sagemaker',
      action: 'createEndpointConfig',
      parameters: {
        EndpointConfigName: JsonPath.stringAt('$.set.runName'),
        ProductionVariants: [
          {
            VariantName: 'classifier',
            ModelName: JsonPath.stringAt('$.set.runName'),
            ServerlessConfig: { MemorySizeInMB: memory, MaxConcurrency: props.endpointMaxConcurrency ?? 5 },
          },
        ],
      },
      iamResources: [configArns],
      resultPath: JsonPath.DISCARD,
    })
    const describe = new CallAwsService(this, 'FindEndpoint', {
      service: 'sagemaker',
      action: 'describeEndpoint',
      parameters: { EndpointName: this.endpointName },
      iamResources: [this.endpointArn],
      resultPath: JsonPath.DISCARD,
    })
    const endpointParams = { EndpointName: this.endpointName, EndpointConfigName: JsonPath.stringAt('$.set.runName') }
    const update = new CallAwsService(this, 'UpdateEndpoint', {
      service: 'sagemaker',
      action: 'updateEndpoint',
      parameters: endpointParams,
      iamResources: [this.endpointArn, configArns],
    })
    const create = new CallAwsService(this, 'CreateEndpoint', {
      service: 'sagemaker',
      action: 'createEndpoint',
      parameters: endpointParams,
      iamResources: [this.endpointArn, configArns],
    })
    // DescribeEndpoint fails with a validation error until the first run has created it.
    describe.addCatch(create, { errors: ['SageMaker.SageMakerException', 'States.TaskFailed'], resultPath: JsonPath.DISCARD })

    const definition = learn.next(
      new Choice(this, 'EnoughExamples?')
        .when(Condition.booleanEquals('$.set.enough', true), train.next(model).next(endpointConfig).next(describe.next(update)))
        .otherwise(new Succeed(this, 'TooFewExamples', { comment: 'Not enough labelled examples yet; the next run tries again.' })),
    )
    const logs = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH })
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      definitionBody: DefinitionBody.fromChainable(definition),
      timeout: Duration.hours(2),
      tracingEnabled: true,
      logs: { destination: logs, level: LogLevel.ALL },
    })
    new Rule(this, 'Schedule', { schedule: props.schedule, targets: [new SfnStateMachine(this.stateMachine)] })

    const bucketArn = renderedArn(this, props.bucket, props.bucket.bucketArn)
    const arn = (resource: string) => `arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:${resource}`
    acknowledgeWildcards(
      sagemakerRole,
      [
        `Resource::${bucketArn}/training/*`,
        `Resource::${bucketArn}/models/*`,
        'Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/sagemaker/*',
        'Resource::*',
      ],
      'Training sets and models are S3 objects under training/ and models/ named per run; SageMaker writes its logs under /aws/sagemaker/*; cloudwatch:PutMetricData has no resource-level permissions.',
    )
    acknowledgeWildcards(
      this.stateMachine.role,
      [
        `Resource::${renderedArn(this, props.learn, props.learn.functionArn)}:*`,
        `Resource::${arn('training-job/*')}`,
        `Resource::${arn('model/*')}`,
        `Resource::${arn('endpoint-config/qunguard-*')}`,
        'Resource::*',
      ],
      'Each run creates a training job, model and endpoint config named after the run (qunguard-<time>); the Lambda grant covers the function’s versions (:*); X-Ray and log delivery have no resource-level permissions.',
    )
  }
}
