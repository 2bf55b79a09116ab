// A small JSON Schema check for the OpenAPI subset the Management API extract uses ($ref, type,
// nullable, properties, required, additionalProperties: false, items, oneOf, enum, minItems,
// minLength, maxLength, int32): the local Management API checks its own answers and the
// requests it gets against the extract's schemas with it, so that the mock cannot drift from
// what Zentitle documents.
import { readFileSync } from "node:fs";

export const extract = JSON.parse(readFileSync(new URL("../data/zentitle/management-api-2023-12-webhooks-extract.json", import.meta.url), "utf8"));

const REF = "#/components/schemas/";

/** The schema named `name` in the extract. */
export function schema(name) {
  const found = extract.schemas[name];
  if (!found) throw new Error(`no schema ${name} in the extract`);
  return found;
}

/** The problems of `value` against `s` (an empty list when it conforms). */
export function check(value, s, at = "$") {
  if (s.$ref) {
    if (!s.$ref.startsWith(REF)) return [`${at}: unsupported $ref ${s.$ref}`];
    return check(value, schema(s.$ref.slice(REF.length)), at);
  }
  if (value === null) return s.nullable ? [] : [`${at}: null is not allowed`];
  const problems = [];
  if (s.oneOf) {
    const matching = s.oneOf.filter((option) => check(value, option, at).length === 0).length;
    if (matching !== 1) problems.push(`${at}: matches ${matching} of oneOf, not exactly 1`);
  }
  if (s.enum && !s.enum.includes(value)) problems.push(`${at}: ${JSON.stringify(value)} is not one of ${s.enum.join(", ")}`);
  switch (s.type) {
    case undefined:
      break;
    case "object": {
      if (typeof value !== "object" || Array.isArray(value)) return [...problems, `${at}: not an object`];
      for (const name of s.required ?? []) if (!(name in value)) problems.push(`${at}: ${name} is required`);
      for (const [name, member] of Object.entries(value)) {
        const property = s.properties?.[name];
        if (property) problems.push(...check(member, property, `${at}.${name}`));
        else if (s.additionalProperties === false) problems.push(`${at}: ${name} is not allowed (additionalProperties: false)`);
      }
      break;
    }
    case "array":
      if (!Array.isArray(value)) return [...problems, `${at}: not an array`];
      if (s.minItems !== undefined && value.length < s.minItems) problems.push(`${at}: fewer than ${s.minItems} items`);
      if (s.items) for (const [i, item] of value.entries()) problems.push(...check(item, s.items, `${at}[${i}]`));
      break;
    case "string":
      if (typeof value !== "string") return [...problems, `${at}: not a string`];
      if (s.minLength !== undefined && value.length < s.minLength) problems.push(`${at}: shorter than ${s.minLength}`);
      if (s.maxLength !== undefined && value.length > s.maxLength) problems.push(`${at}: longer than ${s.maxLength}`);
      break;
    case "integer":
      if (!Number.isInteger(value)) return [...problems, `${at}: not an integer`];
      if (s.format === "int32" && (value < -(2 ** 31) || value >= 2 ** 31)) problems.push(`${at}: outside int32`);
      break;
    case "number":
      if (typeof value !== "number") problems.push(`${at}: not a number`);
      break;
    case "boolean":
      if (typeof value !== "boolean") problems.push(`${at}: not a boolean`);
      break;
    default:
      problems.push(`${at}: unsupported type ${s.type}`);
  }
  return problems;
}

/** The schema of an operation's answer (`status`), or of its request body, from the extract's paths. */
export function operationSchema(path, method, { status, request = false } = {}) {
  const operation = extract.paths[path]?.[method.toLowerCase()];
  if (!operation) throw new Error(`no operation ${method} ${path} in the extract`);
  if (request) return operation.requestBody?.content?.["application/json"]?.schema;
  const response = operation.responses[String(status)];
  if (!response) throw new Error(`${method} ${path} documents no ${status} answer`);
  return response.content?.["application/json"]?.schema ?? null;
}
