/** ApprovalStore and SupervisionStore contracts for the memory and SQLite adapters. */

import { SqliteSupervisionStore } from '../../functions/adapters/local/sqlite-supervision-store.ts'
import { MemoryApprovalStore } from '../../functions/adapters/memory/memory-approval-store.ts'
import { approvalStoreContract } from './approval-store.contract.ts'
import { supervisionStoreContract } from './supervision-store.contract.ts'

approvalStoreContract('SqliteSupervisionStore', async () => SqliteSupervisionStore.open(':memory:'))
supervisionStoreContract('MemoryApprovalStore', async () => new MemoryApprovalStore())
supervisionStoreContract('SqliteSupervisionStore', async () => SqliteSupervisionStore.open(':memory:'))
