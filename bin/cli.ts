/**
 * The `qunguard` command line. Each command lives in bin/commands; this file only parses
 * arguments, prints results and turns known errors into one clear line and an exit code.
 */
import fs from 'node:fs'
import { Command, InvalidArgumentError } from 'commander'
import { StartupError } from '../bot-host/embedded.ts'
import { CsvFormatError } from '../functions/adapters/local/csv-history-importer.ts'
import { TextEncodingError } from '../functions/adapters/local/text-encoding.ts'
import { ModelError } from '../functions/domain/ad-classifier.ts'
import { ConfigError } from '../functions/domain/config.ts'
import { PolicyFileError } from '../functions/domain/learning/policy-file.ts'
import { maskPii } from '../functions/domain/privacy.ts'

const program = new Command()
  .name('qunguard')
  .description(
    'A guard for WeChat groups: keyword rules with a warn → warn → remove ladder, rules learned from the owner’s actions, history import and replay.',
  )
  .version(packageVersion(), '-v, --version', 'print the version of qunguard')
  .showHelpAfterError()

const collect = (value: string, previous: string[] = []) => [...previous, value]

program
  .command('start')
  .description('run the guard on a WeChat account (the puppet named by $WECHATY_PUPPET, default wechaty-puppet-wechat4u)')
  .option('-c, --config <file>', 'config file (default: ./qunguard.yaml if present, else built-in defaults with no rules)')
  .option('--puppet <name>', 'puppet package (overrides $WECHATY_PUPPET)')
  .option('--connect-timeout <seconds>', 'give up when WeChat does not answer in this time', (v) => positive(v), 90)
  .option('--console', 'also serve the owner’s web console on localhost once logged in (docs/console.md)')
  .option('--port <port>', 'the console’s port', portNumber, 8787)
  .option(
    '--token <token>',
    'the console’s login token, 16 characters or more (default: $QUNGUARD_CONSOLE_TOKEN, else a new one, printed)',
    consoleToken,
  )
  .option('--as <wxid>', 'the owner or admin the console acts as (default: the logged-in account)')
  .action(
    async (o: {
      config?: string
      puppet?: string
      connectTimeout: number
      console?: boolean
      port: number
      token?: string
      as?: string
    }) => {
      const { runEmbedded } = await import('../bot-host/embedded.ts')
      await runEmbedded({
        configPath: o.config,
        puppet: o.puppet,
        connectTimeoutMs: o.connectTimeout * 1000,
        ...(o.console ? { console: { port: o.port, token: o.token, as: o.as } } : {}),
      })
    },
  )

program
  .command('console')
  .description('serve the owner’s web console on a guard store, read-only (answering and switching rules need `qunguard start --console`)')
  .option('--store <file>', 'the SQLite store (default: the config’s store)')
  .option('-c, --config <file>', 'config file (default: ./qunguard.yaml if present, else built-in defaults)')
  .requiredOption('--as <wxid>', 'the owner or admin whose groups to show')
  .option('--port <port>', 'port on localhost', portNumber, 8787)
  .option('--token <token>', 'login token, 16 characters or more (default: $QUNGUARD_CONSOLE_TOKEN, else a new one, printed)', consoleToken)
  .action(async (o: { store?: string; config?: string; as: string; port: number; token?: string }) => {
    const { runConsole } = await import('./commands/console.ts')
    await runConsole(o)
  })

program
  .command('demo')
  .description('run the guard against wechaty-puppet-mock with a scripted group and print the timeline')
  .option('--failover', 'two guard accounts in one group; one drops off mid-flood and the other takes over')
  .action(async (o: { failover?: boolean }) => {
    const { runDemo, runFailoverDemo } = await import('./commands/demo.ts')
    await (o.failover ? runFailoverDemo() : runDemo())
  })

program
  .command('replay')
  .description('run docs/format.md histories through the guard with no WeChat and write decisions.jsonl')
  .requiredOption('--history <file>', 'history (JSON Lines); repeat for several', collect)
  .option('-c, --config <file>', 'config file (default: ./qunguard.yaml if present, else built-in defaults with no rules)')
  .option('-o, --out <file>', 'decisions file to write (written whole when the run ends)', 'decisions.jsonl')
  .option('--store <file>', 'keep the replay state in this SQLite file (default: in memory); run again on it to resume a stopped replay')
  .option('--policy <file>', 'a learned policy (qunguard learn); its shadow rules write ask-owner decisions')
  .option('--owner-log <file>', 'write the private messages owners would get (requests, receipts, digests) as JSON Lines')
  .option('--html <file>', 'also write each group’s rules, decisions and analytics as a self-contained HTML page (docs/console.md)')
  .option(
    '--pictures',
    'read every picture with the embedded models (QR, Chinese/English OCR, faces, NSFW) and judge what they show, as the live guard does (slower: ~0.5 s a picture)',
  )
  .addHelpText(
    'after',
    '\nprivate events in the history are owners\' messages: Y<n>/N<n> answer approval request n (numbered from 1 in every run),\nand an approved request writes a decision line for the original event with "mode":"active".',
  )
  .action(
    async (o: {
      history: string[]
      config?: string
      out: string
      store?: string
      policy?: string
      ownerLog?: string
      pictures?: boolean
      html?: string
    }) => {
      const { replay } = await import('./commands/replay.ts')
      const s = await replay({
        history: o.history,
        config: o.config,
        out: o.out,
        store: o.store,
        policy: o.policy,
        ownerLog: o.ownerLog,
        pictures: o.pictures === true,
        html: o.html,
      })
      const actions = Object.entries(s.byAction)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')
      console.error(
        `replayed ${s.events} events in ${s.seconds.toFixed(1)} s (${Math.round(s.events / Math.max(s.seconds, 0.001))}/s); ` +
          `${s.malformed} lines skipped; ${s.duplicates} duplicates; ${s.conflicts} ids reused for different events (skipped); ` +
          `${s.resumed ? `${s.resumed} events already in the store (resumed); ` : ''}${s.decisions} decisions → ${o.out}${actions ? ` (${actions})` : ''}; ` +
          `${s.ownerMessages} private messages to owners`,
      )
    },
  )

program
  .command('learn')
  .description("learn each group's rules from histories (owner's warnings and removals, announcements) and write policy.json")
  .requiredOption('--history <file>', 'history (JSON Lines); repeat for several', collect)
  .option('--corpus <file>', 'labelled texts ({"text","label":"spam"|"ham"} lines) for the ad classifier; repeat for several', collect)
  .option(
    '-c, --config <file>',
    "config file: its owner, admins and whitelist count as staff (default: ./qunguard.yaml if present, else the history's own)",
  )
  .option('--words', "add Chinese words (jieba) to the ad classifier's features (slower; see docs/learning.md)")
  .option('--store <file>', "the guard's SQLite store: learn from the owners' Y/N answers kept in it as well")
  .requiredOption('-o, --out <file>', 'policy file to write')
  .action(async (o: { history: string[]; corpus?: string[]; config?: string; words?: boolean; store?: string; out: string }) => {
    const { learn } = await import('./commands/learn.ts')
    const p = await learn({ history: o.history, corpus: o.corpus, config: o.config, words: o.words === true, store: o.store, out: o.out })
    const rules = Object.values(p.rooms).reduce((n, r) => n + r.rules.length, 0)
    console.error(
      `learned ${rules} rules for ${Object.keys(p.rooms).length} rooms from ${p.stats.events} events (${p.stats.labelled} messages labelled by the owner's actions); all start in shadow mode → ${o.out}`,
    )
  })

program
  .command('rules')
  .description("print a learned policy's rules, one a line, with their evidence")
  .argument('<policy>', 'policy file (qunguard learn)')
  .action(async (file: string) => {
    const { formatRules, readPolicy } = await import('./commands/learn.ts')
    console.log(formatRules(readPolicy(file)))
  })

program
  .command('inspect')
  .description('what the guard sees in pictures: one JSON line per file with qr, ocr, faces, nsfw, labels, pii (kinds only) and timings')
  .argument('<files...>', 'picture files, or folders to walk for pictures')
  .option('--no-ocr', 'skip OCR')
  .option('--no-facts', 'skip faces and NSFW')
  .option('--objects', 'also label COCO objects (person, car, cell phone, …) with the CenterNet model')
  .action(async (files: string[], o: { ocr: boolean; facts: boolean; objects?: boolean }) => {
    const { inspect } = await import('./commands/inspect.ts')
    const s = await inspect({ files, noOcr: !o.ocr, noFacts: !o.facts, objects: o.objects })
    if (s.problems) console.error(`${s.problems} of ${s.inspected} pictures had problems (see "problems")`)
    if (s.inspected === 0) console.error('no pictures found')
    // A file that could not be read at all (missing, a pipe or device, too large) fails the command.
    if (s.unreadable || s.inspected === 0) process.exitCode = 1
  })

program
  .command('backtest')
  .description('what each rule of a learned policy would have done on a history, against what the owner actually did')
  .requiredOption('--history <file>', 'history (JSON Lines); repeat for several', collect)
  .requiredOption('--policy <file>', 'policy file (qunguard learn)')
  .option('-c, --config <file>', 'config file: its owner, admins and whitelist count as staff (default: ./qunguard.yaml if present)')
  .option('--examples <n>', 'would-be false positives to show per rule', (v) => positive(v), 3)
  .option('--json <file>', 'also write the report as JSON')
  .option('--html <file>', 'also write the report as a self-contained HTML page (docs/console.md)')
  .action(async (o: { history: string[]; policy: string; config?: string; examples: number; json?: string; html?: string }) => {
    const { runBacktest } = await import('./commands/backtest.ts')
    const { text } = await runBacktest({
      history: o.history,
      policy: o.policy,
      config: o.config,
      examples: o.examples,
      json: o.json,
      html: o.html,
    })
    console.log(text)
  })

program
  .command('train')
  .description('train the ad classifier on labelled texts ({"text","label":"spam"|"ham"} lines) into a model folder')
  .requiredOption('--corpus <file>', 'labelled texts; repeat for several', collect)
  .option('--words', 'add Chinese words (jieba) to the character n-grams (slower; see docs/learning.md)')
  .requiredOption('-o, --out <dir>', 'model folder to write')
  .action(async (o: { corpus: string[]; words?: boolean; out: string }) => {
    const { train } = await import('./commands/classify.ts')
    const s = train({ corpus: o.corpus, out: o.out, words: o.words === true })
    console.error(`trained on ${s.spam} spam and ${s.ham} ham texts in ${s.seconds.toFixed(1)} s → ${s.file}`)
  })

program
  .command('classify')
  .description('classify {"id","text"} lines into {"id","label":"spam"|"ham","score"} lines')
  .requiredOption('--model <dir>', 'model folder (qunguard train)')
  .requiredOption('--input <file>', 'texts to classify (JSON Lines)')
  .requiredOption('-o, --out <file>', 'predictions file to write')
  .action(async (o: { model: string; input: string; out: string }) => {
    const { classify } = await import('./commands/classify.ts')
    const s = await classify({ model: o.model, input: o.input, out: o.out })
    console.error(`classified ${s.classified} texts (${s.spam} spam), ${s.skipped} lines skipped → ${o.out}`)
  })

program
  .command('import')
  .description('convert a chat export (CSV of WeChatMsg/留痕 or PyWxDump) into a docs/format.md history')
  .option('--from <format>', 'wechatmsg-csv | pywxdump-csv (default: told from the CSV header)', (v) =>
    oneOf(v, ['wechatmsg-csv', 'pywxdump-csv']),
  )
  .argument('<file>', 'the CSV export')
  .option('-o, --out <file>', "history file to write (JSON Lines), whole or not at all (default: the export's name with .jsonl)")
  .option('--room <id>', 'room id to use when the export is of a single group and names none')
  .option('--self <id>', "the account's own WeChat id, when the export does not say it")
  .option('--encoding <name>', "the export's text encoding: utf-8, gbk/gb18030, utf-16le, utf-16be (default: detected)")
  .action(
    async (file: string, o: { from?: 'wechatmsg-csv' | 'pywxdump-csv'; out?: string; room?: string; self?: string; encoding?: string }) => {
      const { formatImportSummary, importHistory } = await import('./commands/import.ts')
      const s = await importHistory({ format: o.from, file, out: o.out, room: o.room, self: o.self, encoding: o.encoding })
      console.error(formatImportSummary(s, file))
    },
  )

program
  .command('doctor')
  .description('check the environment (Node, config, store, puppet, whether WeChat can be reached) and say what to fix')
  .option('-c, --config <file>', 'config file (default: ./qunguard.yaml if present, else built-in defaults with no rules)')
  .option('--puppet <name>', 'puppet package (overrides $WECHATY_PUPPET)')
  .option('--connect-timeout <seconds>', 'give up on a WeChat host (DNS lookup, TCP connect) after this time', (v) => positive(v), 5)
  .action(async (o: { config?: string; puppet?: string; connectTimeout: number }) => {
    const { doctor, formatChecks } = await import('./commands/doctor.ts')
    const checks = await doctor({ configPath: o.config, puppet: o.puppet, connectTimeoutMs: o.connectTimeout * 1000 })
    console.log(formatChecks(checks))
    if (checks.some((c) => !c.ok)) process.exitCode = 1
  })

function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

function portNumber(v: string): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('must be a port number from 1 to 65535')
  return n
}

function consoleToken(v: string): string {
  if (v.length < 16) throw new InvalidArgumentError('must be 16 characters or more')
  return v
}

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
  e instanceof PolicyFileError ||
  e instanceof ModelError ||
  e instanceof StartupError ||
  e instanceof TextEncodingError ||
  e instanceof CsvFormatError ||
  (e instanceof Error && ['ENOENT', 'EACCES', 'EISDIR'].includes((e as NodeJS.ErrnoException).code ?? ''))

try {
  await program.parseAsync(process.argv)
} catch (e) {
  if (isUserError(e)) {
    const { code, path } = e as NodeJS.ErrnoException
    console.error(`qunguard: ${code === 'ENOENT' && path ? `no such file: ${path}` : maskPii(e.message)}`)
    // A puppet that failed to start can leave timers behind; do not wait for them.
    process.exit(1)
  } else {
    throw e
  }
}
