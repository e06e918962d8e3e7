import type { ImageConfigOverrides } from '../../src/contracts/executor.js';
import type { ImageRun } from './types.js';

/** The part of an OCI image config that says how to run it. */
export interface ImageConfig {
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Env?: string[] | null;
  WorkingDir?: string;
}

/**
 * What runs in an image instance: the image's ENTRYPOINT and CMD, each replaced by the function's
 * imageConfig when it sets one (independently, as Lambda's ImageConfig does), in its WORKDIR (or /)
 * with its ENV. The handler Lambda passes on (_HANDLER) is the command's first word, which is how
 * AWS's base images name it (CMD ["app.handler"]).
 */
export function imageRun(
  image: { digest: string; rootfs: string; config: ImageConfig },
  overrides: ImageConfigOverrides,
): ImageRun & { handler: string } {
  const entryPoint = overrides.entryPoint ?? image.config.Entrypoint ?? [];
  const command = overrides.command ?? image.config.Cmd ?? [];
  const argv = [...entryPoint, ...command];
  if (argv.length === 0) throw new Error('the image sets no ENTRYPOINT or CMD, and imageConfig sets neither');
  const environment: Record<string, string> = {};
  for (const pair of image.config.Env ?? []) {
    const eq = pair.indexOf('=');
    if (eq > 0) environment[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return {
    digest: image.digest,
    rootfs: image.rootfs,
    argv,
    workingDirectory: overrides.workingDirectory || image.config.WorkingDir || '/',
    environment,
    handler: command[0] ?? '',
  };
}
