import type { Logger } from '../../protocol/log.js';
import type { ProviderConfig } from '../config/config.js';
import { SessionError } from '../errors.js';
import { LANE_NUMBER, providerOfLane } from '../laneIds.js';
import {
  accountFromAnotherWindowText,
  accountListenerFailedText,
  noSuchAccountToChooseText,
  recordingAccountFailedText,
} from '../messages.js';
import type { SecretStore } from '../ports.js';
import type { SessionRecord } from '../store/sessionRecord.js';
import type { RefreshLock } from '../sync/refreshLock.js';
import type { LanePolicy, TokenService } from '../tokenService.js';
import { ACCOUNTS_KEY_PREFIX, type AccountIndex, AccountIndexStore, withLane } from './accountIndex.js';
import { type Account, accountIn, type AccountResolver, type RegistryView } from './account.js';
import { AccountAdder } from './addAccount.js';
import { checkSignIn, nameOf, signInConfig, withSelectAccount } from './lanePolicy.js';
import { referenceOf, resolveReference } from './resolve.js';
import {
  sameSet,
  scopeSetAllowed,
  scopeSetOf,
  scopeSetSessions,
  signOutNarrowed,
  signOutTogether,
} from './scopeSets.js';

export { ACCOUNTS_KEY_PREFIX } from './accountIndex.js';
export { type Account, type AccountResolver, SINGLE_ACCOUNTS } from './account.js';
export { SELECT_ACCOUNT_PROMPT } from './lanePolicy.js';
export { lanesFromPeers } from './lanesFromPeers.js';
export { grantedScopes } from './scopeSets.js';

/**
 * The account registry: which lanes each provider has and which of them hold accounts; it hands
 * the service every lane's config and tells listeners of changes. The first account keeps the bare
 * provider id (sessions stored before accounts existed keep working), further ones get `acme#2`…
 * (see laneIds.ts). Its parts: the persisted index (accountIndex.ts), references (resolve.ts), the
 * service's LanePolicy (lanePolicy.ts), adding an account (addAccount.ts), scope-set lanes
 * (scopeSets.ts). Every window reads the index and follows its changes (desktop windows share
 * SecretStorage and hear each other's writes); web windows never hear another window's writes, and
 * learn of a lane when the window handoff brings a session for it (see discover, lanesFromPeers;
 * the choice of default account is not handed over).
 */

export interface AccountRegistryDeps {
  secrets: SecretStore;
  service: TokenService;
  lock: RefreshLock;
  log: Logger;
}

export class AccountRegistry implements AccountResolver, LanePolicy {
  private base = new Map<string, ProviderConfig>();
  private readonly index: AccountIndexStore;
  private readonly adder: AccountAdder;
  private listeners = new Set<() => void>();
  private readonly watch: { dispose(): void };
  private loaded: Promise<void> = Promise.resolve();
  private narrowed: Promise<void> = Promise.resolve();
  /** What the parts read of the registry. */
  private readonly view: RegistryView = {
    base: (id) => this.base.get(id),
    state: (l) => this.deps.service.state(l),
    lanes: (id) => this.lanes(id),
    accounts: (id) => this.accounts(id),
    defaultLane: (id) => this.defaultLane(id),
    scopesOf: (l) => this.scopesOf(l),
    isPending: (l) => this.adder.pending.has(l),
  };

  constructor(private readonly deps: AccountRegistryDeps) {
    this.index = new AccountIndexStore(deps);
    this.adder = new AccountAdder({
      view: this.view,
      index: this.index,
      service: deps.service,
      log: deps.log,
      ready: () => this.loaded,
      apply: () => this.apply(),
      emit: () => this.emit(),
      updateIndex: (id, change) => this.updateIndex(id, change),
    });
    this.watch = deps.secrets.onDidChange((key) => {
      if (key.startsWith(ACCOUNTS_KEY_PREFIX)) void this.reload(key.slice(ACCOUNTS_KEY_PREFIX.length));
    });
    deps.service.setLanePolicy(this);
  }

  /** Replaces the configured providers; every lane of theirs is registered with the service. */
  setProviders(providers: ProviderConfig[]): Promise<void> {
    this.base = new Map(providers.map((p) => [p.id, p]));
    this.apply();
    this.loaded = Promise.all(providers.map((p) => this.reload(p.id))).then(() => undefined);
    // Not part of `loaded` (callers wait for that, and revocation is network): see scopeSetAllowed.
    this.narrowed = this.loaded.then(() =>
      signOutNarrowed(this.view, this.base.values(), (l) => this.signOut(l), this.deps.log),
    );
    return this.loaded;
  }

  /** Resolves once the scope-set sessions the settings no longer allow are signed out (see setProviders). */
  settled(): Promise<void> {
    return this.narrowed;
  }

  /** Resolves once the index entries of the configured providers have been read. */
  ready(): Promise<void> {
    return this.loaded;
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Every lane of the provider, the bare id first. */
  lanes(providerId: string): string[] {
    const extra = [
      ...(this.index.get(providerId)?.lanes ?? []),
      ...[...this.adder.pending].filter((l) => providerOfLane(l) === providerId),
    ];
    return [providerId, ...new Set(extra)];
  }

  /** The signed-in accounts of the provider (lanes holding a session, without scope-set lanes), in the order they were added. */
  accounts(providerId: string): Account[] {
    const def = this.defaultLane(providerId);
    return this.lanes(providerId)
      .filter((l) => !this.scopesOf(l))
      .flatMap((l) => accountIn(this.view, l))
      .map((a) => ({ ...a, isDefault: a.laneId === def }));
  }

  /** The lane `acme` means: the chosen default while it holds a session, else the first lane that does. */
  defaultLane(providerId: string): string {
    const lanes = this.lanes(providerId).filter((l) => !this.adder.pending.has(l) && !this.scopesOf(l));
    const has = (l: string) => !!this.deps.service.state(l)?.session;
    const chosen = this.index.get(providerId)?.default;
    if (chosen && lanes.includes(chosen) && has(chosen)) return chosen;
    return lanes.find(has) ?? providerId;
  }

  /** The lane a reference names (`acme`, `acme@alice`, `acme@alice@example.com`, `acme@<id>`, or a lane id); see resolve.ts. */
  resolve(ref: string): string {
    return resolveReference(this.view, ref);
  }

  /** The reference that reaches the lane's account, as a user would type it; see resolve.ts. */
  referenceOf(laneId: string): string | undefined {
    return referenceOf(this.view, laneId);
  }

  // ---- scope-set lanes (see scopeSets.ts) ----------------------------------------------------

  /** The scope set a lane was made for; undefined: the provider's configured scopes. */
  scopesOf(laneId: string): string[] | undefined {
    return scopeSetOf(laneId, this.adder.pendingScopes, this.index.get(providerOfLane(laneId)));
  }

  /** The scope-set lanes of the provider that hold a session (made for getSession callers; no accounts of their own). */
  scopeSets(providerId: string): Account[] {
    return scopeSetSessions(this.view, providerId);
  }

  /** Whether the lane's session is one the settings allow (a scope-set lane only while allowedScopes hold its set). */
  scopeSetAllowed(laneId: string): boolean {
    return scopeSetAllowed(this.view, laneId);
  }

  // ---- the lane policy (see TokenService and lanePolicy.ts) ----------------------------------

  /** "Dev IdP" while the provider has one lane; with several, "Dev IdP (dev@bob@example.com)" (never `dev#2`). */
  nameOf(laneId: string): string | undefined {
    return nameOf(this.view, laneId);
  }

  /** The config a sign-in again of the lane uses: it names the lane's account to the server. */
  signInConfig(laneId: string): ProviderConfig | undefined {
    return this.adder.isAdding(laneId) ? undefined : signInConfig(this.view, laneId);
  }

  /** Two lanes never hold one account: throws when the session just signed in is another lane's account. */
  checkSignIn(laneId: string, s: SessionRecord): void {
    if (!this.adder.isAdding(laneId)) checkSignIn(this.view, laneId, s);
  }

  // ---- lanes coming and going --------------------------------------------------------------

  /**
   * A session for a lane this window does not know arrived from another window (a web window,
   * whose SecretStorage never hears of the other's new account): the lane is registered before
   * the session is taken, as a scope-set lane when the session's scopes say so.
   */
  discover(s: SessionRecord): void {
    const laneId = s.providerId;
    const providerId = providerOfLane(laneId);
    const base = this.base.get(providerId);
    if (
      !base ||
      laneId === providerId ||
      this.lanes(providerId).includes(laneId) ||
      !LANE_NUMBER.test(laneId.slice(providerId.length))
    )
      return;
    const scopes = sameSet(s.scopes, base.scopes) ? undefined : s.scopes;
    this.deps.log.info(accountFromAnotherWindowText(base.label));
    const ix = this.index.get(providerId) ?? { lanes: [] };
    this.index.set(providerId, {
      ...ix,
      lanes: [...ix.lanes, laneId],
      ...(scopes && { scopes: { ...ix.scopes, [laneId]: scopes } }),
    });
    this.apply();
    this.emit();
    void this.updateIndex(providerId, (cur) => withLane(cur, laneId, scopes)).catch((e: Error) =>
      this.deps.log.warn(recordingAccountFailedText(base.label, e.message)),
    );
  }

  /** Makes the lane's account the one `acme` means, in every window. */
  async setDefault(laneId: string): Promise<void> {
    const providerId = providerOfLane(laneId);
    if (!this.lanes(providerId).includes(laneId))
      throw new SessionError(
        'unknown_account',
        noSuchAccountToChooseText(this.base.get(providerId)?.label ?? providerId),
      );
    await this.updateIndex(providerId, (ix) => ({ ...ix, default: laneId }));
  }

  /**
   * "Sign in with another account": reserves a lane (the bare one when it is empty), runs the
   * sign-in there with `prompt=select_account`, and keeps the lane only when it succeeded with an
   * account the provider did not have yet. Returns the lane of the account signed in to.
   */
  addAccount(
    providerId: string,
    signIn: (lane: ProviderConfig) => Promise<boolean>,
    opts: { scopes?: string[] } = {},
  ): Promise<string | undefined> {
    return this.adder.add(providerId, signIn, opts);
  }

  /**
   * Signs out of one account, with the scope-set sessions made for it (sign-out means out); their
   * lanes go, the other accounts stay. A scope-set lane signs out alone.
   */
  async signOut(laneId: string): Promise<void> {
    const lanes = signOutTogether(this.view, laneId);
    await this.deps.service.signOutAll(lanes);
    for (const l of lanes) await this.adder.drop(l);
  }

  dispose(): void {
    this.deps.service.setLanePolicy(undefined);
    this.watch.dispose();
    this.listeners.clear();
  }

  // ---- handing the lanes to the service, hearing the index -----------------------------------

  private apply(): void {
    const all: ProviderConfig[] = [];
    for (const p of this.base.values()) {
      for (const laneId of this.lanes(p.id)) {
        const scopes = this.scopesOf(laneId);
        const lane = laneId === p.id ? p : { ...p, id: laneId, laneOf: p.id, ...(scopes && { scopes }) };
        all.push(this.adder.selectsAccount(laneId) ? withSelectAccount(lane) : lane);
      }
    }
    this.deps.service.setProviders(all);
  }

  private async reload(providerId: string): Promise<void> {
    if (!this.base.has(providerId)) return;
    if (await this.index.reload(providerId)) {
      this.apply();
      this.emit();
    }
  }

  private async updateIndex(providerId: string, change: (ix: AccountIndex) => AccountIndex): Promise<void> {
    await this.index.update(providerId, change);
    this.apply();
    this.emit();
  }

  private emit(): void {
    for (const l of this.listeners) {
      try {
        l();
      } catch (err) {
        this.deps.log.error(accountListenerFailedText((err as Error).message));
      }
    }
  }
}
