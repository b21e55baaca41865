// An answer other than success, thrown from a route: its status, message (the body's
// `error`) and any headers it needs (Retry-After, WWW-Authenticate, Connection: close).
export class HttpError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}
