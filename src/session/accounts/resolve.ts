import { accountRefCandidates, parseAccountRef } from '../../protocol/ids.js';
import { SessionError } from '../errors.js';
import { providerOfLane } from '../laneIds.js';
import { ambiguousAccountText, noAccountSignedInText, noSuchAccountText, unknownProviderText } from '../messages.js';
import type { RegistryView } from './account.js';

/**
 * Account references, both ways: the lane a reference a user typed names (`acme`, `acme@alice`,
 * `acme@alice@example.com`, `acme@<id>`), with the errors that say why none does; and the
 * reference that reaches a lane's account.
 */

/**
 * The lane a reference names: `acme` (default account), `acme@alice@example.com` (account
 * label, any case) or `acme@alice` (the label's part before "@", when only one account has it).
 * A lane id (`acme#2`) names itself.
 */
export function resolveReference(view: RegistryView, ref: string): string {
  if (view.state(ref)) {
    const p = providerOfLane(ref);
    return p === ref ? view.defaultLane(p) : ref;
  }
  const parsed = parseAccountRef(ref);
  const base = parsed && view.base(parsed.providerId);
  if (!parsed || !base) throw new SessionError('unknown_provider', unknownProviderText(parsed?.providerId ?? ref));
  const { providerId, account } = parsed;
  if (account === undefined) return view.defaultLane(providerId);
  const accounts = view.accounts(providerId);
  const wanted = account.toLowerCase();
  const exact = accounts.filter((a) => a.label.toLowerCase() === wanted);
  if (exact.length >= 1) return exact[0].laneId;
  // The id the server reported (`sub`): how an account whose label has spaces is named.
  const byId = accounts.find((a) => a.id === account);
  if (byId) return byId.laneId;
  const local = accounts.filter((a) => a.label.toLowerCase().split('@')[0] === wanted);
  if (local.length === 1) return local[0].laneId;
  // An account whose label cannot be typed in a reference is listed with the one that reaches it.
  const known = accounts
    .map((a) => {
      const r = referenceOf(view, a.laneId);
      return !r || r === `${providerId}@${a.label}` ? a.label : `${a.label} (${r})`;
    })
    .join(', ');
  if (local.length > 1)
    throw new SessionError(
      'unknown_account',
      ambiguousAccountText(account, base.label, known, providerId, local[0].label),
    );
  throw new SessionError(
    'unknown_account',
    accounts.length
      ? noSuchAccountText(base.label, account, known, providerId)
      : noAccountSignedInText(base.label, account),
  );
}

/**
 * The reference that reaches the lane's account, as a user would type it: by the account's
 * label when that fits the reference pattern and reaches it, else by its id (the `sub`);
 * undefined when neither does (a scope-set lane, or both with spaces or other characters).
 */
export function referenceOf(view: RegistryView, laneId: string): string | undefined {
  const s = view.state(laneId)?.session;
  if (!s || view.scopesOf(laneId)) return undefined;
  return accountRefCandidates(providerOfLane(laneId), s.account).find((ref) => {
    try {
      return resolveReference(view, ref) === laneId;
    } catch {
      return false;
    }
  });
}
