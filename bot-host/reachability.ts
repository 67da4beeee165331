/**
 * Can WeChat be reached through a puppet from this machine? For each host the puppet talks to:
 * a DNS lookup, then a TCP connect, each bounded by a short timeout. `qunguard doctor` runs it
 * so that a machine without a way to WeChat is found before `start` waits for a QR code.
 *
 * The hosts come from the puppet's own source: wechat4u (`wechat4u/src/util/conf.js`, getCONF
 * with its default host wx.qq.com) fetches the login QR code from login.wx.qq.com, calls the
 * web API on wx.qq.com and long-polls new messages on webpush.wx.qq.com.
 *
 * @example
 *   const r = await checkReachability('wechaty-puppet-wechat4u', { timeoutMs: 5000 })
 *   r.level // 'ok' | 'warn' | 'fail'
 */
import dns from 'node:dns/promises'
import net from 'node:net'

/** The two network steps, injectable so that tests need no network. */
export interface Connector {
  /** Resolves a host name to an address; rejects (e.g. ENOTFOUND) when it cannot. */
  lookup(host: string): Promise<string>
  /** Opens and closes a TCP connection; rejects when it cannot. */
  connect(address: string, port: number, timeoutMs: number): Promise<void>
}

export const netConnector: Connector = {
  async lookup(host) {
    return (await dns.lookup(host)).address
  },
  connect(address, port, timeoutMs) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: address, port })
      socket.setTimeout(timeoutMs)
      socket.once('connect', () => {
        socket.destroy()
        resolve()
      })
      socket.once('timeout', () => {
        socket.destroy()
        reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }))
      })
      socket.once('error', (e) => {
        socket.destroy()
        reject(e)
      })
    })
  },
}

interface Endpoint {
  readonly host: string
  readonly port: number
  /** What the puppet needs it for. */
  readonly role: string
  /** Without it the puppet cannot even show the login QR code. */
  readonly essential: boolean
}

/** Where each known puppet connects; `local` for a puppet that needs no network. */
const PUPPET_ENDPOINTS: Readonly<Record<string, readonly Endpoint[] | 'local'>> = {
  'wechaty-puppet-wechat4u': [
    { host: 'login.wx.qq.com', port: 443, role: 'login QR code', essential: true },
    { host: 'wx.qq.com', port: 443, role: 'web API', essential: true },
    { host: 'webpush.wx.qq.com', port: 443, role: 'new messages', essential: false },
  ],
  'wechaty-puppet-mock': 'local',
}

export interface Reachability {
  /** ok: every host answered (or none is needed); warn: not checked, or a non-essential host failed; fail: WeChat cannot be reached. */
  readonly level: 'ok' | 'warn' | 'fail'
  readonly detail: string
  readonly fix?: string | undefined
}

export interface ReachabilityOptions {
  /** Per step (lookup, connect). @default 5000 */
  readonly timeoutMs?: number | undefined
  /** @default the machine's DNS and TCP */
  readonly connector?: Connector | undefined
}

export async function checkReachability(puppet: string, options: ReachabilityOptions = {}): Promise<Reachability> {
  const endpoints = PUPPET_ENDPOINTS[puppet]
  if (endpoints === 'local') return { level: 'ok', detail: `not needed: ${puppet} simulates WeChat in this process` }
  if (!endpoints) {
    return {
      level: 'warn',
      detail: `not checked: qunguard does not know which hosts ${puppet} connects to`,
      fix: 'make sure this machine can reach the service the puppet uses',
    }
  }
  const timeoutMs = options.timeoutMs ?? 5000
  const connector = options.connector ?? netConnector
  const results = await Promise.all(endpoints.map((e) => probe(e, connector, timeoutMs)))
  const failed = results.filter((r) => r.problem)
  const list = results.map((r) => `${r.endpoint.host}:${r.endpoint.port} ${r.problem ?? 'ok'}`).join('; ')
  if (failed.length === 0) return { level: 'ok', detail: `WeChat reachable through ${puppet} (${list})` }
  const fix = `check this machine's DNS, firewall or proxy for ${failed.map((r) => r.endpoint.host).join(', ')}, or choose another puppet with WECHATY_PUPPET`
  if (failed.some((r) => r.endpoint.essential)) {
    return { level: 'fail', detail: `WeChat cannot be reached through ${puppet}: \`start\` would fail (${list})`, fix }
  }
  return {
    level: 'warn',
    detail: `WeChat partly reachable through ${puppet}: ${failed.map((r) => r.endpoint.role).join(', ')} may not work (${list})`,
    fix,
  }
}

async function probe(endpoint: Endpoint, connector: Connector, timeoutMs: number): Promise<{ endpoint: Endpoint; problem?: string }> {
  let address: string
  try {
    address = await within(connector.lookup(endpoint.host), timeoutMs, 'DNS lookup')
  } catch (e) {
    return { endpoint, problem: `DNS lookup failed: ${describe(e)}` }
  }
  try {
    await within(connector.connect(address, endpoint.port, timeoutMs), timeoutMs, 'TCP connect')
  } catch (e) {
    return { endpoint, problem: `TCP connect to ${address} failed: ${describe(e)}` }
  }
  return { endpoint }
}

/** getaddrinfo cannot be cancelled: stop waiting for it instead. */
function within<T>(step: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`${what}: no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })),
      timeoutMs,
    )
    timer.unref()
  })
  return Promise.race([step, timeout]).finally(() => clearTimeout(timer))
}

function describe(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code
  const message = e instanceof Error ? e.message : String(e)
  return code && !message.includes(code) ? `${code} ${message}` : message
}
