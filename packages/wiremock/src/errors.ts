import { AdminRequestError } from '@mockstack/admin';
import { ErrorCode } from '@mockstack/core';

/** A WireMock mapping the admin API refuses (400): malformed, for no REST service, or asking for what mockstack cannot honour. */
export class WiremockMappingInvalid extends AdminRequestError {
  /** Each thing refused, in words. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[], what = 'the mapping') {
    const list = problems.length === 1 ? ` ${problems[0]}` : `\n${problems.map((p) => `  - ${p}`).join('\n')}`;
    super(`${what} is refused, nothing was added:${list}`, { code: ErrorCode.WiremockMappingInvalid });
    this.name = 'WiremockMappingInvalid';
    this.problems = problems;
  }
}

/**
 * A mapping malformed (wrong types, two URLs, a bad priority): WireMock refuses it too, and a root holding
 * one is refused whole, as WireMock refuses to start on it.
 */
export class WiremockMappingMalformed extends WiremockMappingInvalid {
  constructor(problems: readonly string[]) {
    super(problems);
    this.name = 'WiremockMappingMalformed';
  }
}

/** A mapping id or scenario name that names none (404). */
export class WiremockNotFound extends AdminRequestError {
  constructor(message: string) {
    super(message, { code: ErrorCode.WiremockMappingUnknown, status: 404 });
    this.name = 'WiremockNotFound';
  }
}

/** `POST /__admin/mappings/save` with no folder to write the mappings to, or one it cannot write (409). */
export class WiremockSaveUnavailable extends AdminRequestError {
  constructor(message: string) {
    super(message, { code: ErrorCode.WiremockSaveUnavailable, status: 409 });
    this.name = 'WiremockSaveUnavailable';
  }
}
