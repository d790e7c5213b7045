import type { ProviderConfig } from '../../src/session/config/config.js';

/** Messages between bench/figures/soak.ts and each bench/soak/window.ts process. No tokens cross. */

export interface StartMessage {
  op: 'start';
  storeDir: string;
  lockDir: string;
  provider: ProviderConfig;
  /** For introspection at the IdP. */
  issuer: string;
  clientId: string;
  intervalMs: number;
  /** The "start" resource sample is taken after this long. */
  warmupMs: number;
}

export interface Resources {
  rssMb: number;
  heapUsedMb: number;
  /** process.getActiveResourcesInfo().length: the least of a few samples, so a passing socket or timer does not count. */
  handles: number;
  /** What those handles were, by type, in the sample with the least. */
  handleTypes: Record<string, number>;
}

export interface SoakReport {
  op: 'report';
  pid: number;
  calls: number;
  /** getAccessToken calls that threw, and introspections that failed. */
  errors: number;
  /** The first few error messages (they never contain tokens). */
  errorSamples: string[];
  /** Handed out with expiresAt already past. */
  expired: number;
  /** Distinct tokens the consumer saw, each introspected at the IdP once. */
  tokens: number;
  /** Of those, reported inactive by the IdP when first seen. */
  inactiveAtIdp: number;
  start: Resources;
  end: Resources;
}

export type ToWindow = StartMessage | { op: 'stop' };
export type FromWindow = { op: 'ready' } | SoakReport;
