import { parse as parseQs } from 'qs';

/**
 * Nested and repeated fields as Stripe-style clients send them: `metadata[plan]=pro` is
 * `{ metadata: { plan: 'pro' } }`, `tags=a&tags=b` and `expand[0]=tax` are lists.
 */
const FORM_OPTIONS = { depth: 8, arrayLimit: 200, parameterLimit: 2000, duplicates: 'combine' } as const;

/** Media types whose bytes are text: they reach handlers as strings, everything else as a Buffer. */
export const TEXT = /^(?:text\/|application\/(?:[\w.+-]+\+)?(?:xml|yaml|x-yaml|javascript|ecmascript|graphql|x-ndjson|csv|sql)\b)|\+xml\b|charset=/i;

/** Parses `application/x-www-form-urlencoded` text into nested fields (see FORM_OPTIONS). */
export function parseForm(text: string): Record<string, unknown> {
  return parseQs(text, FORM_OPTIONS) as Record<string, unknown>;
}
