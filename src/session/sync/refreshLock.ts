import { lstat, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import type { Logger } from '../../protocol/log.js';
import { type GenerationMarker, type MarkerStore, readMarkerFile, writeMarkerFile } from './generationMarker.js';
import { lockFolderNotOursText, lockFolderNotPlainText, lockLostText } from '../messages.js';

/**
 * The refresh lock: one cross-process lock per provider or account, so that only one window
 * refreshes (and redeems a refresh token) at a time, with the generation markers kept beside it
 * (generationMarker.ts) and the redemption claims that guard proper-lockfile's stale takeover.
 */

export interface RefreshLock extends MarkerStore {
  /** Runs `fn` while holding the cross-process lock for `name`; `signal` aborts if the lock is lost. */
  withLock<T>(name: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T>;
  /**
   * Claims the redemption of this generation's refresh token: a release function, or undefined
   * while another process holds the claim. Needed beside the lock: see FileRefreshLock.
   */
  claimRedemption(name: string, marker: GenerationMarker): Promise<(() => Promise<void>) | undefined>;
}

export interface FileLockOptions {
  /** A lock older than this (not refreshed by a live holder) is taken over. */
  staleMs?: number;
  /** How many times to retry a held lock, backing off up to 1 s between tries. */
  retries?: number;
  log: Logger;
}

/**
 * Serializes refreshes across VS Code windows (separate extension-host processes) with
 * proper-lockfile in the extension's global storage folder. Beside each lock sits a generation
 * marker, written after the new tokens are stored: SecretStorage changes reach other windows
 * with a delay, so a window that takes the lock can tell that its view is behind and wait,
 * instead of redeeming a refresh token that was already rotated.
 */
export class FileRefreshLock implements RefreshLock {
  private ready: Promise<void> | undefined;

  constructor(
    private readonly dir: string,
    private readonly opts: FileLockOptions,
  ) {}

  async withLock<T>(name: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    await this.ensureDir();
    const compromised = new AbortController();
    const release = await lockfile.lock(join(this.dir, safeName(name)), {
      realpath: false,
      stale: this.staleMs,
      retries: { retries: this.opts.retries ?? 60, factor: 1.5, minTimeout: 25, maxTimeout: 1000, randomize: true },
      onCompromised: (err) => {
        this.opts.log.error(lockLostText(name, err.message));
        compromised.abort(err);
      },
    });
    try {
      return await fn(compromised.signal);
    } finally {
      if (!compromised.signal.aborted) await release().catch(() => undefined);
    }
  }

  async readMarker(name: string): Promise<GenerationMarker | undefined> {
    await this.ensureDir();
    return readMarkerFile(this.markerPath(name));
  }

  async writeMarker(name: string, marker: GenerationMarker): Promise<void> {
    await this.ensureDir();
    await writeMarkerFile(this.markerPath(name), marker);
    await this.dropClaims(name, marker);
  }

  async clearMarker(name: string): Promise<void> {
    await this.ensureDir();
    await rm(this.markerPath(name), { force: true });
  }

  /**
   * proper-lockfile reclaims a stale lock with rmdir + mkdir, so two waiters can both win (its
   * issue #121) and both redeem the same refresh token. A claim is a file created exclusively, one
   * name per session, generation and attempt: only one process gets it, and releases it when its
   * attempt is over. A claim older than the stale time belonged to a process that died
   * mid-refresh; the next attempt number is then free.
   */
  async claimRedemption(name: string, marker: GenerationMarker): Promise<(() => Promise<void>) | undefined> {
    await this.ensureDir();
    for (let attempt = 0; ; attempt++) {
      const path = join(
        this.dir,
        `${this.claimPrefix(name)}${safeName(marker.sessionId)}.${marker.generation}.${attempt}`,
      );
      try {
        await writeFile(path, '', { flag: 'wx', mode: 0o600 });
        return () => rm(path, { force: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const age = await lstat(path).then(
        (st) => Date.now() - st.mtimeMs,
        () => Infinity,
      );
      if (age < this.staleMs) return undefined;
    }
  }

  /** Claims on generations older than the marker's are settled; so are other sign-ins' claims. */
  private async dropClaims(name: string, marker: GenerationMarker): Promise<void> {
    const prefix = this.claimPrefix(name);
    for (const file of await readdir(this.dir)) {
      if (!file.startsWith(prefix)) continue;
      const [session, generation] = file.slice(prefix.length).split('.');
      if (session === safeName(marker.sessionId) && Number(generation) >= marker.generation) continue;
      await rm(join(this.dir, file), { force: true });
    }
  }

  private claimPrefix(name: string) {
    return `${safeName(name)}.claim.`;
  }

  private get staleMs() {
    return this.opts.staleMs ?? 30_000;
  }

  private markerPath(name: string) {
    return join(this.dir, `${safeName(name)}.generation.json`);
  }

  private ensureDir(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const st = await lstat(this.dir);
      if (!st.isDirectory()) throw new Error(lockFolderNotPlainText(this.dir));
      if (process.getuid && st.uid !== process.getuid()) throw new Error(lockFolderNotOursText(this.dir));
    })();
    return this.ready;
  }
}

/** Provider ids are already restricted, but a lock name must never become a path. */
const safeName = (name: string) => encodeURIComponent(name).replace(/\./g, '%2E');
