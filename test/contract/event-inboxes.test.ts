/** EventInbox contract for the memory and SQLite adapters, and the SQLite inbox across a restart. */
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { SqliteEventInbox } from '../../functions/adapters/local/sqlite-event-inbox.ts'
import { MemoryEventInbox } from '../../functions/adapters/memory/memory-event-inbox.ts'
import { message } from '../helpers/factories.ts'
import { tempDir } from '../helpers/temp-dirs.ts'
import { eventInboxContract } from './event-inbox.contract.ts'

eventInboxContract('MemoryEventInbox', async () => new MemoryEventInbox())
eventInboxContract('SqliteEventInbox', async () => SqliteEventInbox.open(':memory:'))

describe('SqliteEventInbox', () => {
  it('keeps spilled events across close and reopen', async () => {
    const file = path.join(tempDir('qunguard-inbox-'), 'guard.db')
    const inbox = SqliteEventInbox.open(file)
    const m = message({ room: 'r1', text: '加微信' })
    await inbox.append('r1', m)
    await inbox.close()
    const again = SqliteEventInbox.open(file)
    expect(await again.pending()).toEqual({ r1: 1 })
    expect((await again.peek('r1', 1))[0]?.event).toEqual(m)
    await again.close()
  })
})
