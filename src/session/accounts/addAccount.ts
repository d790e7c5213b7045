import type { Logger } from '../../protocol/log.js';
import { allowedScopesOf, type ProviderConfig } from '../config/config.js';
import { SessionError } from '../errors.js';
import { providerOfLane } from '../laneIds.js';
import { scopesNotAllowedText, secondSignInDroppedText, unknownProviderText } from '../messages.js';
import type { TokenService } from '../tokenService.js';
import { type AccountIndex, type AccountIndexStore, unreserved, withLane } from './accountIndex.js';
import { accountIn, type RegistryView } from './account.js';
import { outsideAllowed, sameSet, scopeSetFor } from './scopeSets.js';

/**
 * "Sign in with another account" (and a getSession caller's scope set): a lane is reserved (the
 * bare one when it is empty), signed in to, and kept only when the sign-in succeeded with an
 * account (or scope set) the provider did not have yet; a lane is dropped when its sign-in fails
 * or its account signs out. Holds the lanes being signed in to until they join the index.
 */

export interface AccountAdderDeps {
  view: RegistryView;
  index: AccountIndexStore;
  service: Pick<TokenService, 'state' | 'signOut'>;
  log: Logger;
  /** Resolves once the index entries of the configured providers have been read. */
  ready(): Promise<void>;
  /** Hands the service the config of every lane again. */
  apply(): void;
  /** Tells the registry's listeners that its lanes or accounts changed. */
  emit(): void;
  /** Changes the provider's index entry under its lock; then apply and emit. */
  updateIndex(providerId: string, change: (ix: AccountIndex) => AccountIndex): Promise<void>;
}

export class AccountAdder {
  /** Lanes being signed in to: registered with the service, not yet in the index. */
  readonly pending = new Set<string>();
  /** The scope sets of pending scope lanes. */
  readonly pendingScopes = new Map<string, string[]>();
  /** Lanes whose sign-in asks the server for its account picker. */
  private readonly selecting = new Set<string>();
  /** Lanes "Sign in with another account" runs in (it deals with an account signed in twice itself). */
  private readonly adding = new Set<string>();

  constructor(private readonly deps: AccountAdderDeps) {}

  /** Whether "Sign in with another account" runs in the lane. */
  isAdding(laneId: string): boolean {
    return this.adding.has(laneId);
  }

  /** Whether the lane's sign-in asks the server for its account picker. */
  selectsAccount(laneId: string): boolean {
    return this.selecting.has(laneId);
  }

  /**
   * Reserves a lane (the bare one when it is empty; a new one for a scope set), runs the sign-in
   * there with `prompt=select_account` where the provider has other accounts, and keeps the lane
   * only when it succeeded with an account the provider did not have yet. Returns the lane of the
   * account signed in to.
   */
  async add(
    providerId: string,
    signIn: (lane: ProviderConfig) => Promise<boolean>,
    opts: { scopes?: string[] } = {},
  ): Promise<string | undefined> {
    const { view, service } = this.deps;
    const base = view.base(providerId);
    if (!base) throw new SessionError('unknown_provider', unknownProviderText(providerId));
    const scopes = scopeSetFor(base, opts.scopes);
    const outside = scopes && outsideAllowed(base, scopes);
    if (outside?.length)
      throw new SessionError('scope_not_allowed', scopesNotAllowedText(base.label, outside, allowedScopesOf(base)));
    await this.deps.ready();
    const empty = scopes
      ? undefined
      : view.lanes(providerId).find((l) => !view.scopesOf(l) && !service.state(l)?.session);
    const laneId = empty ?? (await this.reserve(providerId, scopes));
    const others = scopes
      ? view
          .lanes(providerId)
          .filter((l) => l !== laneId && sameSet(view.scopesOf(l) ?? [], scopes))
          .flatMap((l) => accountIn(view, l))
      : view.accounts(providerId).filter((a) => a.laneId !== laneId);
    let ok = false;
    // A scope set is for the account the user has; another account is what select_account is for.
    if (others.length && !scopes) this.selecting.add(laneId);
    this.adding.add(laneId);
    try {
      this.deps.apply();
      ok = await signIn(service.state(laneId)!.provider);
    } finally {
      this.adding.delete(laneId);
      this.selecting.delete(laneId);
      this.deps.apply();
      if (!ok) await this.drop(laneId);
    }
    if (!ok) return undefined;
    const s = service.state(laneId)?.session;
    const same = s && others.find((a) => a.id === s.account.id);
    if (same) {
      // The server signed in an account this provider already has: keep the one there was.
      this.deps.log.info(secondSignInDroppedText(base.label, same.label));
      await service.signOut(laneId).catch(() => undefined);
      await this.drop(laneId);
      return same.laneId;
    }
    if (laneId !== providerId) {
      await this.deps.updateIndex(providerId, (ix) => unreserved(withLane(ix, laneId, scopes), laneId));
    }
    this.pending.delete(laneId);
    this.pendingScopes.delete(laneId);
    this.deps.emit();
    return laneId;
  }

  /** Forgets the lane: no longer pending, out of the index (with its scope set, reservation, and as the default). */
  async drop(laneId: string): Promise<void> {
    const providerId = providerOfLane(laneId);
    this.pending.delete(laneId);
    this.pendingScopes.delete(laneId);
    if (laneId === providerId) return void this.deps.emit();
    await this.deps.updateIndex(providerId, (ix) => {
      const { [laneId]: _gone, ...scopes } = ix.scopes ?? {};
      return unreserved(
        {
          lanes: ix.lanes.filter((l) => l !== laneId),
          default: ix.default === laneId ? undefined : ix.default,
          ...(Object.keys(scopes).length && { scopes }),
          reserved: ix.reserved,
        },
        laneId,
      );
    });
  }

  /** A new lane of the provider, reserved in the index and pending here (see AccountIndexStore.reserve). */
  private async reserve(providerId: string, scopes?: string[]): Promise<string> {
    return this.deps.index.reserve(providerId, this.pending, (laneId) => {
      this.pending.add(laneId);
      if (scopes) this.pendingScopes.set(laneId, scopes);
      this.deps.apply();
    });
  }
}
