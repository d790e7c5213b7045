import { randomUUID } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import * as z from 'zod/mini';
import type { SessionRecord } from '../store/sessionRecord.js';

/**
 * The generation marker: a small file beside each refresh lock that names which sign-in
 * (sessionId) and which generation of its tokens the last writer stored. It is written after the
 * store, so a window that reads it knows the entry exists somewhere, and can tell that its own
 * view (SecretStorage reaches other windows late, or never in a web window) is behind. Not secret.
 * This file owns its shape, its file format and the two comparisons every window makes with it.
 */

/** Built on first use (z.lazy), not at load: activation reads no marker. */
export const GenerationMarkerSchema = z.lazy(() =>
  z.object({
    sessionId: z.string(),
    generation: z.number().check(z.refine(Number.isInteger)),
  }),
);

export type GenerationMarker = z.infer<typeof GenerationMarkerSchema>;

/** Where the markers are kept: beside the locks (RefreshLock extends this). */
export interface MarkerStore {
  readMarker(name: string): Promise<GenerationMarker | undefined>;
  writeMarker(name: string, marker: GenerationMarker): Promise<void>;
  /** After a sign-out: no session is current. */
  clearMarker(name: string): Promise<void>;
}

/** Exactly the session the marker names: the only one a window takes from a peer. */
export const isMarked = (s: SessionRecord, m: GenerationMarker | undefined) =>
  !!m && s.sessionId === m.sessionId && s.generation === m.generation;

/** `s` is the sign-in `m` names, at `m`'s generation or a newer one: this view is not behind. */
export const isUpToDate = (s: SessionRecord | undefined, m: GenerationMarker) =>
  !!s && s.sessionId === m.sessionId && s.generation >= m.generation;

/** The marker in the file at `path`; undefined when there is none or it is not a marker. */
export async function readMarkerFile(path: string): Promise<GenerationMarker | undefined> {
  try {
    const r = GenerationMarkerSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** Replaces the file at `path` at once (readers see the old marker or the new one, never a part). */
export async function writeMarkerFile(path: string, marker: GenerationMarker): Promise<void> {
  const tmp = `${path}.${randomUUID()}.tmp`;
  // 'wx' refuses to follow a planted symlink; rename replaces a link rather than writing through it.
  await writeFile(tmp, JSON.stringify({ sessionId: marker.sessionId, generation: marker.generation }), {
    flag: 'wx',
    mode: 0o600,
  });
  await rename(tmp, path);
}
