import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * Every server action is a public endpoint: anyone who can reach the app can
 * post to it with any arguments. So each exported action must check the
 * caller's role before it calls into lib/. The e2e suite replays captured
 * actions against the guard; this test makes sure no action skips it.
 */
const ROOT = path.resolve(__dirname, "../..");
/** Calls that check the role (startJob and stopJob call requireActionRole first). */
const GUARDS = new Set(["requireActionRole", "startJob", "stopJob"]);
/** Actions for people who are not signed in yet, or leaving: they authenticate by what they are given. */
const OPEN_ACTIONS = new Set(["signInAction", "signOutAction", "createFirstAdminAction"]);

function serverActionFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...serverActionFiles(full));
    else if (/\.tsx?$/.test(entry.name) && !entry.name.includes(".test.")) {
      const text = fs.readFileSync(full, "utf8");
      if (/^\s*["']use server["'];/.test(text)) out.push(full);
    }
  }
  return out;
}

interface ActionCalls {
  name: string;
  exported: boolean;
  firstGuard: number | null;
  firstLibCall: { name: string; at: number } | null;
}

const guardedFirst = (f: ActionCalls) => f.firstGuard !== null && (f.firstLibCall === null || f.firstGuard < f.firstLibCall.at);

/** The exported actions of a file; a local helper that checks the role before its work (settings' asAdmin) counts as a check. */
function actionsOf(file: string): ActionCalls[] {
  let guards = new Set(GUARDS);
  for (;;) {
    const all = analyse(file, guards);
    const more = new Set([...guards, ...all.filter((f) => !f.exported && guardedFirst(f)).map((f) => f.name)]);
    if (more.size === guards.size) return all.filter((f) => f.exported);
    guards = more;
  }
}

function analyse(file: string, guards: Set<string>): ActionCalls[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const libImports = new Set<string>();
  for (const stmt of source.statements) {
    if (ts.isImportDeclaration(stmt) && ts.isStringLiteral(stmt.moduleSpecifier) && stmt.moduleSpecifier.text.startsWith("@/lib/")) {
      const bindings = stmt.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) for (const el of bindings.elements) libImports.add(el.name.text);
    }
  }
  const actions: ActionCalls[] = [];
  for (const stmt of source.statements) {
    if (!ts.isFunctionDeclaration(stmt) || !stmt.name || !stmt.body) continue;
    const exported = stmt.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;
    const found: ActionCalls = { name: stmt.name.text, exported, firstGuard: null, firstLibCall: null };
    const visit = (node: ts.Node) => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
        const callee = node.expression.text;
        const at = node.expression.getStart(source);
        if (guards.has(callee) && (found.firstGuard === null || at < found.firstGuard)) found.firstGuard = at;
        if (libImports.has(callee) && (found.firstLibCall === null || at < found.firstLibCall.at)) found.firstLibCall = { name: callee, at };
      }
      ts.forEachChild(node, visit);
    };
    visit(stmt.body);
    actions.push(found);
  }
  return actions;
}

describe("server actions", () => {
  const files = serverActionFiles(path.join(ROOT, "app"));

  it("are found where the dashboard keeps them", () => {
    const names = files.flatMap(actionsOf).map((a) => a.name);
    expect(files.length).toBeGreaterThanOrEqual(5);
    expect(names).toEqual(expect.arrayContaining(["updateModelAction", "promoteVersionAction", "importBundleAction", "forecastGameAction", "buildFeatureTableAction", "revokeTokenAction"]));
  });

  it("check the caller's role before calling into lib/, every one of them", () => {
    const unguarded: string[] = [];
    for (const file of files) {
      for (const action of actionsOf(file)) {
        if (OPEN_ACTIONS.has(action.name)) continue;
        const where = `${path.relative(ROOT, file)}: ${action.name}`;
        if (action.firstGuard === null) unguarded.push(`${where} never checks the caller's role`);
        else if (!guardedFirst(action)) unguarded.push(`${where} calls ${action.firstLibCall?.name} before checking the caller's role`);
      }
    }
    expect(unguarded, unguarded.join("\n")).toEqual([]);
  });
});
