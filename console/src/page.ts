import type { Api } from './api.js';
import type { Session } from './session.js';

export interface PageContext {
  api: Api;
  session: Session;
  query: URLSearchParams;
  /** Read out by screen readers (an aria-live region). */
  announce(message: string): void;
  /** Aborted when the user leaves the page. */
  signal: AbortSignal;
  navigate(hash: string): void;
}

export type Page = (ctx: PageContext, ...params: string[]) => Promise<Node>;
