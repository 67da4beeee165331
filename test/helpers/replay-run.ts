/**
 * Runs `qunguard replay` on events in a temporary folder and reads back what it wrote: the
 * decisions (as `decisionLine` normalises them) and the owner-facing messages, for the parity
 * tests that compare replay with the cloud-shaped path.
 */
import fs from 'node:fs'
import path from 'node:path'
import { decisionLine, type ReplayOptions, replay } from '../../bin/commands/replay.ts'
import type { Decision, GroupEvent } from '../../functions/domain/events.ts'
import { tempDir } from './temp-dirs.ts'

export interface Replayed {
  readonly decisions: Decision[]
  /** [to, text] of every owner-facing message, in order. */
  readonly told: [string, string][]
}

export async function replayEvents(
  events: readonly GroupEvent[],
  config: string,
  o: { files?: Record<string, Uint8Array>; policy?: string } & Pick<ReplayOptions, 'pictures'> = {},
): Promise<Replayed> {
  const dir = tempDir('qg-replayed-')
  const file = (name: string, content: string | Uint8Array) => {
    fs.writeFileSync(path.join(dir, name), content)
    return path.join(dir, name)
  }
  for (const [name, bytes] of Object.entries(o.files ?? {})) file(name, bytes)
  await replay({
    history: [file('history.jsonl', events.map((e) => JSON.stringify(e)).join('\n'))],
    config: file('qunguard.yaml', config),
    ...(o.policy ? { policy: file('policy.json', o.policy) } : {}),
    ...(o.pictures ? { pictures: true } : {}),
    out: path.join(dir, 'decisions.jsonl'),
    ownerLog: path.join(dir, 'owner.jsonl'),
    log: () => {},
    progress: false,
  })
  const read = (name: string) =>
    fs
      .readFileSync(path.join(dir, name), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as unknown)
  return {
    decisions: read('decisions.jsonl').map((d) => decisionLine(d as Decision)),
    told: read('owner.jsonl').map((m) => [(m as { to: string }).to, (m as { text: string }).text]),
  }
}
