/** Types generated from one contract: declarations (module scope) and entries of the registry's parts. */
export interface ContractTypes {
  declarations: string[];
  registry: Partial<Record<RegistryPart, string[]>>;
}

export type RegistryPart = 'grpc' | 'graphql' | 'graphqlRoots' | 'graphqlOperations' | 'openapi' | 'rest' | 'openapiDocuments';

/** A string literal in TypeScript. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A property name: bare when it is an identifier, quoted otherwise. */
export function prop(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : quote(name);
}

/** A TypeScript identifier made of any text (`schemas/catalog.graphql` → `schemas_catalog_graphql`). */
export function identOf(text: string): string {
  const id = text.replace(/[^A-Za-z0-9_$]/g, '_');
  return /^[0-9]/.test(id) ? `_${id}` : id;
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
