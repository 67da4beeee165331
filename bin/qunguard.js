#!/usr/bin/env node
// The `qunguard` command. The project is TypeScript run through tsx, so no build step is needed
// after `npm install`.
import { register } from 'tsx/esm/api'

register()
await import('./cli.ts')
