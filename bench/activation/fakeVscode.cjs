// A stand-in for the `vscode` module, ONLY so the bench can time `require` + `activate` of an
// extension bundle in a plain Node process (figure 1, second row). It is not a test double: it
// answers every API call with an inert object, so activation runs its own code and nothing else.
// Both bundles measured (ours and github-authentication) get the same fake.
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

/**
 * Every top-level name of the real API (namespaces, classes, enums, constants), read from
 * @types/vscode: a bundler's `import * as vscode` copies only the names the module really has.
 */
function apiNames() {
  const dts = readFileSync(require.resolve('@types/vscode/index.d.ts'), 'utf8');
  return [...dts.matchAll(/^\texport (?:namespace|class|enum|const|let|function) (\w+)/gm)].map((m) => m[1]);
}

/** Any property is another inert value, any call or `new` returns one; assignments stick; not a thenable. */
function inert() {
  const props = new Map();
  const own = (p) => ({ value: props.get(p), writable: true, enumerable: true, configurable: true });
  return new Proxy(function () {}, {
    get: (target, p) => {
      if (p === 'then') return undefined;
      if (p === Symbol.toPrimitive) return () => '';
      if (p === Symbol.iterator) return [][Symbol.iterator];
      if (p === 'prototype') return target.prototype; // lets a bundle `extend` an API class
      if (!props.has(p)) props.set(p, inert());
      return props.get(p);
    },
    set: (_t, p, v) => {
      props.set(p, v);
      return true;
    },
    has: (target, p) => props.has(p) || p in target,
    ownKeys: (target) => [...Reflect.ownKeys(target), ...props.keys()],
    getOwnPropertyDescriptor: (target, p) => (props.has(p) ? own(p) : Reflect.getOwnPropertyDescriptor(target, p)),
    apply: () => inert(),
    construct: () => inert(),
  });
}

class Uri {
  constructor(fsPath, scheme = 'file') {
    this.fsPath = fsPath;
    this.path = fsPath;
    this.scheme = scheme;
  }
  static file(p) {
    return new Uri(p);
  }
  static parse(s) {
    return new Uri(s, s.split(':')[0]);
  }
  static joinPath(base, ...parts) {
    return new Uri(join(base.fsPath, ...parts));
  }
  with() {
    return this;
  }
  toString() {
    return this.scheme === 'file' ? `file://${this.fsPath}` : this.fsPath;
  }
}

/** Settings come from the parent as JSON ({"section.key": value}); everything else is the default. */
function getConfiguration(settings) {
  return (section) => {
    const full = (k) => (section ? `${section}.${k}` : k);
    return {
      get: (k, dflt) => (Object.hasOwn(settings, full(k)) ? settings[full(k)] : dflt),
      has: (k) => Object.hasOwn(settings, full(k)),
      inspect: () => undefined,
      update: async () => undefined,
    };
  };
}

function createFakeVscode(settings) {
  const fake = inert();
  for (const name of apiNames()) void fake[name];
  Object.assign(fake, {
    version: '1.100.3',
    Uri,
    UIKind: { Desktop: 1, Web: 2 },
    env: Object.assign(inert(), {
      uiKind: 1,
      remoteName: undefined,
      appName: 'Visual Studio Code',
      uriScheme: 'vscode',
      language: 'en',
    }),
    l10n: Object.assign(inert(), {
      t: (m, ...args) => String(typeof m === 'string' ? m : m.message).replace(/\{(\d+)\}/g, (_, i) => String(args[i])),
    }),
    workspace: Object.assign(inert(), {
      isTrusted: true,
      workspaceFolders: undefined,
      getConfiguration: getConfiguration(settings),
    }),
  });
  return fake;
}

/** A fresh ExtensionContext with in-memory secrets and state. */
function createContext(extensionPath, packageJSON, storageDir) {
  const secrets = new Map();
  const state = new Map();
  const memento = {
    get: (k, d) => (state.has(k) ? state.get(k) : d),
    update: async (k, v) => void state.set(k, v),
    keys: () => [...state.keys()],
    setKeysForSync() {},
  };
  const context = inert();
  return Object.assign(context, {
    subscriptions: [],
    extensionPath,
    extensionUri: Uri.file(extensionPath),
    globalStorageUri: Uri.file(join(storageDir, 'global')),
    storageUri: Uri.file(join(storageDir, 'workspace')),
    logUri: Uri.file(join(storageDir, 'log')),
    globalState: memento,
    workspaceState: memento,
    extension: Object.assign(inert(), {
      id: `${packageJSON.publisher}.${packageJSON.name}`,
      packageJSON,
      extensionPath,
    }),
    secrets: {
      get: async (k) => secrets.get(k),
      store: async (k, v) => void secrets.set(k, v),
      delete: async (k) => void secrets.delete(k),
      onDidChange: () => ({ dispose() {} }),
    },
  });
}

module.exports = { createFakeVscode, createContext };
