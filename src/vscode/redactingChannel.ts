import { inspect } from 'node:util';
import type * as vscode from 'vscode';
import { fingerprint } from '../protocol/log.js';

/** Enough to cover tokens an agent may still echo after a few refreshes. */
const MAX_SECRETS = 16;

/**
 * A log channel for a language client that replaces every token it was told about with its
 * fingerprint. The client traces whole JSON-RPC messages (initialize options, our notifications,
 * getToken replies) when the channel's level is Trace, and copies the server's stderr: both
 * would otherwise show tokens.
 */
export class RedactingChannel implements vscode.LogOutputChannel {
  private readonly secrets: string[] = [];

  constructor(private readonly inner: vscode.LogOutputChannel) {}

  addSecret(secret: string): void {
    if (this.secrets.includes(secret)) return;
    this.secrets.push(secret);
    if (this.secrets.length > MAX_SECRETS) this.secrets.shift();
  }

  redact(text: string): string {
    for (const s of this.secrets) text = text.replaceAll(s, fingerprint(s));
    return text;
  }

  private args(args: unknown[]): string[] {
    return args.map((a) =>
      this.redact(typeof a === 'string' ? a : a instanceof Error ? (a.stack ?? a.message) : inspect(a, { depth: 6 })),
    );
  }

  get name(): string {
    return this.inner.name;
  }
  get logLevel(): vscode.LogLevel {
    return this.inner.logLevel;
  }
  get onDidChangeLogLevel(): vscode.Event<vscode.LogLevel> {
    return this.inner.onDidChangeLogLevel;
  }
  trace(message: string, ...args: unknown[]): void {
    this.inner.trace(this.redact(message), ...this.args(args));
  }
  debug(message: string, ...args: unknown[]): void {
    this.inner.debug(this.redact(message), ...this.args(args));
  }
  info(message: string, ...args: unknown[]): void {
    this.inner.info(this.redact(message), ...this.args(args));
  }
  warn(message: string, ...args: unknown[]): void {
    this.inner.warn(this.redact(message), ...this.args(args));
  }
  error(error: string | Error, ...args: unknown[]): void {
    this.inner.error(
      this.redact(typeof error === 'string' ? error : (error.stack ?? error.message)),
      ...this.args(args),
    );
  }
  append(value: string): void {
    this.inner.append(this.redact(value));
  }
  appendLine(value: string): void {
    this.inner.appendLine(this.redact(value));
  }
  replace(value: string): void {
    this.inner.replace(this.redact(value));
  }
  clear(): void {
    this.inner.clear();
  }
  show(columnOrPreserveFocus?: vscode.ViewColumn | boolean, preserveFocus?: boolean): void {
    if (typeof columnOrPreserveFocus === 'boolean') this.inner.show(columnOrPreserveFocus);
    else this.inner.show(columnOrPreserveFocus, preserveFocus);
  }
  hide(): void {
    this.inner.hide();
  }
  dispose(): void {
    this.inner.dispose();
  }
}
