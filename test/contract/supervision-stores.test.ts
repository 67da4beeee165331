/** ApprovalStore, SupervisionStore and FactsStore contracts for the memory and SQLite adapters. */

import { SqliteAnalyticsStore } from '../../functions/adapters/local/sqlite-analytics-store.ts'
import { SqliteFactsStore } from '../../functions/adapters/local/sqlite-facts-store.ts'
import { SqliteSupervisionStore } from '../../functions/adapters/local/sqlite-supervision-store.ts'
import { MemoryAnalyticsStore } from '../../functions/adapters/memory/memory-analytics-store.ts'
import { MemoryApprovalStore } from '../../functions/adapters/memory/memory-approval-store.ts'
import { MemoryFactsStore } from '../../functions/adapters/memory/memory-facts-store.ts'
import { analyticsStoreContract } from './analytics-store.contract.ts'
import { approvalStoreContract } from './approval-store.contract.ts'
import { factsStoreContract } from './facts-store.contract.ts'
import { supervisionStoreContract } from './supervision-store.contract.ts'

approvalStoreContract('SqliteSupervisionStore', async () => SqliteSupervisionStore.open(':memory:'))
supervisionStoreContract('MemoryApprovalStore', async () => new MemoryApprovalStore())
supervisionStoreContract('SqliteSupervisionStore', async () => SqliteSupervisionStore.open(':memory:'))

factsStoreContract('MemoryFactsStore', async () => new MemoryFactsStore())
factsStoreContract('SqliteFactsStore', async () => SqliteFactsStore.open(':memory:'))

analyticsStoreContract('MemoryAnalyticsStore', async () => new MemoryAnalyticsStore())
analyticsStoreContract('SqliteAnalyticsStore', async () => SqliteAnalyticsStore.open(':memory:'))
