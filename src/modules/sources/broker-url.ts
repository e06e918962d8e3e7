import { errors } from '../../lib/errors.js';
import type { SourceType } from './sources.repository.js';

/** The URL schemes each broker client accepts. */
const SCHEMES: Record<Exclude<SourceType, 's3-webhook'>, string[]> = {
  rabbitmq: ['amqp:', 'amqps:'],
  mqtt: ['mqtt:', 'mqtts:', 'tcp:', 'tls:', 'ws:', 'wss:'],
  nats: ['nats:', 'tls:'],
  redis: ['redis:', 'rediss:'],
  postgres: ['postgres:', 'postgresql:'],
};

/**
 * Checks a broker URL for its source type and answers it without credentials (user and password
 * removed), which is all Tally ever shows of it: the whole URL is sealed at rest.
 */
export function checkBrokerUrl(type: Exclude<SourceType, 's3-webhook'>, raw: string): { url: string; redacted: string } {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw errors.validation('source.url: not a URL', [{ field: 'source.url' }]);
  }
  if (!SCHEMES[type].includes(u.protocol)) {
    throw errors.validation(`source.url: a ${type} source takes ${SCHEMES[type].map((s) => `${s}//`).join(', ')} URLs`, [
      { field: 'source.url' },
    ]);
  }
  if (u.hostname === '') throw errors.validation('source.url: the URL names no host', [{ field: 'source.url' }]);
  return { url: raw, redacted: redact(u) };
}

export function redact(u: URL): string {
  const c = new URL(u.href);
  c.username = '';
  c.password = '';
  c.search = '';
  c.hash = '';
  return c.href;
}
