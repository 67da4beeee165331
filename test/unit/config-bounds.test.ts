import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SqliteGuardStore } from '../../functions/adapters/local/sqlite-guard-store.ts'
import { MemoryApprovalStore } from '../../functions/adapters/memory/memory-approval-store.ts'
import { ConfigSchema } from '../../functions/domain/config.ts'
import { Guard } from '../../functions/domain/guard.ts'
import { supervisorFor } from '../../functions/domain/supervision/catalogue.ts'
import { account, at, join, message, roomSnapshot } from '../helpers/factories.ts'

/** Every number the schema has, as a path into the config document. */
const NUMBER_FIELDS = [
  ['queueLimit'],
  ['groups', '*', 'offenceWindowDays'],
  ['groups', '*', 'rules', 0, 'newcomerHours'],
  ['groups', '*', 'pictures', 'nsfwThreshold'],
  ['supervision', 'expiryHours'],
  ['supervision', 'maxPerHour'],
  ['supervision', 'digestMinutes'],
  ['supervision', 'dailyBudget'],
  ['supervision', 'reportHour'],
  ['supervision', 'utcOffsetMinutes'],
  ['supervision', 'promote', 'approvals'],
  ['supervision', 'promote', 'lowerBound'],
  ['supervision', 'promote', 'confidence'],
  ['supervision', 'demote', 'rejections'],
  ['supervision', 'demote', 'window'],
  ['vision', 'maxBytes'],
  ['vision', 'maxPixels'],
  ['vision', 'timeoutMs'],
  ['voice', 'timeoutMs'],
] as const

/** Numbers near every bound the schema could have, and anything else a double can be. */
const aNumber = fc.oneof(
  fc.constantFrom(
    -1e300,
    -1e12,
    -721,
    -720,
    -1,
    0,
    1e-300,
    0.5,
    1,
    23,
    24,
    840,
    841,
    1000,
    3650,
    8784,
    10_080,
    1e7,
    999_999_999_999,
    1e300,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
)

function configWith(values: ReadonlyArray<readonly [readonly (string | number)[], number]>): unknown {
  const doc: Record<string, unknown> = {
    groups: { '*': { quiet: false, rules: [{ id: 'ads', any: ['加微信'], newcomerHours: 0 }], pictures: {} } },
    supervision: { promote: {}, demote: {} },
    vision: {},
    voice: {},
  }
  for (const [path, value] of values) {
    let node = doc as Record<string | number, unknown>
    for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>
    node[path[path.length - 1] as string | number] = value
  }
  return doc
}

describe('ConfigSchema bounds', () => {
  it('rejects the numbers that used to crash the guard', () => {
    expect(ConfigSchema.safeParse(configWith([[['groups', '*', 'offenceWindowDays'], 1e300]])).success).toBe(false)
    expect(ConfigSchema.safeParse(configWith([[['supervision', 'utcOffsetMinutes'], 999_999_999_999]])).success).toBe(false)
  })

  it('any config it accepts runs violations through the guard and supervision without throwing', async () => {
    let accepted = 0
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(fc.constantFrom(...NUMBER_FIELDS), aNumber), { maxLength: 4, selector: ([p]) => p }),
        fc.boolean(),
        async (values, quiet) => {
          const doc = configWith(values) as { groups: Record<string, { quiet: boolean }> }
          ;(doc.groups['*'] as { quiet: boolean }).quiet = quiet
          const parsed = ConfigSchema.safeParse(doc)
          if (!parsed.success) return
          accepted++
          const config = parsed.data
          const store = SqliteGuardStore.open(':memory:')
          const supervisor = supervisorFor(config, new MemoryApprovalStore())
          const guard = new Guard({ store, config, supervision: supervisor })
          const now = new Date(at(0))
          try {
            for (const e of [account('wxid_bot'), roomSnapshot(), join({ members: ['wxid_member'] })]) {
              supervisor.observe(e)
              await guard.handleEvent(e)
            }
            for (const minutes of [1, 2, 3, 60 * 24 * 40]) {
              const r = await guard.handleEvent(message({ text: '加微信', ts: at(minutes) }))
              expect(r.status).toBe('stored')
              if (r.status === 'stored') for (const h of r.decisions) await supervisor.onDecision(h, now)
            }
            for (const hours of [1, 25, 24 * 400]) await supervisor.tick(new Date(now.getTime() + hours * 3_600_000))
          } finally {
            await store.close()
          }
        },
      ),
      { numRuns: 300, seed: 18 },
    )
    expect(accepted).toBeGreaterThan(50)
  })
})
