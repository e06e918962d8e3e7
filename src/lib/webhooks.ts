import { createHmac, randomBytes } from 'node:crypto';
import type { OutboundHttp } from './outbound-http.js';
import { isSealed, type SecretBox } from './secret-box.js';

/**
 * Signed webhooks to tenants' URLs (budget alerts, async destinations): one signing scheme, one
 * sender, the same headers everywhere, so a receiver verifies both the same way (README).
 */
export const newSigningSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

/**
 * What each stored signing secret is sealed to (src/lib/secret-box.ts): its row, so a sealed value
 * copied onto another row does not open. The mapping's names its column too: its broker URL is
 * sealed to the bare mapping id. src/modules/secrets/secrets.repository.ts re-seals with the same.
 */
export const SIGNING_SECRET_CONTEXT = {
  budget: (id: string) => `budgets:${id}`,
  /** A configuration of `$LATEST` (qualifier null) keeps the context every configuration had before qualifiers. */
  invokeConfig: (accountId: string, functionId: string, qualifier: string | null) =>
    `event_invoke_configs:${accountId}/${functionId}${qualifier === null ? '' : `:${qualifier}`}`,
  mapping: (id: string) => `event_source_mappings.webhook_secret:${id}`,
  delivery: (accountId: string, requestId: string) => `async_destination_deliveries:${accountId}/${requestId}`,
};

/**
 * A stored signing secret's plaintext. A plain value is one an earlier release wrote (every start
 * seals those in place, but a replica of that release may still be running during an upgrade): it
 * signs as it is. A sealed one that does not open throws (SecretKeyError).
 */
export const openSigningSecret = (box: SecretBox, stored: string, context: string): string =>
  isSealed(stored) ? box.open(stored, context) : stored;

/** `sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`: the timestamp is signed so a replay can be refused. */
export const signature = (secret: string, timestamp: string, body: string) =>
  `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;

export interface WebhookRequest {
  url: string;
  secret: string;
  idempotencyKey: string;
  body: string;
  at: Date;
  attempt: number;
}

/** One POST through the guarded client; resolves with the HTTP status (a 3xx is not a delivery: redirects are not followed). */
export async function postWebhook(outbound: OutboundHttp, r: WebhookRequest, timeoutMs: number): Promise<number> {
  const timestamp = String(Math.floor(r.at.getTime() / 1000));
  return outbound.post(
    r.url,
    {
      'content-type': 'application/json',
      'user-agent': 'Tally-Webhooks/1',
      'x-tally-timestamp': timestamp,
      'x-tally-signature': signature(r.secret, timestamp, r.body),
      'x-tally-idempotency-key': r.idempotencyKey,
      'x-tally-delivery-attempt': String(r.attempt),
    },
    r.body,
    timeoutMs,
  );
}

/** What went wrong, in a few words fit for the delivery history (never the secret or the body). */
export function describeFailure(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timed out';
    const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
    return (cause?.code ?? cause?.message ?? err.message).slice(0, 500);
  }
  return String(err).slice(0, 500);
}
