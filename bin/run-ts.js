#!/usr/bin/env node
// Runs a TypeScript file of this project (benchmarks, scripts): node bin/run-ts.js FILE [args…]
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { register } from 'tsx/esm/api'

const [file, ...rest] = process.argv.slice(2)
if (!file) {
  console.error('usage: node bin/run-ts.js FILE.ts [args…]')
  process.exit(2)
}
process.argv = [process.argv[0] ?? 'node', path.resolve(file), ...rest]
register()
await import(pathToFileURL(path.resolve(file)).href)
