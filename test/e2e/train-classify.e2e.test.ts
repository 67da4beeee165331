/** `qunguard train` → model folder → `qunguard classify`: labelled corpus in, predictions out. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { classify, train } from '../../bin/commands/classify.ts'

const ads = ['加微信领红包', '兼职日结 加V详聊', '代购正品 私聊', '刷单返利 日赚三百', '扫码进群领优惠券', '招代理 日入过千']
const chat = ['今天几点集合', '孩子的作业写完了吗', '周末一起去公园吧', '谢谢大家的帮助', '老师说明天放假', '晚饭吃什么好']

describe('train → classify', () => {
  it('trains a model folder from a corpus and writes one {id,label,score} line per input text', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qunguard-classify-'))
    try {
      const corpus = path.join(dir, 'corpus.jsonl')
      const rows = [...ads.map((text) => ({ text, label: 'spam' })), ...chat.map((text) => ({ text, label: 'ham' })), { text: 'no label' }]
      fs.writeFileSync(corpus, rows.map((r) => JSON.stringify(r)).join('\n'))
      const log: string[] = []
      const s = train({ corpus: [corpus], out: path.join(dir, 'model'), log: (l) => log.push(l) })
      expect(s).toMatchObject({ spam: 6, ham: 6 })
      expect(log).toEqual([expect.stringContaining('corpus.jsonl:13: skipped')])

      const input = path.join(dir, 'texts.jsonl')
      fs.writeFileSync(input, ['{"id":"1","text":"加V领红包"}', '{"id":2,"text":"明天去公园"}', '{"text":"no id"}'].join('\n'))
      const out = path.join(dir, 'predictions.jsonl')
      const r = await classify({ model: path.join(dir, 'model'), input, out, log: () => {} })
      expect(r).toEqual({ classified: 2, spam: 1, skipped: 1 })
      const lines = fs
        .readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
      expect(lines).toEqual([
        { id: '1', label: 'spam', score: expect.any(Number) },
        { id: 2, label: 'ham', score: expect.any(Number) },
      ])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('trains with Chinese words (--words, jieba) and classifies with them again', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qunguard-classify-'))
    try {
      const corpus = path.join(dir, 'corpus.jsonl')
      const rows = [...ads.map((text) => ({ text, label: 'spam' })), ...chat.map((text) => ({ text, label: 'ham' }))]
      fs.writeFileSync(corpus, rows.map((r) => JSON.stringify(r)).join('\n'))
      train({ corpus: [corpus], out: path.join(dir, 'model'), words: true, log: () => {} })
      const input = path.join(dir, 'texts.jsonl')
      fs.writeFileSync(input, ['{"id":"1","text":"招代理，日入过千"}', '{"id":"2","text":"周末去公园"}'].join('\n'))
      const out = path.join(dir, 'predictions.jsonl')
      await classify({ model: path.join(dir, 'model'), input, out, log: () => {} })
      const labels = fs
        .readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).label)
      expect(labels).toEqual(['spam', 'ham'])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
