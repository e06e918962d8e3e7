import { ApiError, createApi } from '../api.js';
import { field, h } from '../dom.js';
import { saveSession } from '../session.js';
import { busy, statusLine } from '../ui.js';

/** One password field: the key is checked against the api, then kept in this tab's sessionStorage. */
export function signInPage(opts: { announce(m: string): void; done(): void }) {
  const key = h('input', { type: 'password', name: 'key', autocomplete: 'current-password', required: true, spellcheck: 'false' });
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const status = statusLine();
  const form = h(
    'form',
    { class: 'card signin', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title', tabindex: -1 }, 'Sign in to Tally'),
    h('p', null, 'Use an account key (it starts with tly_acc_). It stays in this browser tab only, and is forgotten when the tab closes.'),
    field('Account key', key),
    submit,
    status,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = key.value.trim();
    void busy(submit, status, async () => {
      const api = createApi(value);
      try {
        const cost = await api.currentCost();
        const account = await api.account(cost.accountId).catch(() => ({ id: cost.accountId, name: cost.accountId }));
        saveSession({ key: value, accountId: account.id, accountName: account.name });
      } catch (err) {
        key.setAttribute('aria-invalid', 'true');
        key.focus();
        if (err instanceof ApiError && (err.status === 401 || err.status === 403)) throw new Error('That key was not accepted.');
        throw err;
      }
      opts.announce(`Signed in`);
      opts.done();
      return null;
    });
  });
  return form;
}
