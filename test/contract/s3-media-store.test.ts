/** S3MediaStore against fauxqs's S3 API on loopback. */
import { randomBytes } from 'node:crypto'
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'
import { type FauxqsServer, startFauxqs } from 'fauxqs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { S3MediaStore } from '../../functions/adapters/aws/s3-media-store.ts'
import { MediaStoreError } from '../../functions/ports/media-store.port.ts'

let server: FauxqsServer
let client: S3Client
let media: S3MediaStore

beforeAll(async () => {
  server = await startFauxqs({ port: 0, logger: false })
  client = new S3Client({
    endpoint: server.address,
    region: 'us-east-1',
    forcePathStyle: true, // *.localhost does not resolve here
    requestChecksumCalculation: 'WHEN_REQUIRED',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  })
  await client.send(new CreateBucketCommand({ Bucket: 'media' }))
  media = new S3MediaStore({ client, bucket: 'media' })
})
afterAll(async () => {
  client?.destroy()
  await server?.stop()
})

describe('S3MediaStore (fauxqs)', () => {
  it('stores and returns the same bytes, over the SQS message limit', async () => {
    const bytes = new Uint8Array(randomBytes(1024 * 1024))
    await media.put('room1/m1.jpg', bytes, 'image/jpeg')
    expect(Buffer.from((await media.get('room1/m1.jpg')) ?? []).equals(Buffer.from(bytes))).toBe(true)
  })

  it('answers undefined for a key it does not have', async () => {
    expect(await media.get('room1/none.jpg')).toBeUndefined()
  })

  it('refuses keys that climb out of their folder', async () => {
    await expect(media.put('../etc/passwd', new Uint8Array(1), 'text/plain')).rejects.toBeInstanceOf(MediaStoreError)
    await expect(media.get('/abs')).rejects.toThrow(/invalid media key/)
  })

  it('translates a missing bucket into a MediaStoreError keeping the cause', async () => {
    const other = new S3MediaStore({ client, bucket: 'no-such-bucket' })
    const err = await other.put('a.jpg', new Uint8Array(1), 'image/jpeg').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(MediaStoreError)
    expect((err as MediaStoreError).cause).toBeDefined()
  })
})
