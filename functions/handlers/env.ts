/**
 * Configuration from the environment, read once per cold start. A required variable that is
 * missing fails the first invocation with its name, never later with `undefined`.
 */
import YAML from 'yaml'
import { type Config, parseConfig } from '../domain/config.ts'

export class MissingEnvError extends Error {
  override name = 'MissingEnvError'
}

export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name]
  if (!value) throw new MissingEnvError(`environment variable ${name} is required`)
  return value
}

/** The guard config from QUNGUARD_CONFIG (YAML or JSON text); the built-in defaults when unset. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  const text = env.QUNGUARD_CONFIG
  return parseConfig(text ? YAML.parse(text) : {})
}
