// The architecture rules of DESIGN §7 checked on the real import graph: every file parsed with the TypeScript
// compiler (so multi-line imports, re-exports, `import()` and `require` all count), relative specifiers resolved
// to files. Used by test/unit/architecture.test.ts, and tested itself on planted violations.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** One edge of the graph: `from` imports `specifier` (resolved to `to` when it is a file under the root). */
export interface ImportEdge {
  from: string;
  specifier: string;
  to: string | undefined;
  /** Erased at compile time (`import type`, `export type`, or every named binding `type`). */
  typeOnly: boolean;
  line: number;
}

export interface SourceFacts {
  file: string;
  imports: ImportEdge[];
  /** Clock, randomness and process reads: `Date.now()`, `new Date(…)`, `Math.random()`, `process.*`. */
  impureCalls: { text: string; line: number }[];
}

/** Every .ts file under `root`, as paths relative to it. */
export function sourceFiles(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') && !path.endsWith('.d.ts') ? [relative(root, path)] : [];
    });
  return walk(root).sort();
}

/** Parses one file: its imports (resolved against `root`) and its impure calls. */
export function readFacts(root: string, file: string): SourceFacts {
  const text = readFileSync(join(root, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const imports: ImportEdge[] = [];
  const impureCalls: SourceFacts['impureCalls'] = [];
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const edge = (node: ts.Node, specifier: ts.Expression | undefined, typeOnly: boolean) => {
    if (!specifier || !ts.isStringLiteralLike(specifier)) return;
    imports.push({ from: file, specifier: specifier.text, to: resolveSpecifier(root, file, specifier.text), typeOnly, line: lineOf(node) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const allTypes = clause !== undefined && !clause.name && named !== undefined && named.length > 0 && named.every((element) => element.isTypeOnly);
      edge(node, node.moduleSpecifier, clause?.isTypeOnly === true || allTypes);
    } else if (ts.isExportDeclaration(node)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      edge(node, node.moduleSpecifier, node.isTypeOnly || (named !== undefined && named.length > 0 && named.every((element) => element.isTypeOnly)));
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      edge(node, node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) edge(node, node.arguments[0], false);
      const name = callee.getText(source);
      if (name === 'Date.now' || name === 'Math.random') impureCalls.push({ text: `${name}()`, line: lineOf(node) });
    } else if (ts.isNewExpression(node) && node.expression.getText(source) === 'Date') {
      impureCalls.push({ text: 'new Date()', line: lineOf(node) });
    } else if (ts.isImportTypeNode(node)) {
      // `import('x').T` in a type position: erased, but still a dependency.
      const argument = node.argument;
      if (ts.isLiteralTypeNode(argument)) edge(node, argument.literal as ts.Expression, true);
    }
    if (ts.isIdentifier(node) && node.text === 'process' && !isPropertyName(node)) impureCalls.push({ text: 'process', line: lineOf(node) });
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { file, imports, impureCalls };
}

/** `x` in `a.x` or `{ x: … }` is a name, not the global. */
function isPropertyName(node: ts.Identifier): boolean {
  const parent = node.parent;
  return (ts.isPropertyAccessExpression(parent) && parent.name === node) || (ts.isPropertyAssignment(parent) && parent.name === node) || ts.isPropertySignature(parent) || ts.isMethodSignature(parent);
}

/** A relative specifier (`./x.js`, `../host/sysfs.js`) → the .ts file it names, relative to `root`. */
function resolveSpecifier(root: string, from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const absolute = resolve(root, dirname(from), specifier);
  const candidates = [absolute.replace(/\.js$/, '.ts'), `${absolute}.ts`, join(absolute, 'index.ts'), absolute];
  for (const candidate of candidates) {
    try {
      if (statSync(candidate).isFile()) return relative(root, candidate);
    } catch {
      // not this one
    }
  }
  return relative(root, absolute);
}

export interface Rules {
  /** Which files must be pure (no I/O, no clock, no randomness, no process state). */
  isPure(file: string): boolean;
  /** Packages (and asset files) a pure file may import at run time, by specifier. */
  pureModules: RegExp;
  /** Modules nobody outside host/ may import at run time. */
  ioModules: RegExp;
}

export interface Violation {
  file: string;
  line: number;
  rule: string;
}

/**
 * The rules: (1) a pure file imports at run time only pure files — so nothing it reaches, however indirectly or
 * re-exported, does I/O — and no node:/package module; type-only imports are erased and may name any interface;
 * (2) a pure file reads no clock, randomness or process state; (3) outside host/, nothing imports fs,
 * child_process, http, https or net; (4) the top-level folders of `root` form no cycle (type imports included).
 */
export function checkArchitecture(root: string, rules: Rules): Violation[] {
  const files = sourceFiles(root);
  const facts = files.map((file) => readFacts(root, file));
  const violations: Violation[] = [];
  for (const { file, imports, impureCalls } of facts) {
    const pure = rules.isPure(file);
    for (const edge of imports) {
      if (!file.startsWith('host/') && !edge.typeOnly && rules.ioModules.test(edge.specifier)) {
        violations.push({ file, line: edge.line, rule: `imports ${edge.specifier}: only src/host/ may do I/O` });
      }
      if (!pure || edge.typeOnly || rules.pureModules.test(edge.specifier)) continue;
      if (edge.to === undefined) violations.push({ file, line: edge.line, rule: `pure file imports module ${edge.specifier} at run time` });
      else if (!rules.isPure(edge.to)) violations.push({ file, line: edge.line, rule: `pure file imports ${edge.to} (not pure) at run time` });
    }
    if (pure) for (const call of impureCalls) violations.push({ file, line: call.line, rule: `pure file reads ${call.text}` });
  }
  for (const cycle of folderCycles(facts)) violations.push({ file: cycle[0]!, line: 0, rule: `folder cycle ${cycle.join(' → ')}` });
  return violations;
}

/** Cycles between top-level folders (a file directly under root is its own node), each as a path a → … → a. */
export function folderCycles(facts: readonly SourceFacts[]): string[][] {
  const folder = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : file);
  const edges = new Map<string, Set<string>>();
  for (const { file, imports } of facts) {
    for (const { to } of imports) {
      if (to === undefined || to.startsWith('..') || folder(to) === folder(file)) continue;
      edges.set(folder(file), (edges.get(folder(file)) ?? new Set()).add(folder(to)));
    }
  }
  const cycles: string[][] = [];
  const seen = new Set<string>();
  for (const start of [...edges.keys()].sort()) {
    const path: string[] = [];
    const walk = (node: string): void => {
      if (path.includes(node)) {
        if (node === start) {
          const key = [...path].sort().join(',');
          if (!seen.has(key)) {
            seen.add(key);
            cycles.push([...path, node]);
          }
        }
        return;
      }
      path.push(node);
      for (const next of [...(edges.get(node) ?? [])].sort()) walk(next);
      path.pop();
    };
    walk(start);
  }
  return cycles;
}
