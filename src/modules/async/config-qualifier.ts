import { errors } from '../../lib/errors.js';
import { ALIAS_NAME, LATEST, VERSION_NUMBER } from '../functions/versions.service.js';

/**
 * The qualifier an event-invoke configuration belongs to, as Lambda's PutFunctionEventInvokeConfig takes it:
 * absent or `$LATEST` is the unqualified function's (null), a version number is stored without leading zeros
 * (`03` is version 3, as the invoke path reads it), anything else must be an alias name. Whether that alias or
 * published version exists is the service's question.
 */
export function configQualifier(qualifier: string | undefined): string | null {
  if (qualifier === undefined || qualifier === LATEST) return null;
  if (VERSION_NUMBER.test(qualifier)) return String(Number(qualifier));
  if (ALIAS_NAME.test(qualifier)) return qualifier;
  throw errors.validation(`qualifier: ${qualifier} is not $LATEST, a version number or an alias name (1 to 128 of [A-Za-z0-9_-])`, [
    { field: 'qualifier' },
  ]);
}

/** The configuration key of an event queued for `qualifier` (what its caller named): the same rule, so `f:03` finds version 3's. */
export const eventConfigQualifier = (qualifier: string | undefined): string | null =>
  qualifier === undefined || qualifier === LATEST ? null : VERSION_NUMBER.test(qualifier) ? String(Number(qualifier)) : qualifier;

/** How Lambda names the qualifier in answers: `$LATEST` for the unqualified function. */
export const qualifierName = (qualifier: string | null): string => qualifier ?? LATEST;
