/**
 * Reads qunguard.yaml from disk and validates it, and chooses which config a command uses.
 *
 * Errors and warnings name the file and the line:column of the field (from the YAML
 * document's node ranges), e.g.
 * `qunguard.yaml:12:5 groups.周末群: unknown key "offenseWindowDays" — did you mean "offenceWindowDays"?`
 *
 * @example
 *   const config = loadConfigFile('qunguard.yaml') // throws ConfigError with the file, line:column and field
 *   const { config, said } = chooseConfig(options.config) // -c, else ./qunguard.yaml, else defaults
 */
import fs from 'node:fs'
import path from 'node:path'
import YAML, { isMap, isPair, isScalar, isSeq, LineCounter, type Node as YamlNode } from 'yaml'
import { type Config, ConfigError, type ConfigIssue, configWarnings, formatIssue, parseConfig } from '../../domain/config.ts'

/** The config file every command reads when no `-c` is given and it exists. */
export const DEFAULT_CONFIG_FILE = 'qunguard.yaml'

export interface LoadedConfig {
  readonly config: Config
  /** Things the config probably does not mean, each as `file:line:col path: message`. */
  readonly warnings: readonly string[]
}

/** Reads and validates a config file; throws ConfigError with `file:line:col path: message` lines. */
export function readConfigFile(file: string): LoadedConfig {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new ConfigError(
      code === 'ENOENT' ? `config file not found: ${file}` : `cannot read config file ${file}: ${(e as Error).message}`,
      { cause: e },
    )
  }
  const lines = new LineCounter()
  const doc = YAML.parseDocument(text, { prettyErrors: true, lineCounter: lines })
  if (doc.errors.length) {
    throw new ConfigError(`${file} is not valid YAML: ${doc.errors.map((e) => e.message).join('\n')}`, { cause: doc.errors[0] })
  }
  const where = (issue: ConfigIssue): string => {
    const at = position(doc.contents, issue, lines)
    return `${file}${at ? `:${at.line}:${at.col}` : ''} ${formatIssue(issue)}`
  }
  let config: Config
  try {
    config = parseConfig(doc.toJS())
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e
    throw new ConfigError(e.issues.length ? e.issues.map(where).join('\n') : `${file}: ${e.message}`, {
      cause: e,
      issues: e.issues,
    })
  }
  return { config, warnings: configWarnings(config).map(where) }
}

export function loadConfigFile(file: string): Config {
  return readConfigFile(file).config
}

/** The node at a path, or the deepest one that exists; for an unknown key, the key itself. */
function position(root: unknown, issue: ConfigIssue, lines: LineCounter): { line: number; col: number } | undefined {
  let node: unknown = root
  let found: unknown = root
  let complete = true
  for (const step of issue.path) {
    const next = child(node, step)
    node = next?.value
    if (!next || node == null) {
      found = next?.key ?? found
      complete = false
      break
    }
    found = node
  }
  const key = complete && issue.key !== undefined ? child(node, issue.key)?.key : undefined
  if (key) found = key
  const range = (found as YamlNode | undefined)?.range
  return range ? lines.linePos(range[0]) : undefined
}

function child(node: unknown, step: string | number): { key?: unknown; value: unknown } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(step))
    return pair ? { key: pair.key, value: pair.value } : undefined
  }
  if (isSeq(node) && typeof step === 'number') return step < node.items.length ? { value: node.items[step] } : undefined
  return undefined
}

export interface ChosenConfig extends LoadedConfig {
  /** The file read, or undefined for the built-in defaults. */
  readonly file: string | undefined
  /** One line saying which config was used and why, for stderr. */
  readonly said: string
}

/**
 * The one rule every command follows: `-c FILE` if given (it must exist), else ./qunguard.yaml
 * if present, else the built-in defaults (no keyword rules).
 */
export function chooseConfig(explicit: string | undefined, options: { cwd?: string | undefined } = {}): ChosenConfig {
  if (explicit !== undefined) {
    const loaded = readConfigFile(explicit)
    return { ...loaded, file: explicit, said: `config: ${explicit} (-c)` }
  }
  const found = path.join(options.cwd ?? process.cwd(), DEFAULT_CONFIG_FILE)
  if (fs.existsSync(found)) {
    const loaded = readConfigFile(found)
    return { ...loaded, file: found, said: `config: ${found} (found in the working directory; -c chooses another)` }
  }
  return {
    config: parseConfig({}),
    warnings: [],
    file: undefined,
    said: `config: built-in defaults, no keyword rules (no -c given and no ./${DEFAULT_CONFIG_FILE}; see qunguard.example.yaml)`,
  }
}

/** chooseConfig, then says which config was used and its warnings (one line each, for stderr). */
export function useConfig(
  explicit: string | undefined,
  log: (line: string) => void,
  options: { cwd?: string | undefined } = {},
): ChosenConfig {
  const chosen = chooseConfig(explicit, { cwd: options.cwd })
  log(chosen.said)
  for (const w of chosen.warnings) log(`warning: ${w}`)
  return chosen
}
