import { type AppErrorOptions, ModuleError, type ErrorTable } from '../../common/errors/app-error';

/** What the requests module refuses to a caller (the widget, the admin panel). */
export const REQUEST_ERRORS = {
  /** Provider settings that cannot work (a pasted assistant id, a missing key, ...). */
  invalid_settings: 'invalid_input',
  /** A worker holds the lead's lock: erase it a minute later. */
  lead_busy: 'conflict',
} as const satisfies ErrorTable<string>;

export type RequestErrorCode = keyof typeof REQUEST_ERRORS;

export class RequestError extends ModuleError<RequestErrorCode> {
  constructor(code: RequestErrorCode, message: string, options?: AppErrorOptions) {
    super(REQUEST_ERRORS, code, message, options);
  }
}
