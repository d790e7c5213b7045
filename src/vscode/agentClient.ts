import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { homedir } from 'node:os';
import vscode = require('vscode');
import { l10n } from 'vscode';
import { type DocumentSelector, LanguageClient, ResponseError, State } from 'vscode-languageclient/node';
import { sessionErrorCode } from '../session/errors.js';
import { type FollowedChange, LaneFollower } from '../session/accounts/laneFollower.js';
import { isUsable } from '../session/store/sessionRecord.js';
import { MIN_VALIDITY_S } from '../session/config/validity.js';
import type { AccessToken } from '../session/tokenService.js';
import type { AgentConfig } from './agentsConfig.js';
import { childEnv } from './childEnv.js';
import type { Glue } from './glue.js';
import { RedactingChannel } from './redactingChannel.js';
import { isSignedIn } from './tokenSource.js';

/**
 * One agent language server. Starts once its provider is signed in, with the token in its
 * environment and in `initializationOptions.agentAuth`; a restart (after a crash) spawns with a
 * fresh one. Token changes are pushed as `agentAuth/didChangeToken`; the server asks for a token
 * (forcing a refresh after a 401) with `agentAuth/getToken`.
 *
 * This module is bundled on its own (dist/agentClient.js) and loaded only when an agent is
 * configured: vscode-languageclient is two thirds of the extension's code. Everything shared with
 * the main bundle (the token helper, the service) comes in through the Glue, never by import.
 */

/** The protocol between Agent Auth and an agent language server. */
export const DID_CHANGE_TOKEN = 'agentAuth/didChangeToken';
export const GET_TOKEN = 'agentAuth/getToken';

export interface DidChangeTokenParams {
  providerId: string;
  /** null: no usable token now (signed out, or expired while needing sign-in). */
  accessToken: string | null;
  expiresAt?: number;
  reason: 'signedIn' | 'refreshed' | 'needsSignIn' | 'signedOut' | 'corrupt';
}

/** `agentAuth/getToken` errors (JSON-RPC implementation-defined server error range). */
export const GetTokenError = { NotSignedIn: -32001, NeedsSignIn: -32002, Unavailable: -32003 } as const;

const STOP_TIMEOUT_MS = 2_000;

export class AgentClient {
  readonly key: string;
  private readonly channel: RedactingChannel;
  private client: LanguageClient | undefined;
  private process: ChildProcess | undefined;
  /** The token the current server process started with: its initializationOptions. */
  private current: AccessToken | undefined;
  private lastSent: { token: string | null; reason: string } | undefined;
  /** Which lane the configured `provider` (`acme` or `acme@alice`) names, and when that changes. */
  private readonly follower: LaneFollower;
  private disposed = false;
  /** The last start failed because no token could be had (offline, expired): retry on the next token. */
  private retryOnToken = false;

  constructor(
    private readonly g: Glue,
    private readonly agent: AgentConfig,
  ) {
    this.key = JSON.stringify(agent);
    this.channel = new RedactingChannel(
      vscode.window.createOutputChannel(l10n.t('Agent Auth: {0}', agent.id), { log: true }),
    );
    this.follower = new LaneFollower(agent.provider, { service: g.service, accounts: g.accounts }, (c) =>
      this.onChange(c),
    );
    if (this.signedIn()) this.start();
  }

  private signedIn(): boolean {
    const lane = this.follower.lane;
    return lane !== undefined && isSignedIn(this.g.service.state(lane)?.session);
  }

  private start(): void {
    const client = (this.client ??= this.create());
    if (client.state !== State.Stopped) return;
    this.lastSent = undefined;
    client
      .start()
      .catch((err: Error) =>
        this.g.log.error(`Agent "${this.agent.id}" did not start: ${this.channel.redact(err.message)}`),
      );
  }

  private create(): LanguageClient {
    const a = this.agent;
    const client = new LanguageClient(
      `agentAuth.agent.${a.id}`,
      l10n.t('Agent Auth: {0}', a.id),
      () => this.spawnServer(),
      {
        // parseAgents checked that each filter names a language, scheme or pattern.
        documentSelector: a.documentSelector as DocumentSelector,
        outputChannel: this.channel,
        initializationOptions: () => ({
          agentAuth: {
            providerId: a.provider,
            accessToken: this.current!.accessToken,
            expiresAt: this.current!.expiresAt,
          },
        }),
      },
    );
    client.onRequest(GET_TOKEN, (params?: { forceRefresh?: boolean }) => this.getToken(!!params?.forceRefresh));
    return client;
  }

  /** Called for every (re)start: each server process gets a token fresh enough to start with. */
  private async spawnServer(): Promise<ChildProcess> {
    let token: AccessToken;
    try {
      token = await this.g.service.getAccessToken(this.g.accounts.resolve(this.agent.provider), {
        minValiditySeconds: MIN_VALIDITY_S,
      });
    } catch (err) {
      this.retryOnToken = true;
      throw err;
    }
    this.retryOnToken = false;
    this.remember(token);
    this.lastSent = { token: token.accessToken, reason: 'start' };
    const helper = await this.g.tokenHelper();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const cwd = folder?.scheme === 'file' ? folder.fsPath : homedir();
    const child = spawn(this.agent.command, this.agent.args, {
      cwd,
      env: childEnv({ ...process.env, ...this.agent.env }, helper, token),
    });
    child.on('error', (err) => this.g.log.error(`Agent "${this.agent.id}": ${err.message}`));
    await once(child, 'spawn');
    this.process = child;
    return child;
  }

  private async getToken(
    forceRefresh: boolean,
  ): Promise<{ accessToken: string; expiresAt: number } | ResponseError<{ code: string }>> {
    try {
      const t = await this.g.service.getAccessToken(this.g.accounts.resolve(this.agent.provider), { forceRefresh });
      this.remember(t);
      return { accessToken: t.accessToken, expiresAt: t.expiresAt };
    } catch (err) {
      const code = sessionErrorCode(err) ?? 'unavailable';
      const rpc =
        code === 'not_signed_in'
          ? GetTokenError.NotSignedIn
          : code === 'needs_sign_in'
            ? GetTokenError.NeedsSignIn
            : GetTokenError.Unavailable;
      return new ResponseError(rpc, (err as Error).message, { code });
    }
  }

  /** A change of the followed account's token, or another account followed now (signed out, a new default): the server hears of it. */
  private onChange(e: FollowedChange): void {
    if (this.disposed || e.kind === 'refreshing' || e.kind === 'refreshFailed') return;
    const client = this.client;
    if (!client || client.state === State.Stopped) {
      // Started on sign-in. A start that failed for want of a token is retried once one comes;
      // one whose command failed only on the next sign-in (or settings change), not on every refresh.
      if (e.kind === 'signedIn' || (e.kind === 'refreshed' && this.retryOnToken)) this.start();
      return;
    }
    const s = e.lane === undefined ? undefined : this.g.service.state(e.lane)?.session;
    const usable = s && isUsable(s, Date.now(), 0) ? s : undefined;
    const params: DidChangeTokenParams = {
      providerId: this.agent.provider,
      accessToken: usable?.accessToken ?? null,
      expiresAt: usable?.expiresAt,
      reason: e.kind,
    };
    if (this.lastSent?.token === params.accessToken && (e.kind === 'refreshed' || this.lastSent.reason === e.kind))
      return;
    if (params.accessToken) this.channel.addSecret(params.accessToken);
    this.lastSent = { token: params.accessToken, reason: e.kind };
    client
      .sendNotification(DID_CHANGE_TOKEN, params)
      .catch((err: Error) => this.g.log.warn(`Agent "${this.agent.id}": token notification failed: ${err.message}`));
  }

  private remember(t: AccessToken): void {
    this.current = t;
    this.channel.addSecret(t.accessToken);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.follower.dispose();
    const child = this.process;
    try {
      if (this.client && this.client.state !== State.Stopped) await this.client.dispose(STOP_TIMEOUT_MS);
    } catch (err) {
      this.g.log.warn(`Agent "${this.agent.id}" did not stop cleanly: ${(err as Error).message}`);
    } finally {
      // A server that ignores "exit" would outlive us; the function form leaves killing it to us.
      if (child && child.exitCode === null && child.signalCode === null) child.kill();
      this.channel.dispose();
    }
  }
}
