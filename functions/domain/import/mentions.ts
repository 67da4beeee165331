/**
 * Finds whom a message @-mentions, from the display names an export carries. WeChat writes a
 * mention as `@` + the member's group name + U+2005 (a four-per-em space); typed by hand it is
 * `@name` followed by a space, or by nothing at all. Names may contain spaces ("Lucy Wang"), and
 * one name may begin another (小明 / 小明妈妈), so the longest known name after the `@` wins —
 * preferring one that ends at a space, punctuation or the end of the text.
 *
 * A name shared by two members is ambiguous and resolves to no one; a placeholder id
 * (`name:<display name>`, for a name seen only in a system message) gives way to a real one.
 * `@所有人` (unless a member is called that) sets `mentionAll`.
 *
 * @example
 *   const m = new MentionResolver()
 *   m.add('小明', 'wxid_xm')
 *   m.resolve('@小明\u2005请勿发广告') // { mentions: ['wxid_xm'], mentionAll: false }
 */

interface Node {
  readonly next: Map<string, Node>
  /** Set when a name ends here: its id, or null when two members share the name. */
  id?: string | null
}

const PLACEHOLDER = 'name:'
const ALL = ['所有人', 'all', 'All']
/** What may follow a mention: WeChat's U+2005, any other space, punctuation, or the end. */
const BOUNDARY = /^(?:$|[\s,，.。:：;；!！?？、)）\]】>》@＠])/u
/** `@` glued to Latin letters or digits before it is an e-mail address, not a mention. */
const EMAIL_BEFORE = /[A-Za-z0-9._%+-]$/

export interface Mentions {
  readonly mentions: readonly string[]
  readonly mentionAll: boolean
}

export class MentionResolver {
  private readonly root: Node = { next: new Map() }

  /** Records that display name `name` belongs to member `id`. */
  add(name: string, id: string): void {
    const key = name.trim()
    if (!key) return
    let node = this.root
    for (const ch of key) {
      let child = node.next.get(ch)
      if (!child) {
        child = { next: new Map() }
        node.next.set(ch, child)
      }
      node = child
    }
    const known = node.id
    if (known === undefined || known === id || known?.startsWith(PLACEHOLDER)) node.id = id
    else if (!id.startsWith(PLACEHOLDER)) node.id = null
  }

  /** The members `text` mentions, in order of first mention, and whether it mentions everyone. */
  resolve(text: string): Mentions {
    const mentions: string[] = []
    let mentionAll = false
    for (let at = text.search(/[@＠]/); at >= 0; at = nextAt(text, at + 1)) {
      if (at > 0 && EMAIL_BEFORE.test(text.slice(Math.max(0, at - 1), at))) continue
      const start = at + 1
      const hit = this.longest(text, start)
      if (hit) {
        if (hit.id && !mentions.includes(hit.id)) mentions.push(hit.id)
        continue
      }
      if (ALL.some((word) => text.startsWith(word, start) && BOUNDARY.test(text.slice(start + word.length)))) mentionAll = true
    }
    return { mentions, mentionAll }
  }

  /** The longest name at `start`, preferring one that ends at a boundary; its id (null if ambiguous). */
  private longest(text: string, start: number): { id: string | null } | undefined {
    let node: Node | undefined = this.root
    let atBoundary: { id: string | null } | undefined
    let any: { id: string | null } | undefined
    let i = start
    while (node && i < text.length) {
      const ch = String.fromCodePoint(text.codePointAt(i) ?? 0)
      node = node.next.get(ch)
      i += ch.length
      if (node?.id === undefined) continue
      any = { id: node.id }
      if (BOUNDARY.test(text.slice(i, i + 1))) atBoundary = any
    }
    return atBoundary ?? any
  }
}

function nextAt(text: string, from: number): number {
  const i = text.slice(from).search(/[@＠]/)
  return i < 0 ? -1 : from + i
}
