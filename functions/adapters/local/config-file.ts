/**
 * Reads qunguard.yaml from disk and validates it.
 *
 * @example
 *   const config = loadConfigFile('qunguard.yaml') // throws ConfigError with the file and field
 */
import fs from 'node:fs'
import YAML from 'yaml'
import { type Config, ConfigError, parseConfig } from '../../domain/config.ts'

export function loadConfigFile(file: string): Config {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new ConfigError(
      code === 'ENOENT' ? `config file not found: ${file}` : `cannot read config file ${file}: ${(e as Error).message}`,
      {
        cause: e,
      },
    )
  }
  let doc: unknown
  try {
    doc = YAML.parse(text, { prettyErrors: true })
  } catch (e) {
    throw new ConfigError(`${file} is not valid YAML: ${(e as Error).message}`, { cause: e })
  }
  try {
    return parseConfig(doc)
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`${file}: ${e.message}`, { cause: e })
    throw e
  }
}
