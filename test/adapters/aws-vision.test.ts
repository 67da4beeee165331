import { DetectFacesCommand, DetectLabelsCommand, DetectModerationLabelsCommand, RekognitionClient } from '@aws-sdk/client-rekognition'
import { DetectDocumentTextCommand, TextractClient } from '@aws-sdk/client-textract'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it } from 'vitest'
import { AwsVision } from '../../functions/adapters/aws/aws-vision.ts'
import { VisionError } from '../../functions/ports/vision.port.ts'

const textract = mockClient(TextractClient)
const rekognition = mockClient(RekognitionClient)
const vision = new AwsVision({
  textract: new TextractClient({ region: 'us-east-1' }),
  rekognition: new RekognitionClient({ region: 'us-east-1' }),
})
const image = new Uint8Array([0xff, 0xd8, 0xff, 0xe0])
const sdkError = (name: string) => Object.assign(new Error(`${name} happened`), { name })

beforeEach(() => {
  textract.reset()
  rekognition.reset()
})

describe('Class: AwsVision', () => {
  it('sends the image bytes to DetectDocumentText and keeps the lines', async () => {
    textract.on(DetectDocumentTextCommand).resolves({
      Blocks: [
        { BlockType: 'PAGE' },
        { BlockType: 'LINE', Text: 'WeChat: abc8888', Confidence: 99 },
        { BlockType: 'WORD', Text: 'WeChat:', Confidence: 99 },
        { BlockType: 'LINE', Text: 'Call 13812345678', Confidence: 95 },
      ],
    })
    expect(await vision.ocr(image)).toEqual({
      text: 'WeChat: abc8888\nCall 13812345678',
      lines: [
        { text: 'WeChat: abc8888', confidence: 0.99 },
        { text: 'Call 13812345678', confidence: 0.95 },
      ],
    })
    expect(textract.commandCalls(DetectDocumentTextCommand)[0]?.args[0].input).toEqual({ Document: { Bytes: image } })
  })

  it('asks Rekognition for labels, faces and moderation labels and maps them', async () => {
    rekognition.on(DetectLabelsCommand).resolves({ Labels: [{ Name: 'QR Code', Confidence: 98 }] })
    rekognition.on(DetectFacesCommand).resolves({
      FaceDetails: [
        { BoundingBox: { Left: 0.25, Top: 0.1, Width: 0.5, Height: 0.6 }, Confidence: 99, Smile: { Value: true, Confidence: 90 } },
        {},
      ],
    })
    rekognition.on(DetectModerationLabelsCommand).resolves({ ModerationLabels: [{ Name: 'Suggestive', Confidence: 80 }] })
    expect(await vision.facts(image)).toEqual({
      labels: [{ name: 'QR Code', confidence: 0.98 }],
      faces: 2,
      faceDetails: [
        { box: { x: 0.25, y: 0.1, width: 0.5, height: 0.6 }, confidence: 0.99, smile: 0.9 },
        { box: { x: 0, y: 0, width: 0, height: 0 }, confidence: 0, smile: undefined },
      ],
      nsfw: 0.8,
      unsafeLabels: ['Suggestive'],
    })
    expect(rekognition.commandCalls(DetectLabelsCommand)[0]?.args[0].input).toEqual({
      Image: { Bytes: image },
      MinConfidence: 70,
      MaxLabels: 20,
    })
    expect(rekognition.commandCalls(DetectModerationLabelsCommand)[0]?.args[0].input).toEqual({
      Image: { Bytes: image },
      MinConfidence: 70,
    })
  })

  it('reports throttling, unreadable images and other failures by kind', async () => {
    textract.on(DetectDocumentTextCommand).rejects(sdkError('ProvisionedThroughputExceededException'))
    await expect(vision.ocr(image)).rejects.toMatchObject({ name: 'VisionError', kind: 'throttled' })
    textract.on(DetectDocumentTextCommand).rejects(sdkError('UnsupportedDocumentException'))
    await expect(vision.ocr(image)).rejects.toMatchObject({ kind: 'bad-image' })
    rekognition.on(DetectLabelsCommand).rejects(sdkError('InternalServerError'))
    const err = await vision.facts(image).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(VisionError)
    expect(err).toMatchObject({ kind: 'failed' })
  })
})
