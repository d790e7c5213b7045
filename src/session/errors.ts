import { needsSignInText, notSignedInText } from './messages.js';

/** Why the lifecycle layer cannot hand out a token; the message says what the user can do. */
export type SessionErrorCode =
  | 'unknown_provider'
  | 'unknown_account'
  | 'scope_not_allowed'
  | 'account_in_use'
  | 'not_signed_in'
  | 'needs_sign_in'
  | 'wait_timeout'
  | 'no_id_token';

export class SessionError extends Error {
  override readonly name = 'SessionError';
  constructor(
    readonly code: SessionErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const notSignedIn = (name: string) => new SessionError('not_signed_in', notSignedInText(name));

export const needsSignIn = (name: string, reason: string) =>
  new SessionError('needs_sign_in', needsSignInText(name, reason));

/** The code of a SessionError, also across separately bundled modules (where `instanceof` fails). */
export function sessionErrorCode(err: unknown): SessionErrorCode | undefined {
  return err instanceof Error && err.name === 'SessionError' ? (err as SessionError).code : undefined;
}
