/**
 * Runtime parameter records of the definitions log (RabbitMQ's rabbitmqctl set_parameter): components
 * other than vhost-limits, which lives in the vhost's metadata. The value is kept as the JSON the API
 * took, validated by its component before it was written. A deleted vhost's parameters go with it.
 */

/** The JSON shape of RabbitMQ's definitions `parameters` entries. */
export interface ParameterDef {
  readonly vhost: string;
  readonly component: string;
  readonly name: string;
  readonly value: unknown;
}

export type ParameterRecord =
  | { readonly op: 'put-parameter'; readonly parameter: ParameterDef }
  | { readonly op: 'del-parameter'; readonly vhost: string; readonly component: string; readonly name: string };

/** By `vhost NUL component NUL name`, in the order they were first set. */
export type ParameterState = Map<string, ParameterDef>;

export const parameterKey = (vhost: string, component: string, name: string): string => `${vhost}\u0000${component}\u0000${name}`;

export function isParameterRecord(r: { readonly op: string }): r is ParameterRecord {
  return r.op === 'put-parameter' || r.op === 'del-parameter';
}

export function applyParameterRecord(s: ParameterState, r: ParameterRecord): void {
  if (r.op === 'put-parameter') s.set(parameterKey(r.parameter.vhost, r.parameter.component, r.parameter.name), r.parameter);
  else s.delete(parameterKey(r.vhost, r.component, r.name));
}

export function dropVhostParameters(s: ParameterState, vhost: string): void {
  for (const [k, p] of s) if (p.vhost === vhost) s.delete(k);
}

export function* parameterSnapshot(s: ParameterState): Iterable<ParameterRecord> {
  for (const parameter of s.values()) yield { op: 'put-parameter', parameter };
}
