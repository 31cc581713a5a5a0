// Runs the VS Code extension's client against the real `clusterkit lsp`, with a stand-in
// for the `vscode` module that records what the extension registers and shows.
// Usage: node vscode_harness.js EXTENSION_DIR RULE_FILE COMMAND [ARGS...]
"use strict";
const Module = require("module");
const fs = require("fs");
const path = require("path");
const { pathToFileURL } = require("url");

const [extensionDir, ruleFile, command, ...args] = process.argv.slice(2);
const text = fs.readFileSync(ruleFile, "utf8");
const uri = pathToFileURL(ruleFile).toString();
const providers = {};
const shown = {};
let diagnosticsSet = null;
const waitForDiagnostics = new Promise((resolve) => (diagnosticsSet = resolve));

class Range {
  constructor(a, b, c, d) {
    Object.assign(this, { start: { line: a, character: b }, end: { line: c, character: d } });
  }
}
const vscode = {
  Range,
  Hover: class { constructor(contents, range) { Object.assign(this, { contents, range }); } },
  MarkdownString: class { constructor(value) { this.value = value; } },
  Location: class { constructor(uri, range) { Object.assign(this, { uri, range }); } },
  Diagnostic: class { constructor(range, message, severity) { Object.assign(this, { range, message, severity }); } },
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
  CompletionItem: class { constructor(label, kind) { Object.assign(this, { label, kind }); } },
  TextEdit: { replace: (range, newText) => ({ range, newText }) },
  Uri: { parse: (value) => ({ value, toString: () => value }) },
  window: { showErrorMessage: (message) => (shown.error = message) },
  workspace: {
    getConfiguration: () => ({ get: (key) => ({ "server.command": command, "server.args": args })[key] }),
    workspaceFolders: [{ uri: pathToFileURL(path.dirname(ruleFile)) }],
    textDocuments: [
      { uri: { toString: () => uri }, languageId: "clusterkit", version: 1, getText: () => text },
    ],
    onDidOpenTextDocument: () => ({}),
    onDidChangeTextDocument: () => ({}),
    onDidCloseTextDocument: () => ({}),
  },
  languages: {
    createDiagnosticCollection: () => ({
      set: (target, items) => target.toString() === uri && diagnosticsSet(items),
    }),
    registerHoverProvider: (_language, provider) => (providers.hover = provider),
    registerDefinitionProvider: (_language, provider) => (providers.definition = provider),
    registerCompletionItemProvider: (_language, provider, ...triggers) =>
      (providers.completion = Object.assign(provider, { triggers })),
    registerDocumentFormattingEditProvider: (_language, provider) => (providers.format = provider),
  },
};
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === "vscode" ? vscode : load.call(this, request, ...rest);
};

async function main() {
  const extension = require(path.resolve(extensionDir, "extension.js"));
  const context = { subscriptions: [] };
  extension.activate(context);
  const document = { uri: { toString: () => uri }, getText: () => text };
  const lines = text.split("\n");
  const spot = (word, offset = 1) => {
    const line = lines.findIndex((l) => l.includes(word));
    return { line, character: lines[line].indexOf(word) + offset };
  };
  const diagnostics = await waitForDiagnostics;
  const hover = await providers.hover.provideHover(document, spot("p.budget", 3));
  const definition = await providers.definition.provideDefinition(document, spot("<= cap", 3));
  const completion = await providers.completion.provideCompletionItems(document, spot("p.budget", 2));
  const edits = await providers.format.provideDocumentFormattingEdits(document);
  await extension.deactivate();
  process.stdout.write(
    JSON.stringify({
      diagnostics,
      hover: hover.contents.value,
      definition: { uri: definition.uri.toString(), line: definition.range.start.line },
      completion: completion.map((item) => [item.label, item.kind, item.detail]),
      triggers: providers.completion.triggers,
      formatted: edits.map((edit) => edit.newText),
      error: shown.error ?? null,
    }),
  );
  process.exit(0);
}

main().catch((error) => {
  process.stderr.write(String(error.stack || error));
  process.exit(1);
});
