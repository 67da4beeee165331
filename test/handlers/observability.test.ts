/** What the handlers write to CloudWatch: JSON lines with phone and ID numbers masked. */
import { describe, expect, it, vi } from 'vitest'

describe('handler logger', () => {
  it('writes structured JSON with phone and resident ID numbers redacted', async () => {
    vi.resetModules()
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO')
    vi.stubEnv('POWERTOOLS_DEV', 'true') // log through the global console, where the test can see it
    const lines: string[] = []
    const spy = vi.spyOn(console, 'info').mockImplementation((line: unknown) => void lines.push(String(line)))
    const { logger } = await import('../../functions/handlers/observability.ts')
    logger.info('decision', { text: '加我 13812345678，身份证 11010519491231002X', room: 'r1' })
    spy.mockRestore()
    vi.unstubAllEnvs()
    const entry = JSON.parse(lines.join('')) as Record<string, unknown>
    expect(entry).toMatchObject({ level: 'INFO', message: 'decision', room: 'r1', text: '加我 138****5678，身份证 1101************2X' })
    expect(lines.join('')).not.toContain('13812345678')
  })
})
