/**
 * The embedded runtime: one process with Wechaty, the guard, the room queue and a SQLite file.
 * This is what `npm start` (`qunguard start`) runs.
 */
import fs from 'node:fs'
import os from 'node:os'
import qrcodeTerminal from 'qrcode-terminal'
import { ScanStatus, WechatyBuilder } from 'wechaty'
import { CommandTranscriber } from '../functions/adapters/local/command-transcriber.ts'
import { useConfig } from '../functions/adapters/local/config-file.ts'
import { jiebaWords } from '../functions/adapters/local/jieba-words.ts'
import { type LocalVision, type LocalVisionOptions, localVision } from '../functions/adapters/local/local-vision.ts'
import { SilkVoiceDecoder } from '../functions/adapters/local/silk-voice.ts'
import { SqliteAnalyticsStore } from '../functions/adapters/local/sqlite-analytics-store.ts'
import { SqliteBotRegistry } from '../functions/adapters/local/sqlite-bot-registry.ts'
import { SqliteEventInbox } from '../functions/adapters/local/sqlite-event-inbox.ts'
import { SqliteFactsStore } from '../functions/adapters/local/sqlite-facts-store.ts'
import { SqliteGuardStore } from '../functions/adapters/local/sqlite-guard-store.ts'
import { SqliteSupervisionStore } from '../functions/adapters/local/sqlite-supervision-store.ts'
import { type Config, queueSettings } from '../functions/domain/config.ts'
import type { GroupEvent } from '../functions/domain/events.ts'
import type { HandleResult } from '../functions/domain/guard.ts'
import { policyFromJson } from '../functions/domain/learning/policy-file.ts'
import type { LearnedPolicy } from '../functions/domain/learning/rule-learner.ts'
import { maskPii } from '../functions/domain/privacy.ts'
import type { PictureInspector } from '../functions/domain/vision/inspector.ts'
import { consoleAnalytics } from './console/console-words.ts'
import { type RunningConsole, serveConsole } from './console/serve-console.ts'
import { MediaStage } from './media-stage.ts'
import { dropEmptyMemoryCard } from './memory-card.ts'
import { nodeSupport } from './node-support.ts'
import { QunGuard } from './qunguard-plugin.ts'

export const DEFAULT_PUPPET = 'wechaty-puppet-wechat4u'

export interface EmbeddedOptions {
  /** `-c`: the config file. @default ./qunguard.yaml if present, else the built-in defaults */
  readonly configPath?: string | undefined
  /** Where ./qunguard.yaml is looked for. @default process.cwd() */
  readonly cwd?: string | undefined
  /** Puppet package name. @default $WECHATY_PUPPET or wechaty-puppet-wechat4u */
  readonly puppet?: string | undefined
  /** Give up when WeChat has not answered (no login QR code, no login) within this time. @default 90 s */
  readonly connectTimeoutMs?: number | undefined
  /** Options for the puppet's constructor (a token; a Mocker for wechaty-puppet-mock). */
  readonly puppetOptions?: Record<string, unknown> | undefined
  /** The same for each account of `accounts` by its name (tests: a Mocker each); `puppetOptions` when absent. */
  readonly puppetOptionsFor?: ((account: string) => Record<string, unknown> | undefined) | undefined
  /** Loads the picture models. @default localVision */
  readonly loadVision?: ((options: LocalVisionOptions) => Promise<LocalVision>) | undefined
  /** Stops the guard when aborted, as SIGINT does. */
  readonly signal?: AbortSignal | undefined
  /**
   * Serve the owner's console (docs/console.md) once logged in: on `port` (default 8787) of
   * localhost, acting as `as` (an owner's or admin's WeChat id; default the logged-in account).
   */
  readonly console?:
    | { readonly port?: number | undefined; readonly token?: string | undefined; readonly as?: string | undefined }
    | undefined
  readonly log?: ((line: string) => void) | undefined
}

/** A failure the user can fix; printed as one line without a stack trace. */
export class StartupError extends Error {
  override name = 'StartupError'
}

/**
 * The config every command uses (`-c` if given, else ./qunguard.yaml if present, else the
 * defaults — see chooseConfig), saying which one and what in it looks wrong.
 */
export function loadConfigOrDefaults(
  configPath: string | undefined,
  log: (line: string) => void,
  options: { cwd?: string | undefined } = {},
): Config {
  return useConfig(configPath, log, options).config
}

/**
 * Pictures and voice as the config asks. The picture models (seconds of loading) load only when
 * `loadModels()` is called — `start` calls it once WeChat has answered, so the login QR code
 * comes first — and picture checks wait for them: no picture goes unchecked for being early.
 */
export function mediaStage(
  config: Config,
  log: (line: string) => void,
  loadVision: (options: LocalVisionOptions) => Promise<LocalVision> = localVision,
): { stage: MediaStage; loadModels: () => void } {
  const v = config.vision
  let begin = () => {}
  const inspector = v.enabled
    ? new Promise<PictureInspector | undefined>((resolve) => {
        begin = () => {
          begin = () => {}
          log('pictures: loading the models in the background; picture checks wait for them')
          loadVision({
            noOcr: !v.ocr,
            noFacts: !v.facts,
            objects: v.objects,
            maxBytes: v.maxBytes,
            maxPixels: v.maxPixels,
            timeoutMs: v.timeoutMs,
          }).then(
            (vision) => {
              log(describeVision(vision))
              resolve(vision.inspector)
            },
            (e: unknown) => {
              log(`pictures: the models did not load (${(e as Error).message}); pictures are judged without them`)
              resolve(undefined)
            },
          )
        }
      })
    : undefined
  const command = config.voice.command
  log(
    command ? `voice: transcribed by ${command[0]}` : 'voice: decoded, not transcribed (no speech command configured; see docs/vision.md)',
  )
  const stage = new MediaStage({
    inspector,
    voice: {
      decoder: new SilkVoiceDecoder(),
      stt: command ? new CommandTranscriber({ command, timeoutMs: config.voice.timeoutMs }) : undefined,
    },
  })
  return { stage, loadModels: () => begin() }
}

function describeVision(vision: LocalVision): string {
  const on = Object.entries(vision.available)
    .filter(([, ok]) => ok)
    .map(([k]) => k)
  const missing = Object.entries(vision.missing)
  return `pictures: ${on.join(', ') || 'nothing'}${missing.length ? ` (unavailable: ${missing.map(([k, why]) => `${k}: ${why}`).join('; ')})` : ''}`
}

/** Reads the learned policy the config names, or says plainly why it cannot. */
export function loadPolicy(file: string): LearnedPolicy {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (e) {
    throw new StartupError(`cannot read the learned policy ${file} (config "policy"): ${(e as Error).message}`)
  }
  return policyFromJson(text, jiebaWords)
}

/** Resolves the puppet package, or explains how to install it. */
export async function checkPuppet(name: string): Promise<void> {
  try {
    await import(name)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new StartupError(`puppet "${name}" is not installed: run \`npm install ${name}\` or set WECHATY_PUPPET to an installed puppet`)
    }
    throw new StartupError(`puppet "${name}" failed to load: ${(e as Error).message}`)
  }
}

function describeResult(result: HandleResult, event: GroupEvent): string | undefined {
  if (result.status === 'conflict')
    return `${event.ts} ${event.kind} event ${event.id}: an event with this id but different content is stored already (${result.stored.kind} at ${result.stored.ts}); not stored, not judged`
  if (result.status !== 'stored' || result.decisions.length === 0) return undefined
  return result.decisions
    .map(
      (d) =>
        `${event.ts} ${d.decision.room} ${d.decision.target}: ${d.decision.action} (${d.decision.mode}) — ${d.outcome ? `${d.outcome.status}: ${d.outcome.detail}` : 'proposed'}`,
    )
    .join('\n')
}

/** Starts the guard and resolves when it has stopped (SIGINT/SIGTERM or logout). */
export async function runEmbedded(options: EmbeddedOptions): Promise<void> {
  const log = options.log ?? ((line: string) => console.log(line))
  const puppet = options.puppet ?? process.env.WECHATY_PUPPET ?? DEFAULT_PUPPET
  const node = nodeSupport(process.versions.node)
  if (node.level !== 'ok') log(`warning: ${node.detail}; ${node.fix ?? ''}`)
  // Which config was used goes to stderr with the warnings, whatever `log` prints the rest to.
  const config = loadConfigOrDefaults(options.configPath, options.log ?? ((line) => console.error(line)), { cwd: options.cwd })
  await checkPuppet(puppet)
  // Several accounts (config `accounts`): one guard, each account a bot on its own puppet, beating in
  // the store's registry so that a silent one is failed over (docs/accounts.md). Checked before
  // anything is opened: each puppet installed, each token variable set.
  const several = config.accounts
  const accounts = several?.list.map((a) => ({ ...a, puppet: a.puppet ?? puppet })) ?? [{ name: 'qunguard', puppet, tokenEnv: undefined }]
  for (const a of accounts) {
    if (a.puppet !== puppet) await checkPuppet(a.puppet)
    if (a.tokenEnv && !process.env[a.tokenEnv])
      throw new StartupError(`account ${a.name}: the environment variable ${a.tokenEnv} (its puppet token) is not set`)
  }
  const policy = config.policy ? loadPolicy(config.policy) : undefined
  if (policy) {
    const rules = Object.values(policy.rooms).reduce((n, r) => n + r.rules.length, 0)
    log(`learned policy ${config.policy}: ${rules} rules for ${Object.keys(policy.rooms).length} rooms, under the owners' supervision`)
  }
  const { stage: media, loadModels } = mediaStage(config, log, options.loadVision)
  const store = SqliteGuardStore.open(config.store)
  const supervision = SqliteSupervisionStore.open(config.store)
  const facts = SqliteFactsStore.open(config.store)
  const inbox = SqliteEventInbox.open(config.store)
  const limits = queueSettings(config)
  for (const w of limits.warnings) log(`config: ${w}`)
  const waiting = Object.values(await inbox.pending()).reduce((a, b) => a + b, 0)
  if (waiting) log(`${waiting} event(s) received by an earlier run wait in the store's inbox: they are judged after login`)
  const pending = await store.listPendingDecisions()
  if (pending.length) log(`${pending.length} decision(s) from an earlier run were stored but not carried out; see \`qunguard doctor\``)

  const registry = several ? SqliteBotRegistry.open(config.store) : undefined
  const plugin = QunGuard({
    config,
    store,
    supervision,
    policy,
    facts,
    media,
    inbox,
    maxMediaBytes: config.vision.maxBytes,
    ...(several && registry
      ? {
          accounts: {
            registry,
            heartbeatSeconds: several.heartbeatSeconds,
            actionTimeoutMs: several.actionTimeoutSeconds * 1000,
            can: Object.fromEntries(several.list.flatMap((a) => (a.can ? [[`qunguard-${a.name}`, a.can]] : []))),
            host: os.hostname(),
          },
        }
      : {}),
    onNotice: (line) => log(line),
    onResult: (r, e) => {
      const line = describeResult(r, e)
      if (line) log(line)
    },
    onError: (e) => log(`[qunguard] ${maskPii(e.message)}`),
  })
  const bots = accounts.map((a) => {
    const name = several ? `qunguard-${a.name}` : 'qunguard'
    dropEmptyMemoryCard(name)
    const token = a.tokenEnv ? process.env[a.tokenEnv] : undefined
    const bot = WechatyBuilder.build({
      name,
      puppet: a.puppet as never,
      puppetOptions: { ...(options.puppetOptionsFor?.(a.name) ?? options.puppetOptions), ...(token ? { token } : {}) },
    })
    bot.use(plugin)
    return { bot, label: several ? `[${a.name}] ` : '', puppet: a.puppet }
  })

  let reached = false
  let unreachable: ((why: string) => void) | undefined
  let connectTimer: NodeJS.Timeout | undefined
  const markReached = () => {
    reached = true
    clearTimeout(connectTimer)
  }
  let stopping: Promise<void> | undefined
  let running: RunningConsole | undefined
  const stop = async (why: string): Promise<void> => {
    clearTimeout(connectTimer)
    stopping ??= (async () => {
      log(`stopping (${why})…`)
      plugin.stop()
      await running?.close()
      await Promise.all(bots.map(({ bot }) => bot.stop().catch(() => {})))
      await plugin.idle()
      await store.close()
      await supervision.closeStore()
      await days?.close()
      await inbox.close()
      await registry?.close()
    })()
    return stopping
  }

  let consoleStarted = false
  let days: SqliteAnalyticsStore | undefined
  const startConsole = (self: string) => {
    if (!options.console || consoleStarted) return
    consoleStarted = true // one console, whichever account logs in first
    const viewer = options.console.as ?? self
    days = SqliteAnalyticsStore.open(config.store)
    let n = 0
    void serveConsole(
      {
        viewer,
        supervisor: () => plugin.supervisor,
        store,
        requests: supervision,
        facts,
        analytics: consoleAnalytics(config.supervision.utcOffsetMinutes),
        days,
        policy,
        config,
        // The viewer's words, as if sent to the bot in the private chat: judged in order with WeChat's own.
        say: async (text) => {
          plugin.submit({ kind: 'private', id: `console-${Date.now()}-${++n}`, ts: new Date().toISOString(), sender: viewer, text })
          await plugin.idle()
        },
      },
      // The groups' days summarised as it starts, a day at a time between the guard's own work.
      { port: options.console.port, token: options.console.token, warm: true },
    )
      .then((c) => {
        running = c
        log(`console: ${c.url} (as ${viewer}); login token: ${c.token}`)
        c.warmed.catch((e: unknown) => log(`[qunguard] the console's analytics could not be summarised ahead: ${(e as Error).message}`))
      })
      .catch((e: unknown) => log(`[qunguard] could not start the console: ${(e as Error).message}`))
  }

  let loggedIn = 0
  for (const { bot, label } of bots) {
    bot.on('scan', (qrcode, status) => {
      markReached()
      if (status === ScanStatus.Waiting || status === ScanStatus.Timeout) {
        log(`${label}Scan this QR code with the WeChat account the guard should run as:`)
        qrcodeTerminal.generate(qrcode, { small: true }, (code) => log(code))
      } else {
        log(`${label}login: ${ScanStatus[status] ?? status}`)
      }
      loadModels()
    })
    bot.on('login', (user) => {
      markReached()
      loggedIn++
      log(`${label}logged in as ${user.name()} (${user.id}); guarding its groups`)
      loadModels()
      startConsole(user.id)
    })
    // The groups with ids and names, so that owners can key `groups:` by either (once the room
    // snapshots taken at ready are stored).
    bot.on('ready', () => {
      void plugin
        .idle()
        .then(() => bot.Room.findAll())
        .then(async (found) => {
          const rooms = await Promise.all(found.map(async (r) => `${(await r.topic()) || '(no name)'} = ${r.id}`))
          log(`${label}groups (${rooms.length}): ${rooms.join('; ') || 'none yet'}`)
        })
        .catch((e: unknown) => log(`[qunguard] could not list groups: ${(e as Error).message}`))
    })
    // Wechaty reports puppet trouble as 'error' events. Before WeChat has answered, a network
    // error means it cannot be reached: stop with one clear line instead of retrying forever.
    let lastError = ''
    bot.on('error', (e) => {
      const message = e instanceof Error ? e.message : String(e)
      if (!reached && /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET|ENETUNREACH/.test(message)) {
        unreachable?.(message)
        return
      }
      if (message !== lastError) log(`${label}[wechaty] ${message}`)
      lastError = message
    })
    // One account logging out leaves the others guarding (its work moves to them); the last one stops the guard.
    bot.on('logout', (user) => {
      loggedIn--
      log(`${label}${user.name()} logged out`)
      if (loggedIn <= 0) void stop('logout')
      else log(`${label}the other accounts carry on; its groups' owners are told if it stays away for three beats`)
    })
  }

  const finished = new Promise<void>((resolve, reject) => {
    process.once('SIGINT', () => void stop('SIGINT').then(resolve))
    process.once('SIGTERM', () => void stop('SIGTERM').then(resolve))
    options.signal?.addEventListener('abort', () => void stop('aborted').then(resolve), { once: true })
    unreachable = (why) => {
      unreachable = undefined
      void stop('WeChat unreachable').then(() =>
        reject(
          new StartupError(
            `cannot reach WeChat through ${puppet} (${why}): check the network, or choose another puppet with WECHATY_PUPPET`,
          ),
        ),
      )
    }
    const timeoutMs = options.connectTimeoutMs ?? 90_000
    connectTimer = setTimeout(() => {
      if (reached) return
      void stop('no answer from WeChat').then(() =>
        reject(
          new StartupError(
            `could not reach WeChat through ${puppet} within ${Math.round(timeoutMs / 1000)} s: check the network (the web protocol needs wx.qq.com) or choose another puppet with WECHATY_PUPPET`,
          ),
        ),
      )
    }, timeoutMs)
    for (const { bot, puppet: p } of bots)
      bot.start().catch((e: unknown) => {
        void stop('start failed').then(() => reject(new StartupError(`could not start WeChat through ${p}: ${(e as Error).message}`)))
      })
  })
  return finished
}
