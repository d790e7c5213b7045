/**
 * What the window handoff says to a user in the Agent Auth log, in one place, one function from
 * values to one whole sentence each (as src/session/messages.ts does for the lifecycle layer).
 */

/** The channel could not start (`why` is one of the reasons below, or a system error). */
export const handoffOffText = (why: string) =>
  `Window handoff is off (${why}); windows then rely on SecretStorage alone.`;

export const handedOverText = (generation: number, providerId: string, windows: number) =>
  `Handed generation ${generation} of "${providerId}" to ${windows} other window(s).`;

export const refusedKeyText = () => 'Window handoff: refused a request without the right key.';

export const notPrivateKeyText = (path: string) => `${path} is not a private file of this user`;

export const noValidKeyText = (path: string) => `${path} holds no valid key`;

export const notOnWindowsText = () => 'not available on Windows yet';
