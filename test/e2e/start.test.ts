/**
 * `qunguard start` on wechaty-puppet-mock: the login QR code comes before the picture models
 * load, and a picture that arrives while they load waits for them instead of going unchecked.
 */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { mock } from 'wechaty-puppet-mock'
import { runEmbedded } from '../../bot-host/embedded.ts'
import { MediaStage } from '../../bot-host/media-stage.ts'
import type { LocalVision } from '../../functions/adapters/local/local-vision.ts'
import { SharpImageGate } from '../../functions/adapters/local/sharp-image-gate.ts'
import { SqliteBotRegistry } from '../../functions/adapters/local/sqlite-bot-registry.ts'
import type { MessageEvent } from '../../functions/domain/events.ts'
import type { PictureInspector, PictureReport } from '../../functions/domain/vision/inspector.ts'
import { tempDir } from '../helpers/temp-dirs.ts'

const report: PictureReport = { qr: [], ocr: '加微信领红包', pii: [], idCardLike: false, plateLike: false, timings: {}, problems: [] }
const fakeInspector = {
  capabilities: { qr: false, ocr: true, facts: false },
  inspect: async () => report,
} as unknown as PictureInspector

function deferred<T>() {
  let resolve: (value: T) => void = () => {}
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

describe('start', () => {
  it('shows the login QR code before it loads the picture models', async () => {
    const d = tempDir('qunguard-start-')
    const config = path.join(d, 'qunguard.yaml')
    fs.writeFileSync(config, `store: ${path.join(d, 'g.db')}\nvision: { enabled: true }\n`)
    const lines: string[] = []
    const mocker = new mock.Mocker()
    const started = deferred<void>()
    const startMocker = mocker.start.bind(mocker)
    mocker.start = () => {
      startMocker()
      started.resolve()
    }
    const models = deferred<LocalVision>()
    const stop = new AbortController()
    const running = runEmbedded({
      configPath: config,
      puppet: 'wechaty-puppet-mock',
      puppetOptions: { mocker },
      log: (line) => lines.push(line),
      loadVision: () => {
        lines.push('<models requested>')
        return models.promise
      },
      signal: stop.signal,
    })
    await started.promise
    expect(lines).not.toContain('<models requested>') // nothing heavy before WeChat has answered
    mocker.scan('https://login.weixin.qq.com/l/qunguard-test')
    await vi.waitFor(() => expect(lines).toContain('<models requested>'))
    const qr = lines.findIndex((l) => l.startsWith('Scan this QR code'))
    expect(qr).toBeGreaterThanOrEqual(0)
    expect(qr).toBeLessThan(lines.indexOf('<models requested>'))
    models.resolve({
      inspector: fakeInspector,
      parts: { gate: new SharpImageGate() },
      available: { qr: false, ocr: true, facts: false },
      missing: {},
    })
    await vi.waitFor(() => expect(lines).toContain('pictures: ocr'))
    stop.abort()
    await running
  })

  it('runs several accounts (config `accounts`): each logs in, beats, and one logging out leaves the others guarding', async () => {
    const d = tempDir('qunguard-accounts-')
    const config = path.join(d, 'qunguard.yaml')
    const store = path.join(d, 'g.db')
    fs.writeFileSync(
      config,
      `store: ${store}\nvision: { enabled: false }\naccounts:\n  heartbeatSeconds: 5\n  list:\n    - { name: jia }\n    - { name: yi, can: { remove: false, recall: true, invite: false } }\n`,
    )
    const mockers = { jia: new mock.Mocker(), yi: new mock.Mocker() }
    const lines: string[] = []
    const stop = new AbortController()
    const running = runEmbedded({
      configPath: config,
      cwd: d,
      puppet: 'wechaty-puppet-mock',
      puppetOptionsFor: (name) => ({ mocker: mockers[name as keyof typeof mockers] }),
      log: (line) => lines.push(line),
      signal: stop.signal,
    })
    await vi.waitFor(() => expect(mockers.yi.puppet).toBeDefined(), { timeout: 5000 })
    const selves = { jia: mockers.jia.createContact({ name: '守卫甲' }), yi: mockers.yi.createContact({ name: '守卫乙' }) }
    mockers.jia.login(selves.jia)
    mockers.yi.login(selves.yi)
    await vi.waitFor(() => expect(lines.filter((l) => l.includes('logged in as'))).toHaveLength(2))
    expect(lines.some((l) => l.startsWith('[jia] logged in as 守卫甲'))).toBe(true)
    expect(lines.some((l) => l.startsWith('[yi] logged in as 守卫乙'))).toBe(true)
    await mockers.jia.puppet.logout()
    await vi.waitFor(() => expect(lines.some((l) => l.startsWith('[jia] the other accounts carry on'))).toBe(true))
    expect(lines.some((l) => l.startsWith('stopping'))).toBe(false)
    stop.abort()
    await running
    const registry = SqliteBotRegistry.open(store)
    const beats = await registry.list()
    await registry.close()
    expect(beats.map((b) => b.bot).sort()).toEqual([selves.jia.id, selves.yi.id].sort())
    expect(beats.find((b) => b.bot === selves.yi.id)?.can).toEqual({ remove: false, recall: true, invite: false })
  })

  it('holds a picture check until the models have loaded, then checks it', async () => {
    const models = deferred<PictureInspector | undefined>()
    const stage = new MediaStage({ inspector: models.promise })
    const picture: MessageEvent = {
      id: 'm1',
      kind: 'message',
      ts: '2026-03-01T20:00:00+08:00',
      room: 'r1@chatroom',
      sender: 'wxid_a',
      type: 'image',
    } as MessageEvent
    let done = false
    const analysis = stage
      .analyse(picture, async () => new Uint8Array([1, 2, 3]))
      .then((a) => {
        done = true
        return a
      })
    await new Promise((r) => setImmediate(r))
    expect(done).toBe(false)
    models.resolve(fakeInspector)
    expect((await analysis).features).toMatchObject({ imageText: '加微信领红包' })
  })
})
