// The spec JSON seen from tests: every method with its argument names and wire types, to build
// arguments for round trips independently of the generated code.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SPEC_PATH = fileURLToPath(new URL('../../../fixtures/spec/amqp-rabbitmq-0.9.1.json', import.meta.url));

interface RawSpec {
  domains: [string, string][];
  classes: {
    id: number;
    name: string;
    methods: { id: number; name: string; arguments: { name: string; type?: string; domain?: string }[] }[];
  }[];
}

export interface SpecField {
  readonly prop: string;
  readonly type: string;
}

export interface SpecMethodModel {
  readonly name: string;
  /** PascalCase, as amqplib and the generated encoders name it: BasicPublish. */
  readonly pascal: string;
  readonly classId: number;
  readonly methodId: number;
  readonly fields: readonly SpecField[];
}

const camel = (s: string): string => s.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const pascal = (s: string): string => camel(s).charAt(0).toUpperCase() + camel(s).slice(1);

export function loadSpecJson(): unknown {
  return JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as unknown;
}

export function specMethods(): SpecMethodModel[] {
  const spec = loadSpecJson() as RawSpec;
  const domains = new Map(spec.domains);
  return spec.classes.flatMap((c) =>
    c.methods.map((m) => ({
      name: `${c.name}.${m.name}`,
      pascal: pascal(c.name) + pascal(m.name),
      classId: c.id,
      methodId: m.id,
      fields: m.arguments.map((a) => ({ prop: camel(a.name), type: a.type ?? domains.get(a.domain!)! })),
    })),
  );
}
