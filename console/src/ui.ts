import { ApiError } from './api.js';
import { h } from './dom.js';

/** An API error as the user reads it: the message, its code and the request id to quote. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return `${err.message} (${err.code}${err.requestId ? `, request ${err.requestId}` : ''})`;
  return err instanceof Error ? err.message : String(err);
}

export const errorBox = (err: unknown) => h('p', { class: 'error', role: 'alert' }, errorText(err));

/** Runs a form's action with its submit button disabled, reporting the outcome in `status`. */
export async function busy(button: HTMLButtonElement, status: HTMLElement, action: () => Promise<string | null>) {
  button.disabled = true;
  status.className = 'status';
  status.textContent = 'Working…';
  try {
    const done = await action();
    status.textContent = done ?? '';
  } catch (err) {
    status.className = 'status error';
    status.textContent = errorText(err);
  } finally {
    button.disabled = false;
  }
}

/** A polite live region for a form's outcome. */
export const statusLine = () => h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });

/** Saves text as a file the browser downloads. */
export function download(filename: string, type: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
