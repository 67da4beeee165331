/**
 * The `qunguard` command line. Each command lives in bin/commands; this file only parses
 * arguments, prints results and turns known errors into one clear line and an exit code.
 */
import { Command, InvalidArgumentError } from 'commander'
import { StartupError } from '../bot-host/embedded.ts'
import { ConfigError } from '../functions/domain/config.ts'

const program = new Command()
  .name('qunguard')
  .description('A guard for WeChat groups: keyword rules with a warn → warn → remove ladder, history import and replay.')
  .showHelpAfterError()

const collect = (value: string, previous: string[] = []) => [...previous, value]

program
  .command('start')
  .description('run the guard on a WeChat account (the puppet named by $WECHATY_PUPPET, default wechaty-puppet-wechat4u)')
  .option('-c, --config <file>', 'config file', 'qunguard.yaml')
  .option('--puppet <name>', 'puppet package (overrides $WECHATY_PUPPET)')
  .option('--connect-timeout <seconds>', 'give up when WeChat does not answer in this time', (v) => positive(v), 90)
  .action(async (o: { config: string; puppet?: string; connectTimeout: number }) => {
    const { runEmbedded } = await import('../bot-host/embedded.ts')
    await runEmbedded({ configPath: o.config, puppet: o.puppet, connectTimeoutMs: o.connectTimeout * 1000 })
  })

program
  .command('demo')
  .description('run the guard against wechaty-puppet-mock with a scripted group and print the timeline')
  .action(async () => {
    const { runDemo } = await import('./commands/demo.ts')
    await runDemo()
  })

program
  .command('replay')
  .description('run FORMAT.md histories through the guard with no WeChat and write decisions.jsonl')
  .requiredOption('--history <file>', 'history (JSON Lines); repeat for several', collect)
  .option('-c, --config <file>', 'config file (default: built-in defaults, no rules)')
  .requiredOption('-o, --out <file>', 'decisions file to write')
  .option('--store <file>', 'keep the replay state in this SQLite file (default: in memory)')
  .action(async (o: { history: string[]; config?: string; out: string; store?: string }) => {
    const { replay } = await import('./commands/replay.ts')
    const s = await replay({ history: o.history, config: o.config, out: o.out, store: o.store })
    const actions = Object.entries(s.byAction)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')
    console.error(
      `replayed ${s.events} events in ${s.seconds.toFixed(1)} s (${Math.round(s.events / Math.max(s.seconds, 0.001))}/s); ` +
        `${s.malformed} malformed lines skipped; ${s.duplicates} duplicates; ${s.decisions} decisions → ${o.out}${actions ? ` (${actions})` : ''}`,
    )
  })

program
  .command('import')
  .description('convert a chat export (CSV of WeChatMsg/留痕 or PyWxDump) into a FORMAT.md history')
  .requiredOption('--from <format>', 'wechatmsg-csv | pywxdump-csv', (v) => oneOf(v, ['wechatmsg-csv', 'pywxdump-csv']))
  .argument('<file>', 'the CSV export')
  .requiredOption('-o, --out <file>', 'history file to write (JSON Lines)')
  .option('--room <id>', 'room id to use when the export is of a single group and names none')
  .option('--self <id>', "the account's own WeChat id, when the export does not say it")
  .action(async (file: string, o: { from: 'wechatmsg-csv' | 'pywxdump-csv'; out: string; room?: string; self?: string }) => {
    const { importHistory } = await import('./commands/import.ts')
    const s = await importHistory({ format: o.from, file, out: o.out, room: o.room, self: o.self })
    console.error(`imported ${s.events} events from ${file} → ${o.out}; ${s.skipped} rows skipped`)
  })

program
  .command('doctor')
  .description('check the environment (Node, config, store, puppet) and say what to fix')
  .option('-c, --config <file>', 'config file', 'qunguard.yaml')
  .option('--puppet <name>', 'puppet package (overrides $WECHATY_PUPPET)')
  .action(async (o: { config: string; puppet?: string }) => {
    const { doctor, formatChecks } = await import('./commands/doctor.ts')
    const checks = await doctor({ configPath: o.config, puppet: o.puppet })
    console.log(formatChecks(checks))
    if (checks.some((c) => !c.ok)) process.exitCode = 1
  })

function positive(v: string): number {
  const n = Number(v)
  if (!(n > 0)) throw new InvalidArgumentError('must be a positive number')
  return n
}

function oneOf<T extends string>(v: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(v)) throw new InvalidArgumentError(`must be one of ${allowed.join(', ')}`)
  return v as T
}

/** Errors a user can act on print as one line; anything else is a bug and keeps its stack. */
const isUserError = (e: unknown): e is Error =>
  e instanceof ConfigError ||
  e instanceof StartupError ||
  (e instanceof Error && ['ENOENT', 'EACCES', 'EISDIR'].includes((e as NodeJS.ErrnoException).code ?? ''))

try {
  await program.parseAsync(process.argv)
} catch (e) {
  if (isUserError(e)) {
    const { code, path } = e as NodeJS.ErrnoException
    console.error(`qunguard: ${code === 'ENOENT' && path ? `no such file: ${path}` : e.message}`)
    // A puppet that failed to start can leave timers behind; do not wait for them.
    process.exit(1)
  } else {
    throw e
  }
}
