/**
 * Every item of a paginated DynamoDB Query or Scan: `page` is called with each
 * LastEvaluatedKey in turn until DynamoDB returns none.
 *
 * @example
 *   const items = await allPages((start) => doc.send(new QueryCommand({ …, ExclusiveStartKey: start })))
 */
export type Item = Record<string, unknown>

export async function allPages(page: (start: Item | undefined) => Promise<{ Items?: Item[]; LastEvaluatedKey?: Item }>): Promise<Item[]> {
  const out: Item[] = []
  let start: Item | undefined
  do {
    const r = await page(start)
    out.push(...(r.Items ?? []))
    start = r.LastEvaluatedKey
  } while (start)
  return out
}
