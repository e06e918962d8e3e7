import { createHash } from 'node:crypto';
import { type ArnContext, functionArn } from '../../lib/arns.js';
import type { FunctionConfig } from '../functions/functions.repository.js';
import { LATEST } from '../functions/versions.service.js';
import type { AwsSettings } from './aws-settings.repository.js';
import { awsErrors } from './errors.js';

/** ARNs are built in src/lib/arns.ts, where every other ARN Tally writes is too. */
export { type ArnContext, functionArn };

/** Lambda writes times as 2019-10-21T18:37:21.102+0000. */
export const lambdaTime = (d: Date) => d.toISOString().replace('Z', '+0000');

/** A stable revision id per (function, version): it changes exactly when a new version is written. */
export function revisionId(functionId: string, version: number): string {
  const h = createHash('sha256').update(`${functionId}:${version}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const QUALIFIER = /^(\$LATEST|[A-Za-z0-9_-]{1,128})$/;

/**
 * A FunctionName as Lambda takes it: `name`, `name:qualifier`, `account:function:name[:qualifier]`
 * or the full ARN. Another account's ARN names nothing here.
 */
export function parseFunctionName(raw: string, caller: ArnContext, qualifierParam?: string): { name: string; qualifier?: string } {
  const { accountId } = caller;
  let parts = raw.split(':');
  if (parts[0] === 'arn') {
    if (parts.length < 7 || parts[1] !== 'aws' || parts[2] !== 'lambda' || parts[5] !== 'function') {
      throw awsErrors.invalidParameter(`FunctionName: ${raw} is not a Lambda function ARN`);
    }
    // Another account's function, or one of another region (found by a review on 2026-12-07: the region
    // was not read, and an eu-west-1 ARN named this region's function), is none of this endpoint's.
    if (parts[4] !== accountId || parts[3] !== caller.region) throw awsErrors.notFound(`Function not found: ${raw}`);
    parts = parts.slice(6);
  } else if (parts.length >= 3 && parts[1] === 'function') {
    if (parts[0] !== accountId) throw awsErrors.notFound(`Function not found: ${raw}`);
    parts = parts.slice(2);
  }
  if (parts.length > 2 || !FUNCTION_NAME.test(parts[0]!)) {
    throw awsErrors.invalidParameter(
      `FunctionName: ${raw} must be a name of [A-Za-z0-9_-] (1 to 64), optionally with :qualifier, or an ARN`,
    );
  }
  const inName = parts[1];
  if (inName !== undefined && qualifierParam !== undefined && inName !== qualifierParam) {
    throw awsErrors.invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
  }
  const qualifier = inName ?? qualifierParam;
  if (qualifier !== undefined && !QUALIFIER.test(qualifier)) throw awsErrors.invalidParameter(`Qualifier: ${qualifier} is invalid`);
  return { name: parts[0]!, ...(qualifier !== undefined ? { qualifier } : {}) };
}

/** Lambda's FunctionConfiguration for one version (`$LATEST` shows the latest one under that name). */
export function functionConfiguration(arn: ArnContext, c: FunctionConfig, s: AwsSettings, version: string) {
  return {
    FunctionName: c.name,
    FunctionArn: functionArn(arn, c.name, version === LATEST ? undefined : version),
    ...(c.packageType === 'Zip' ? { Runtime: s.runtime ?? c.runtime ?? undefined, Handler: c.handler ?? undefined } : {}),
    Role: s.role ?? `arn:aws:iam::${arn.accountId}:role/tally-function`,
    CodeSize: c.codeSize,
    Description: s.description,
    Timeout: c.timeoutS,
    MemorySize: c.memoryMb,
    LastModified: lambdaTime(c.lastModified),
    CodeSha256: Buffer.from(c.codeSha256, 'hex').toString('base64'),
    Version: version,
    // Lambda answers no Environment for a function without variables; Terraform reads an empty one as a block to remove.
    ...(Object.keys(c.environment).length > 0 ? { Environment: { Variables: c.environment } } : {}),
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: revisionId(c.id, c.version),
    // Tally writes a version synchronously: a function is active, and an update done, once answered.
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: c.packageType,
    Architectures: [c.architecture],
    EphemeralStorage: { Size: c.ephemeralStorageMb },
    ...(c.packageType === 'Image' && c.imageConfig
      ? {
          ImageConfigResponse: {
            ImageConfig: {
              ...(c.imageConfig.entryPoint ? { EntryPoint: c.imageConfig.entryPoint } : {}),
              ...(c.imageConfig.command ? { Command: c.imageConfig.command } : {}),
              ...(c.imageConfig.workingDirectory ? { WorkingDirectory: c.imageConfig.workingDirectory } : {}),
            },
          },
        }
      : {}),
  };
}
