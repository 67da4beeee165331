// The vision function's container image starts here (functions/vision.Dockerfile): the
// TypeScript handler is loaded through tsx, as the bot host's image runs its own sources.
import { register } from 'tsx/esm/api'

register()
const { handler: visionLocal } = await import('./vision-local.ts')

export const handler = visionLocal
