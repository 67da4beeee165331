/**
 * Pictures end to end on wechaty-puppet-mock: a member posts a QR-code picture, the guard reads
 * it (zxing) and a keyword rule on what it points to fires; a member asks 识别 and gets the
 * picture's text with the phone number masked; a broken picture is logged and the message is
 * still stored.
 */
import { FileBox } from 'file-box'
import { afterEach, describe, expect, it } from 'vitest'
import { MediaStage } from '../../bot-host/media-stage.ts'
import { MockWorld } from '../../bot-host/mock-world.ts'
import { QunGuard } from '../../bot-host/qunguard-plugin.ts'
import { SharpImageGate } from '../../functions/adapters/local/sharp-image-gate.ts'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { ZxingQrReader } from '../../functions/adapters/local/zxing-qr-reader.ts'
import { parseConfig } from '../../functions/domain/config.ts'
import { PictureInspector } from '../../functions/domain/vision/inspector.ts'
import { notAPicture, qrPicture } from '../helpers/pictures.ts'

let world: MockWorld | undefined
afterEach(async () => {
  await world?.stop()
  world = undefined
})

describe('pictures on wechaty-puppet-mock', () => {
  it('reads a QR code in a picture, answers 识别 without the phone number, and survives a broken file', async () => {
    const store = SqliteGuardStore.open(':memory:')
    // OCR stands in here (the real PaddleOCR is tested in test/adapters/local-vision.test.ts).
    const text = { ocr: async () => ({ text: '扫码进群 电话13812345678', lines: [] }) }
    const inspector = new PictureInspector({ gate: new SharpImageGate(), qr: await ZxingQrReader.create(), text })
    const errors: string[] = []
    const plugin = QunGuard({
      store,
      config: parseConfig({
        groups: { '*': { rules: [{ id: 'no-group-qr', any: ['微信群二维码'], action: 'warn', reason: '禁止发群二维码' }] } },
      }),
      media: new MediaStage({ inspector }),
      tickMs: 0,
      onError: (e) => errors.push(e.message),
    })
    world = await MockWorld.start({ plugins: [plugin] })
    const owner = world.contact('群主', 'wxid_owner')
    const member = world.contact('老成员')
    const promo = world.contact('推广员')
    const room = world.room('亲子群', { owner, members: [member, promo] })
    const settle = async () => {
      await plugin.idle()
      await world?.settle()
      await plugin.idle()
    }
    promo.say(FileBox.fromBase64((await qrPicture('https://weixin.qq.com/g/AbC123')).toString('base64'), 'qr.png')).to(room)
    await settle()
    expect(world.said(room)).toEqual([expect.stringContaining('禁止发群二维码')])
    const [d] = await store.listDecisions({ room: room.id })
    expect(d).toMatchObject({ rule: 'no-group-qr', action: 'warn', target: promo.id })

    await world.say(member, room, '识别')
    await settle()
    const reply = world.said(room).at(-1) ?? ''
    expect(reply).toContain('扫码进群')
    expect(reply).toContain('138****5678')
    expect(reply).not.toContain('13812345678')

    promo.say(FileBox.fromBase64(notAPicture().toString('base64'), 'broken.png')).to(room)
    await settle()
    expect(errors.join('\n')).toMatch(/header: bad-image/)
    expect(await store.countEvents()).toBeGreaterThanOrEqual(4)
    await store.close()
  }, 30_000)
})
