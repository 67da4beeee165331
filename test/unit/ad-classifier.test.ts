import { describe, expect, it } from 'vitest'
import { AdClassifier, type LabelledText } from '../../functions/domain/ad-classifier.ts'
import { StoredClassifier } from '../../functions/domain/stored-classifier.ts'
import { ClassifierError } from '../../functions/ports/classifier.port.ts'

const ads = [
  '加微信领红包',
  '兼职日结 加V详聊',
  '代购正品 私聊',
  '刷单返利 日赚三百',
  '扫码进群领优惠券',
  '加我微信 免费送',
  '招代理 日入过千 加v',
]
const chat = [
  '今天几点集合',
  '孩子的作业写完了吗',
  '周末一起去公园吧',
  '谢谢大家的帮助',
  '老师说明天放假',
  '晚饭吃什么好',
  '这个视频真好笑',
]
const examples: LabelledText[] = [
  ...ads.flatMap((text) => [text, `${text}！`, `【推广】${text}`]).map((text) => ({ text, label: 'spam' as const })),
  ...chat.flatMap((text) => [text, `${text}？`, `哈哈 ${text}`]).map((text) => ({ text, label: 'ham' as const })),
]

describe('Class: AdClassifier', () => {
  const model = AdClassifier.train(examples, { bits: 16 })

  it('separates ads from chat it has not seen verbatim', () => {
    expect(model.score('加微信 领优惠券')).toBeGreaterThan(0.5)
    expect(model.score('明天几点去公园')).toBeLessThan(0.5)
    expect(model.trainedOn).toEqual({ spam: 21, ham: 21 })
  })

  it('answers the TextClassifier port', async () => {
    const [ad, hi] = await model.classify(['兼职刷单 加v', '谢谢老师'])
    expect(ad?.label).toBe('spam')
    expect(hi?.label).toBe('ham')
  })

  it('scores the same after a save and load', () => {
    const copy = AdClassifier.fromBytes(model.toBytes())
    for (const t of ['加微信', '晚饭吃什么', 'hello 123']) expect(copy.score(t)).toBeCloseTo(model.score(t), 6)
  })

  it('refuses to train on one label, and to load what it did not save', () => {
    expect(() => AdClassifier.train([{ text: 'x', label: 'spam' }])).toThrow(/both labels/)
    expect(() => AdClassifier.fromBytes(new Uint8Array([1, 2]))).toThrow(/not a qunguard ad classifier/)
    const bytes = model.toBytes()
    expect(() => AdClassifier.fromBytes(bytes.subarray(0, bytes.length - 4))).toThrow(/truncated/)
  })

  it('keeps words from a segmenter as features, and asks for one when loading such a model', () => {
    const words = (t: string) => t.match(/[\u4e00-\u9fff]{2}/g) ?? []
    const segmented = AdClassifier.train(
      [
        { text: '加微信领红包', label: 'spam' },
        { text: '今天天气不错', label: 'ham' },
      ],
      { segment: words, bits: 12 },
    )
    expect(segmented.segmented).toBe(true)
    expect(() => AdClassifier.fromBytes(segmented.toBytes())).toThrow(/word segmentation/)
    let asked = 0
    const copy = AdClassifier.fromBytes(segmented.toBytes(), () => {
      asked++
      return words
    })
    expect(asked).toBe(1)
    expect(copy.score('加微信')).toBeCloseTo(segmented.score('加微信'), 6)
    AdClassifier.fromBytes(model.toBytes(), () => {
      asked++
      return words
    })
    expect(asked).toBe(1) // not asked for a model trained without
  })

  describe('naive Bayes', () => {
    const nb = AdClassifier.train(examples, { bits: 16, method: 'naive-bayes' })

    it('separates ads from chat, and saves, loads and scores as the regression does', () => {
      expect(nb.method).toBe('naive-bayes')
      expect(model.method).toBe('svm')
      expect(nb.score('加微信 领优惠券')).toBeGreaterThan(0.5)
      expect(nb.score('明天几点去公园')).toBeLessThan(0.5)
      const copy = AdClassifier.fromBytes(nb.toBytes())
      expect(copy.method).toBe('naive-bayes')
      for (const t of ['加微信', '晚饭吃什么', 'hello 123']) expect(copy.score(t)).toBeCloseTo(nb.score(t), 6)
    })

    it('ranks ads above chat when a third of the ads are labelled chat (an owner who let them pass)', () => {
      // Each ad appears three times; the owner acted on two of them. Texts the model has not seen.
      const noisy: LabelledText[] = [
        ...ads.flatMap((text) =>
          [text, `${text}！`, `【推广】${text}`].map((t, i) => ({ text: t, label: i === 2 ? ('ham' as const) : ('spam' as const) })),
        ),
        ...chat.flatMap((text) => [text, `${text}？`, `哈哈 ${text}`, `嗯 ${text}`]).map((text) => ({ text, label: 'ham' as const })),
      ]
      const m = AdClassifier.train(noisy, { bits: 16, method: 'naive-bayes' })
      const unseenAds = ['加V领红包 日赚', '代购 私聊领券']
      const unseenChat = ['明天几点去公园', '作业写完了吗']
      const lowestAd = Math.min(...unseenAds.map((t) => m.score(t)))
      for (const t of unseenChat) expect(m.score(t)).toBeLessThan(lowestAd)
    })

    it('with fold, reads disguised contact words as one cue: ads asking to add 微信 teach it ads asking to add 扣扣 or 威信', () => {
      const labelled: LabelledText[] = [
        ...['出游戏币便宜加微信abc123', '代练上分加微信 qq778899', '卖皮肤需要的加微信tt66', '低价充值钻石加微信 kk12'].map((text) => ({
          text,
          label: 'spam' as const,
        })),
        ...['今晚一起开黑吗', '这个英雄怎么玩', '周末有人组队吗', '刚才那局太惨了', '谁有攻略', '版本更新了'].map((text) => ({
          text,
          label: 'ham' as const,
        })),
      ]
      const raw = AdClassifier.train(labelled, { bits: 16, method: 'naive-bayes' })
      const folded = AdClassifier.train(labelled, { bits: 16, method: 'naive-bayes', fold: true })
      for (const t of ['水果便宜卖 威信78785OO78', '看视频请加扣扣876655887']) {
        expect(folded.score(t)).toBeGreaterThan(0.5)
        expect(folded.score(t)).toBeGreaterThan(raw.score(t))
      }
      expect(folded.score('这局谁来打野')).toBeLessThan(0.5)
      // The header says how its features were taken: a saved model reads the same way after loading.
      const copy = AdClassifier.fromBytes(folded.toBytes())
      expect(copy.score('看视频请加扣扣876655887')).toBeCloseTo(folded.score('看视频请加扣扣876655887'), 6)
    })

    it('damps its log-odds by the temperature, and refuses settings that mean nothing', () => {
      const undamped = AdClassifier.train(examples, { bits: 16, method: 'naive-bayes', temperature: 1 })
      expect(undamped.score('加微信 领优惠券')).toBe(1) // log-odds near 50: a threshold means nothing
      const softer = AdClassifier.train(examples, { bits: 16, method: 'naive-bayes', temperature: 10 })
      const logit = (p: number) => Math.log(p / (1 - p))
      expect(2 * logit(softer.score('加微信 领优惠券'))).toBeCloseTo(logit(nb.score('加微信 领优惠券')), 3)
      expect(() => AdClassifier.train(examples, { method: 'naive-bayes', smoothing: 0 })).toThrow(/smoothing/)
      expect(() => AdClassifier.train(examples, { method: 'naive-bayes', temperature: -1 })).toThrow(/temperature/)
    })
  })
})

describe('Class: StoredClassifier', () => {
  it('is unavailable until a model is saved, then loads it and reloads after the refresh time', async () => {
    const objects = new Map<string, Uint8Array>()
    let now = 0
    const stored = new StoredClassifier({ media: { get: async (k) => objects.get(k) }, key: 'm', refreshMs: 1000, now: () => now })
    const err = await stored.classify(['x']).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ClassifierError)
    expect(err).toMatchObject({ kind: 'unavailable' })

    objects.set('m', AdClassifier.train(examples, { bits: 12 }).toBytes())
    await expect(stored.classify(['x'])).rejects.toMatchObject({ kind: 'unavailable' }) // not looked at again yet
    now = 1000
    const [p] = await stored.classify(['加微信领红包'])
    expect(p?.label).toBe('spam')
  })
})

describe('Class: AdClassifier, SVM over adFeatures (the default)', () => {
  const model = AdClassifier.train(examples, { bits: 16 })

  it('catches an ad written in disguise that it learnt in plain text', () => {
    const plain = AdClassifier.train(
      [
        ...['加微信 13800138000', '加微信15852600734 领红包', '微信号 18612345678']
          .flatMap((t) => [t, `${t}！`])
          .map((text) => ({ text, label: 'spam' as const })),
        ...chat.flatMap((t) => [t, `${t}？`]).map((text) => ({ text, label: 'ham' as const })),
      ],
      { bits: 16 },
    )
    expect(plain.score('加🌹微🌹信：衣伍扒伍尔溜玲玲柒叁寺')).toBeGreaterThan(0.5)
    expect(plain.score('明天几点去公园')).toBeLessThan(0.5)
  })

  it('saves its IDF table and calibration with it, and still reads the earlier models', () => {
    const copy = AdClassifier.fromBytes(model.toBytes())
    expect(copy.method).toBe('svm')
    expect(copy.cost).toBe(model.cost)
    for (const t of ['加微信', '晚饭吃什么', 'hello 123']) expect(copy.score(t)).toBeCloseTo(model.score(t), 6)
    const earlier = AdClassifier.train(examples, { bits: 12, method: 'logistic' })
    expect(AdClassifier.fromBytes(earlier.toBytes()).score('加微信')).toBeCloseTo(earlier.score('加微信'), 6)
    const bytes = model.toBytes()
    expect(() => AdClassifier.fromBytes(bytes.subarray(0, bytes.length - 4))).toThrow(/truncated/)
  })

  it('learns a layer per group: one group’s in-joke is not an ad there, and still is elsewhere', () => {
    // In every group “上车” with a price is a ride-share ad; in the drivers' group it is how members
    // agree on carpools, and its owner said so (N) again and again.
    const shared = [
      ...['上车 五十元 私聊', '上车 一百 加微信', '便宜上车 私我', '上车优惠 扫码'].map((text) => ({ text, label: 'spam' as const })),
      ...chat.map((text) => ({ text, label: 'ham' as const })),
    ]
    const drivers = ['上车 五十元 老地方', '上车 一百 明早七点', '上车的在门口等', '今天谁上车'].map((text) => ({
      text,
      label: 'ham' as const,
      group: 'drivers',
    }))
    const layered = AdClassifier.train([...shared, ...shared, ...shared, ...drivers, ...drivers, ...drivers], { bits: 16 })
    const text = '上车 八十元 明早'
    expect(layered.score(text, 'drivers')).toBeLessThan(layered.score(text))
    expect(layered.score(text, 'drivers')).toBeLessThan(0.5)
    expect(layered.score(text, 'another group')).toBe(layered.score(text))
  })

  it('answers the TextClassifier port for a group, through a stored model too', async () => {
    const layered = AdClassifier.train(
      [
        ...['上车 五十元 私聊', '上车 一百 加微信', '便宜上车 私我']
          .flatMap((text) => [text, `${text}！`])
          .map((text) => ({ text, label: 'spam' as const })),
        ...chat.map((text) => ({ text, label: 'ham' as const })),
        ...['上车 五十元 老地方', '上车 一百 明早七点', '今天谁上车']
          .flatMap((text) => [text, `${text}。`])
          .map((text) => ({ text, label: 'ham' as const, group: 'drivers' })),
      ],
      { bits: 16 },
    )
    const bytes = layered.toBytes()
    const media = { get: async () => bytes }
    const stored = new StoredClassifier({ media, key: 'k' })
    const [there] = await stored.classify(['上车 八十元 明早'], 'drivers')
    const [elsewhere] = await stored.classify(['上车 八十元 明早'], 'room-2')
    expect(there?.score).toBeLessThan(elsewhere?.score ?? 0)
  })

  it('chooses its cost among the ones it tries, or keeps the one given', () => {
    expect([0.1, 0.3, 1, 3]).toContain(model.cost)
    expect(AdClassifier.train(examples, { bits: 12, c: 0.5 }).cost).toBe(0.5)
  })
})
