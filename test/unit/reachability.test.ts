import { describe, expect, it } from 'vitest'
import { type Connector, checkReachability } from '../../bot-host/reachability.ts'

/** A connector with no network: `answers` says what each host does. */
function fakeConnector(answers: Record<string, 'ok' | 'no-dns' | 'refused' | 'silent'>): Connector & { calls: string[] } {
  const calls: string[] = []
  return {
    calls,
    async lookup(host) {
      calls.push(`lookup ${host}`)
      if ((answers[host] ?? 'ok') === 'no-dns') throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' })
      return `10.0.0.${Object.keys(answers).indexOf(host) + 2}#${host}`
    },
    connect(address, port) {
      calls.push(`connect ${address} ${port}`)
      const host = address.split('#')[1] ?? ''
      const answer = answers[host] ?? 'ok'
      if (answer === 'silent') return new Promise(() => {})
      if (answer === 'refused')
        return Promise.reject(Object.assign(new Error(`connect ECONNREFUSED ${address}:${port}`), { code: 'ECONNREFUSED' }))
      return Promise.resolve()
    },
  }
}

const WECHAT4U = 'wechaty-puppet-wechat4u'

describe('checkReachability', () => {
  it('is ok when every host wechat4u uses answers on 443, and says which it tried', async () => {
    const connector = fakeConnector({})
    const r = await checkReachability(WECHAT4U, { connector })
    expect(r.level).toBe('ok')
    expect(r.detail).toContain('login.wx.qq.com:443 ok')
    expect(connector.calls).toContain('lookup login.wx.qq.com')
    expect(connector.calls.filter((c) => c.startsWith('connect')).every((c) => c.endsWith(' 443'))).toBe(true)
  })

  it('fails when the login host has no DNS answer, naming the host and what to check', async () => {
    const r = await checkReachability(WECHAT4U, { connector: fakeConnector({ 'login.wx.qq.com': 'no-dns' }) })
    expect(r).toMatchObject({
      level: 'fail',
      detail: expect.stringContaining('login.wx.qq.com:443 DNS lookup failed: getaddrinfo ENOTFOUND'),
    })
    expect(r.fix).toContain('login.wx.qq.com')
  })

  it('fails when a connection is refused or never answered within the timeout', async () => {
    const r = await checkReachability(WECHAT4U, {
      timeoutMs: 20,
      connector: fakeConnector({ 'login.wx.qq.com': 'silent', 'wx.qq.com': 'refused' }),
    })
    expect(r.level).toBe('fail')
    expect(r.detail).toContain('login.wx.qq.com:443 TCP connect')
    expect(r.detail).toContain('no answer within 20 ms')
    expect(r.detail).toContain('ECONNREFUSED')
  })

  it('warns when only the message push host fails', async () => {
    const r = await checkReachability(WECHAT4U, { connector: fakeConnector({ 'webpush.wx.qq.com': 'refused' }) })
    expect(r).toMatchObject({ level: 'warn', detail: expect.stringContaining('new messages may not work') })
  })

  it('skips the mock puppet with a note and touches no network', async () => {
    const connector = fakeConnector({})
    const r = await checkReachability('wechaty-puppet-mock', { connector })
    expect(r).toEqual({ level: 'ok', detail: expect.stringContaining('not needed') })
    expect(connector.calls).toEqual([])
  })

  it('says a puppet it knows no hosts for was not checked', async () => {
    const r = await checkReachability('wechaty-puppet-padlocal', { connector: fakeConnector({}) })
    expect(r).toMatchObject({ level: 'warn', detail: expect.stringContaining('not checked') })
  })
})
