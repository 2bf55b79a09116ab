// The hand-written typings checked against the JavaScript they describe, with the TypeScript
// compiler's own reading of both (its 5.9 API; the repo's tsc 7 has no JavaScript API). For
// each pair (index.d.ts and the browser entry, testing.d.ts and the kit's, management.d.ts and
// its module, each store's .d.ts and its module) it compares:
// - the exported values (classes, functions, constants);
// - each class's public members (methods, getters, the properties its constructor sets,
//   `[Symbol.dispose]` given by `disposable(Class)`), and each method's number of parameters;
// - the options of every options parameter: the names the JavaScript accepts (the list it
//   hands to `readOptions`, followed through calls and spreads, or a destructuring pattern)
//   against the properties of the declared type; and every parameter the typings call
//   `options` must be read as one;
// - the fields of every object a function or method returns (followed through calls to the
//   package's own functions, and into the methods of a returned object) against the declared
//   result type: each returned object must be one member of it, exactly.
// Without this, a typing kept by hand drifts as soon as one side changes alone. Exits 1 and
// names each difference. `node tests/types/contract.mjs [dir]` checks `dir` (default:
// pkg-template/), so that a scratch copy can be checked too.
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ts = createRequire(import.meta.url)("ts59");
const root = fileURLToPath(new URL("../../", import.meta.url));
const dir = resolve(process.argv[2] ?? `${root}/pkg-template`);

/** The typings and the module whose exports they describe. */
const PAIRS = [
  ["index.d.ts", "browser.mjs"],
  ["testing.d.ts", "testing-browser.mjs"],
  ["management.d.ts", "management.mjs"],
  ["stores/redis.d.ts", "stores/redis.mjs"],
  ["stores/postgres.d.ts", "stores/postgres.mjs"],
  ["stores/durable-object.d.ts", "stores/durable-object.mjs"],
  ["inbox/postgres.d.ts", "inbox/postgres.mjs"],
  ["inbox/redis.d.ts", "inbox/redis.mjs"],
  ["inbox/durable-object.d.ts", "inbox/durable-object.mjs"],
].map(([types, code]) => [resolve(dir, types), resolve(dir, code)]);

const program = ts.createProgram(
  PAIRS.flat(),
  { allowJs: true, checkJs: false, noEmit: true, strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: [], lib: ["lib.es2022.d.ts", "lib.dom.d.ts"] },
);
const checker = program.getTypeChecker();
const problems = [];
const counted = { exports: 0, members: 0, options: 0, results: 0 };

for (const [typesFile, codeFile] of PAIRS) {
  const types = program.getSourceFile(typesFile);
  const code = program.getSourceFile(codeFile);
  if (!types || !code) {
    problems.push(`${typesFile} or ${codeFile} is missing`);
    continue;
  }
  checkModule(rel(typesFile), checker.getSymbolAtLocation(types), checker.getSymbolAtLocation(code));
}

if (problems.length) {
  console.error(`The typings and the JavaScript differ (${problems.length}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  process.exit(1);
}
console.log(`typings match the JavaScript: ${PAIRS.length} modules, ${counted.exports} exports, ${counted.members} members, ${counted.options} option lists, ${counted.results} result shapes`);

// ---------------------------------------------------------------------------------------

function rel(file) {
  return file.startsWith(dir) ? file.slice(dir.length + 1) : file;
}

function checkModule(where, typesModule, codeModule) {
  const declared = new Map(checker.getExportsOfModule(typesModule).filter((s) => s.flags & ts.SymbolFlags.Value).map((s) => [s.name, s]));
  const actual = new Map(checker.getExportsOfModule(codeModule).map((s) => [s.name, s]));
  for (const name of declared.keys()) if (!actual.has(name)) problems.push(`${where}: \`${name}\` is declared but not exported by the JavaScript`);
  for (const name of actual.keys()) if (!declared.has(name)) problems.push(`${where}: \`${name}\` is exported by the JavaScript but not declared`);
  for (const [name, typeSymbol] of declared) {
    const codeSymbol = actual.get(name);
    if (!codeSymbol) continue;
    counted.exports++;
    const typeDecl = typeSymbol.declarations?.[0];
    const codeDecl = declarationOf(codeSymbol);
    if (!typeDecl || !codeDecl) continue;
    if (ts.isClassDeclaration(typeDecl)) {
      if (ts.isClassDeclaration(codeDecl)) checkClass(`${where}: ${name}`, typeSymbol, codeDecl);
      else problems.push(`${where}: \`${name}\` is declared as a class but is not one`);
    } else if (ts.isFunctionDeclaration(typeDecl)) {
      if (isFunctionLike(codeDecl)) checkCallable(`${where}: ${name}()`, typeSymbol.declarations, codeDecl);
      else problems.push(`${where}: \`${name}\` is declared as a function but is not one`);
    }
  }
}


/** The declaration behind a (possibly re-exported) symbol. */
function declarationOf(symbol) {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const decl = target.valueDeclaration ?? target.declarations?.[0];
  if (decl && ts.isVariableDeclaration(decl) && decl.initializer && isFunctionLike(decl.initializer)) return decl.initializer;
  return decl;
}

function isFunctionLike(node) {
  return ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node);
}

function memberName(member) {
  if (!member.name) return member.kind === ts.SyntaxKind.Constructor ? "constructor" : undefined;
  if (ts.isComputedPropertyName(member.name)) return `[${member.name.expression.getText()}]`;
  if (ts.isPrivateIdentifier(member.name)) return undefined;
  return member.name.text;
}

function isPublic(member) {
  const flags = ts.getCombinedModifierFlags(member);
  return !(flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected | ts.ModifierFlags.Static));
}

function checkClass(where, typeSymbol, codeClass) {
  const typeClass = typeSymbol.declarations.find(ts.isClassDeclaration);
  const declared = new Map();
  for (const member of typeClass.members) {
    const name = memberName(member);
    if (name === undefined || !isPublic(member)) continue;
    if (!declared.has(name)) declared.set(name, []);
    declared.get(name).push(member);
  }
  const actual = new Map();
  for (const member of codeClass.members) {
    const name = memberName(member);
    // Runtime hooks under registered symbols (`Symbol.for("nodejs.util.inspect.custom")`) are no API.
    if (name === undefined || !isPublic(member) || name.startsWith("[Symbol.for(")) continue;
    actual.set(name, member);
    if (ts.isConstructorDeclaration(member) && member.body) {
      // Public fields: what the constructor assigns to `this.name`.
      visit(member.body, (node) => {
        if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left)) {
          if (node.left.expression.kind === ts.SyntaxKind.ThisKeyword && ts.isIdentifier(node.left.name)) actual.set(node.left.name.text, node);
        }
      });
    }
  }
  // `disposable(Class)` (errors.mjs) gives the class `[Symbol.dispose]()`.
  visit(codeClass.getSourceFile(), (node) => {
    if (ts.isCallExpression(node) && node.expression.getText() === "disposable" && node.arguments[0]?.getText() === codeClass.name?.text) {
      actual.set("[Symbol.dispose]", node);
    }
  });
  for (const name of declared.keys()) if (!actual.has(name)) problems.push(`${where}: member \`${name}\` is declared but not in the JavaScript class`);
  for (const name of actual.keys()) if (!declared.has(name)) problems.push(`${where}: member \`${name}\` is in the JavaScript class but not declared`);
  for (const [name, decls] of declared) {
    const member = actual.get(name);
    if (!member) continue;
    counted.members++;
    if (isFunctionLike(member)) checkCallable(`${where}#${name}`, decls, member);
  }
}

/** Parameters, options and results of one function or method against its declarations (overloads). */
function checkCallable(where, decls, fn) {
  const signatures = decls.filter((d) => d.parameters);
  if (!signatures.length) return;
  const declaredParams = Math.max(...signatures.map((s) => s.parameters.length));
  if (declaredParams !== fn.parameters.length) {
    problems.push(`${where}: ${declaredParams} parameter(s) declared, the JavaScript takes ${fn.parameters.length}`);
  }
  for (let i = 0; i < Math.max(declaredParams, fn.parameters.length); i++) {
    const declaredNames = signatures.map((s) => s.parameters[i]).filter(Boolean);
    const named = declaredNames.some((p) => ts.isIdentifier(p.name) && p.name.text === "options");
    const read = optionNames(fn, i, 0, undefined, named);
    if (!read) {
      if (named) problems.push(`${where}: parameter ${i + 1} is declared as options, but the JavaScript reads no option list from it`);
      continue;
    }
    if (!declaredNames.length) continue;
    // A parameter typed `unknown` takes anything on purpose (`safeVerify` never throws).
    if (declaredNames.every((p) => checker.getTypeAtLocation(p).flags & (ts.TypeFlags.Unknown | ts.TypeFlags.Any))) continue;
    counted.options++;
    const declared = new Set(declaredNames.flatMap((p) => objectMembers(checker.getTypeAtLocation(p)).flatMap((t) => checker.getPropertiesOfType(t).map((s) => s.name))));
    for (const name of read) if (!declared.has(name)) problems.push(`${where}: option \`${name}\` is read by the JavaScript but not declared`);
    for (const name of declared) if (!read.has(name)) problems.push(`${where}: option \`${name}\` is declared but the JavaScript does not accept it`);
  }
  if (ts.isConstructorDeclaration(fn)) return;
  const returns = signatures.map((s) => s.type && checker.getTypeFromTypeNode(s.type)).filter(Boolean);
  checkResults(where, returns, fn);
}

/** The members of a type that are objects with properties (`undefined`, `null` and primitives left out). */
function objectMembers(type) {
  const types = type.isUnion() ? type.types : [type];
  return types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void)) && checker.getPropertiesOfType(t).length > 0 && !isPrimitiveLike(t));
}

function isPrimitiveLike(type) {
  return Boolean(type.flags & (ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BooleanLike | ts.TypeFlags.BigIntLike | ts.TypeFlags.ESSymbolLike));
}

/**
 * The option names the JavaScript accepts in parameter `index` of `fn`: a destructuring
 * pattern's names, or the list handed to an option reader (`readOptions`, `readStoreOptions`,
 * any `read…Options(value, names)`), following the parameter into the package's own functions
 * it is passed to. When `members` is set (a parameter the typings call `options`) and no list
 * is found, the members the code reads (`options.name`, `const { a } = options`) count.
 * `undefined` when it is not read as options. `scope` binds the parameters of the functions
 * followed to the arguments of the calls that led there, for lists passed down as arguments.
 */
function optionNames(fn, index, depth, scope = undefined, members = false) {
  const param = fn.parameters[index];
  if (!param || depth > 4) return undefined;
  if (ts.isObjectBindingPattern(param.name)) {
    return new Set(param.name.elements.map((e) => (e.propertyName ?? e.name).getText()));
  }
  if (!ts.isIdentifier(param.name) || !fn.body) return undefined;
  const name = param.name.text;
  const here = { fn, args: scope?.args, parent: scope?.parent };
  let names;
  const accessed = new Set();
  const isParam = (node) => ts.isIdentifier(node) && node.text === name;
  visit(fn.body, (node) => {
    // A reader written out: `for (const key of Object.keys(options)) if (!LIST.includes(key)) …`
    if (ts.isForOfStatement(node) && ts.isCallExpression(node.expression) && node.expression.expression.getText() === "Object.keys") {
      const [keysOf] = node.expression.arguments;
      const binding = node.initializer.declarations?.[0]?.name;
      if (keysOf && isParam(unwrap(keysOf)) && binding && ts.isIdentifier(binding)) {
        visit(node.statement, (inner) => {
          if (ts.isCallExpression(inner) && ts.isPropertyAccessExpression(inner.expression) && inner.expression.name.text === "includes") {
            const [arg] = inner.arguments;
            if (arg && ts.isIdentifier(arg) && arg.text === binding.text) names = new Set([...(names ?? []), ...listOf(inner.expression.expression, here)]);
          }
          // …or `if (key !== "a" && key !== "b") …`.
          const compares = [ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsEqualsToken];
          if (ts.isBinaryExpression(inner) && compares.includes(inner.operatorToken.kind)) {
            const [a, b] = [inner.left, inner.right];
            const literal = ts.isIdentifier(a) && a.text === binding.text && ts.isStringLiteralLike(b) ? b : ts.isIdentifier(b) && b.text === binding.text && ts.isStringLiteralLike(a) ? a : undefined;
            if (literal) names = new Set([...(names ?? []), literal.text]);
          }
        });
      }
    }
    if (ts.isPropertyAccessExpression(node) && isParam(node.expression) && ts.isIdentifier(node.name)) accessed.add(node.name.text);
    if (ts.isVariableDeclaration(node) && ts.isObjectBindingPattern(node.name) && node.initializer && isParam(unwrap(node.initializer))) {
      for (const e of node.name.elements) accessed.add((e.propertyName ?? e.name).getText());
    }
    if (!ts.isCallExpression(node)) return;
    node.arguments.forEach((arg, k) => {
      if (!isParam(arg)) return;
      let found;
      const callee = node.expression.getText().split(".").pop();
      if (/^read\w*Options$/.test(callee) && k === 0 && node.arguments[1]) {
        found = new Set(listOf(node.arguments[1], here));
      } else {
        const target = calleeOf(node);
        if (target) found = optionNames(target, k, depth + 1, { args: node.arguments, parent: here }, members);
      }
      if (found) names = new Set([...(names ?? []), ...found]);
    });
  });
  if (names === undefined && members && accessed.size) return accessed;
  return names;
}

/** The strings of an option list: an array literal, a constant naming one, spreads of them, a parameter bound to one. */
function listOf(expr, scope) {
  const node = unwrap(expr);
  if (ts.isArrayLiteralExpression(node)) {
    return node.elements.flatMap((e) => {
      if (ts.isStringLiteralLike(e)) return [e.text];
      if (ts.isSpreadElement(e)) return listOf(e.expression, scope);
      throw new Error(`${where(e)}: an option list entry that is not a string: ${e.getText()}`);
    });
  }
  if (ts.isIdentifier(node)) {
    const decl = declarationOf(checker.getSymbolAtLocation(node));
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer) return listOf(decl.initializer, scope);
    if (decl && ts.isParameter(decl) && scope?.args && decl.parent === scope.fn) {
      const arg = scope.args[scope.fn.parameters.indexOf(decl)];
      if (arg) return listOf(arg, scope.parent);
    }
  }
  throw new Error(`${where(node)}: an option list this check cannot read: ${node.getText()}`);
}

function where(node) {
  const file = node.getSourceFile();
  return `${rel(file.fileName)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
}

/** The package's own function or method a call runs (`f()`, `this.#m()`, `module.f()`), if any. */
function calleeOf(call) {
  const symbol = checker.getSymbolAtLocation(ts.isPropertyAccessExpression(call.expression) ? call.expression.name : call.expression);
  if (!symbol) return undefined;
  const decl = declarationOf(symbol);
  if (!decl || !isFunctionLike(decl) || !decl.body || decl.getSourceFile().isDeclarationFile) return undefined;
  if (!decl.getSourceFile().fileName.startsWith(dir)) return undefined;
  return decl;
}

function unwrap(expr) {
  let node = expr;
  while (ts.isParenthesizedExpression(node) || ts.isAwaitExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression?.(node)) node = node.expression;
  return node;
}

/** Visits `node`'s descendants, not entering nested functions when `shallow`. */
function visit(node, f, shallow = false) {
  ts.forEachChild(node, (child) => {
    f(child);
    if (shallow && (isFunctionLike(child) || ts.isClassLike(child))) return;
    visit(child, f, shallow);
  });
}

/** Each object `fn` returns: `{ keys, spread, members, node }`. */
function returnedObjects(fn, depth) {
  const out = [];
  if (!fn.body || depth > 4) return out;
  const consider = (expr) => {
    const node = unwrap(expr);
    if (ts.isConditionalExpression(node)) {
      consider(node.whenTrue);
      consider(node.whenFalse);
    } else if (ts.isObjectLiteralExpression(node)) {
      out.push(shape(node, fn));
    } else if (ts.isIdentifier(node)) {
      const decl = declarationOf(checker.getSymbolAtLocation(node) ?? {});
      if (decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.isObjectLiteralExpression(unwrap(decl.initializer))) {
        const found = shape(unwrap(decl.initializer), fn);
        // Fields added later: `name.field = value`.
        visit(fn.body, (n) => {
          if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left)) {
            if (ts.isIdentifier(n.left.expression) && n.left.expression.text === node.text) found.keys.add(n.left.name.text);
          }
        });
        out.push(found);
      }
    } else if (ts.isCallExpression(node)) {
      const callee = calleeOf(node);
      if (callee) out.push(...returnedObjects(callee, depth + 1));
    }
  };
  if (!ts.isBlock(fn.body)) consider(fn.body);
  else
    visit(
      fn.body,
      (node) => {
        if (ts.isReturnStatement(node) && node.expression) consider(node.expression);
      },
      true,
    );
  return out;
}

function shape(literal, fn) {
  const keys = new Set();
  const members = new Map();
  let spread = false;
  for (const p of literal.properties) {
    if (ts.isSpreadAssignment(p)) spread = true;
    else if (p.name && !ts.isComputedPropertyName(p.name)) {
      keys.add(p.name.text);
      if (ts.isMethodDeclaration(p)) members.set(p.name.text, p);
      else if (ts.isPropertyAssignment(p) && isFunctionLike(unwrap(p.initializer))) members.set(p.name.text, unwrap(p.initializer));
    }
  }
  return { keys, spread, members, node: literal, fn };
}

/** Each returned object must be exactly one member of the declared result (its promise's value). */
function checkResults(where, returns, fn) {
  const members = returns.flatMap((t) => objectMembers(awaited(t)));
  if (!members.length) return;
  for (const found of returnedObjects(fn, 0)) {
    counted.results++;
    const fits = members.some((m) => {
      const props = checker.getPropertiesOfType(m);
      const names = new Set(props.map((p) => p.name));
      if ([...found.keys].some((k) => !names.has(k))) return false;
      if (found.spread) return true;
      return props.every((p) => p.flags & ts.SymbolFlags.Optional || found.keys.has(p.name));
    });
    if (!fits) {
      const declared = members.map((m) => `{ ${checker.getPropertiesOfType(m).map((p) => p.name + (p.flags & ts.SymbolFlags.Optional ? "?" : "")).join(", ")} }`).join(" | ");
      problems.push(`${where}: returns { ${[...found.keys].join(", ")} } (${whereOf(found.node)}), declared ${declared}`);
      continue;
    }
    // The methods of a returned object, against the declared methods of the member.
    for (const [name, method] of found.members) {
      const declaredMember = members.map((m) => checker.getPropertyOfType(m, name)).find(Boolean);
      const decls = (declaredMember?.declarations ?? []).filter((d) => ts.isMethodSignature(d) || ts.isMethodDeclaration(d));
      if (decls.length) checkCallable(`${where} → ${name}`, decls, method);
    }
  }
}

function whereOf(node) {
  return where(node);
}

/** The value a promise type resolves to; other types as they are. */
function awaited(type) {
  const symbol = type.getSymbol();
  if (symbol?.name === "Promise") return checker.getTypeArguments(type)[0] ?? type;
  return type;
}
