/**
 * Speech: a voice message turned into text, so that what members say goes through the same
 * rules as what they type.
 *
 *   VoiceDecoder — WeChat voice (SILK v3) to 16 kHz mono PCM: `SilkVoiceDecoder` (silk-wasm)
 *   SpeechToText — PCM to text: `AwsTranscribe` (Amazon Transcribe streaming, zh-CN) on AWS,
 *                  `CommandTranscriber` (a local speech model the operator names) embedded.
 *                  No offline Chinese speech model ships with qunguard.
 *
 * @example
 *   const pcm = await decoder.decode(silkBytes)
 *   const text = await stt.transcribe(pcm) // '加我微信领红包'
 */
export interface Pcm {
  /** Signed 16-bit little-endian mono samples. */
  readonly samples: Uint8Array
  readonly sampleRate: number
  readonly durationMs: number
}

export interface VoiceDecoder {
  decode(voice: Uint8Array): Promise<Pcm>
}

export interface SpeechToText {
  transcribe(pcm: Pcm): Promise<string>
}

export class SpeechError extends Error {
  override name = 'SpeechError'
  constructor(
    message: string,
    /** bad-audio: not a voice file we read; too-long: over the duration limit; timeout; failed. */
    readonly kind: 'bad-audio' | 'too-long' | 'timeout' | 'failed',
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}
