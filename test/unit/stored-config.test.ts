import { describe, expect, it } from 'vitest'
import { ConfigError, resolveRoomConfig } from '../../functions/domain/config.ts'
import { guardConfigKey, StoredConfig } from '../../functions/domain/stored-config.ts'
import type { MediaStore } from '../../functions/ports/media-store.port.ts'

const KEY = guardConfigKey('a'.repeat(64))
const DOC = { groups: { '*': { rules: [{ id: 'no-ads', any: ['加微信'] }] } } }

/** A media store holding some objects that counts its reads and can fail the next ones. */
function fakeMedia(objects: Record<string, string>) {
  const media = {
    gets: 0,
    failures: 0,
    async get(key: string): Promise<Uint8Array | undefined> {
      media.gets++
      if (media.failures > 0) {
        media.failures--
        throw new Error('S3 is down')
      }
      const text = objects[key]
      return text === undefined ? undefined : new TextEncoder().encode(text)
    },
  } satisfies Pick<MediaStore, 'get'> & { gets: number; failures: number }
  return media
}

describe('Class: StoredConfig', () => {
  it('reads the stored document once and keeps it for every later load', async () => {
    const media = fakeMedia({ [KEY]: JSON.stringify(DOC) })
    const stored = new StoredConfig({ media, key: KEY })
    const [a, b] = await Promise.all([stored.load(), stored.load()])
    const c = await stored.load()
    expect(media.gets).toBe(1)
    expect(a).toBe(b)
    expect(c).toBe(a)
    expect(resolveRoomConfig(c, 'r1@chatroom').rules.map((r) => r.id)).toEqual(['no-ads'])
  })

  it('gives the built-in defaults without a key, reading nothing', async () => {
    const media = fakeMedia({})
    const config = await new StoredConfig({ media, key: undefined }).load()
    expect(resolveRoomConfig(config, 'r1').rules).toEqual([])
    expect(media.gets).toBe(0)
  })

  it('throws naming the key when the object is missing', async () => {
    await expect(new StoredConfig({ media: fakeMedia({}), key: KEY }).load()).rejects.toThrow(
      new ConfigError(`guard config ${KEY} is missing from the store (was the deployment interrupted?)`),
    )
  })

  it('throws with the schema’s message when the stored document is invalid', async () => {
    const media = fakeMedia({ [KEY]: JSON.stringify({ groups: { '*': { offenseWindowDays: 3 } } }) })
    const err = await new StoredConfig({ media, key: KEY }).load().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as Error).message).toMatch(new RegExp(`^guard config ${KEY}: .*offenseWindowDays`))
  })

  it('tries again after a failed read instead of keeping the failure', async () => {
    const media = fakeMedia({ [KEY]: JSON.stringify(DOC) })
    media.failures = 1
    const stored = new StoredConfig({ media, key: KEY })
    await expect(stored.load()).rejects.toThrow('S3 is down')
    await expect(stored.load()).resolves.toBeDefined()
    expect(media.gets).toBe(2)
  })
})

describe('guardConfigKey', () => {
  it('names the content under config/', () => {
    expect(KEY).toBe(`config/guard-${'a'.repeat(64)}.json`)
  })

  it('throws when given anything but a SHA-256 in hex', () => {
    expect(() => guardConfigKey('../x')).toThrow(ConfigError)
  })
})
