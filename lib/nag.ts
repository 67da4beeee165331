/**
 * Acknowledging cdk-nag findings: each IAM5 finding is its own id (`AwsSolutions-IAM5[Resource::…]`),
 * and a resource rendered from a token looks different in the same stack (`<Logical.Arn>`) and
 * across stacks (the export's name). These helpers write those ids from the constructs
 * themselves, so an acknowledgement follows the resource it is about.
 */
import { Stack, Validations } from 'aws-cdk-lib'
import type { IConstruct } from 'constructs'

/**
 * How cdk-nag renders a token-valued ARN of `owner` as seen from `scope`'s stack. Across stacks
 * it is the export's name, which `exportValue` gives (the same export CDK would create).
 */
export function renderedArn(scope: IConstruct, owner: IConstruct, arn: string): string {
  const consumer = Stack.of(scope)
  const producer = Stack.of(owner)
  const resolved = consumer.resolve(producer === consumer ? arn : producer.exportValue(arn)) as unknown
  if (typeof resolved === 'string') return resolved
  const r = resolved as Record<string, unknown>
  if (typeof r['Fn::ImportValue'] === 'string') return r['Fn::ImportValue']
  const getAtt = r['Fn::GetAtt']
  if (Array.isArray(getAtt)) return `<${getAtt[0]}.${getAtt[1]}>`
  throw new Error(`cannot render ${JSON.stringify(resolved)} as cdk-nag does`)
}

/** Acknowledges AwsSolutions-IAM5 for exactly these wildcards (`Resource::…` or `Action::…`), with one reason. */
export function acknowledgeWildcards(construct: IConstruct, findings: readonly string[], reason: string): void {
  for (const f of findings) Validations.of(construct).acknowledge({ id: `AwsSolutions-IAM5[${f}]`, reason })
}
