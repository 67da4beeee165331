import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { detectFileEncoding, encodingName, sniffEncoding, TextEncodingError } from '../../functions/adapters/local/text-encoding.ts'
import { tempDir } from '../helpers/temp-dirs.ts'

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/import/${name}`, import.meta.url))

describe('sniffEncoding', () => {
  it('reads a BOM, and UTF-16 without one from its NUL bytes', () => {
    expect(sniffEncoding(Uint8Array.from([0xef, 0xbb, 0xbf, 0x61]))).toBe('utf-8')
    expect(sniffEncoding(Uint8Array.from([0xff, 0xfe, 0x61, 0]))).toBe('utf-16le')
    expect(sniffEncoding(Uint8Array.from([0xfe, 0xff, 0, 0x61]))).toBe('utf-16be')
    expect(sniffEncoding(Buffer.from('localId,Type,一条\n', 'utf16le'))).toBe('utf-16le')
    expect(sniffEncoding(Buffer.from('localId,Type\n', 'utf8'))).toBeUndefined()
  })
})

describe('detectFileEncoding', () => {
  it.each([
    ['wechatmsg.csv', 'utf-8'],
    ['wechatmsg-utf8-bom.csv', 'utf-8'],
    ['wechatmsg-gbk.csv', 'gb18030'],
    ['wechatmsg-utf16le.csv', 'utf-16le'],
    ['wechatmsg-utf16be-bom.csv', 'utf-16be'],
  ])('finds that %s is %s', async (file, encoding) => {
    expect(await detectFileEncoding(fixture(file))).toBe(encoding)
  })

  it('refuses, in Chinese and English and naming the file, bytes that are text in no encoding it knows', async () => {
    const file = path.join(tempDir('qunguard-enc-'), 'binary.csv')
    fs.writeFileSync(file, Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0xff, 0xfe, 0x80, 0x80, 0x0a]))
    const refusal = detectFileEncoding(file)
    await expect(refusal).rejects.toBeInstanceOf(TextEncodingError)
    await expect(refusal).rejects.toThrow(/无法识别文件 .*binary\.csv 的文字编码.*Cannot read .*binary\.csv as text/)
  })

  it('checks a forced encoding over the whole file and names the line where it fails', async () => {
    expect(await detectFileEncoding(fixture('wechatmsg-gbk.csv'), 'GBK')).toBe('gbk')
    await expect(detectFileEncoding(fixture('wechatmsg-gbk.csv'), 'utf-8')).rejects.toThrow(
      /不是有效的 UTF-8 文本（第 2 行附近）.*near line 2/,
    )
    expect(() => encodingName('klingon')).toThrow(TextEncodingError)
  })
})
