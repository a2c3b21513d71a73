/**
 * Generates src/protocol/methods.generated.ts from the RabbitMQ AMQP 0-9-1 spec JSON. Pure: spec in,
 * source text out, so test/unit/protocol/generated-codec.test.ts can regenerate and compare.
 */

interface SpecArgument {
  readonly name: string;
  readonly type?: string;
  readonly domain?: string;
}

interface SpecMethod {
  readonly id: number;
  readonly name: string;
  readonly arguments: readonly SpecArgument[];
  readonly content?: boolean;
  readonly synchronous?: boolean;
}

interface SpecClass {
  readonly id: number;
  readonly name: string;
  readonly methods: readonly SpecMethod[];
}

interface Spec {
  readonly domains: readonly (readonly [string, string])[];
  readonly classes: readonly SpecClass[];
}

type WireType = 'bit' | 'octet' | 'short' | 'long' | 'longlong' | 'shortstr' | 'longstr' | 'table' | 'timestamp';

const TS_TYPE: { readonly [T in WireType]: string } = {
  bit: 'boolean',
  octet: 'number',
  short: 'number',
  long: 'number',
  longlong: 'number',
  timestamp: 'number',
  shortstr: 'string',
  longstr: 'Buffer',
  table: 'FieldTable',
};

/** Reader and Writer method for each non-bit wire type. */
const CODEC_CALL: { readonly [T in Exclude<WireType, 'bit'>]: string } = {
  octet: 'u8',
  short: 'u16',
  long: 'u32',
  longlong: 'u64',
  timestamp: 'u64',
  shortstr: 'shortstr',
  longstr: 'longstr',
  table: 'table',
};

/** Names a generated parameter or local cannot take (strict-mode reserved, or used by the generated code). */
const UNSAFE_IDENTIFIERS = new Set(['arguments', 'eval', 'w', 'r', 'channel', 'start', 'm']);

interface Field {
  readonly prop: string;
  readonly local: string;
  readonly type: WireType;
}

interface MethodModel {
  readonly fullName: string;
  readonly typeName: string;
  readonly classId: number;
  readonly methodId: number;
  readonly key: string;
  readonly fields: readonly Field[];
  readonly content: boolean;
  readonly synchronous: boolean;
}

function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function pascal(name: string): string {
  const c = camel(name);
  return c.charAt(0).toUpperCase() + c.slice(1);
}

function hex(classId: number, methodId: number): string {
  return `0x${((classId << 16) | methodId).toString(16).padStart(8, '0')}`;
}

function parseSpec(input: unknown): Spec {
  const spec = input as Partial<Spec> | null;
  if (spec === null || typeof spec !== 'object' || !Array.isArray(spec.domains) || !Array.isArray(spec.classes)) {
    throw new TypeError('spec JSON must have "domains" and "classes" arrays');
  }
  return spec as Spec;
}

function buildModels(spec: Spec): MethodModel[] {
  const domains = new Map<string, string>(spec.domains.map(([name, type]) => [name, type]));
  const classes = [...spec.classes].sort((a, b) => a.id - b.id);
  const models: MethodModel[] = [];
  for (const cls of classes) {
    for (const method of cls.methods) {
      const fields = method.arguments.map((arg): Field => {
        const raw = arg.type ?? (arg.domain === undefined ? undefined : domains.get(arg.domain));
        if (raw === undefined || !(raw in TS_TYPE)) {
          throw new TypeError(`${cls.name}.${method.name}: argument ${arg.name} has unknown type ${String(raw)}`);
        }
        const prop = camel(arg.name);
        const local = UNSAFE_IDENTIFIERS.has(prop) ? `${prop}_` : prop;
        return { prop, local, type: raw as WireType };
      });
      models.push({
        fullName: `${cls.name}.${method.name}`,
        typeName: pascal(cls.name) + pascal(method.name),
        classId: cls.id,
        methodId: method.id,
        key: hex(cls.id, method.id),
        fields,
        content: method.content === true,
        synchronous: method.synchronous === true,
      });
    }
  }
  return models;
}

/** Groups fields into runs: a non-bit field alone, or up to 8 consecutive bits sharing one octet. */
function packed(fields: readonly Field[]): (Field | Field[])[] {
  const out: (Field | Field[])[] = [];
  let bits: Field[] | undefined;
  for (const f of fields) {
    if (f.type !== 'bit') {
      bits = undefined;
      out.push(f);
      continue;
    }
    if (bits === undefined || bits.length === 8) {
      bits = [];
      out.push(bits);
    }
    bits.push(f);
  }
  return out;
}

function genInterface(m: MethodModel): string {
  const props = m.fields.map((f) => `  ${f.prop}: ${TS_TYPE[f.type]};`);
  return [`/** ${m.fullName} (${m.classId}/${m.methodId}) */`, `export interface ${m.typeName} {`, `  readonly name: '${m.fullName}';`, ...props, '}'].join('\n');
}

function genDecoder(m: MethodModel): string {
  if (m.fields.length === 0) {
    // No arguments: one shared, frozen object instead of an allocation per frame.
    const constName = m.typeName.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
    return `const ${constName}: ${m.typeName} = Object.freeze({ name: '${m.fullName}' });`;
  }
  const lines = [`function decode${m.typeName}(r: Reader): ${m.typeName} {`];
  const values = new Map<string, string>();
  let bitGroup = 0;
  for (const item of packed(m.fields)) {
    if (Array.isArray(item)) {
      const octet = `bits${bitGroup++}`;
      lines.push(`  const ${octet} = r.bits();`);
      item.forEach((f, i) => values.set(f.prop, `(${octet} & ${1 << i}) !== 0`));
    } else {
      lines.push(`  const ${item.local} = r.${CODEC_CALL[item.type as Exclude<WireType, 'bit'>]}();`);
      values.set(item.prop, item.local);
    }
  }
  const props = m.fields.map((f) => {
    const v = values.get(f.prop)!;
    return v === f.prop ? f.prop : `${f.prop}: ${v}`;
  });
  lines.push(`  return { name: '${m.fullName}', ${props.join(', ')} };`, '}');
  return lines.join('\n');
}

function genWriterBody(m: MethodModel): string[] {
  const lines = [`  w.u32(${m.key});`];
  for (const item of packed(m.fields)) {
    if (Array.isArray(item)) {
      const parts = item.map((f, i) => `(${f.local} ? ${1 << i} : 0)`);
      lines.push(`  w.u8(${parts.join(' | ')});`);
    } else {
      lines.push(`  w.${CODEC_CALL[item.type as Exclude<WireType, 'bit'>]}(${item.local});`);
    }
  }
  return lines;
}

function genEncoders(m: MethodModel): string {
  const params = m.fields.map((f) => `${f.local}: ${TS_TYPE[f.type]}`);
  const args = m.fields.map((f) => f.local);
  const payload = [
    `/** ${m.fullName} payload: class id, method id, arguments. */`,
    `export function encode${m.typeName}(${['w: Writer', ...params].join(', ')}): void {`,
    ...genWriterBody(m),
    '}',
  ];
  const frame = [
    `/** A whole ${m.fullName} method frame, frame-end included. */`,
    `export function encode${m.typeName}Frame(${['w: Writer', 'channel: number', ...params].join(', ')}): void {`,
    `  const start = w.beginFrame(1, channel);`,
    `  encode${m.typeName}(${['w', ...args].join(', ')});`,
    '  w.endFrame(start);',
    '}',
  ];
  return [...payload, '', ...frame].join('\n');
}

const HEADER = `// GENERATED FILE - DO NOT EDIT. Regenerate with \`npm run gen:codec\` (scripts/gen-codec.ts).
// Source: fixtures/spec/amqp-rabbitmq-0.9.1.json, the RabbitMQ AMQP 0-9-1 spec, MIT licensed
// (Copyright Broadcom Inc. and its subsidiaries); the full notice is that file's "copyright" field.
// test/unit/protocol/generated-codec.test.ts fails when this file and the generator disagree.

import { DecodeError } from './errors.js';
import type { FieldTable } from './field-table.js';
import { Reader } from './reader.js';
import type { Writer } from './writer.js';
`;

export function generateMethodsSource(specJson: unknown): string {
  const models = buildModels(parseSpec(specJson));
  const out: string[] = [HEADER];

  out.push('// ---- Method types ----\n');
  for (const m of models) out.push(genInterface(m), '');
  out.push(`export type Method =\n${models.map((m) => `  | ${m.typeName}`).join('\n')};\n`);
  out.push("export type MethodName = Method['name'];");
  out.push('export type MethodOf<N extends MethodName> = Extract<Method, { name: N }>;\n');

  out.push('// ---- Tables ----\n');
  out.push('export const METHOD_IDS: { readonly [N in MethodName]: readonly [classId: number, methodId: number] } = {');
  for (const m of models) out.push(`  '${m.fullName}': [${m.classId}, ${m.methodId}],`);
  out.push('};\n');
  out.push('/** Methods followed by a content header and body frames. */');
  out.push(`export const CONTENT_METHODS: ReadonlySet<MethodName> = new Set<MethodName>([${models.filter((m) => m.content).map((m) => `'${m.fullName}'`).join(', ')}]);\n`);
  out.push('/** Methods the spec marks synchronous (they expect a reply unless nowait is set). */');
  out.push('export const SYNCHRONOUS_METHODS: ReadonlySet<MethodName> = new Set<MethodName>([');
  for (const m of models.filter((x) => x.synchronous)) out.push(`  '${m.fullName}',`);
  out.push(']);\n');
  out.push('export function methodName(classId: number, methodId: number): MethodName | undefined {');
  out.push('  switch (((classId & 0xffff) << 16) | (methodId & 0xffff)) {');
  for (const m of models) out.push(`    case ${m.key}:\n      return '${m.fullName}';`);
  out.push('    default:\n      return undefined;\n  }\n}\n');

  out.push('// ---- Decoding ----\n');
  for (const m of models) out.push(genDecoder(m), '');
  out.push(`/**
 * Decodes one method frame payload (class id, method id, arguments) in payload[offset, end). Throws
 * DecodeError: 'unknown-method', 'truncated', 'bad-value' (trailing bytes, bad table value) or 'too-deep',
 * with classId and methodId set whenever they could be read.
 */
export function decodeMethod(payload: Buffer, offset: number, end: number): Method {
  if (end - offset < 4) {
    throw new DecodeError('truncated', \`method payload of \${end - offset} byte(s) has no class and method id\`);
  }
  const classId = (payload[offset]! << 8) | payload[offset + 1]!;
  const methodId = (payload[offset + 2]! << 8) | payload[offset + 3]!;
  const r = new Reader(payload, offset + 4, end);
  let m: Method;
  try {
    switch ((classId << 16) | methodId) {`);
  for (const m of models) {
    const call = m.fields.length === 0 ? m.typeName.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase() : `decode${m.typeName}(r)`;
    out.push(`      case ${m.key}:\n        m = ${call};\n        break;`);
  }
  out.push(`      default:
        throw new DecodeError('unknown-method', \`unknown method \${classId}/\${methodId}\`, classId, methodId);
    }
  } catch (err) {
    if (err instanceof DecodeError) {
      err.classId = classId;
      err.methodId = methodId;
    }
    throw err;
  }
  if (r.pos !== end) {
    throw new DecodeError('bad-value', \`\${m.name}: \${end - r.pos} byte(s) after the last argument\`, classId, methodId);
  }
  return m;
}
`);

  out.push('// ---- Encoding ----\n');
  for (const m of models) out.push(genEncoders(m), '');
  out.push('/** The method payload only (class id, method id, arguments). */');
  out.push('export function encodeMethod(w: Writer, m: Method): void {');
  out.push('  switch (m.name) {');
  for (const m of models) {
    const args = ['w', ...m.fields.map((f) => `m.${f.prop}`)].join(', ');
    out.push(`    case '${m.fullName}':\n      encode${m.typeName}(${args});\n      return;`);
  }
  out.push('  }\n}\n');
  out.push(`/** A whole method frame, frame-end included. */
export function encodeMethodFrame(w: Writer, channel: number, m: Method): void {
  const start = w.beginFrame(1, channel);
  encodeMethod(w, m);
  w.endFrame(start);
}`);
  return `${out.join('\n')}\n`;
}
