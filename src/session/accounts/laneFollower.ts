import type { AccountResolver } from './account.js';
import type { TokenChange, TokenChangeKind, TokenService } from '../tokenService.js';

/** What a consumer following one account reference hears. */
export interface FollowedChange {
  /** The lane the reference names now; undefined while it names no account (that account signed out). */
  lane: string | undefined;
  kind: TokenChangeKind;
  /** From the service's change, for refreshFailed, needsSignIn and corrupt. */
  message?: string;
  /**
   * The reference names another lane than before (its account signed out, another became the
   * default): `kind` then describes the lane now followed (signedIn, needsSignIn or signedOut).
   */
  switched: boolean;
}

export interface LaneFollowerDeps {
  service: Pick<TokenService, 'onDidChange' | 'state'>;
  accounts: AccountResolver & { onDidChange(listener: () => void): { dispose(): void } };
}

/**
 * One consumer's account reference (`acme`: the default account, `acme@alice`: that account),
 * followed: which lane it names, and every change that concerns the consumer. A change is matched
 * against the lane followed until then, so a sign-out is heard even though the reference no longer
 * resolves afterwards; and the reference is resolved again on every token and account change, so
 * a new default account (or the account's sign-out) reaches the consumer as a switch.
 */
export class LaneFollower {
  private current: string | undefined;
  private readonly subs: { dispose(): void }[];

  constructor(
    readonly ref: string,
    private readonly deps: LaneFollowerDeps,
    private readonly listener: (change: FollowedChange) => void,
  ) {
    this.current = this.resolve();
    this.subs = [deps.service.onDidChange((e) => this.onToken(e)), deps.accounts.onDidChange(() => this.onAccounts())];
  }

  /** The lane the reference names (as of the last change heard); undefined: none. */
  get lane(): string | undefined {
    return this.current;
  }

  dispose(): void {
    for (const s of this.subs.splice(0)) s.dispose();
  }

  private onToken(e: TokenChange): void {
    const was = this.current;
    if (this.follow()) return;
    if (e.providerId === was) this.listener({ lane: was, kind: e.kind, message: e.message, switched: false });
  }

  private onAccounts(): void {
    this.follow();
  }

  /** Resolves the reference again; on a new lane tells the listener so. True when it switched. */
  private follow(): boolean {
    const next = this.resolve();
    if (next === this.current) return false;
    this.current = next;
    this.listener({ lane: next, kind: this.kindOf(next), switched: true });
    return true;
  }

  private kindOf(lane: string | undefined): TokenChangeKind {
    const s = lane === undefined ? undefined : this.deps.service.state(lane)?.session;
    return !s ? 'signedOut' : s.needsSignIn ? 'needsSignIn' : 'signedIn';
  }

  private resolve(): string | undefined {
    try {
      return this.deps.accounts.resolve(this.ref);
    } catch {
      return undefined;
    }
  }
}
