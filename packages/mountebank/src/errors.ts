import { ErrorCode, MockstackError } from '@mockstack/core';

/** One error as Mountebank's API answers it: `bad data`, `invalid predicate`, `no such resource`… */
export interface MountebankError {
  code: string;
  message: string;
  /** Not a refusal: a key ignored as Mountebank ignores it (reported by `mockstack import`). */
  ignored?: boolean;
}

/**
 * An imposter or stub mockstack refuses: malformed, for no REST service, or asking for what it cannot
 * honour (`inject`, `shellTransform`, a tcp imposter). The admin API answers it as Mountebank does:
 * 400 `{ errors: [{ code, message }] }`; nothing of the request is applied.
 */
export class MountebankInvalid extends MockstackError {
  /** Each problem, as Mountebank's API lists them. */
  readonly errors: readonly MountebankError[];
  /** The HTTP status the admin API answers (400). */
  readonly status: number = 400;

  constructor(errors: readonly MountebankError[], what = 'the imposter') {
    const list = errors.length === 1 ? ` ${errors[0]?.message}` : `\n${errors.map((e) => `  - ${e.message}`).join('\n')}`;
    super(ErrorCode.MountebankImposterInvalid, `${what} is refused, nothing was changed:${list}`);
    this.name = 'MountebankInvalid';
    this.errors = errors;
  }
}

/** An imposter port or stub index that names none (404 `no such resource`). */
export class MountebankNotFound extends MockstackError {
  readonly errors: readonly MountebankError[];
  readonly status: number = 404;

  constructor(message: string) {
    super(ErrorCode.MountebankImposterUnknown, message);
    this.name = 'MountebankNotFound';
    this.errors = [{ code: 'no such resource', message }];
  }
}

/** A `bad data` error (Mountebank's code for a malformed field). */
export function badData(message: string): MountebankError {
  return { code: 'bad data', message };
}
