// What the admin API sends (see packages/admin/src/routes.ts and /__admin/openapi.json), and how the page calls it.
// Every URL is relative to the page (/__admin/ui), so the dashboard works under any host and port.

export interface MissReport {
  message: string;
  nearest?: { rule: string; source?: string; wanted: string[]; missed: string[] };
  candidates: string[];
  hint: string;
}

export interface StreamMessage {
  /** Milliseconds after the call started. */
  atMs: number;
  direction: 'in' | 'out';
  message: unknown;
}

export interface JournalEntry {
  id: number;
  time: string;
  protocol: string;
  service: string;
  operation: string;
  target: string;
  request: { params: Record<string, string>; query: Record<string, unknown>; headers: Record<string, unknown>; body: unknown };
  rule: string | null;
  status: number | string;
  code?: string;
  miss?: MissReport;
  error?: string;
  strayErrors?: string[];
  durationMs: number;
  variants: string[];
  response?: {
    status: number | string;
    headers?: Record<string, string>;
    trailers?: Record<string, string>;
    body?: unknown;
    truncatedBytes?: number;
    messages?: StreamMessage[];
    droppedMessages?: number;
  };
}

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
