import type { ProviderConfig } from '../config/config.js';
import { providerOfLane } from '../laneIds.js';
import type { SessionRecord } from '../store/sessionRecord.js';
import type { ProviderState } from '../tokenService.js';

/**
 * The words the parts of the account registry share: an Account (a lane holding a session), what
 * token consumers ask of the registry (AccountResolver), and what the registry's parts read of it
 * (RegistryView). No logic beyond turning a lane's session into an Account.
 */

export interface Account {
  laneId: string;
  providerId: string;
  /** As the server reported it. */
  label: string;
  id: string;
  isDefault: boolean;
  session: SessionRecord;
}

/** What token consumers need: which lane a reference names (see AccountRegistry.resolve). */
export interface AccountResolver {
  resolve(ref: string): string;
  defaultLane(providerId: string): string;
  lanes(providerId: string): string[];
  /** The reference (`acme@alice@example.com`, else `acme@<id>`) that reaches the lane's account; undefined when none does. */
  referenceOf(laneId: string): string | undefined;
}

/** Without several accounts (tests, callers that predate them): every id names itself. */
export const SINGLE_ACCOUNTS: AccountResolver = {
  resolve: (ref) => ref,
  defaultLane: (id) => id,
  lanes: (id) => [id],
  referenceOf: () => undefined,
};

/** The registry as its parts (resolve, lanePolicy, scopeSets, addAccount) read it. */
export interface RegistryView {
  /** The configured provider entry (what every lane of the provider is a copy of). */
  base(providerId: string): ProviderConfig | undefined;
  /** The service's state of a lane (its session, its provider config). */
  state(laneId: string): ProviderState | undefined;
  /** Every lane of the provider, the bare id first. */
  lanes(providerId: string): string[];
  /** The signed-in accounts of the provider (no scope-set lanes), in the order they were added. */
  accounts(providerId: string): Account[];
  /** The lane `acme` means. */
  defaultLane(providerId: string): string;
  /** The scope set a lane was made for; undefined: the provider's configured scopes. */
  scopesOf(laneId: string): string[] | undefined;
  /** Lanes being signed in to: registered with the service, not yet in the index. */
  isPending(laneId: string): boolean;
}

/** The lane's account when it holds a session (as a list: none or one), never the default. */
export function accountIn(view: Pick<RegistryView, 'state'>, laneId: string): Account[] {
  const s = view.state(laneId)?.session;
  return s
    ? [
        {
          laneId,
          providerId: providerOfLane(laneId),
          label: s.account.label,
          id: s.account.id,
          isDefault: false,
          session: s,
        },
      ]
    : [];
}
