import type { FunctionConfig } from '../api.js';
import { facts, field, h, link, replace, select, table } from '../dom.js';
import { bytes, dateTime, int } from '../format.js';
import type { PageContext } from '../page.js';
import { busy, statusLine } from '../ui.js';

const RUNTIMES = ['nodejs', 'python', 'ruby', 'java', 'provided'];
const fnHref = (name: string) => `#/functions/${encodeURIComponent(name)}`;

export async function functionsPage(ctx: PageContext) {
  const list = await ctx.api.listFunctions();
  return h(
    'section',
    null,
    h('h1', null, 'Functions'),
    table(
      'Your functions',
      ['Name', 'Runtime', 'Memory', 'Architecture', 'Version', 'Last modified'],
      list.map((f) => [
        link(fnHref(f.name), f.name),
        f.runtime ?? f.packageType,
        `${f.memoryMb} MB`,
        f.architecture,
        String(f.latestVersion),
        dateTime(f.lastModified),
      ]),
      'No functions yet: deploy one below.',
    ),
    deployForm(ctx, new Set(list.map((f) => f.name))),
  );
}

/** Deploys a zip: a new function with its settings, or new code (a new version) for one that exists. */
function deployForm(ctx: PageContext, existing: Set<string>, fixedName?: string) {
  const name = h('input', {
    name: 'name',
    required: true,
    pattern: '[A-Za-z0-9_\\-]{1,64}',
    value: fixedName,
    readonly: fixedName !== undefined,
    autocomplete: 'off',
  });
  const runtime = select('runtime', RUNTIMES, 'nodejs');
  const handler = h('input', { name: 'handler', placeholder: 'index.handler', autocomplete: 'off' });
  const memory = h('input', { name: 'memoryMb', type: 'number', min: 128, max: 10240, step: 1, placeholder: '128' });
  const timeout = h('input', { name: 'timeoutS', type: 'number', min: 1, max: 900, step: 1, placeholder: '3' });
  const arch = select('architecture', ['x86_64', 'arm64'], 'x86_64');
  const zip = h('input', { name: 'zip', type: 'file', accept: '.zip,application/zip', required: true });
  const submit = h('button', { type: 'submit' }, fixedName ? 'Deploy new code' : 'Deploy');
  const status = statusLine();
  const settings = fixedName
    ? null
    : h(
        'fieldset',
        null,
        h('legend', null, 'Settings (new functions only)'),
        field('Runtime', runtime),
        field('Handler', handler, 'Default per runtime, e.g. index.handler for Node.js'),
        field('Memory (MB)', memory),
        field('Timeout (seconds)', timeout),
        field('Architecture', arch),
      );
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'deploy-title' },
    h('h2', { id: 'deploy-title' }, fixedName ? 'Deploy new code' : 'Deploy a function'),
    field('Function name', name, 'Letters, digits, - and _; an existing name gets a new version'),
    settings,
    field('Code (.zip)', zip),
    submit,
    status,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const file = zip.files?.[0];
    if (!file) return;
    const fn = name.value.trim();
    void busy(submit, status, async () => {
      const num = (el: HTMLInputElement) => (el.value ? Number(el.value) : undefined);
      const created = await ctx.api.deploy(
        {
          name: fn,
          runtime: runtime.value,
          handler: handler.value.trim() || undefined,
          memoryMb: num(memory),
          timeoutS: num(timeout),
          architecture: arch.value,
        },
        file,
        existing.has(fn),
      );
      ctx.announce(`Deployed ${created.name} version ${created.version}`);
      ctx.navigate(fnHref(created.name));
      return `Deployed ${created.name}, version ${created.version}.`;
    });
  });
  return form;
}

/** The versions table shows this many, the newest: a function deployed on every commit has thousands. */
const VERSIONS_SHOWN = 1000;

export async function functionPage(ctx: PageContext, name: string) {
  const fn = await ctx.api.getFunction(name);
  const after = Math.max(0, fn.latestVersion - VERSIONS_SHOWN);
  const versions = await ctx.api.versions(name, after, VERSIONS_SHOWN);
  return h(
    'section',
    null,
    h('p', { class: 'crumbs' }, link('#/functions', 'Functions'), ' / ', fn.name),
    h('h1', null, fn.name),
    h('div', { class: 'grid' }, configuration(fn), invokeForm(ctx, fn)),
    table(
      after > 0 ? `The newest ${int(VERSIONS_SHOWN)} versions, oldest first` : 'Versions, oldest first',
      ['Version', 'Runtime', 'Handler', 'Memory', 'Code SHA-256', 'Size', 'Made'],
      versions.map((v) => [
        String(v.version),
        v.runtime ?? v.packageType,
        v.handler ?? '—',
        `${v.memoryMb} MB`,
        h('code', { title: v.codeSha256 }, `${v.codeSha256.slice(0, 12)}…`),
        bytes(v.codeSize),
        dateTime(v.lastModified),
      ]),
    ),
    deployForm(ctx, new Set([fn.name]), fn.name),
    h('p', null, link(`#/logs?function=${encodeURIComponent(fn.name)}`, `Search ${fn.name}'s logs`)),
  );
}

function configuration(fn: FunctionConfig) {
  const env = Object.keys(fn.environment);
  return h(
    'div',
    { class: 'card' },
    h('h2', null, 'Configuration'),
    facts([
      ['Version', `${fn.version} (latest ${fn.latestVersion})`],
      ['Package', fn.packageType],
      ['Runtime', fn.runtime ?? '—'],
      ['Handler', fn.handler ?? '—'],
      ['Memory', `${fn.memoryMb} MB`],
      ['Timeout', `${fn.timeoutS} s`],
      ['Architecture', fn.architecture],
      ['Ephemeral storage', `${fn.ephemeralStorageMb} MB`],
      ['Reserved concurrency', fn.reservedConcurrency === null ? 'none' : String(fn.reservedConcurrency)],
      ['Environment', env.length ? env.join(', ') : 'none'],
      ['Code', `${bytes(fn.codeSize)} zipped, ${bytes(fn.codeUnzippedSize)} unzipped`],
      ['Last modified', dateTime(fn.lastModified)],
    ]),
  );
}

/** A JSON editor (a validated textarea), the answer with its headers, and the log tail. */
function invokeForm(ctx: PageContext, fn: FunctionConfig) {
  const payload = h('textarea', { name: 'event', rows: 8, spellcheck: 'false', class: 'code' }, '{\n  "hello": "world"\n}');
  const check = h('small', { id: 'event-check', class: 'hint', 'aria-live': 'polite' }, 'Valid JSON.');
  payload.setAttribute('aria-describedby', 'event-check');
  const validate = () => {
    try {
      JSON.parse(payload.value);
      payload.removeAttribute('aria-invalid');
      check.textContent = 'Valid JSON.';
      check.className = 'hint';
      return true;
    } catch (err) {
      payload.setAttribute('aria-invalid', 'true');
      check.textContent = `Not valid JSON: ${(err as Error).message}`;
      check.className = 'hint error';
      return false;
    }
  };
  payload.addEventListener('input', validate);
  const submit = h('button', { type: 'submit' }, 'Invoke');
  const status = statusLine();
  const result = h('div', { class: 'result', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'invoke-title' },
    h('h2', { id: 'invoke-title' }, 'Invoke'),
    h('div', { class: 'field' }, h('label', { for: 'event-editor' }, 'Event (JSON)'), payload, check),
    submit,
    status,
    result,
  );
  payload.id = 'event-editor';
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!validate()) {
      payload.focus();
      return;
    }
    void busy(submit, status, async () => {
      const r = await ctx.api.invoke(fn.name, payload.value);
      let body = r.body;
      try {
        body = JSON.stringify(JSON.parse(r.body), null, 2);
      } catch {
        // not JSON: shown as sent
      }
      replace(
        result,
        h('h3', null, r.functionError ? `Function error (${r.functionError})` : 'Result'),
        h('pre', { class: 'code', 'data-testid': 'invoke-result', tabindex: 0 }, body),
        facts([
          ['Request id', r.requestId ?? '—'],
          ['Billed duration', r.billedMs ? `${r.billedMs} ms` : '—'],
          ['Init duration', r.initMs ? `${r.initMs} ms (cold start)` : 'warm'],
        ]),
        h('h3', null, 'Log tail'),
        h('pre', { class: 'code log', 'data-testid': 'log-tail', tabindex: 0 }, r.logTail ?? '(no log returned)'),
        r.requestId ? link(`#/logs?function=${encodeURIComponent(fn.name)}&requestId=${r.requestId}`, 'This request in the logs') : null,
      );
      const outcome = r.functionError ? `Invocation failed: ${r.functionError}` : 'Invocation succeeded';
      ctx.announce(outcome);
      return `${outcome}${r.billedMs ? `, billed ${r.billedMs} ms` : ''}.`;
    });
  });
  return form;
}
