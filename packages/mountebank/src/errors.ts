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

/**
 * A Mountebank imposters file given to `mockstack up` that cannot be served as it is: not imposters, or
 * with imposters or stubs mockstack refuses. Names the file and each problem; nothing is served.
 */
export class MountebankFileInvalid extends MockstackError {
  readonly errors: readonly MountebankError[];

  constructor(file: string, errors: readonly MountebankError[]) {
    super(
      ErrorCode.MountebankFileInvalid,
      `${file}: these Mountebank imposters cannot be served as they are:\n${errors.map((e) => `  - ${e.message}`).join('\n')}\n` +
        `mockstack import ${file} writes a scenario that leaves out what cannot be served (and says what it left out).`,
    );
    this.name = 'MountebankFileInvalid';
    this.errors = errors;
  }
}

/** A `bad data` error (Mountebank's code for a malformed field). */
export function badData(message: string): MountebankError {
  return { code: 'bad data', message };
}
