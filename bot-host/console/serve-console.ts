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
import { type ConsoleBackend, consoleApp } from '../../functions/console/console-app.ts'

export interface ServeConsoleOptions {
  /** @default 8787; 0: any free port */
  readonly port?: number | undefined
  /** @default 127.0.0.1 (only this machine) */
  readonly host?: string | undefined
  /** @default $QUNGUARD_CONSOLE_TOKEN, else a new random one */
  readonly token?: string | undefined
}

export interface RunningConsole {
  readonly url: string
  readonly token: string
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
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        // A browser keeps its connections open: end them, or close would wait for them.
        if ('closeAllConnections' in server) server.closeAllConnections()
      }),
  }
}
