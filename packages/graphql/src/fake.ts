import type { FakeData } from '@mockstack/core/fake';

type Generator = (fake: FakeData) => unknown;

const uuid: Generator = (d) => d.faker.string.uuid();

/**
 * A scalar whose description says its values travel as strings: GitHub's BigInt ("encoded as a
 * string"), Shopify's UnsignedInt64 ("encoded as a string of base-10 digits"), PostGraphile's BigInt
 * ("output as strings").
 */
const SENT_AS_STRING = /\b(?:encoded|serialized|represented|sent|returned|output)\s+as\s+(?:a\s+)?strings?\b|\bstring\s+of\s+(?:base-10\s+)?digits/i;

/** Custom scalars the fake-data module has no format for, by name (and the description, for how numbers travel). */
function byScalarName(scalar: string, description: string | undefined): Generator | undefined {
  const s = scalar.toLowerCase();
  // Postgres' types as Hasura names its scalars (timestamptz, jsonb, numeric, float8…).
  if (/^(timestamptz|timestamp|datetimetz)$/.test(s)) return (d) => d.format('date-time');
  if (/^(timetz)$/.test(s)) return (d) => d.format('time');
  if (/^(numeric|float8|float4|double|real)$/.test(s)) return (d) => d.number('amount', false);
  if (/^(smallint|int2|int4|int8|integer)$/.test(s)) return (d) => d.random.int(0, 30_000);
  if (/^(bigfloat)$/.test(s)) return (d) => d.faker.commerce.price({ min: 1, max: 500 });
  if (/^(json|jsonb|jsonobject|object|map|any|anything|jsonvalue)$/.test(s))
    return (d) => ({ [d.faker.lorem.word()]: d.faker.lorem.word(), value: d.random.int(0, 100) });
  if (/^(bigint|long|int64|uint64|unsignedint64|unsignedlong|safeint|biginteger)$/.test(s)) {
    return SENT_AS_STRING.test(description ?? '') ? (d) => String(d.random.int(0, 9_000_000)) : (d) => d.random.int(0, 9_000_000);
  }
  if (/^(gitobjectid|gitsha|commitsha|sha1)$/.test(s)) return (d) => d.faker.string.hexadecimal({ length: 40, casing: 'lower', prefix: '' });
  if (/^(decimal|bigdecimal|money|amount|price|currencyamount)$/.test(s)) return (d) => d.faker.commerce.price({ min: 1, max: 500 });
  if (/^(upload|file|void|unit)$/.test(s)) return () => null;
  if (/^(cursor|connectioncursor)$/.test(s)) return (d) => btoa(`cursor:${d.random.int(0, 9999)}`);
  if (/^(latitude)$/.test(s)) return (d) => d.faker.location.latitude();
  if (/^(longitude)$/.test(s)) return (d) => d.faker.location.longitude();
  if (/^(positiveint|nonnegativeint|unsignedint|naturalnumber)$/.test(s)) return (d) => d.random.int(1, 100);
  // GitHub's and Shopify's HTML ("A string containing HTML code"): a paragraph a page can render.
  if (/^(html|htmlstring|richtext)$/.test(s)) return (d) => `<p>${d.faker.lorem.sentence()}</p>`;
  // AWS AppSync's scalars: AWSTimestamp is seconds since the epoch, AWSJSON travels as a string of JSON.
  if (s === 'awstimestamp') return (d) => Math.floor(Date.parse(d.format('date-time') ?? '') / 1000) || d.random.int(1_600_000_000, 1_800_000_000);
  if (s === 'awsjson') return (d) => JSON.stringify({ [d.faker.lorem.word()]: d.faker.lorem.word(), value: d.random.int(0, 100) });
  if (/^aws(date|time|datetime|email|url|phone|ipaddress)$/.test(s)) {
    const format = s.slice(3);
    return (d) => d.format(format) ?? d.words();
  }
  return undefined;
}

/**
 * How to fake a value of a GraphQL scalar: the schema's type system mapped onto the fake-data
 * module (field names, then scalar names as formats). `email` gets an address that agrees with the
 * object's name, `createdAt` an ISO date, `priceCents` a positive amount, counts are ≥ 0; a custom
 * scalar's `description`, when given, tells whether its big numbers travel as strings.
 */
export function generatorFor(scalar: string, field: string, parentType: string, description?: string): Generator {
  switch (scalar) {
    case 'ID':
      return field === 'id' || field === '_id' ? uuid : (d) => d.string(field, parentType) ?? d.faker.string.uuid();
    case 'Boolean':
      return (d) => d.boolean();
    case 'Int':
      return (d) => d.number(field, true);
    case 'Float':
      return (d) => d.number(field, false);
    case 'String':
      return (d) => d.string(field, parentType) ?? d.words();
    default: {
      const custom = byScalarName(scalar, description);
      if (custom) return custom;
      return (d) => d.format(scalar) ?? d.string(field, parentType) ?? `${scalar}-${d.faker.string.alphanumeric(8)}`;
    }
  }
}
