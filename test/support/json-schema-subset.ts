/**
 * A small validator for the subset of JSON Schema 2020-12 that `builder/schema/*.json` uses
 * (type, const, enum, required, properties, additionalProperties: false, items, anyOf, minimum,
 * maxItems, pattern, local `$ref` to `#/$defs/…`; `format` is not checked). ajv is not installed;
 * this lets the tests check built payloads against the schema files themselves.
 */
type Schema = Record<string, any>;

function typeOk(t: string, v: unknown): boolean {
  switch (t) {
    case 'null': return v === null;
    case 'integer': return Number.isInteger(v);
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'array': return Array.isArray(v);
    case 'object': return typeof v === 'object' && v !== null && !Array.isArray(v);
    default: return typeof v === t;
  }
}

/** Problems of `value` against `schema` (empty when valid); `root` resolves `$ref`s. */
export function schemaProblems(schema: Schema, value: unknown, root: Schema = schema, path = '$'): string[] {
  if (schema.$ref) {
    const name = String(schema.$ref).replace('#/$defs/', '');
    if (!root.$defs?.[name]) throw new Error(`unsupported $ref ${schema.$ref}`);
    return schemaProblems(root.$defs[name], value, root, path);
  }
  const out: string[] = [];
  if (schema.type !== undefined) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeOk(t, value))) return [`${path}: expected ${types.join('|')}`];
  }
  if ('const' in schema && value !== schema.const) out.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value)) out.push(`${path}: not one of ${JSON.stringify(schema.enum)}`);
  if (schema.anyOf && !schema.anyOf.some((s: Schema) => schemaProblems(s, value, root, path).length === 0)) out.push(`${path}: matches no anyOf branch`);
  if (typeof value === 'number' && schema.minimum !== undefined && value < schema.minimum) out.push(`${path}: below ${schema.minimum}`);
  if (typeof value === 'string' && schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) out.push(`${path}: does not match ${schema.pattern}`);
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) out.push(`${path}: more than ${schema.maxItems} items`);
    if (schema.items) value.forEach((v, i) => out.push(...schemaProblems(schema.items, v, root, `${path}[${i}]`)));
  } else if (typeOk('object', value)) {
    const obj = value as Record<string, unknown>;
    for (const k of schema.required ?? []) if (!(k in obj)) out.push(`${path}: missing ${k}`);
    for (const [k, v] of Object.entries(obj)) {
      if (schema.properties?.[k]) out.push(...schemaProblems(schema.properties[k], v, root, `${path}.${k}`));
      else if (schema.additionalProperties === false) out.push(`${path}: unexpected property ${k}`);
    }
  }
  return out;
}
