import { ErrorCode, MockstackError } from './errors.js';
import { escapeRegExp } from './escape-regexp.js';
import { isLoopbackOrigin } from './loopback.js';
import type { CorsOptions } from './model.js';

/** Refused origins a policy tells of at most (then it stays quiet: a page sending ever new origins). */
const MAX_TOLD = 100;

/**
 * Which browser origins a service's CORS lets read its answers (see `CorsOptions.origins`): by
 * default only pages on this machine; `'*'` any. A refused page sees only "blocked by CORS policy"
 * in its own console, so the first refusal of each origin is told to `onRefused` with what to change.
 * A request whose Origin is the server's own Host is same-origin: it needs no CORS headers, and is not told of.
 */
export class CorsOriginPolicy {
  readonly #origins: readonly (string | RegExp)[] | undefined;
  readonly #any: boolean;
  readonly #onRefused: ((message: string) => void) | undefined;
  readonly #told = new Set<string>();

  constructor(origins: CorsOptions['origins'], onRefused?: (message: string) => void) {
    this.#any = origins?.includes('*') ?? false;
    // Without the global flag: test() of a global RegExp moves its lastIndex and fails every other call.
    this.#origins = origins?.map((origin) =>
      typeof origin === 'string' || !origin.global ? origin : new RegExp(origin.source, origin.flags.replace('g', '')),
    );
    this.#onRefused = onRefused;
  }

  /** Whether a page at `origin` may read the answers; `host`: the request's Host header. */
  allows(origin: string, host: string | undefined): boolean {
    if (this.#any) return true;
    const origins = this.#origins;
    const allowed = origins === undefined ? isLoopbackOrigin(origin) : origins.some((o) => (typeof o === 'string' ? o === origin : o.test(origin)));
    if (!allowed && this.#onRefused && !this.#told.has(origin) && this.#told.size < MAX_TOLD && !isSameOrigin(origin, host)) {
      this.#told.add(origin);
      this.#onRefused(this.#refusal(origin));
    }
    return allowed;
  }

  #refusal(origin: string): string {
    const page = origin === 'null' ? 'a page opened from a file or a sandbox (Origin: null)' : `a page at ${origin}`;
    const refused = `${page} called it from another origin and got no CORS headers, so the browser hides the answer`;
    if (this.#origins === undefined)
      return `${refused}: by default only pages on this machine (localhost, 127.0.0.1, [::1]) may. Allow it with \`--cors ${origin}\` (or \`--cors '*'\`), or \`cors: { origins: ['${origin}'] }\` on the service`;
    return `${refused}: it is not among the origins allowed (${this.#origins.map(String).join(', ')}). Add it where they are set: \`--cors\` or the service's \`cors.origins\``;
  }
}

function isSameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  const start = origin.indexOf('://');
  return start > 0 && origin.slice(start + 3).toLowerCase() === host.toLowerCase();
}

/**
 * The origins of `--cors` (or MOCKSTACK_CORS): comma-separated origins as browsers send them
 * (`http://localhost:3000`, `capacitor://localhost`), `*` for any, or origins with `*` standing for any
 * part of the host or port (`https://*.app.github.dev`, `http://192.168.1.5:*`). Throws a
 * MOCKSTACK_ERR_OPTION_INVALID naming what is wrong with one that is no origin (after `source`, the
 * setting's name, when given).
 */
export function parseCorsOrigins(text: string, source?: string): (string | RegExp)[] {
  const where = source === undefined ? '' : `${source}: `;
  const origins: (string | RegExp)[] = [];
  for (const part of text.split(',')) {
    const given = part.trim();
    if (given === '') continue;
    if (given === '*') {
      origins.push('*');
      continue;
    }
    // A browser's Origin has no trailing slash; one written out of habit is dropped.
    const origin = given.replace(/\/$/, '');
    const parts = /^([a-z][a-z0-9+.-]*):\/\/([^/?#\s]+)$/i.exec(origin);
    if (!parts) throw new MockstackError(ErrorCode.OptionInvalid, `${where}"${given}" is not an origin. ${originHint(given)}`);
    const normal = `${(parts[1] as string).toLowerCase()}://${(parts[2] as string).toLowerCase()}`;
    origins.push(normal.includes('*') ? wildcardOrigin(normal) : normal);
  }
  if (origins.length === 0) throw new MockstackError(ErrorCode.OptionInvalid, `${where}no origin given. ${originHint('')}`);
  return origins;
}

function originHint(given: string): string {
  const example = 'write scheme://host[:port] as the browser shows it, e.g. http://localhost:5173 or https://*.app.github.dev, comma-separated, or * for any';
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]+[/?#]./i.test(given))
    return `An origin has no path or query: ${given.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#\s]+).*$/i, '$1')}; ${example}`;
  if (given !== '' && !given.includes('://')) return `It lacks its scheme (http://${given}?); ${example}`;
  return `${example[0]?.toUpperCase()}${example.slice(1)}`;
}

/** `https://*.app.github.dev` as the RegExp of the origins it stands for: each `*` any run of characters but `/`. */
function wildcardOrigin(origin: string): RegExp {
  const pattern = origin.split('*').map(escapeRegExp).join('[^/]*');
  return new RegExp(`^${pattern}$`, 'i');
}
