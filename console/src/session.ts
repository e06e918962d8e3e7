/** The account key lives in this tab's sessionStorage only: never in a URL, a cookie or localStorage. */
const KEY = 'tally.key';
const ACCOUNT = 'tally.account';

export interface Session {
  key: string;
  accountId: string;
  accountName: string;
}

export function loadSession(): Session | null {
  const key = sessionStorage.getItem(KEY);
  const account = sessionStorage.getItem(ACCOUNT);
  if (!key || !account) return null;
  try {
    const { id, name } = JSON.parse(account) as { id: string; name: string };
    return { key, accountId: id, accountName: name };
  } catch {
    return null;
  }
}

export function saveSession(s: Session) {
  sessionStorage.setItem(KEY, s.key);
  sessionStorage.setItem(ACCOUNT, JSON.stringify({ id: s.accountId, name: s.accountName }));
}

export function clearSession() {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(ACCOUNT);
}
