/**
 * `qunguard inspect FILE|FOLDER…`: what the guard sees in each picture, as one JSON line per file —
 * `qr` (decoded texts, with what they point to), `ocr` (text, personal numbers masked),
 * `faces`, `nsfw`, `labels`, `pii` (kinds only), `timings` (ms) and `problems`. Folders are
 * walked for pictures (by extension). A file that is missing, not a regular file (a pipe or
 * device) or over the size limit gets a line with its problem and is counted in `unreadable`,
 * which makes the command exit non-zero; nothing is read before its type and size are checked.
 */
import fs from 'node:fs'
import path from 'node:path'
import { checkInputFile } from '../../functions/adapters/local/jsonl-history.ts'
import { localVision } from '../../functions/adapters/local/local-vision.ts'

const PICTURE = /\.(jpe?g|png|webp|gif|bmp|tiff?|avif|heic)$/i

/** The files named, folders replaced by the pictures inside them (recursively, in name order). */
export async function expandInputs(inputs: readonly string[]): Promise<string[]> {
  const out: string[] = []
  const walk = async (dir: string): Promise<void> => {
    const entries = (await fs.promises.readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    )
    for (const e of entries) {
      const p = path.join(dir, e.name)
      if (e.isDirectory()) await walk(p)
      else if (e.isFile() && PICTURE.test(e.name)) out.push(p)
    }
  }
  for (const input of inputs) {
    const st = await fs.promises.stat(input).catch(() => undefined)
    if (st?.isDirectory()) await walk(input)
    else out.push(input) // checked (and reported) when read
  }
  return out
}

export interface InspectOptions {
  readonly files: readonly string[]
  readonly noOcr?: boolean
  readonly noFacts?: boolean
  /** Also label COCO objects. */
  readonly objects?: boolean
  /** Pictures larger than this are not read. @default 20 MiB */
  readonly maxBytes?: number
  readonly write?: (line: string) => void
  readonly log?: (line: string) => void
}

export async function inspect(options: InspectOptions): Promise<{ inspected: number; problems: number; unreadable: number }> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`))
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const vision = await localVision({ noOcr: options.noOcr, noFacts: options.noFacts, objects: options.objects })
  for (const [what, why] of Object.entries(vision.missing)) log(`${what} unavailable: ${why}`)
  const maxBytes = options.maxBytes ?? 20 * 2 ** 20
  const files = await expandInputs(options.files)
  let problems = 0
  let unreadable = 0
  for (const file of files) {
    let bytes: Buffer
    try {
      await checkInputFile(file, 'picture', maxBytes)
      bytes = await fs.promises.readFile(file)
    } catch (e) {
      problems++
      unreadable++
      write(JSON.stringify({ file, problems: [{ step: 'read', kind: 'failed', message: (e as Error).message }] }))
      continue
    }
    const r = await vision.inspector.inspect(bytes)
    if (r.problems.length) problems++
    write(
      JSON.stringify({
        file,
        ...(r.header ? { format: r.header.format, width: r.header.width, height: r.header.height } : {}),
        qr: r.qr.map((q) => q.text),
        qrKinds: r.qr.map((q) => q.kind),
        ocr: r.ocr ?? null,
        faces: r.faces ?? null,
        nsfw: r.nsfw === undefined ? null : Math.round(r.nsfw * 1000) / 1000,
        labels: r.labels ?? [],
        pii: r.pii,
        idCardLike: r.idCardLike,
        plateLike: r.plateLike,
        timings: r.timings,
        ...(r.problems.length ? { problems: r.problems } : {}),
      }),
    )
  }
  return { inspected: files.length, problems, unreadable }
}
