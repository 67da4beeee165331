/**
 * AwsTranscribe: speech to text with Amazon Transcribe streaming (StartStreamTranscription),
 * Mandarin (zh-CN) by default: the voice message's PCM is streamed in 8 KiB chunks and the
 * final (non-partial) results are joined. No S3 object or job to poll, so a voice message of
 * up to a minute comes back in about its own length.
 *
 * @example
 *   const stt = new AwsTranscribe({ client: new TranscribeStreamingClient({}) })
 *   await stt.transcribe(pcm) // '加我微信领红包'
 */
import {
  type LanguageCode,
  StartStreamTranscriptionCommand,
  type StartStreamTranscriptionCommandOutput,
  type TranscribeStreamingClient,
} from '@aws-sdk/client-transcribe-streaming'
import { type Pcm, SpeechError, type SpeechToText } from '../../ports/speech.port.ts'

export interface AwsTranscribeOptions {
  readonly client: TranscribeStreamingClient
  /** @default 'zh-CN' */
  readonly language?: LanguageCode
}

const CHUNK = 8 * 1024

async function* chunks(samples: Uint8Array) {
  for (let i = 0; i < samples.byteLength; i += CHUNK) yield { AudioEvent: { AudioChunk: samples.subarray(i, i + CHUNK) } }
}

export class AwsTranscribe implements SpeechToText {
  constructor(private readonly options: AwsTranscribeOptions) {}

  async transcribe(pcm: Pcm): Promise<string> {
    let response: StartStreamTranscriptionCommandOutput
    try {
      response = await this.options.client.send(
        new StartStreamTranscriptionCommand({
          LanguageCode: this.options.language ?? 'zh-CN',
          MediaEncoding: 'pcm',
          MediaSampleRateHertz: pcm.sampleRate,
          AudioStream: chunks(pcm.samples),
        }),
      )
    } catch (e) {
      const name = (e as { name?: string }).name ?? ''
      throw new SpeechError(
        `Amazon Transcribe failed: ${name} ${(e as Error).message ?? ''}`.trim(),
        name === 'BadRequestException' ? 'bad-audio' : 'failed',
        {
          cause: e,
        },
      )
    }
    const parts: string[] = []
    for await (const event of response.TranscriptResultStream ?? []) {
      for (const result of event.TranscriptEvent?.Transcript?.Results ?? []) {
        if (result.IsPartial) continue
        const text = result.Alternatives?.[0]?.Transcript
        if (text) parts.push(text)
      }
    }
    return parts.join('')
  }
}
