/** Display helpers. Money and GB-seconds stay the api's decimal strings: shown, never re-computed. */
export const dateTime = (iso: string | null | undefined) =>
  iso ? `${new Date(iso).toISOString().replace('T', ' ').slice(0, 19)} UTC` : '—';
export const day = (iso: string) => iso.slice(0, 10);
export const hour = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
export const money = (amount: string, currency = 'USD') => `${currency === 'USD' ? '$' : `${currency} `}${amount}`;
export const int = (n: number) => n.toLocaleString('en-US');
export const bytes = (n: number) =>
  n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
/** For charts only: the api's decimal string as a float (the figure on screen stays the string). */
export const plot = (decimal: string) => Number.parseFloat(decimal);
export const count = (n: number, noun: string) => `${int(n)} ${noun}${n === 1 ? '' : 's'}`;
