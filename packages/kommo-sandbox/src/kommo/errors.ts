// Errors the store throws; routes turn them into Kommo-shaped problems (see problems.ts).

export type StoreErrorCode =
  'NotFound' | 'NotUnique' | 'InvalidValue' | 'InvalidType' | 'TooLong' | 'NotSupportedChoice';

export class KommoStoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** Where in the request the problem is, in validation-error path form (when known). */
    readonly path?: string,
  ) {
    super(message);
    this.name = 'KommoStoreError';
  }
}

export const notFound = (what: string): KommoStoreError =>
  new KommoStoreError('NotFound', `${what} not found`);
