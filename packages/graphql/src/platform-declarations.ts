import { type DefinitionNode, type DocumentNode, Kind, parse, visit } from 'graphql';

// Some platforms give every schema directives and scalars that its SDL uses without declaring them:
// graphql-faker (`@fake`, `@examples`, `@listLength`), AWS AppSync (`AWSDateTime`, `AWSJSON`…,
// `@aws_subscribe`, `@aws_iam`…; AppSync's own SDL export leaves them out). A schema written for
// one is served as that platform serves it: the declarations it uses and does not declare are added.

/**
 * AWS AppSync's built-in scalars and directives, as AppSync declares them (its exported SDL and
 * Amplify's build/schema.graphql use them without declaring them).
 */
export const APPSYNC_SDL = `
scalar AWSDate
scalar AWSTime
scalar AWSDateTime
scalar AWSTimestamp
scalar AWSEmail
scalar AWSJSON
scalar AWSURL
scalar AWSPhone
scalar AWSIPAddress
directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION
directive @aws_publish(subscriptions: [String]) on FIELD_DEFINITION
directive @aws_auth(cognito_groups: [String]) on FIELD_DEFINITION
directive @aws_cognito_user_pools(cognito_groups: [String]) on OBJECT | FIELD_DEFINITION
directive @aws_api_key on OBJECT | FIELD_DEFINITION
directive @aws_iam on OBJECT | FIELD_DEFINITION
directive @aws_oidc on OBJECT | FIELD_DEFINITION
directive @aws_lambda on OBJECT | FIELD_DEFINITION
`;

const parsed = new Map<string, readonly DefinitionNode[]>();

/**
 * The definitions of `platformSdl` that the documents use (a directive, or a named type) and do not
 * declare, with the types those directives' arguments name, as one document; undefined when they use none.
 */
export function missingDeclarations(documents: readonly DocumentNode[], platformSdl: string): DocumentNode | undefined {
  let definitions = parsed.get(platformSdl);
  if (!definitions) {
    definitions = parse(platformSdl, { noLocation: true }).definitions;
    parsed.set(platformSdl, definitions);
  }
  const declared = new Set<string>();
  const usedDirectives = new Set<string>();
  const usedTypes = new Set<string>();
  for (const document of documents) {
    for (const definition of document.definitions) {
      if ('name' in definition && definition.name && definition.kind !== Kind.OPERATION_DEFINITION && !definition.kind.endsWith('Extension')) {
        declared.add(definition.name.value);
      }
    }
    visit(document, {
      Directive(node) {
        usedDirectives.add(node.name.value);
      },
      NamedType(node) {
        usedTypes.add(node.name.value);
      },
    });
  }
  const directives = definitions.filter((d) => d.kind === Kind.DIRECTIVE_DEFINITION && usedDirectives.has(d.name.value) && !declared.has(d.name.value));
  // The types the added directives' arguments name are needed too.
  for (const directive of directives) visit(directive, { NamedType: (node) => void usedTypes.add(node.name.value) });
  const types = definitions.filter(
    (d) => d.kind !== Kind.DIRECTIVE_DEFINITION && 'name' in d && d.name !== undefined && usedTypes.has(d.name.value) && !declared.has(d.name.value),
  );
  if (directives.length === 0 && types.length === 0) return undefined;
  return { kind: Kind.DOCUMENT, definitions: [...types, ...directives] };
}
