/**
 * Configuration from the environment, read once per cold start. A required variable that is
 * missing fails the first invocation with its name, never later with `undefined`.
 */
export class MissingEnvError extends Error {
  override name = 'MissingEnvError'
}

export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name]
  if (!value) throw new MissingEnvError(`environment variable ${name} is required`)
  return value
}
