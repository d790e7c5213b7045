import { type ReadResult, SessionStore } from '../session/store/sessionStore.js';

/**
 * The session store, remembering the latest read of each provider's entry so the authentication
 * provider can wait for this window's first look at SecretStorage (a local read, never the
 * network) instead of answering "signed out" while the stored session is still being read. The
 * token service attaches its own continuation to the read first, so once `loaded(id)` resolves
 * the service has taken what was read.
 */
export class LoadTrackingStore extends SessionStore {
  private readonly reads = new Map<string, Promise<ReadResult>>();

  override read(providerId: string): Promise<ReadResult> {
    const r = super.read(providerId);
    this.reads.set(providerId, r);
    return r;
  }

  async loaded(providerId: string): Promise<void> {
    await this.reads.get(providerId)?.catch(() => undefined);
  }
}
