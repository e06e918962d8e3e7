import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The Dockerfile is written without a Docker engine at hand (its header says so); what can be checked without one is
// checked here. Found by the operations review on 2026-12-08.

const root = path.join(__dirname, '../..');
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const stage = (name: string) => new RegExp(`FROM \\S+ AS ${name}\\n([\\s\\S]*?)(?=\\nFROM |$)`).exec(dockerfile)?.[1] ?? '';

describe('Dockerfile: the build stage', () => {
  it('installs the dev dependencies without their install scripts, which need tools it does not have', () => {
    const build = stage('build');
    const install = /RUN npm ci[^\n]*/.exec(build)?.[0] ?? '';
    expect(install).not.toMatch(/--omit=dev/);
    // aws-lambda-ric (a dev dependency, for a compatibility test) builds curl and aws-lambda-cpp from source in its
    // preinstall and stops with "cmake is not installed" on node:20-bookworm-slim: `npm ci` failed, and with it
    // `docker build` and `docker compose up --build` as the README and docker-compose.yml tell.
    const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; hasInstallScript?: boolean }>;
    };
    expect(lock.packages['node_modules/aws-lambda-ric']).toMatchObject({ dev: true, hasInstallScript: true });
    const preinstall = readFileSync(path.join(root, 'node_modules/aws-lambda-ric/scripts/preinstall.sh'), 'utf8');
    expect(preinstall).toMatch(/cmake is not installed/);
    expect(build).not.toMatch(/apt-get install[^\n]*cmake/);
    expect(install).toMatch(/--ignore-scripts/);
    // What the build needs from an install script it runs itself: the native pieces (scripts/build.mjs).
    expect(readFileSync(path.join(root, 'scripts/build.mjs'), 'utf8')).toMatch(/scripts\/build-native\.mjs/);
  });
});
