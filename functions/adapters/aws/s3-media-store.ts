/**
 * S3MediaStore: MediaStore on an S3 bucket (the stateful stack's media bucket: encrypted,
 * TLS only, expired by a lifecycle rule).
 *
 * @example
 *   const media = new S3MediaStore({ client: new S3Client({}), bucket: process.env.MEDIA_BUCKET })
 */
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import { checkMediaKey, type MediaStore, MediaStoreError } from '../../ports/media-store.port.ts'

export interface S3MediaStoreOptions {
  readonly client: S3Client
  /** From the stack's outputs or env; never hard-coded. */
  readonly bucket: string
}

export class S3MediaStore implements MediaStore {
  private readonly client: S3Client
  private readonly bucket: string

  constructor(options: S3MediaStoreOptions) {
    if (!options.bucket) throw new MediaStoreError('S3MediaStore needs a bucket name')
    this.client = options.client
    this.bucket = options.bucket
  }

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    checkMediaKey(key)
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentType: contentType, ContentLength: bytes.byteLength }),
      )
    } catch (e) {
      throw new MediaStoreError(`S3 put of ${key} failed: ${(e as Error).message}`, { cause: e })
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    checkMediaKey(key)
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }))
      return r.Body ? await r.Body.transformToByteArray() : new Uint8Array()
    } catch (e) {
      if (e instanceof NoSuchKey || (e as { name?: string }).name === 'NoSuchKey') return undefined
      throw new MediaStoreError(`S3 get of ${key} failed: ${(e as Error).message}`, { cause: e })
    }
  }
}
