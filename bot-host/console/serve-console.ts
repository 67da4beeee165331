/**
 * Serves the owner's console (console-app.ts) on Node: localhost by default, with a login token
 * that is given (`--token`, $QUNGUARD_CONSOLE_TOKEN) or made at start and printed.
 *
 * @example
 *   const running = await serveConsole(backend, { port: 8787 })
 *   console.log(`console: ${running.url} token ${running.token}`)
 */
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { type ConsoleBackend, consoleApp, warmAnalytics } from '../../functions/console/console-app.ts'

export interface ServeConsoleOptions {
  /** @default 8787; 0: any free port */
  readonly port?: number | undefined
  /** @default 127.0.0.1 (only this machine) */
  readonly host?: string | undefined
  /** @default $QUNGUARD_CONSOLE_TOKEN, else a new random one */
  readonly token?: string | undefined
  /**
   * Summarise the groups' days that are over as soon as it listens (warmAnalytics), so that no
   * analytics view has to: a day at a time, letting other work run in between (a day of a busy
   * group holds the process some tens of milliseconds). @default false
   */
  readonly warm?: boolean | undefined
}

export interface RunningConsole {
  readonly url: string
  readonly token: string
  /** The warming's end: how many groups were summarised (0 without `warm`); rejects with its error. */
  readonly warmed: Promise<number>
  close(): Promise<void>
}

export async function serveConsole(backend: ConsoleBackend, options: ServeConsoleOptions = {}): Promise<RunningConsole> {
  const token = options.token ?? process.env.QUNGUARD_CONSOLE_TOKEN ?? randomBytes(18).toString('base64url')
  const app = consoleApp(backend, { token })
  const host = options.host ?? '127.0.0.1'
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 8787, hostname: host }, () => resolve(s))
    s.once('error', reject)
  })
  const { port } = server.address() as AddressInfo
  const warmed = options.warm ? warmAnalytics(backend, { pause: () => new Promise((r) => setImmediate(r)) }) : Promise.resolve(0)
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    token,
    warmed,
    close: async () => {
      await warmed.catch(() => {}) // its stores stay open until it is done
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        // A browser keeps its connections open: end them, or close would wait for them.
        if ('closeAllConnections' in server) server.closeAllConnections()
      })
    },
  }
}
