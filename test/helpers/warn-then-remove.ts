/**
 * The config the failover tests share: every group active, 加微信 warned once, then removed.
 *
 * @example
 *   const guard = new Guard({ store, config: warnThenRemove() })
 */
import { type Config, parseConfig } from '../../functions/domain/config.ts'

export function warnThenRemove(): Config {
  return parseConfig({
    groups: {
      '*': {
        mode: 'active',
        escalation: ['warn', 'remove'],
        rules: [{ id: 'ads', any: ['加微信'], action: 'escalate', reason: '本群禁止广告' }],
      },
    },
  })
}
