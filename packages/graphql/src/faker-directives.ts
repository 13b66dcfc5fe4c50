import type { FakeData } from '@mockstack/core/fake';
import { type ConstDirectiveNode, type GraphQLField, type GraphQLNamedType, getNamedType, isScalarType, valueFromASTUntyped } from 'graphql';

// SDL written for graphql-faker (`@fake(type: firstName)`, `@examples(values: […])`,
// `@listLength(min:, max:)`) is served as graphql-faker serves it: its directives are declared when
// the SDL uses them without declaring them, and the auto-mock answers the fields they annotate with
// the example values, the kind of fake value they name, and the list lengths they ask for.

/** graphql-faker's declarations (see platform-declarations.ts). */
export const FAKER_SDL = `
scalar fake__Value
scalar examples__JSON
directive @fake(type: fake__Value!, options: fake__Value, locale: fake__Value) on FIELD_DEFINITION | SCALAR
directive @examples(values: [examples__JSON]!) on FIELD_DEFINITION | SCALAR
directive @listLength(min: Int!, max: Int!) on FIELD_DEFINITION
`;

type Generator = (fake: FakeData) => unknown;

const directiveOf = (node: { directives?: readonly ConstDirectiveNode[] | undefined } | null | undefined, name: string) =>
  node?.directives?.find((d) => d.name.value === name);

function argumentsOf(directive: ConstDirectiveNode): Record<string, unknown> {
  return Object.fromEntries((directive.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]));
}

/**
 * The value maker a field's (or its scalar's) @examples or @fake asks for, or undefined. Values
 * fit the field's scalar: a number for Int and Float, text for the others.
 */
export function fakerGenerator(field: GraphQLField<unknown, unknown>): Generator | undefined {
  const named = getNamedType(field.type);
  const directive =
    directiveOf(field.astNode, 'examples') ??
    directiveOf(field.astNode, 'fake') ??
    (isScalarType(named) ? (directiveOf(named.astNode, 'examples') ?? directiveOf(named.astNode, 'fake')) : undefined);
  if (!directive) return undefined;
  const args = argumentsOf(directive);
  if (directive.name.value === 'examples') {
    const values = Array.isArray(args.values) ? args.values : [];
    return values.length ? (d) => values[d.random.int(0, values.length - 1)] : undefined;
  }
  const make = fakeOfType(String(args.type), (args.options ?? {}) as Record<string, unknown>);
  return make ? (d) => fitScalar(named, make(d)) : undefined;
}

/** The list length a field's @listLength(min:, max:) asks for, or undefined. */
export function fakerListLength(field: GraphQLField<unknown, unknown>): ((fake: FakeData) => number) | undefined {
  const directive = directiveOf(field.astNode, 'listLength');
  if (!directive) return undefined;
  const { min, max } = argumentsOf(directive);
  if (typeof min !== 'number' || typeof max !== 'number') return undefined;
  const low = Math.max(0, Math.min(min, max));
  const high = Math.min(100, Math.max(min, max));
  return (d) => d.random.int(low, high);
}

function fitScalar(type: GraphQLNamedType, value: unknown): unknown {
  if (type.name === 'Int') return Math.round(Number(value)) || 0;
  if (type.name === 'Float') return Number(value) || 0;
  return typeof value === 'string' ? value : String(value);
}

const num = (value: unknown, fallback: number): number => (typeof value === 'number' ? value : fallback);

/** What graphql-faker's fake__Types names, made with the shared faker (the field-name table first, where it knows the name). */
function fakeOfType(type: string, options: Record<string, unknown>): Generator | undefined {
  switch (type) {
    case 'money':
      return (d) => d.faker.commerce.price({ min: num(options.minMoney, 1), max: num(options.maxMoney, 1000), dec: num(options.decimalPlaces, 2) });
    case 'number':
      return (d) => d.faker.number.float({ min: num(options.minNumber, 0), max: num(options.maxNumber, 1000), multipleOf: num(options.precisionNumber, 1) });
    case 'pastDate':
      return (d) => d.faker.date.past().toISOString();
    case 'futureDate':
      return (d) => d.faker.date.future().toISOString();
    case 'recentDate':
      return (d) => d.faker.date.recent().toISOString();
    case 'imageUrl':
      return (d) => d.faker.image.url({ width: num(options.imageWidth, 640), height: num(options.imageHeight, 480) });
    case 'avatarUrl':
      return (d) => d.faker.image.avatar();
    case 'lorem':
      return (d) =>
        options.loremSize === 'paragraphs' ? d.faker.lorem.paragraphs() : options.loremSize === 'word' ? d.faker.lorem.word() : d.faker.lorem.sentence();
    case 'ipv4Address':
      return (d) => d.faker.internet.ipv4();
    case 'ipv6Address':
      return (d) => d.faker.internet.ipv6();
    case 'macAddress':
      return (d) => d.faker.internet.mac();
    case 'userAgent':
      return (d) => d.faker.internet.userAgent();
    case 'domainName':
      return (d) => d.faker.internet.domainName();
    case 'colorHex':
      return (d) => d.faker.color.rgb();
    case 'colorName':
      return (d) => d.faker.color.human();
    case 'companyCatchPhrase':
      return (d) => d.faker.company.catchPhrase();
    case 'companyBS':
      return (d) => d.faker.company.buzzPhrase();
    case 'productCategory':
      return (d) => d.faker.commerce.department();
    case 'productMaterial':
      return (d) => d.faker.commerce.productMaterial();
    case 'product':
    case 'productName':
      return (d) => d.faker.commerce.productName();
    case 'streetName':
      return (d) => d.faker.location.street();
    case 'secondaryAddress':
      return (d) => d.faker.location.secondaryAddress();
    case 'county':
      return (d) => d.faker.location.county();
    case 'state':
      return (d) => d.faker.location.state();
    case 'stateAbbr':
      return (d) => d.faker.location.state({ abbreviated: true });
    case 'latitude':
      return (d) => d.faker.location.latitude();
    case 'longitude':
      return (d) => d.faker.location.longitude();
    case 'currencyName':
      return (d) => d.faker.finance.currencyName();
    case 'currencySymbol':
      return (d) => d.faker.finance.currencySymbol();
    case 'bitcoinAddress':
      return (d) => d.faker.finance.bitcoinAddress();
    case 'internationalBankAccountNumber':
      return (d) => d.faker.finance.iban();
    case 'bankIdentifierCode':
      return (d) => d.faker.finance.bic();
    case 'financeAccountName':
      return (d) => d.faker.finance.accountName();
    case 'financeTransactionType':
      return (d) => d.faker.finance.transactionType();
    case 'hackerAbbr':
      return (d) => d.faker.hacker.abbreviation();
    case 'hackerPhrase':
      return (d) => d.faker.hacker.phrase();
    case 'jobTitle':
      return (d) => d.faker.person.jobTitle();
    case 'dbColumn':
      return (d) => d.faker.database.column();
    case 'dbType':
      return (d) => d.faker.database.type();
    case 'dbCollation':
      return (d) => d.faker.database.collation();
    case 'dbEngine':
      return (d) => d.faker.database.engine();
    default:
      // firstName, lastName, fullName, email, url, city, zipCode, country, countryCode, phoneNumber, password, …
      return (d) => d.string(type) ?? d.format(type) ?? d.words();
  }
}
