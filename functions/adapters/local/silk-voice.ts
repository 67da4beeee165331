/**
 * SilkVoiceDecoder: WeChat voice messages (SILK v3, with or without WeChat's leading 0x02
 * byte) decoded to 16 kHz mono PCM with silk-wasm, its wasm inside the npm package. Voice
 * longer than `maxSeconds` (WeChat allows 60) is refused before decoding.
 *
 * @example
 *   const pcm = await new SilkVoiceDecoder().decode(bytes)
 *   wav(pcm) // a WAV file for tools that want one
 */
import { decode, getDuration, isSilk } from 'silk-wasm'
import { type Pcm, SpeechError, type VoiceDecoder } from '../../ports/speech.port.ts'

export interface SilkVoiceDecoderOptions {
  /** @default 70 */
  readonly maxSeconds?: number
  /** @default 2 MiB */
  readonly maxBytes?: number
}

const SAMPLE_RATE = 16_000

export class SilkVoiceDecoder implements VoiceDecoder {
  constructor(private readonly options: SilkVoiceDecoderOptions = {}) {}

  async decode(voice: Uint8Array): Promise<Pcm> {
    const maxBytes = this.options.maxBytes ?? 2 * 2 ** 20
    if (voice.byteLength > maxBytes)
      throw new SpeechError(`voice file of ${voice.byteLength} bytes is over the ${maxBytes}-byte limit`, 'too-long')
    if (!isSilk(voice)) throw new SpeechError('not a SILK voice file', 'bad-audio')
    let ms: number
    try {
      ms = getDuration(voice)
    } catch (e) {
      throw new SpeechError(`unreadable SILK file: ${(e as Error).message}`, 'bad-audio', { cause: e })
    }
    const maxMs = (this.options.maxSeconds ?? 70) * 1000
    if (ms > maxMs) throw new SpeechError(`voice of ${Math.round(ms / 1000)} s is over the ${maxMs / 1000}-second limit`, 'too-long')
    // silk-wasm reads WeChat's flavour (a 0x02 byte before "#!SILK_V3"); give plain SILK v3 the byte.
    const input = voice[0] === 0x23 ? new Uint8Array([2, ...voice]) : voice
    try {
      const r = await decode(input, SAMPLE_RATE)
      return { samples: r.data, sampleRate: SAMPLE_RATE, durationMs: r.duration }
    } catch (e) {
      throw new SpeechError(`cannot decode the SILK file: ${(e as Error).message}`, 'bad-audio', { cause: e })
    }
  }
}

/** PCM as a WAV file (RIFF header + samples). */
export function wav(pcm: Pcm): Uint8Array {
  const out = new Uint8Array(44 + pcm.samples.byteLength)
  const v = new DataView(out.buffer)
  const ascii = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) out[at + i] = s.charCodeAt(i)
  }
  ascii(0, 'RIFF')
  v.setUint32(4, 36 + pcm.samples.byteLength, true)
  ascii(8, 'WAVE')
  ascii(12, 'fmt ')
  v.setUint32(16, 16, true)
  v.setUint16(20, 1, true) // PCM
  v.setUint16(22, 1, true) // mono
  v.setUint32(24, pcm.sampleRate, true)
  v.setUint32(28, pcm.sampleRate * 2, true)
  v.setUint16(32, 2, true)
  v.setUint16(34, 16, true)
  ascii(36, 'data')
  v.setUint32(40, pcm.samples.byteLength, true)
  out.set(pcm.samples, 44)
  return out
}
