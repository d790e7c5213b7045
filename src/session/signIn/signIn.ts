import { randomUUID } from 'node:crypto';
import { authorizationCodeFlow } from '../../protocol/authorizationCode.js';
import { deviceCodeFlow, type UserCodePrompt } from '../../protocol/deviceCode.js';
import { discover, explicitEndpoints, withOverrides } from '../../protocol/discovery.js';
import type { Endpoints } from '../../protocol/endpoints.js';
import type { FetchLike } from '../../protocol/http.js';
import type { Logger } from '../../protocol/log.js';
import { serverText } from '../../protocol/serverText.js';
import type { TokenSet } from '../../protocol/tokens.js';
import { clientContext, type ClientContextSource, type ClientSecretSource } from './clientContext.js';
import { type ProviderConfig, resourcesOf } from '../config/config.js';
import type { SessionRecord } from '../store/sessionRecord.js';
import {
  defaultAccountLabel,
  flowFallbackText,
  noDiscoveryText,
  redirectPortSettingText,
  signingInText,
} from '../messages.js';

/** A flow the host can run: `auto` is resolved before sign-in starts. */
export type FlowKind = Exclude<ProviderConfig['flow'], 'auto'>;

/** What the host supplies for one interactive sign-in. */
export interface SignInUi {
  /** The flow the host prefers for this window (it resolves `auto`); the other is used if the server lacks it. */
  preferredFlow: FlowKind;
  // Functions, not methods: the flows are handed them on their own.
  openBrowser: (url: string) => Promise<boolean>;
  externalRedirectUri?: (local: string) => Promise<string>;
  onUserCode: (prompt: UserCodePrompt) => void;
  signal: AbortSignal;
}

export interface SignInDeps {
  fetch: FetchLike;
  log: Logger;
  now: () => number;
  clientSecrets?: ClientSecretSource;
}

/** Discovers the server, runs the chosen flow and returns a new session record (not yet stored). */
export async function signIn(provider: ProviderConfig, ui: SignInUi, deps: SignInDeps): Promise<SessionRecord> {
  const endpoints = await serverEndpoints(provider, deps, ui.signal);
  const flow = chooseFlow(ui.preferredFlow, endpoints, deps.log);
  deps.log.info(signingInText(provider.label, flow === 'deviceCode'));
  // The same context the session's refreshes and revocation will use (see clientContext.ts).
  const ctx = await clientContext(sessionContext(provider, endpoints), deps, ui.signal);
  const common = { ...ctx, endpoints, scopes: provider.scopes, log: deps.log, now: deps.now };
  const tokens =
    flow === 'deviceCode'
      ? await deviceCodeFlow({ ...common, onUserCode: ui.onUserCode })
      : await authorizationCodeFlow({
          ...common,
          authorizationParameters: provider.authorizationParameters,
          redirect: provider.redirect && {
            ...provider.redirect,
            setting: redirectPortSettingText(provider.id),
          },
          openBrowser: ui.openBrowser,
          externalRedirectUri: ui.externalRedirectUri,
        });
  return newSession(provider, endpoints, tokens, deps.now());
}

/** Discovery by issuer or resource (with `endpoints` overriding single fields), or the configured endpoints alone. */
async function serverEndpoints(p: ProviderConfig, deps: SignInDeps, signal: AbortSignal): Promise<Endpoints> {
  if (!p.issuer && !p.resource) {
    deps.log.info(noDiscoveryText(p.label));
    return explicitEndpoints({ ...p.endpoints, token: p.endpoints!.token! });
  }
  const target = p.resource ? { resource: p.resource } : { issuer: p.issuer! };
  return withOverrides(await discover(target, { fetch: deps.fetch, log: deps.log, signal }), p.endpoints);
}

/** The parts of the session record that shape every token request, as the provider's settings give them now. */
function sessionContext(p: ProviderConfig, e: Endpoints): ClientContextSource {
  return {
    providerId: p.id,
    clientId: p.clientId,
    endpoints: { issuer: e.issuer, token_endpoint: e.token_endpoint, revocation_endpoint: e.revocation_endpoint },
    resource: p.resource,
    resources: resourcesOf(p),
    audience: p.audience,
    clientAuthentication: p.clientAuthentication === 'none' ? undefined : p.clientAuthentication,
  };
}

function chooseFlow(preferred: FlowKind, e: Endpoints, log: Logger): FlowKind {
  const has = { authorizationCode: !!e.authorization_endpoint, deviceCode: !!e.device_authorization_endpoint };
  if (has[preferred]) return preferred;
  const other: FlowKind = preferred === 'deviceCode' ? 'authorizationCode' : 'deviceCode';
  if (has[other]) {
    log.info(flowFallbackText(e.issuer, preferred, other));
    return other;
  }
  return preferred; // the flow itself reports what is missing
}

function newSession(p: ProviderConfig, e: Endpoints, t: TokenSet, now: number): SessionRecord {
  const c = t.claims;
  const context = sessionContext(p, e);
  // The label is shown in the status bar, quick picks and VS Code's accounts menu: server text, made inert here.
  const label = [c?.preferred_username, c?.email, c?.name, c?.sub]
    .map((v) => (typeof v === 'string' ? serverText(v, 80) : ''))
    .find((v) => v.length > 0);
  return {
    v: 1,
    sessionId: randomUUID(),
    providerId: p.id,
    clientId: context.clientId,
    account: { id: c?.sub ?? `${p.id}-account`, label: label ?? defaultAccountLabel(p.label) },
    scopes: p.scopes,
    endpoints: context.endpoints,
    ...(context.resource && { resource: context.resource }),
    ...(context.resources && { resources: context.resources }),
    ...(context.audience && { audience: context.audience }),
    ...(context.clientAuthentication && { clientAuthentication: context.clientAuthentication }),
    accessToken: t.accessToken,
    refreshToken: t.refreshToken,
    idToken: t.idToken,
    grantedScope: t.scope,
    expiresAt: t.expiresAt,
    obtainedAt: now,
    generation: 0,
  };
}
