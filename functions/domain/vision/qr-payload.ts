/**
 * What a decoded QR code points to, for rules and for the owner: a WeChat group invitation, a
 * person's WeChat card, an official account, a WeChat Pay or Alipay payment code, another web
 * address (with its domain), or plain text.
 *
 * @example
 *   classifyQr('https://weixin.qq.com/g/AbC123') // { text, kind: 'wechat-group', domain: 'weixin.qq.com' }
 *   classifyQr('wxp://f2f0…') // { text, kind: 'wechat-pay' }
 */
export const QR_KINDS = ['wechat-group', 'wechat-contact', 'wechat-official', 'wechat-pay', 'alipay', 'url', 'text'] as const
export type QrKind = (typeof QR_KINDS)[number]

export interface QrPayload {
  readonly text: string
  readonly kind: QrKind
  /** The host of a web address (lower case). */
  readonly domain?: string | undefined
}

const QR_NAMES: Record<QrKind, string> = {
  'wechat-group': '微信群二维码',
  'wechat-contact': '微信名片二维码',
  'wechat-official': '公众号二维码',
  'wechat-pay': '微信收款码',
  alipay: '支付宝收款码',
  url: '网址二维码',
  text: '二维码',
}

/** The kind in words for the owner, e.g. `微信群二维码`. */
export const qrKindName = (kind: QrKind): string => QR_NAMES[kind]

function host(text: string): string | undefined {
  try {
    return new URL(text).hostname.toLowerCase()
  } catch {
    return undefined
  }
}

export function classifyQr(text: string): QrPayload {
  const t = text.trim()
  const lower = t.toLowerCase()
  if (lower.startsWith('wxp://')) return { text: t, kind: 'wechat-pay' }
  if (lower.startsWith('weixin://')) return { text: t, kind: lower.includes('contacts') ? 'wechat-contact' : 'wechat-official' }
  const domain = host(t)
  if (!domain) return { text: t, kind: /^alipays?:/i.test(t) ? 'alipay' : 'text' }
  const path = (() => {
    try {
      return new URL(t).pathname
    } catch {
      return ''
    }
  })()
  if (domain === 'qr.alipay.com' || domain.endsWith('.alipay.com')) return { text: t, kind: 'alipay', domain }
  if (domain === 'payapp.weixin.qq.com' || domain === 'wx.tenpay.com') return { text: t, kind: 'wechat-pay', domain }
  if (domain === 'weixin.qq.com' && path.startsWith('/g/')) return { text: t, kind: 'wechat-group', domain }
  if (domain === 'u.wechat.com') return { text: t, kind: 'wechat-contact', domain }
  if (domain === 'weixin.qq.com' && path.startsWith('/r/')) return { text: t, kind: 'wechat-official', domain }
  if (domain === 'open.weixin.qq.com' && path.startsWith('/qr/')) return { text: t, kind: 'wechat-official', domain }
  return { text: t, kind: 'url', domain }
}
