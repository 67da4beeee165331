/**
 * CommandTranscriber: speech to text with a local speech model the operator installs and names
 * in the config — any program that takes a WAV file and prints the text (for example
 * whisper.cpp's `whisper-cli -l zh -nt -m ggml-small.bin -f {wav}`). qunguard ships no Chinese
 * speech model. The program runs without a shell, with a time limit; `{wav}` in its arguments
 * is replaced by the path of a temporary WAV file, deleted afterwards.
 *
 * @example
 *   const stt = new CommandTranscriber({ command: ['whisper-cli', '-l', 'zh', '-nt', '-m', 'model.bin', '-f', '{wav}'] })
 */
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { type Pcm, SpeechError, type SpeechToText } from '../../ports/speech.port.ts'
import { wav } from './silk-voice.ts'

export interface CommandTranscriberOptions {
  /** The program and its arguments; `{wav}` stands for the audio file. */
  readonly command: readonly string[]
  /** @default 30 s */
  readonly timeoutMs?: number
}

export class CommandTranscriber implements SpeechToText {
  constructor(private readonly options: CommandTranscriberOptions) {
    if (!options.command.length) throw new SpeechError('the speech command is empty', 'failed')
  }

  async transcribe(pcm: Pcm): Promise<string> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qunguard-voice-'))
    const file = path.join(dir, 'voice.wav')
    try {
      fs.writeFileSync(file, wav(pcm))
      const [program, ...args] = this.options.command.map((a) => a.replaceAll('{wav}', file))
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(program as string, args, { timeout: this.options.timeoutMs ?? 30_000, maxBuffer: 1 << 20 }, (error, out, err) => {
          if (!error) return resolve(out)
          const killed = (error as { killed?: boolean }).killed
          reject(
            new SpeechError(
              killed
                ? `the speech command took longer than ${this.options.timeoutMs ?? 30_000} ms`
                : `the speech command failed: ${String(err || error.message)
                    .trim()
                    .slice(0, 300)}`,
              killed ? 'timeout' : 'failed',
              { cause: error },
            ),
          )
        })
      })
      return stdout
        .replace(/\[[\d:.\s>-]+\]/g, '')
        .replace(/\s+/g, ' ')
        .trim()
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}
