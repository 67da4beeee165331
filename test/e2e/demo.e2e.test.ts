import { describe, expect, it } from 'vitest'
import { runDemo, runFailoverDemo } from '../../bin/commands/demo.ts'

describe('qunguard demo', () => {
  it('narrates in Chinese, naming the group and members by name', async () => {
    const lines: string[] = []
    await runDemo((l) => lines.push(l))
    const narration = lines.filter((l) => !l.trimStart().startsWith('{'))
    expect(narration[0]).toContain('群「周末亲子活动群」：群主 王姐')
    expect(narration).toContain('    🛡  守卫在群里说：@优惠小助手 本群禁止广告和引流。这是第 1 次提醒，再违规 2 次将被移出群聊。')
    expect(narration).toContain('    🚫 守卫把 优惠小助手 移出了群聊')
    // Owners read this: no English narration, no WeChat ids.
    for (const line of narration) {
      expect(line).not.toMatch(/\b(guard|owner|admin|member|joins|removed|recalled|rule|ladder|private|decision)\b/i)
      expect(line).not.toMatch(/wxid_|@chatroom/)
    }
    // The decision log keeps the line format's keys, with the reason in Chinese.
    const log = lines.filter((l) => l.trimStart().startsWith('{')).map((l) => JSON.parse(l))
    expect(log.map((d) => d.action)).toEqual(['warn', 'warn', 'remove'])
    expect(log[0].reason).toContain('本群禁止广告和引流')
    expect(log[0].reason).toMatch(/→ 警告$/)
  })

  it('--failover: the second account takes over mid-flood, the owner is told once by name, nothing is lost or done twice', async () => {
    const lines: string[] = []
    await runFailoverDemo((l) => lines.push(l))
    const after = lines.slice(lines.findIndex((l) => l.includes('守卫甲 掉线了')))
    expect(after.some((l) => l.includes('守卫乙 把 代购阿珍 移出了群聊'))).toBe(true)
    expect(after.some((l) => l.includes('守卫甲 把'))).toBe(false)
    expect(lines.filter((l) => l.includes('私信 王姐') && l.includes('守卫账号「守卫甲」 已失联'))).toHaveLength(1)
    expect(lines.at(-1)).toMatch(/^\n?结果：12 个处理决定，12 个各执行了一次.*没有遗漏，没有重复。$/)
    for (const line of lines) expect(line).not.toMatch(/wxid_|@chatroom/)
  }, 30_000)
})
