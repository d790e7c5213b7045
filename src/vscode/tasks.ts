import { type ChildProcess, spawn } from 'node:child_process';
import { constants, homedir } from 'node:os';
import vscode = require('vscode');
import { l10n } from 'vscode';
import { MIN_VALIDITY_S } from '../session/config/validity.js';
import { childEnv } from './childEnv.js';
import { commandLine } from './commandLine.js';
import type { Glue } from './glue.js';
import { LineInput, toTerminalText } from './lineInput.js';
import { needsUser, offerSignIn, pickSignedIn } from './providerPick.js';
import { type AgentTaskDefinition, parseTaskDefinition, resolveCwd } from './taskDefinition.js';

/** After "close" a child gets this long to exit on SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 3_000;

/**
 * The "agent-auth" task type: runs `command` with `args` in a pseudoterminal, the provider's
 * fresh token in its environment; and `agentAuth.accessToken` for `${command:agentAuth.accessToken}`.
 * Neither hands a token to an untrusted workspace.
 */
export function registerTasks(g: Glue): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.tasks.registerTaskProvider('agent-auth', {
      provideTasks: () => [],
      resolveTask: (task) =>
        agentTask(g, task.definition, task.scope ?? vscode.TaskScope.Workspace, task.name, task.problemMatchers),
    }),
    vscode.commands.registerCommand('agentAuth.accessToken', async (providerId?: unknown) => {
      if (!vscode.workspace.isTrusted) {
        throw new Error(l10n.t('Agent Auth gives no tokens to an untrusted workspace. Trust the workspace first.'));
      }
      // An input (`"args": "acme"`) names the provider; `${command:agentAuth.accessToken}` gets the
      // launch configuration or task itself from VS Code, so the only signed-in provider is used, or the user picks.
      const id =
        typeof providerId === 'string'
          ? providerId
          : (await pickSignedIn(g, undefined, l10n.t('Which provider’s token should the task get?')))?.id;
      if (id === undefined) throw new Error(l10n.t('Agent Auth: no provider was chosen.'));
      try {
        return (await g.service.getAccessToken(g.accounts.resolve(id), { minValiditySeconds: MIN_VALIDITY_S }))
          .accessToken;
      } catch (err) {
        if (needsUser(err)) offerSignIn(g, id, l10n.t('Agent Auth: {0}', (err as Error).message));
        throw err;
      }
    }),
  );
}

/** An "agent-auth" task that runs in Agent Auth's pseudoterminal. */
export function agentTask(
  g: Glue,
  definition: vscode.TaskDefinition,
  scope: vscode.WorkspaceFolder | vscode.TaskScope.Global | vscode.TaskScope.Workspace,
  name: string,
  problemMatchers?: string[],
): vscode.Task {
  const folder = typeof scope === 'object' ? scope.uri.fsPath : undefined;
  return new vscode.Task(
    definition,
    scope,
    name,
    'agent-auth',
    // VS Code passes the definition with ${...} variables already resolved.
    new vscode.CustomExecution(async (resolved) => new AgentTaskTerminal(g, resolved, folder)),
    problemMatchers,
  );
}

/** Exported for the host tests, which drive it where VS Code itself would not run a task (Restricted Mode). */
export class AgentTaskTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private readonly input = new LineInput();
  private child: ChildProcess | undefined;
  /** The user closed the terminal. */
  private closed = false;
  /** onDidClose has fired (a failed spawn reports both "error" and "close"). */
  private done = false;

  constructor(
    private readonly g: Glue,
    private readonly definition: vscode.TaskDefinition,
    private readonly folder: string | undefined,
  ) {}

  open(): void {
    void this.start().catch((err) =>
      this.fail(l10n.t('Agent Auth: the task could not start: {0}', (err as Error).message)),
    );
  }

  private async start(): Promise<void> {
    const parsed = parseTaskDefinition(this.definition);
    if (!parsed.ok) return this.fail(l10n.t('Agent Auth: invalid "agent-auth" task: {0}.', parsed.message));
    const def = parsed.definition;
    if (!vscode.workspace.isTrusted) {
      return this.fail(
        l10n.t('Agent Auth gives no tokens to tasks of an untrusted workspace. Trust the workspace to run this task.'),
      );
    }
    let token;
    try {
      token = await this.g.service.getAccessToken(this.g.accounts.resolve(def.provider), {
        minValiditySeconds: MIN_VALIDITY_S,
      });
    } catch (err) {
      const message = (err as Error).message;
      if (needsUser(err)) offerSignIn(this.g, def.provider, l10n.t('Agent Auth: {0}', message));
      return this.fail(l10n.t('Agent Auth: no token for "{0}": {1}', def.provider, message));
    }
    const helper = await this.g.tokenHelper();
    if (this.closed) return;
    this.spawn(def, childEnv(process.env, helper, token));
  }

  private spawn(def: AgentTaskDefinition, env: NodeJS.ProcessEnv): void {
    // On Windows an npm-installed agent is a .cmd shim (claude.cmd), found on PATH with PATHEXT.
    const line = commandLine(def.command, def.args, { platform: process.platform, env });
    const child = spawn(line.file, line.args, {
      cwd: resolveCwd(def.cwd, this.folder, homedir()),
      env,
      stdio: 'pipe',
      windowsVerbatimArguments: line.windowsVerbatimArguments,
    });
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (text: string) => this.writeEmitter.fire(toTerminalText(text)));
    }
    // A child that exits without reading its input must not crash us with EPIPE.
    child.stdin.on('error', () => undefined);
    child.on('error', (err) => this.fail(l10n.t('Agent Auth: could not run "{0}": {1}', def.command, err.message)));
    child.on('close', (code, signal) => this.finish(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)));
  }

  handleInput(data: string): void {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const r = this.input.feed(data);
    if (r.echo) this.writeEmitter.fire(r.echo);
    if (r.send) child.stdin!.write(r.send);
    if (r.interrupt) child.kill('SIGINT');
    if (r.eof) child.stdin!.end();
  }

  close(): void {
    this.closed = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    setTimeout(
      () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'),
      KILL_GRACE_MS,
    ).unref();
  }

  private fail(line: string): void {
    this.writeEmitter.fire(`\x1b[31m${toTerminalText(line)}\x1b[0m\r\n`);
    this.finish(1);
  }

  private finish(code: number): void {
    if (this.done) return;
    this.done = true;
    this.closeEmitter.fire(code);
  }
}
