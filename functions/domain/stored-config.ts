/**
 * StoredConfig: the guard config as a deployment stored it (on AWS, `cdk deploy` writes the
 * qunguard.yaml it validated at synth into the media bucket as `config/guard-<sha256>.json`),
 * read on first use and kept for the life of the process. The key names the content, so a new
 * config comes with a new key in the functions' environment, hence new containers: nothing to
 * re-read. The same schema validates it again here (a hand-edited object fails loudly).
 *
 * A failed read is not kept: the next `load()` tries again.
 *
 * @example
 *   const stored = new StoredConfig({ media, key: process.env.QUNGUARD_CONFIG_KEY })
 *   const config = await stored.load() // built-in defaults when key is undefined
 */
import type { MediaStore } from '../ports/media-store.port.ts'
import { type Config, ConfigError, parseConfig } from './config.ts'

/** The key under which a config document (its JSON text) is stored: content-addressed. */
export function guardConfigKey(sha256Hex: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256Hex)) throw new ConfigError(`a config key needs a SHA-256 in hex (got "${sha256Hex}")`)
  return `config/guard-${sha256Hex}.json`
}

export interface StoredConfigOptions {
  readonly media: Pick<MediaStore, 'get'>
  /** The stored document's key; without one, the built-in defaults (no rules). */
  readonly key: string | undefined
}

export class StoredConfig {
  private loading: Promise<Config> | undefined

  constructor(private readonly options: StoredConfigOptions) {}

  load(): Promise<Config> {
    this.loading ??= this.read().catch((e: unknown) => {
      this.loading = undefined
      throw e
    })
    return this.loading
  }

  private async read(): Promise<Config> {
    const { key, media } = this.options
    if (!key) return parseConfig({})
    const bytes = await media.get(key)
    if (!bytes) throw new ConfigError(`guard config ${key} is missing from the store (was the deployment interrupted?)`)
    let doc: unknown
    try {
      doc = JSON.parse(new TextDecoder().decode(bytes))
    } catch (e) {
      throw new ConfigError(`guard config ${key} is not JSON: ${(e as Error).message}`, { cause: e })
    }
    try {
      return parseConfig(doc)
    } catch (e) {
      if (e instanceof ConfigError) throw new ConfigError(`guard config ${key}: ${e.message}`, { cause: e })
      throw e
    }
  }
}
