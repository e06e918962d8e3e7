import { errors } from '../../lib/errors.js';
import { ALIAS_NAME, LATEST, storedQualifier, VERSION_NUMBER } from '../functions/versions.service.js';

/**
 * The qualifier an event-invoke configuration belongs to, as Lambda's PutFunctionEventInvokeConfig takes it:
 * absent or `$LATEST` is the unqualified function's (null), a version number is stored without leading zeros
 * (`03` is version 3, as the invoke path reads it), anything else must be an alias name. Whether that alias or
 * published version exists is the service's question.
 */
export function configQualifier(qualifier: string | undefined): string | null {
  if (qualifier === undefined || qualifier === LATEST || VERSION_NUMBER.test(qualifier) || ALIAS_NAME.test(qualifier)) {
    return storedQualifier(qualifier);
  }
  throw errors.validation(`qualifier: ${qualifier} is not $LATEST, a version number or an alias name (1 to 128 of [A-Za-z0-9_-])`, [
    { field: 'qualifier' },
  ]);
}

/** How Lambda names the qualifier in answers: `$LATEST` for the unqualified function. */
export const qualifierName = (qualifier: string | null): string => qualifier ?? LATEST;
