// The engine's view of a relay, built from our row (product spec §5): host and schema from the subdomain,
// the owner as `info.pubkey`, toggles, the operator's LiveKit/S3 settings where enabled, and a role that
// gives operator admins `can_manage`.
import type { Config } from '../config.js'
import type { RelayRow } from '../db/schema.js'
import { exemptKindsOf } from '../platform/validation.js'
import type { EngineRelayConfig } from './engine-client.js'

export const ADMIN_ROLE = 'caravel_admin'

export function relayHost(subdomain: string, relayDomain: string): string {
  return `${subdomain}.${relayDomain}`
}

/** The engine schema name: the subdomain with `-` → `_` (subdomains start with a letter). */
export function relaySchema(subdomain: string): string {
  return subdomain.replace(/-/g, '_')
}

export function engineConfigFor(
  relay: RelayRow,
  context: { config: Pick<Config, 'relayDomain' | 'livekit' | 'blossomS3'>; admins: string[]; memberLimit?: number | null },
): EngineRelayConfig {
  const { livekit, blossomS3 } = context.config
  const livekitOn = relay.livekit_enabled === 1 && livekit !== undefined
  const blossom: EngineRelayConfig['blossom'] = { enabled: relay.blossom_enabled === 1 }
  if (blossom.enabled && blossomS3) {
    blossom.s3 = {
      endpoint: blossomS3.endpoint,
      region: blossomS3.region,
      bucket: blossomS3.bucket,
      access_key: blossomS3.accessKey,
      secret_key: blossomS3.secretKey,
    }
  }
  return {
    host: relayHost(relay.subdomain, context.config.relayDomain),
    schema: relaySchema(relay.subdomain),
    inactive: relay.status !== 'active',
    info: { name: relay.info_name, icon: relay.info_icon, description: relay.info_description, pubkey: relay.tenant },
    policy: {
      public_join: relay.policy_public_join === 1,
      strip_signatures: relay.policy_strip_signatures === 1,
      // Caravel extensions (zooid ignores them): the plan's member limit and the exempt kinds.
      max_members: context.memberLimit ?? null,
      exempt_kinds: exemptKindsOf(relay.exempt_kinds),
    },
    groups: { enabled: relay.groups_enabled === 1 },
    management: { enabled: relay.management_enabled === 1 },
    blossom,
    livekit: {
      enabled: livekitOn,
      server_url: livekitOn ? livekit.url : '',
      api_key: livekitOn ? livekit.apiKey : '',
      api_secret: livekitOn ? livekit.apiSecret : '',
    },
    push: { enabled: relay.push_enabled === 1 },
    roles: { [ADMIN_ROLE]: { pubkeys: [...new Set(context.admins)].sort(), can_manage: true, can_invite: true } },
  }
}
