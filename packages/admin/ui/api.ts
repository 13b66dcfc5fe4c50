// What the admin API sends (see packages/admin/src/routes.ts and /__admin/openapi.json), and how the page calls it.
// Every URL is relative to the page (/__admin/ui), so the dashboard works under any host and port.

// The journal's own types, type-only: erased from the bundle, so no node code reaches the page.
export type { JournalEntry, MissReport, StreamMessage } from '@mockstack/core/journal';

export interface Health {
  scenario: string;
  file?: string;
  seed: number;
  variants: string[];
}

export interface ServiceView {
  name: string;
  protocol: string;
  url: string;
  operations: { id: string; rules: string[] }[];
}

export interface RuleView {
  id: string;
  service?: string;
  operation: string;
  name?: string;
  source?: string;
  variant?: string;
}

export interface VariantsView {
  active: string[];
  available: string[];
}

export interface MachinesView {
  current: Record<string, string>;
  available: Record<string, string[]>;
}

/** An admin call the API refused, with its message (which says what to send instead). */
export class AdminError extends Error {}

/** GET, or PUT/POST of a JSON body, to the admin API; the API's error message on failure. */
export async function admin<T>(path: string, method = 'GET', body?: unknown): Promise<T> {
  const response = await fetch(`./${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok)
    throw new AdminError((parsed as { error?: { message?: string } } | undefined)?.error?.message ?? `the admin API answered ${response.status}`);
  return parsed as T;
}
