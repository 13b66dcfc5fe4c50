import type { Faker } from '@faker-js/faker';
import { faker as englishFaker } from '@faker-js/faker/locale/en';
import { SeededRandom } from '@mockstack/core';

type Rand = SeededRandom;

/** The reseedable random source auto-mocks draw from: reseeded for every generated value. */
export { SeededRandom as Rand };

/** A Faker over `rand`, English data. Only the locale module is loaded (~30 ms, not ~150 ms for all). */
export function createFaker(rand: Rand): Faker {
  const FakerClass = englishFaker.constructor as typeof Faker;
  return new FakerClass({
    locale: englishFaker.rawDefinitions,
    randomizer: { next: () => rand.next(), seed: (seed) => rand.seed(Array.isArray(seed) ? (seed[0] ?? 0) : seed) },
  });
}

const FROM = '2024-01-01T00:00:00.000Z';
const TO = '2026-06-30T00:00:00.000Z';

type Generator = (f: Faker, r: Rand) => unknown;

const PERSON = /user|person|customer|author|member|employee|contact|owner|account|profile|viewer|buyer|seller|people|friend|assignee|reviewer/i;
const COMPANY = /company|org|vendor|brand|merchant|store|shop|supplier|manufacturer|team|publisher|tenant/i;
const PRODUCT = /product|item|variant|article|sku|offer|listing|good/i;

/** Splits `createdAt`, `created_at`, `avatarURL` into lower-case words. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

const isoDateTime: Generator = (f) => f.date.between({ from: FROM, to: TO }).toISOString();
const isoDate: Generator = (f) => f.date.between({ from: FROM, to: TO }).toISOString().slice(0, 10);
const money: Generator = (f) => Number(f.commerce.price({ min: 1, max: 500 }));

/** A generator for a custom scalar by its name, or undefined when the name says nothing. */
function byScalarName(scalar: string): Generator | undefined {
  const s = scalar.toLowerCase();
  if (/^(datetime|timestamp|instant|zoneddatetime|offsetdatetime|datetimeiso|iso8601datetime)$/.test(s)) return isoDateTime;
  if (/^(date|localdate)$/.test(s)) return isoDate;
  if (/^(time|localtime)$/.test(s)) return (f) => f.date.between({ from: FROM, to: TO }).toISOString().slice(11, 19);
  if (/^(localdatetime|naivedatetime)$/.test(s)) return (f) => f.date.between({ from: FROM, to: TO }).toISOString().slice(0, 19);
  if (/^(json|jsonobject|object|map|any|anything|jsonvalue)$/.test(s)) return (f) => ({ [f.lorem.word()]: f.lorem.word(), value: f.number.int({ max: 100 }) });
  if (/^(url|uri|link|href)$/.test(s)) return (f) => f.internet.url();
  if (/^(email|emailaddress)$/.test(s)) return (f) => f.internet.email().toLowerCase();
  if (/^(uuid|guid)$/.test(s)) return (f) => f.string.uuid();
  if (/^(bigint|long|int64|uint64|safeint|biginteger)$/.test(s)) return (f) => f.number.int({ min: 0, max: 9_000_000 });
  if (/^(decimal|bigdecimal|money|amount|price|currencyamount)$/.test(s)) return (f) => f.commerce.price({ min: 1, max: 500 });
  if (/^(currency|currencycode)$/.test(s)) return () => 'EUR';
  if (/^(countrycode)$/.test(s)) return (f) => f.location.countryCode();
  if (/^(locale|languagecode)$/.test(s)) return () => 'en-US';
  if (/^(phone|phonenumber)$/.test(s)) return (f) => f.phone.number({ style: 'international' });
  if (/^(hexcolor|color|hexcolorcode|rgb)$/.test(s)) return (f) => f.color.rgb();
  if (/^(byte|bytes|base64|binary)$/.test(s)) return (f) => Buffer.from(f.lorem.word()).toString('base64');
  if (/^(duration|iso8601duration)$/.test(s)) return (f) => `PT${f.number.int({ min: 1, max: 59 })}M`;
  if (/^(upload|file|void|unit)$/.test(s)) return () => null;
  if (/^(cursor|connectioncursor)$/.test(s)) return (f) => Buffer.from(`cursor:${f.number.int({ max: 9999 })}`).toString('base64');
  if (/^(ipv4|ip|ipaddress)$/.test(s)) return (f) => f.internet.ipv4();
  if (/^(ipv6)$/.test(s)) return (f) => f.internet.ipv6();
  if (/^(latitude)$/.test(s)) return (f) => f.location.latitude();
  if (/^(longitude)$/.test(s)) return (f) => f.location.longitude();
  if (/^(semver|version)$/.test(s)) return (f) => f.system.semver();
  if (/^(positiveint|nonnegativeint|unsignedint|naturalnumber)$/.test(s)) return (f) => f.number.int({ min: 1, max: 100 });
  return undefined;
}

/** A generator for a string-like field from its name (and its type's name). */
function byFieldName(field: string, parentType: string): Generator | undefined {
  const w = words(field);
  const last = w[w.length - 1] ?? '';
  const all = w.join(' ');
  if (last === 'email' || all.includes('email')) return (f) => f.internet.email().toLowerCase();
  if (last === 'url' || last === 'uri' || last === 'href' || last === 'link' || last === 'website' || last === 'homepage') {
    if (/avatar|image|photo|picture|thumbnail|logo|icon|banner/.test(all)) return (f) => f.image.url({ width: 640, height: 480 });
    return (f) => f.internet.url();
  }
  if (/^(avatar|image|photo|picture|thumbnail|logo|icon|banner)$/.test(last)) return (f) => f.image.url({ width: 640, height: 480 });
  if (
    last === 'at' ||
    last === 'date' ||
    last === 'time' ||
    last === 'timestamp' ||
    last === 'birthday' ||
    last === 'birthdate' ||
    all === 'created' ||
    all === 'updated'
  )
    return last === 'date' || last === 'birthday' || last === 'birthdate' ? isoDate : isoDateTime;
  if (all === 'first name' || all === 'given name' || all === 'firstname') return (f) => f.person.firstName();
  if (all === 'last name' || all === 'family name' || all === 'surname' || all === 'lastname') return (f) => f.person.lastName();
  if (last === 'username' || all === 'user name' || last === 'login' || last === 'handle') return (f) => f.internet.username().toLowerCase();
  if (all === 'full name' || all === 'display name') return (f) => f.person.fullName();
  if (last === 'name' || last === 'title' || last === 'label') {
    const context = w.length > 1 ? all : parentType;
    if (PERSON.test(context)) return (f) => f.person.fullName();
    if (COMPANY.test(context)) return (f) => f.company.name();
    if (PRODUCT.test(context)) return (f) => f.commerce.productName();
    if (/category|department|collection/i.test(context)) return (f) => f.commerce.department();
    if (/city/i.test(context)) return (f) => f.location.city();
    if (/country/i.test(context)) return (f) => f.location.country();
    if (last === 'title') return (f) => f.lorem.sentence({ min: 3, max: 6 }).replace(/\.$/, '');
    return (f) => f.commerce.productName();
  }
  if (/^(description|summary|bio|about|body|content|text|comment|message|note|notes|details|excerpt)$/.test(last))
    return (f) => f.lorem.sentences({ min: 1, max: 3 });
  if (last === 'slug') return (f) => f.lorem.slug(3);
  if (last === 'phone' || all.includes('phone') || last === 'mobile') return (f) => f.phone.number({ style: 'international' });
  if (/street|address( line)?/.test(all)) return (f) => f.location.streetAddress();
  if (last === 'city') return (f) => f.location.city();
  if (last === 'country') return (f) => f.location.country();
  if (all.includes('country code')) return (f) => f.location.countryCode();
  if (last === 'zip' || last === 'postcode' || all.includes('postal code') || all.includes('zip code')) return (f) => f.location.zipCode();
  if (last === 'currency' || all.includes('currency code')) return () => 'EUR';
  if (last === 'sku') return (f) => `SKU-${f.string.alphanumeric({ length: 8, casing: 'upper' })}`;
  if (last === 'color' || last === 'colour') return (f) => f.color.human();
  if (last === 'company' || last === 'brand' || last === 'vendor') return (f) => f.company.name();
  if (last === 'category' || last === 'department') return (f) => f.commerce.department();
  if (last === 'token' || last === 'hash' || last === 'secret' || last === 'key' || last === 'cursor') return (f) => f.string.alphanumeric(24);
  if (last === 'ip') return (f) => f.internet.ipv4();
  if (last === 'locale' || last === 'language' || last === 'lang') return () => 'en-US';
  if (last === 'version') return (f) => f.system.semver();
  if (last === 'code') return (f) => f.string.alphanumeric({ length: 6, casing: 'upper' });
  if (last === 'password') return () => '********';
  if (last === 'status' || last === 'state' || last === 'type' || last === 'kind') return (f) => f.helpers.arrayElement(['active', 'pending', 'inactive']);
  if (last === 'word' || last === 'tag' || last === 'tags' || last === 'keyword' || last === 'keywords') return (f) => f.lorem.word();
  return undefined;
}

function byNumberName(field: string, float: boolean): Generator {
  const w = words(field);
  const last = w[w.length - 1] ?? '';
  const all = w.join(' ');
  if (/price|amount|cost|total|subtotal|balance|fee|tax|salary|revenue|discount|cents|value/.test(all)) {
    if (float) return money;
    return all.includes('cents') || /price|amount|cost|total|fee|tax/.test(all)
      ? (f) => f.number.int({ min: 100, max: 50_000 })
      : (f) => f.number.int({ min: 1, max: 1000 });
  }
  if (last === 'rating' || last === 'stars')
    return float ? (f) => f.number.float({ min: 1, max: 5, fractionDigits: 1 }) : (f) => f.number.int({ min: 1, max: 5 });
  if (last === 'latitude' || last === 'lat') return (f) => f.location.latitude();
  if (last === 'longitude' || last === 'lng' || last === 'lon') return (f) => f.location.longitude();
  if (/percent|percentage|ratio|progress/.test(all))
    return float ? (f) => f.number.float({ min: 0, max: 100, fractionDigits: 1 }) : (f) => f.number.int({ max: 100 });
  if (last === 'age') return (f) => f.number.int({ min: 18, max: 90 });
  if (last === 'year') return (f) => f.number.int({ min: 1990, max: 2026 });
  if (
    /count|quantity|qty|stock|inventory|size|length|number|num|views|likes|total|score|position|rank|index|page|pages|limit|offset|duration|weight|height|width/.test(
      all,
    )
  )
    return float ? (f) => f.number.float({ min: 0, max: 100, fractionDigits: 2 }) : (f) => f.number.int({ max: 100 });
  return float ? (f) => f.number.float({ min: 0, max: 1000, fractionDigits: 2 }) : (f) => f.number.int({ max: 100 });
}

const uuid: Generator = (f) => f.string.uuid();
const bool: Generator = (_f, r) => r.next() < 0.5;

/**
 * Picks how to fake a scalar value from the scalar's name and the field it fills: `email`
 * gets an address, `createdAt` an ISO date, `priceCents` a positive amount, counts are ≥ 0.
 */
export function generatorFor(scalar: string, field: string, parentType: string): Generator {
  switch (scalar) {
    case 'ID':
      return field === 'id' || field === '_id' ? uuid : (byFieldName(field, parentType) ?? uuid);
    case 'Boolean':
      return bool;
    case 'Int':
      return byNumberName(field, false);
    case 'Float':
      return byNumberName(field, true);
    case 'String':
      return byFieldName(field, parentType) ?? ((f) => f.lorem.words({ min: 1, max: 3 }));
    default:
      return byScalarName(scalar) ?? byFieldName(field, parentType) ?? ((f) => `${scalar}-${f.string.alphanumeric(8)}`);
  }
}
