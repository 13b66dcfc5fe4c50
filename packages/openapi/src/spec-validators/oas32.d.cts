// Written by build-spec-validators.mjs into dist/spec-validators/ (Ajv standalone code); not in src.
import type { ValidateFunction } from 'ajv';

declare const validate: ValidateFunction;
export = validate;
