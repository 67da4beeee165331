/**
 * The embedded runtime: one process with Wechaty, the guard, the room queue and a SQLite file.
 * This is what `npm start` (`qunguard start`) runs.
 */
import fs from 'node:fs'
import qrcodeTerminal from 'qrcode-terminal'
import { ScanStatus, WechatyBuilder } from 'wechaty'
import { CommandTranscriber } from '../functions/adapters/local/command-transcriber.ts'
import { loadConfigFile } from '../functions/adapters/local/config-file.ts'
import { jiebaWords } from '../functions/adapters/local/jieba-words.ts'
import { localVision } from '../functions/adapters/local/local-vision.ts'
import { SilkVoiceDecoder } from '../functions/adapters/local/silk-voice.ts'
import { SqliteGuardStore } from '../functions/adapters/local/sqlite-guard-store.ts'
import { SqliteSupervisionStore } from '../functions/adapters/local/sqlite-supervision-store.ts'
import { type Config, parseConfig } from '../functions/domain/config.ts'
import type { GroupEvent } from '../functions/domain/events.ts'
import type { HandleResult } from '../functions/domain/guard.ts'
import { policyFromJson } from '../functions/domain/learning/policy-file.ts'
import type { LearnedPolicy } from '../functions/domain/learning/rule-learner.ts'
import { maskPii } from '../functions/domain/privacy.ts'
import { MediaStage } from './media-stage.ts'
import { dropEmptyMemoryCard } from './memory-card.ts'
import { QunGuard } from './qunguard-plugin.ts'

export const DEFAULT_PUPPET = 'wechaty-puppet-wechat4u'

export interface EmbeddedOptions {
  readonly configPath: string
  /** Puppet package name. @default $WECHATY_PUPPET or wechaty-puppet-wechat4u */
  readonly puppet?: string | undefined
  /** Give up when WeChat has not answered (no login QR code, no login) within this time. @default 90 s */
  readonly connectTimeoutMs?: number | undefined
  readonly log?: ((line: string) => void) | undefined
}

/** A failure the user can fix; printed as one line without a stack trace. */
export class StartupError extends Error {
  override name = 'StartupError'
}

export function loadConfigOrDefaults(configPath: string, log: (line: string) => void): Config {
  if (fs.existsSync(configPath)) return loadConfigFile(configPath)
  log(`no ${configPath} found: running with the defaults (no keyword rules). See qunguard.example.yaml.`)
  return parseConfig({})
}

/** Pictures and voice as the config asks, saying what is available. */
export async function mediaStage(config: Config, log: (line: string) => void): Promise<MediaStage | undefined> {
  const v = config.vision
  const inspector = v.enabled
    ? await localVision({
        noOcr: !v.ocr,
        noFacts: !v.facts,
        objects: v.objects,
        maxBytes: v.maxBytes,
        maxPixels: v.maxPixels,
        timeoutMs: v.timeoutMs,
      })
    : undefined
  if (inspector) {
    const on = Object.entries(inspector.available)
      .filter(([, ok]) => ok)
      .map(([k]) => k)
    log(
      `pictures: ${on.join(', ') || 'nothing'}${
        Object.keys(inspector.missing).length
          ? ` (unavailable: ${Object.entries(inspector.missing)
              .map(([k, why]) => `${k}: ${why}`)
              .join('; ')})`
          : ''
      }`,
    )
  }
  const command = config.voice.command
  log(
    command ? `voice: transcribed by ${command[0]}` : 'voice: decoded, not transcribed (no speech command configured; see docs/vision.md)',
  )
  return new MediaStage({
    inspector: inspector?.inspector,
    voice: {
      decoder: new SilkVoiceDecoder(),
      stt: command ? new CommandTranscriber({ command, timeoutMs: config.voice.timeoutMs }) : undefined,
    },
  })
}

/** Reads the learned policy the config names, or says plainly why it cannot. */
function loadPolicy(file: string): LearnedPolicy {
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
  const config = loadConfigOrDefaults(options.configPath, log)
  await checkPuppet(puppet)
  const policy = config.policy ? loadPolicy(config.policy) : undefined
  if (policy) {
    const rules = Object.values(policy.rooms).reduce((n, r) => n + r.rules.length, 0)
    log(`learned policy ${config.policy}: ${rules} rules for ${Object.keys(policy.rooms).length} rooms, under the owners' supervision`)
  }
  const media = await mediaStage(config, log)
  const store = SqliteGuardStore.open(config.store)
  const supervision = SqliteSupervisionStore.open(config.store)
  const pending = await store.listPendingDecisions()
  if (pending.length) log(`${pending.length} decision(s) from an earlier run were stored but not carried out; see \`qunguard doctor\``)

  const plugin = QunGuard({
    config,
    store,
    supervision,
    policy,
    media,
    maxMediaBytes: config.vision.maxBytes,
    onResult: (r, e) => {
      const line = describeResult(r, e)
      if (line) log(line)
    },
    onError: (e) => log(`[qunguard] ${maskPii(e.message)}`),
  })
  dropEmptyMemoryCard('qunguard')
  const bot = WechatyBuilder.build({ name: 'qunguard', puppet: puppet as never })
  bot.use(plugin)

  let reached = false
  let unreachable: ((why: string) => void) | undefined
  let connectTimer: NodeJS.Timeout | undefined
  const markReached = () => {
    reached = true
    clearTimeout(connectTimer)
  }
  let stopping: Promise<void> | undefined
  const stop = async (why: string): Promise<void> => {
    clearTimeout(connectTimer)
    stopping ??= (async () => {
      log(`stopping (${why})…`)
      plugin.stop()
      await bot.stop().catch(() => {})
      await plugin.idle()
      await store.close()
      await supervision.closeStore()
    })()
    return stopping
  }

  bot.on('scan', (qrcode, status) => {
    markReached()
    if (status === ScanStatus.Waiting || status === ScanStatus.Timeout) {
      log('Scan this QR code with the WeChat account the guard should run as:')
      qrcodeTerminal.generate(qrcode, { small: true })
    } else {
      log(`login: ${ScanStatus[status] ?? status}`)
    }
  })
  bot.on('login', (user) => {
    markReached()
    log(`logged in as ${user.name()} (${user.id}); guarding its groups`)
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
    if (message !== lastError) log(`[wechaty] ${message}`)
    lastError = message
  })
  bot.on('logout', (user) => {
    log(`${user.name()} logged out`)
    void stop('logout')
  })

  const finished = new Promise<void>((resolve, reject) => {
    process.once('SIGINT', () => void stop('SIGINT').then(resolve))
    process.once('SIGTERM', () => void stop('SIGTERM').then(resolve))
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
    bot.start().catch((e: unknown) => {
      void stop('start failed').then(() => reject(new StartupError(`could not start WeChat through ${puppet}: ${(e as Error).message}`)))
    })
  })
  return finished
}
