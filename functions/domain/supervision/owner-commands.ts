/**
 * What group owners (and configured admins) can tell the guard in a private chat, in Chinese or
 * English. Rules and groups are named by the short numbers of the latest `规则` list (`R3`,
 * `G2`), by their id, or — groups — by (part of) their name.
 *
 *   规则 / rules                 the rules of my groups with their records (numbered R1, R2 …)
 *   暂停 R3 / pause R3           the rule does nothing until resumed
 *   恢复 R3 / resume R3
 *   启用 R3 / promote R3         the rule acts on its own from now on
 *   试运行 R3 / shadow R3        the rule only proposes again
 *   停用 R3 / retire R3          the rule is switched off for good (启用 brings it back)
 *   安静 开 G1 / quiet on G1     private alerts to me instead of public @-warnings in that group
 *   安静 关 G1 / quiet off G1
 *   日报 / report                today's report
 *   群列表 / groups              my groups, numbered G1, G2 … (as 规则 numbers them)
 *   加关键词 G2 代购 微商 / addword G2 代购    keywords the guard acts on in that group (the group's ladder)
 *   删关键词 G2 代购 / delword G2 代购
 *   白名单 G2 小王 / whitelist G2 小王         never act on that member there (by name or WeChat id)
 *   取消白名单 G2 小王 / unwhitelist G2 小王
 *   锁定 G2 链接 红包 / lock G2 link      nobody may post these types there (on top of the config's)
 *   解锁 G2 链接 / unlock G2 link         takes back a lock set from the chat
 *   刷屏 G2 5 10 / flood G2 5 10           5 messages or more within 10 seconds is a flood there; 刷屏 G2 关: none
 *   (the group may be left out by an owner of one group)
 *   黑名单 / blacklist           the members on my blacklist (removed for a violation in one of my groups)
 *   解除黑名单 小王 / unblacklist 小王   takes a member off it, by name or WeChat id (an @ is fine)
 *   误判 D12 / wrong D12         one of the guard's decisions was wrong (its number on the console's
 *                                decisions page): the rule's record counts it as N<n> would have
 *   帮助 / help
 *
 * @example
 *   parseOwnerCommand('暂停 R3') // { kind: 'rule', command: 'pause', ref: 'R3' }
 *   parseOwnerCommand('安静 开 家长群') // { kind: 'quiet', on: true, group: '家长群' }
 */
import type { OwnerRuleCommand } from './lifecycle.ts'

export type OwnerCommand =
  | { readonly kind: 'list' }
  | { readonly kind: 'rule'; readonly command: OwnerRuleCommand; readonly ref: string }
  | { readonly kind: 'quiet'; readonly on: boolean; readonly group?: string | undefined }
  | { readonly kind: 'report' }
  | { readonly kind: 'groups' }
  /** `args`: the group (G2, a name) if given, then the keywords or the member. */
  | { readonly kind: 'keywords'; readonly add: boolean; readonly args: readonly string[] }
  | { readonly kind: 'whitelist'; readonly add: boolean; readonly args: readonly string[] }
  | { readonly kind: 'lock'; readonly add: boolean; readonly args: readonly string[] }
  | { readonly kind: 'flood'; readonly args: readonly string[] }
  | { readonly kind: 'verify'; readonly args: readonly string[] }
  | { readonly kind: 'blacklist' }
  | { readonly kind: 'unblacklist'; readonly who: string }
  /** `ref`: the decision's number as the console shows it (D12, or 12). */
  | { readonly kind: 'wrong'; readonly ref: string }
  | { readonly kind: 'help' }

const RULE_WORDS: Record<string, OwnerRuleCommand> = {
  暂停: 'pause',
  pause: 'pause',
  恢复: 'resume',
  resume: 'resume',
  启用: 'promote',
  promote: 'promote',
  试运行: 'shadow',
  shadow: 'shadow',
  停用: 'retire',
  retire: 'retire',
}
const ON = new Set(['开', '开启', '打开', 'on'])
const OFF = new Set(['关', '关闭', 'off'])

/** Reads an owner's command; undefined for anything else (an ordinary private message). */
export function parseOwnerCommand(text: string): OwnerCommand | undefined {
  const words = text.normalize('NFKC').trim().split(/\s+/u).filter(Boolean)
  const [first, ...rest] = words
  if (!first) return undefined
  const head = first.toLowerCase()
  if (rest.length === 0) {
    if (head === '规则' || head === 'rules') return { kind: 'list' }
    if (head === '日报' || head === 'report') return { kind: 'report' }
    if (head === '帮助' || head === 'help') return { kind: 'help' }
    if (head === '黑名单' || head === 'blacklist') return { kind: 'blacklist' }
    if (head === '群列表' || head === 'groups') return { kind: 'groups' }
  }
  const args = rest.map((a) => a.replace(/^@/u, '')).filter(Boolean)
  if (args.length) {
    if (head === '加关键词' || head === 'addword') return { kind: 'keywords', add: true, args }
    if (head === '删关键词' || head === 'delword') return { kind: 'keywords', add: false, args }
    if (head === '白名单' || head === 'whitelist') return { kind: 'whitelist', add: true, args }
    if (head === '取消白名单' || head === 'unwhitelist') return { kind: 'whitelist', add: false, args }
    if (head === '锁定' || head === 'lock') return { kind: 'lock', add: true, args }
    if (head === '解锁' || head === 'unlock') return { kind: 'lock', add: false, args }
    if (head === '刷屏' || head === 'flood') return { kind: 'flood', args }
    if (head === '验证' || head === '入群验证' || head === 'verify') return { kind: 'verify', args }
  }
  if ((head === '解除黑名单' || head === 'unblacklist') && rest.length > 0)
    return { kind: 'unblacklist', who: rest.join(' ').replace(/^@/u, '') }
  // 解除黑名单@小王, written without a space
  const glued = /^解除黑名单@?(.+)$/u.exec(first)
  if (glued?.[1] && rest.length === 0) return { kind: 'unblacklist', who: glued[1] }
  if ((head === '误判' || head === 'wrong') && rest.length === 1) return { kind: 'wrong', ref: rest[0] as string }
  const command = RULE_WORDS[head]
  if (command && rest.length === 1) return { kind: 'rule', command, ref: rest[0] as string }
  if (head === '安静' || head === 'quiet') {
    const [sw, ...group] = rest
    const s = sw?.toLowerCase() ?? ''
    if (!ON.has(s) && !OFF.has(s)) return undefined
    return { kind: 'quiet', on: ON.has(s), group: group.length ? group.join(' ') : undefined }
  }
  return undefined
}

export const OWNER_HELP = [
  '[qunguard] 可用指令：',
  '规则 — 我的群的规则及其记录（编号 R1、R2…）',
  '暂停 R3 / 恢复 R3 — 暂停或恢复一条规则',
  '启用 R3 — 规则自动执行；试运行 R3 — 只提议、等我审批；停用 R3 — 关闭规则',
  '安静 开 G1 / 安静 关 G1 — 该群改为私信提醒我，不在群里@警告',
  '日报 — 今天的处理情况',
  '群列表 — 我管理的群（编号 G1、G2…）',
  '加关键词 G1 代购 微商 / 删关键词 G1 代购 — 该群按警告→移出处理含这些词的消息',
  '白名单 G1 小王 / 取消白名单 G1 小王 — 该群不再处理这位成员（昵称或微信号）',
  '锁定 G1 链接 红包 / 解锁 G1 链接 — 该群不许发这些类型（链接、小程序、名片、文件、红包、转账、图片、视频、语音、表情、位置、二维码）',
  '刷屏 G1 5 10 — 该群 10 秒内连发 5 条以上算刷屏；刷屏 G1 关 — 不限',
  '验证 G1 开 / 验证 G1 关 — 该群新成员须在限定时间内回复验证码，超时移出（时限、问题见配置 verification）',
  '黑名单 — 在我的某个群因违规被移出、在我所有群都会被处理的成员',
  '解除黑名单 小王 — 把成员移出黑名单（昵称或微信号）',
  '误判 D12 — 把一条处理记为误判（编号见控制台的处理记录），规则的记录随之更正',
  '审批：回复 Y<编号> 执行，N<编号> 不处理',
].join('\n')

/** Names of lockable message types, as owners write them. */
export const LOCK_WORDS: Readonly<Record<string, string>> = {
  链接: 'link',
  小程序: 'miniprogram',
  名片: 'card',
  文件: 'file',
  红包: 'redpacket',
  转账: 'transfer',
  图片: 'image',
  视频: 'video',
  语音: 'voice',
  表情: 'emoji',
  位置: 'location',
  二维码: 'qr',
}
