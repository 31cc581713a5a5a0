// The clusterkit rules extension: starts `clusterkit lsp` and speaks LSP to it over
// stdio. A small client written against the VS Code API alone, so the extension needs
// no npm packages: diagnostics, hover, go to definition, completion and formatting.
"use strict";
const vscode = require("vscode");
const { spawn } = require("child_process");

let server;
let nextId = 1;
let buffer = Buffer.alloc(0);
const pending = new Map();

function send(message) {
  const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", ...message }), "utf8");
  server.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
  server.stdin.write(body);
}

function request(method, params) {
  const id = nextId++;
  send({ id, method, params });
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}

const notify = (method, params) => send({ method, params });

// Messages come as "Content-Length: N\r\n\r\n" and N bytes of JSON.
function receive(chunk, onNotification) {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const headerEnd = buffer.indexOf("\r\n\r\n");
    if (headerEnd < 0) return;
    const length = Number(/Content-Length: *(\d+)/i.exec(buffer.subarray(0, headerEnd))?.[1]);
    const start = headerEnd + 4;
    if (buffer.length < start + length) return;
    const message = JSON.parse(buffer.subarray(start, start + length).toString("utf8"));
    buffer = buffer.subarray(start + length);
    if (message.method === undefined) {
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) waiting?.reject(new Error(message.error.message));
      else waiting?.resolve(message.result);
    } else if (message.id !== undefined) {
      send({ id: message.id, result: null }); // no server-to-client request is needed
    } else {
      onNotification(message);
    }
  }
}

const toRange = (r) => new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
const at = (document, position) => ({
  textDocument: { uri: document.uri.toString() },
  position: { line: position.line, character: position.character },
});
const SEVERITIES = [null, "Error", "Warning", "Information", "Hint"];

function activate(context) {
  const settings = vscode.workspace.getConfiguration("clusterkit");
  server = spawn(settings.get("server.command", "clusterkit"), settings.get("server.args", ["lsp"]));
  server.on("error", (error) =>
    vscode.window.showErrorMessage(`clusterkit lsp did not start: ${error.message}`),
  );
  const problems = vscode.languages.createDiagnosticCollection("clusterkit");
  server.stdout.on("data", (chunk) =>
    receive(chunk, ({ method, params }) => {
      if (method !== "textDocument/publishDiagnostics") return;
      problems.set(
        vscode.Uri.parse(params.uri),
        params.diagnostics.map((d) => {
          const severity = vscode.DiagnosticSeverity[SEVERITIES[d.severity ?? 1]];
          return Object.assign(new vscode.Diagnostic(toRange(d.range), d.message, severity), {
            code: d.code,
            source: d.source,
          });
        }),
      );
    }),
  );
  const folder = vscode.workspace.workspaceFolders?.[0];
  const ready = request("initialize", {
    processId: process.pid,
    rootUri: folder ? folder.uri.toString() : null,
    capabilities: {},
  }).then(() => notify("initialized", {}));
  const ours = (document) => document.languageId === "clusterkit";
  const open = (d) =>
    ours(d) &&
    ready.then(() =>
      notify("textDocument/didOpen", {
        textDocument: { uri: d.uri.toString(), languageId: "clusterkit", version: d.version, text: d.getText() },
      }),
    );
  vscode.workspace.textDocuments.forEach(open);
  const language = "clusterkit";
  context.subscriptions.push(
    problems,
    vscode.workspace.onDidOpenTextDocument(open),
    vscode.workspace.onDidChangeTextDocument(({ document: d }) =>
      ours(d) &&
      ready.then(() =>
        notify("textDocument/didChange", {
          textDocument: { uri: d.uri.toString(), version: d.version },
          contentChanges: [{ text: d.getText() }],
        }),
      ),
    ),
    vscode.workspace.onDidCloseTextDocument((d) =>
      ours(d) && ready.then(() => notify("textDocument/didClose", { textDocument: { uri: d.uri.toString() } })),
    ),
    vscode.languages.registerHoverProvider(language, {
      async provideHover(document, position) {
        const found = await request("textDocument/hover", at(document, position));
        if (!found) return null;
        return new vscode.Hover(new vscode.MarkdownString(found.contents.value), found.range && toRange(found.range));
      },
    }),
    vscode.languages.registerDefinitionProvider(language, {
      async provideDefinition(document, position) {
        const found = await request("textDocument/definition", at(document, position));
        return found && new vscode.Location(vscode.Uri.parse(found.uri), toRange(found.range));
      },
    }),
    vscode.languages.registerCompletionItemProvider(
      language,
      {
        async provideCompletionItems(document, position) {
          const found = await request("textDocument/completion", at(document, position));
          return (found?.items ?? []).map((item) =>
            // LSP numbers kinds from 1, VS Code from 0.
            Object.assign(new vscode.CompletionItem(item.label, (item.kind ?? 1) - 1), {
              detail: item.detail ?? undefined,
              documentation: item.documentation ?? undefined,
            }),
          );
        },
      },
      ".",
    ),
    vscode.languages.registerDocumentFormattingEditProvider(language, {
      async provideDocumentFormattingEdits(document) {
        const edits = await request("textDocument/formatting", {
          textDocument: { uri: document.uri.toString() },
          options: { tabSize: 2, insertSpaces: true },
        });
        return (edits ?? []).map((edit) => vscode.TextEdit.replace(toRange(edit.range), edit.newText));
      },
    }),
  );
}

async function deactivate() {
  if (!server) return;
  await Promise.race([request("shutdown", null), new Promise((done) => setTimeout(done, 2000))]);
  notify("exit", null);
  server.stdin.end();
}

module.exports = { activate, deactivate };
