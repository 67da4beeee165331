/**
 * The Node versions qunguard supports, in one place: `package.json` "engines" says the same
 * (a test keeps them equal), `qunguard doctor` checks against it and `qunguard start` warns
 * outside it. `.ci/run` tests on each supported major.
 *
 * Why 22.13+ and 24: nsfwjs (22.13) and the AWS SDK (22, from January 2027) ask for Node 22;
 * Lambda runs the handlers on Node 24; Node 20 left support in April 2026. Node 20.11+ still
 * runs qunguard today (the development machine does), so it is a warning, not a refusal.
 *
 * @example
 *   nodeSupport('20.20.2').level // 'warn'
 */

/** The lowest supported release of each supported major. */
export const SUPPORTED_NODE: readonly (readonly [major: number, minor: number])[] = [
  [22, 13],
  [24, 0],
]

/** Below this qunguard has never run: it was built and tested on Node 20.11+ before issue 18. */
const RUNS_FROM = [20, 11] as const

/** `SUPPORTED_NODE` as an npm semver range, e.g. `^22.13 || ^24`. */
export const ENGINES_RANGE = SUPPORTED_NODE.map(([major, minor]) => (minor ? `^${major}.${minor}` : `^${major}`)).join(' || ')

export interface NodeSupport {
  /** ok: supported; warn: runs but is not supported or not tested; fail: does not run. */
  readonly level: 'ok' | 'warn' | 'fail'
  readonly detail: string
  readonly fix?: string | undefined
}

export function nodeSupport(version: string): NodeSupport {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number)
  const atLeast = ([m, n]: readonly [number, number]) => major > m || (major === m && minor >= n)
  const oldest = SUPPORTED_NODE[0] ?? [0, 0]
  const newest = SUPPORTED_NODE.at(-1)?.[0] ?? 0
  const install = `install Node ${newest} (or another of ${ENGINES_RANGE})`
  if (SUPPORTED_NODE.some(([m, n]) => major === m && minor >= n)) {
    return { level: 'ok', detail: `Node ${version} (supported: ${ENGINES_RANGE})` }
  }
  if (!atLeast(RUNS_FROM)) {
    return {
      level: 'fail',
      detail: `Node ${version} is older than any Node qunguard has run on (supported: ${ENGINES_RANGE})`,
      fix: install,
    }
  }
  if (!atLeast(oldest)) {
    return {
      level: 'warn',
      detail: `Node ${version} runs qunguard but is not supported (${ENGINES_RANGE}: nsfwjs and the AWS SDK ask for Node 22, Lambda runs 24)`,
      fix: install,
    }
  }
  return { level: 'warn', detail: `Node ${version} is not a version qunguard is tested on (${ENGINES_RANGE})`, fix: install }
}
