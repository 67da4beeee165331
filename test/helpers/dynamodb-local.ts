/**
 * DynamoDB Local for tests: the jar that ships inside the npm package amplify-dynamodb-simulator,
 * run in memory on a free loopback port with the machine's Java.
 *
 * @example
 *   const ddb = await startDynamoDbLocal()
 *   const table = await ddb.createTable()
 *   await ddb.stop()
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb'

export interface DynamoDbLocal {
  readonly client: DynamoDBClient
  readonly endpoint: string
  createTable(): Promise<string>
  stop(): Promise<void>
}

/** Why DynamoDB Local cannot run here, or undefined when it can. */
export function dynamoDbLocalUnavailable(): string | undefined {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' })
  if (java.error || java.status !== 0) return 'java is not installed (DynamoDB Local needs Java 17+)'
  return undefined
}

function jarDir(): string {
  const pkg = createRequire(import.meta.url).resolve('amplify-dynamodb-simulator/package.json')
  return path.join(path.dirname(pkg), 'emulator')
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

export async function startDynamoDbLocal(): Promise<DynamoDbLocal> {
  const port = await freePort()
  const dir = jarDir()
  const proc: ChildProcess = spawn(
    'java',
    [
      `-Djava.library.path=${path.join(dir, 'DynamoDBLocal_lib')}`,
      '-jar',
      path.join(dir, 'DynamoDBLocal.jar'),
      '-inMemory',
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    {
      stdio: 'ignore',
      cwd: os.tmpdir(), // it writes a metadata file into its working directory
    },
  )
  const endpoint = `http://127.0.0.1:${port}`
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } })
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      await client.send(new ListTablesCommand({}))
      break
    } catch (e) {
      if (Date.now() > deadline || proc.exitCode !== null) {
        proc.kill()
        throw new Error(`DynamoDB Local did not start on ${endpoint}: ${(e as Error).message}`)
      }
      await new Promise((r) => setTimeout(r, 200))
    }
  }
  let n = 0
  return {
    client,
    endpoint,
    async createTable() {
      const name = `guard-${process.pid}-${++n}`
      await client.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
        }),
      )
      return name
    },
    async stop() {
      client.destroy()
      proc.kill()
    },
  }
}

/** The key of the item a low-level DynamoDB request writes or names (`Item.pk`, `Key.pk`). */
export interface RequestKeys {
  readonly Item?: { readonly pk?: { readonly S?: string } }
  readonly Key?: { readonly pk?: { readonly S?: string } }
}

/**
 * A client of the same DynamoDB Local whose requests fail ("connection lost") while `fails`
 * says so: a process that dies part-way through its writes.
 *
 * @example
 *   const dying = dyingClient(ddb.endpoint, (r) => r.Item?.pk?.S === 'DECISIONS')
 */
export function dyingClient(endpoint: string, fails: (request: RequestKeys) => boolean): DynamoDBClient {
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } })
  client.middlewareStack.add(
    (next) => async (args) => {
      if (fails(args.input as RequestKeys)) throw new Error('connection lost')
      return next(args)
    },
    { step: 'build' },
  )
  return client
}
