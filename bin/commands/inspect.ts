/**
 * `qunguard inspect FILE…`: what the guard sees in each picture, as one JSON line per file —
 * `qr` (decoded texts, with what they point to), `ocr` (text, personal numbers masked),
 * `faces`, `nsfw`, `labels`, `pii` (kinds only), `timings` (ms) and `problems` (a picture that
 * cannot be read is reported, never fatal).
 */
import fs from 'node:fs'
import { localVision } from '../../functions/adapters/local/local-vision.ts'

export interface InspectOptions {
  readonly files: readonly string[]
  readonly noOcr?: boolean
  readonly noFacts?: boolean
  /** Also label COCO objects. */
  readonly objects?: boolean
  readonly write?: (line: string) => void
  readonly log?: (line: string) => void
}

export async function inspect(options: InspectOptions): Promise<{ inspected: number; problems: number }> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`))
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const vision = await localVision({ noOcr: options.noOcr, noFacts: options.noFacts, objects: options.objects })
  for (const [what, why] of Object.entries(vision.missing)) log(`${what} unavailable: ${why}`)
  let problems = 0
  for (const file of options.files) {
    let bytes: Buffer
    try {
      bytes = fs.readFileSync(file)
    } catch (e) {
      problems++
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
  return { inspected: options.files.length, problems }
}
