/** Voice: SILK decoding (silk-wasm), a local speech command, and Amazon Transcribe streaming (SDK mocked). */
import { StartStreamTranscriptionCommand, TranscribeStreamingClient } from '@aws-sdk/client-transcribe-streaming'
import { mockClient } from 'aws-sdk-client-mock'
import { encode } from 'silk-wasm'
import { describe, expect, it } from 'vitest'
import { AwsTranscribe } from '../../functions/adapters/aws/aws-transcribe.ts'
import { CommandTranscriber } from '../../functions/adapters/local/command-transcriber.ts'
import { SilkVoiceDecoder, wav } from '../../functions/adapters/local/silk-voice.ts'
import type { Pcm } from '../../functions/ports/speech.port.ts'

/** A second of a 440 Hz tone, 16 kHz mono s16le. */
function tone(seconds = 1): Uint8Array {
  const n = 16_000 * seconds
  const out = new Uint8Array(n * 2)
  const v = new DataView(out.buffer)
  for (let i = 0; i < n; i++) v.setInt16(i * 2, Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 16_000)), true)
  return out
}

describe('SilkVoiceDecoder', () => {
  it('decodes a WeChat-style SILK file (with the leading 0x02 byte) to 16 kHz PCM', async () => {
    const wechat = (await encode(tone(1), 16_000)).data // silk-wasm writes WeChat's flavour: 0x02 then #!SILK_V3
    expect(wechat[0]).toBe(2)
    const pcm = await new SilkVoiceDecoder().decode(wechat)
    expect((await new SilkVoiceDecoder().decode(wechat.subarray(1))).durationMs).toBe(pcm.durationMs) // plain SILK v3 too
    expect(pcm.sampleRate).toBe(16_000)
    expect(pcm.durationMs).toBeGreaterThan(900)
    expect(pcm.samples.byteLength).toBeGreaterThan(28_000)
    expect(Buffer.from(wav(pcm).subarray(0, 4)).toString()).toBe('RIFF')
  })

  it('refuses what is not SILK, and voice over the time limit', async () => {
    await expect(new SilkVoiceDecoder().decode(new Uint8Array(100))).rejects.toMatchObject({ kind: 'bad-audio' })
    const long = (await encode(tone(3), 16_000)).data
    await expect(new SilkVoiceDecoder({ maxSeconds: 1 }).decode(long)).rejects.toMatchObject({ kind: 'too-long' })
  })
})

const pcm: Pcm = { samples: tone(1), sampleRate: 16_000, durationMs: 1000 }

describe('CommandTranscriber', () => {
  it('runs the configured program on a WAV file and returns what it prints', async () => {
    const script =
      "const b=require('fs').readFileSync(process.argv[1]);process.stdout.write(b.toString('ascii',0,4)==='RIFF'?'[00:00.000 --> 00:01.000] 加我微信领红包\\n':'no wav')"
    const stt = new CommandTranscriber({ command: [process.execPath, '-e', script, '{wav}'] })
    expect(await stt.transcribe(pcm)).toBe('加我微信领红包')
  })

  it('says when the program fails or takes too long', async () => {
    await expect(new CommandTranscriber({ command: [process.execPath, '-e', 'process.exit(3)'] }).transcribe(pcm)).rejects.toMatchObject({
      kind: 'failed',
    })
    await expect(
      new CommandTranscriber({ command: [process.execPath, '-e', 'setTimeout(()=>{},5000)'], timeoutMs: 100 }).transcribe(pcm),
    ).rejects.toMatchObject({ kind: 'timeout' })
  })
})

describe('AwsTranscribe', () => {
  it('streams the PCM to Amazon Transcribe in zh-CN and joins the final results', async () => {
    const mock = mockClient(TranscribeStreamingClient)
    let chunks = 0
    mock.on(StartStreamTranscriptionCommand).callsFake(async (input) => {
      for await (const _ of input.AudioStream) chunks++
      return {
        TranscriptResultStream: (async function* () {
          yield { TranscriptEvent: { Transcript: { Results: [{ IsPartial: true, Alternatives: [{ Transcript: '加我' }] }] } } }
          yield { TranscriptEvent: { Transcript: { Results: [{ IsPartial: false, Alternatives: [{ Transcript: '加我微信' }] }] } } }
          yield { TranscriptEvent: { Transcript: { Results: [{ IsPartial: false, Alternatives: [{ Transcript: '领红包' }] }] } } }
        })(),
      }
    })
    const text = await new AwsTranscribe({ client: new TranscribeStreamingClient({ region: 'cn-north-1' }) }).transcribe(pcm)
    expect(text).toBe('加我微信领红包')
    expect(chunks).toBe(4) // 32,000 bytes in 8 KiB chunks
    expect(mock.commandCalls(StartStreamTranscriptionCommand)[0]?.args[0].input).toMatchObject({
      LanguageCode: 'zh-CN',
      MediaEncoding: 'pcm',
      MediaSampleRateHertz: 16_000,
    })
  })

  it('turns a refused request into a SpeechError', async () => {
    const mock = mockClient(TranscribeStreamingClient)
    mock.on(StartStreamTranscriptionCommand).rejects(Object.assign(new Error('bad audio'), { name: 'BadRequestException' }))
    await expect(
      new AwsTranscribe({ client: new TranscribeStreamingClient({ region: 'cn-north-1' }) }).transcribe(pcm),
    ).rejects.toMatchObject({
      name: 'SpeechError',
      kind: 'bad-audio',
    })
  })
})
