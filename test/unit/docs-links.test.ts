import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The README and docs/ link to each other's sections by heading, and a heading renamed (a date in it
 * moved, say) silently breaks every link to it. Every relative link must name a file of the repo, and
 * every `#anchor` a heading of its target, slugged as GitHub does.
 */
const FILES = ['README.md', ...readdirSync('docs').flatMap((f) => (f.endsWith('.md') ? [join('docs', f)] : []))];

/** GitHub's heading ids: lower case, punctuation dropped (hyphens and underscores kept), each space a hyphen, repeats numbered. */
function headingIds(markdown: string): Set<string> {
  const ids = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const text = heading[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = text
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    ids.add(n === 0 ? base : `${base}-${n}`);
  }
  return ids;
}

/** Markdown links outside code: [text](target), with no scheme. */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

describe('links in the README and docs/', () => {
  const ids = new Map(FILES.map((f) => [normalize(f), headingIds(readFileSync(f, 'utf8'))]));

  it('finds the files and their headings', () => {
    expect(FILES).toContain(join('docs', 'performance.md'));
    expect(ids.get(normalize('README.md'))).toContain('quick-start');
  });

  it.each(FILES)('%s: every relative link names a file of the repo, and every anchor a heading there', (file) => {
    const broken: string[] = [];
    for (const link of relativeLinks(readFileSync(file, 'utf8'))) {
      const [path, anchor] = link.split('#') as [string, string | undefined];
      const target = path === '' ? normalize(file) : normalize(join(dirname(file), decodeURI(path)));
      if (!existsSync(target)) {
        broken.push(`${link} (no file ${target})`);
        continue;
      }
      const headings = ids.get(target);
      if (anchor !== undefined && headings && !headings.has(anchor)) broken.push(`${link} (no heading #${anchor} in ${target})`);
    }
    expect(broken).toEqual([]);
  });
});
