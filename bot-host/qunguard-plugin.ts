/**
 * QunGuard: the Wechaty plugin that guards every group the bot account is in.
 *
 * It turns Wechaty events into docs/format.md events, queues them per room and per private chat
 * (in order; bounded in memory, the overflow waits in the inbox, none refused), hands them to the Guard, and carries the Guard's decisions out through the bot. The
 * Supervisor puts shadow decisions to the owners in private chats, reads their answers and
 * commands, and — once a minute — expires requests, sends digests and the daily report.
 *
 * Installed on several bots (several WeChat accounts in the same groups), it is still one guard:
 * every account's events go to the same queue (a message both receive is judged once — WeChat
 * gives it the same id), and each action goes to a live account that can carry it out
 * (AccountRouter). With `accounts`, each account beats in the registry; one that misses three
 * beats is failed over and the owners of its groups are told (docs/accounts.md).
 *
 * @example
 *   const store = SqliteGuardStore.open('qunguard.db')
 *   const plugin = QunGuard({ config, store })
 *   bot.use(plugin)
 *   // tests: await plugin.idle() waits until every event seen so far is handled
 */
import type { WechatyPlugin } from 'wechaty'
import type { WechatyInterface } from 'wechaty/impls'
import { SpillingQueue } from '../functions/adapters/local/spilling-queue.ts'
import { MemoryApprovalStore } from '../functions/adapters/memory/memory-approval-store.ts'
import { MemoryBotRegistry } from '../functions/adapters/memory/memory-bot-registry.ts'
import { MemoryEventInbox } from '../functions/adapters/memory/memory-event-inbox.ts'
import { MemoryFactsStore } from '../functions/adapters/memory/memory-facts-store.ts'
import { type Config, parseConfig, queueSettings } from '../functions/domain/config.ts'
import type { GroupEvent } from '../functions/domain/events.ts'
import type { Guard, HandleResult } from '../functions/domain/guard.ts'
import type { LearnedPolicy } from '../functions/domain/learning/rule-learner.ts'
import { groupName, memberName } from '../functions/domain/owner-words.ts'
import type { MessageFeatures } from '../functions/domain/policy.ts'
import { maskEvent, maskPii } from '../functions/domain/privacy.ts'
import { checkBots, roomOwnersOf, strandedNote } from '../functions/domain/registry.ts'
import { GuardSession, privateNote } from '../functions/domain/session.ts'
import { supervisorFor } from '../functions/domain/supervision/catalogue.ts'
import type { Supervisor } from '../functions/domain/supervision/supervisor.ts'
import type { PictureReport } from '../functions/domain/vision/inspector.ts'
import type { BotCapabilities, BotRegistry } from '../functions/ports/bot-registry.port.ts'
import type { EventInbox } from '../functions/ports/event-inbox.port.ts'
import type { FactsStore } from '../functions/ports/facts-store.port.ts'
import type { GuardStore } from '../functions/ports/guard-store.port.ts'
import type { SupervisionStore } from '../functions/ports/supervision-store.port.ts'
import { AccountRouter } from './account-router.ts'
import { Heartbeat } from './heartbeat.ts'
import type { MediaStage } from './media-stage.ts'
import { WechatyActionExecutor, type WechatyActionExecutorOptions } from './wechaty-action-executor.ts'
import { type EventSource, settle, watchWechaty } from './wechaty-event-source.ts'

/** Several accounts guarding the same groups: the registry they beat in, and how failover is timed. */
export interface AccountsConfig {
  /** Where each account's heartbeats go (SqliteBotRegistry on the guard's store). */
  readonly registry: BotRegistry
  /** @default 30 */
  readonly heartbeatSeconds?: number | undefined
  /** An account that has not carried an action out within this is failed over. @default 30 s */
  readonly actionTimeoutMs?: number | undefined
  /** What each account's puppet can do, by WeChat id, by the bot's name (`WechatyBuilder.build({ name })`) or for all (`*`), when known. */
  readonly can?: Readonly<Record<string, BotCapabilities>> | undefined
  /** Where this process runs (shown to owners when an account stops). @default none */
  readonly host?: string | undefined
}

export interface QunGuardConfig {
  /** The store for events, members, offences, decisions and actions. Required. */
  readonly store: GuardStore
  /** The parsed qunguard.yaml. @default every group with the built-in defaults and no rules */
  readonly config: Config
  /** Events held in memory per lane and in all. @default config.queue (1000 per lane, 10000 in all) */
  readonly queue: { readonly memoryPerLane?: number; readonly memoryTotal?: number }
  /** Where events that do not fit in memory wait (the store's inbox). @default in memory (tests: not durable, not bounded) */
  readonly inbox: EventInbox
  /** How actions are carried out on this puppet. */
  readonly actions: WechatyActionExecutorOptions
  /** Called with every handled event: for timelines, metrics and tests. */
  readonly onResult: (result: HandleResult, event: GroupEvent) => void
  /** Called when an event could not be queued or handled. @default logs to stderr */
  readonly onError: (error: Error, event?: GroupEvent) => void
  /** Called with what an operator should know that is not an error. @default logs to stdout */
  readonly onNotice: (line: string) => void
  /** Where approval requests and rules' records are kept. @default in memory (lost on restart) */
  readonly supervision: SupervisionStore
  /** A learned policy (qunguard learn) whose rules run next to the keyword rules. */
  readonly policy: LearnedPolicy | undefined
  /** What the learned rules remember between messages (bursts, catches, rhythm, campaigns). @default in memory (lost on restart) */
  readonly facts: FactsStore
  /** How often requests expire, digests go out and the daily report is due. @default 60 s; 0: never (tests call tick) */
  readonly tickMs: number
  /** The clock. @default the wall clock */
  readonly now: () => Date
  /** Pictures and voice: what they say becomes features for the rules; 识别/评分 are answered. @default none */
  readonly media: MediaStage | undefined
  /** Largest picture or voice file downloaded from WeChat. @default 20 MiB */
  readonly maxMediaBytes: number
  /** Several accounts (the plugin installed on several bots): heartbeats and failover. @default one account, no heartbeats */
  readonly accounts: AccountsConfig | undefined
}

export type QunGuardPlugin = WechatyPlugin & {
  /** Resolves when every event received so far has been handled. */
  idle(): Promise<void>
  /** The guard behind the plugin, once installed. */
  readonly guard: Guard | undefined
  /** The event queue (its stats: received, judged, spilled, peak in memory). */
  readonly queue: SpillingQueue
  /** Wechaty events being converted before they reach the queue, now and at most. */
  readonly converting: { readonly now: number; readonly peak: number }
  /** The supervisor behind the plugin. */
  readonly supervisor: Supervisor
  /** Runs supervision's periodic work now (expiry, digests, report) and carries its effects out. */
  tick(): Promise<void>
  /** Hands an event to the guard as if WeChat had sent it (an owner's answer from the console), in its lane's order. */
  submit(event: GroupEvent): void
  /** The accounts actions go through (their WeChat ids, once logged in). */
  readonly accounts: readonly string[]
  /** Beats for every account and tells owners about accounts that stopped (as the timer does each beat). */
  checkAccounts(): Promise<void>
  /** Stops the periodic work. */
  stop(): void
}

export function QunGuard(options: Partial<QunGuardConfig> & Pick<QunGuardConfig, 'store'>): QunGuardPlugin {
  const config = options.config ?? parseConfig({})
  const onResult = options.onResult ?? (() => {})
  const onError = options.onError ?? ((e: Error) => console.error(`[qunguard] ${maskPii(e.message)}`))
  const onNotice = options.onNotice ?? ((line: string) => console.log(`[qunguard] ${line}`))
  const limits = queueSettings(config)
  let judge: (event: GroupEvent) => Promise<void> = async () => {
    throw new Error('QunGuard is not installed on a bot')
  }
  const queue = new SpillingQueue({
    inbox: options.inbox ?? new MemoryEventInbox(),
    memoryPerLane: options.queue?.memoryPerLane ?? limits.memoryPerLane,
    memoryTotal: options.queue?.memoryTotal ?? limits.memoryTotal,
    handle: (event) => judge(event),
    onError: (e, event) => onError(e, event),
  })
  const sources: EventSource[] = []
  // Every account's conversions, waited on together.
  const source: EventSource = {
    idle: async () => {
      await Promise.all(sources.map((s) => s.idle()))
    },
    get converting() {
      return sources.reduce((n, s) => n + s.converting, 0)
    },
    get peakConverting() {
      return sources.reduce((n, s) => Math.max(n, s.peakConverting), 0)
    },
  }
  const now = options.now ?? (() => new Date())
  const supervision = options.supervision ?? new MemoryApprovalStore()
  const accounts = options.accounts
  const heartbeatSeconds = accounts?.heartbeatSeconds ?? 30
  const registry = accounts?.registry ?? new MemoryBotRegistry()
  const router = new AccountRouter({
    registry,
    heartbeatSeconds,
    actionTimeoutMs: accounts?.actionTimeoutMs,
    now,
    onFailover: (line) => onNotice(line),
    // Nobody live in the group: its owner is told what the guard decided, by name, to do by hand
    // (the names the request carries, else the store's).
    stranded: async (request) => {
      const { room, target } = request.decision
      if (request.names?.room && request.names.target) return strandedNote(request)
      const [record, member] = await Promise.all([options.store.getRoom(room), options.store.getMember(room, target)])
      return strandedNote(request, { room: groupName(record?.topic, room), target: memberName(member?.name, target) })
    },
  })
  const executors: WechatyActionExecutor[] = []
  const beats: Heartbeat[] = []
  let session: GuardSession | undefined
  // Until installed on a bot, supervision is there to read (its rules, records) but acts on nothing.
  let supervisor: Supervisor = supervisorFor(config, supervision, {
    policy: options.policy,
    rooms: options.store,
    blacklist: options.store,
    members: options.store,
    decisions: options.store,
  })
  const timers: NodeJS.Timeout[] = []
  let recovered = false

  const tick = async () => {
    try {
      await session?.tick(now())
    } catch (e) {
      onError(e instanceof Error ? e : new Error(String(e)))
    }
  }

  // Each beat: every account says it is alive; owners of an account that stopped are told once, by a live one.
  const checkAccounts = async () => {
    if (beats.length < 2 && !accounts) return
    try {
      await Promise.all(beats.map((b) => b.beat()))
      const { notes } = await checkBots(registry, now(), {
        heartbeatSeconds,
        roomOwners: roomOwnersOf(options.store, config),
        utcOffsetMinutes: config.supervision.utcOffsetMinutes,
      })
      for (const n of notes) {
        onNotice(n.text.split('\n')[0] ?? '')
        const told = await router.execute(privateNote(n.to, n.text))
        if (told.status === 'failed') onError(new Error(`could not tell ${n.to} that an account stopped: ${told.detail}`))
      }
    } catch (e) {
      onError(e instanceof Error ? e : new Error(String(e)))
    }
  }

  /** The guard, made once for every account the plugin is installed on. */
  const sessionFor = (): GuardSession => {
    if (session) return session
    const s = new GuardSession({
      store: options.store,
      supervision,
      config,
      policy: options.policy,
      facts: options.facts ?? new MemoryFactsStore(),
      executor: router,
      now,
      onProblem: (line) => onError(new Error(line)),
    })
    session = s
    supervisor = s.supervisor
    judge = async function judge(event) {
      let features: MessageFeatures | undefined
      let picture: PictureReport | undefined
      const media = options.media
      if (media && event.kind === 'message' && (event.type === 'image' || event.type === 'voice')) {
        const analysis = await media.analyse(event, () => download(executors, event.id, options.maxMediaBytes ?? 20 * 2 ** 20))
        features = analysis.features
        picture = analysis.picture
        for (const p of analysis.problems) onError(new Error(p), event)
      }
      const { result } = await s.handle(event, { at: now(), features, picture })
      if (result.status === 'invalid') {
        onError(new Error(`invalid ${event.kind} event from Wechaty: ${result.error}`), event)
        return
      }
      onResult(result, event)
    }
    const every = options.tickMs ?? 60_000
    if (every > 0) timers.push(setInterval(() => void tick(), every))
    for (const t of timers) t.unref()
    return s
  }

  const plugin = function installQunGuard(bot: WechatyInterface) {
    const ex = new WechatyActionExecutor(bot, options.actions)
    executors.push(ex)
    sessionFor()
    bot.on('login', (user) => {
      router.add({ id: user.id, executor: ex, alive: () => bot.isLoggedIn })
      // Spilled events an earlier run left in the inbox are judged once logged in (actions need
      // the account), before the lanes' new events.
      if (recovered) return
      recovered = true
      void queue.recover().then((n) => {
        if (n) onNotice(`judging ${n} event(s) an earlier run received but had not judged (the store's inbox)`)
      })
    })
    bot.on('logout', (user) => router.setAside(user.id))
    // Every account beats (each beat, by checkAccounts's timer) once there are several — configured
    // with `accounts`, or simply installed on a second bot (then in a registry in memory).
    const can = (id: string) => accounts?.can?.[id] ?? accounts?.can?.[bot.name()] ?? accounts?.can?.['*']
    const beat = Heartbeat({
      registry,
      intervalSeconds: accounts ? heartbeatSeconds : 0,
      host: accounts?.host,
      canOf: can,
      onError: (e) => onError(e),
    })
    beat(bot)
    beats.push(beat)
    if (beats.length === (accounts ? 1 : 2)) {
      const timer = setInterval(() => void checkAccounts(), heartbeatSeconds * 1000)
      timer.unref()
      timers.push(timer)
      if (!accounts) {
        onNotice(
          `installed on a second account: the accounts beat in memory every ${heartbeatSeconds} s (\`accounts\` keeps them in the store)`,
        )
        void checkAccounts()
      }
    }
    sources.push(
      watchWechaty(bot, {
        queue,
        onMessage: (msg) => ex.remember(msg),
        onError: (e) => onError(e),
      }),
    )
  }

  return Object.defineProperties(plugin, {
    idle: {
      value: () => settle(source, queue),
    },
    guard: { get: () => session?.guard },
    queue: { value: queue },
    converting: { get: () => ({ now: source.converting, peak: source.peakConverting }) },
    supervisor: { get: () => supervisor },
    tick: { value: tick },
    accounts: { get: () => router.ids },
    checkAccounts: { value: checkAccounts },
    submit: {
      value: (event: GroupEvent) =>
        queue.put(event.kind === 'private' ? `private:${event.sender}` : 'room' in event ? event.room : event.kind, maskEvent(event)),
    },
    stop: {
      value: () => {
        for (const t of timers) clearInterval(t)
        for (const b of beats) b.stop()
      },
    },
  }) as QunGuardPlugin
}

/** A picture's or voice message's file, unless the puppet says it is over the limit. */
async function download(executors: readonly WechatyActionExecutor[], id: string, maxBytes: number): Promise<Uint8Array | undefined> {
  const msg = executors.map((ex) => ex.message(id)).find((m) => m !== undefined)
  if (!msg) return undefined
  const box = await msg.toFileBox()
  if (box.size > maxBytes) throw new Error(`file of ${box.size} bytes is over the ${maxBytes}-byte limit`)
  const bytes = await box.toBuffer()
  if (bytes.byteLength > maxBytes) throw new Error(`file of ${bytes.byteLength} bytes is over the ${maxBytes}-byte limit`)
  return new Uint8Array(bytes)
}
