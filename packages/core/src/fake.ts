/**
 * Fake data for every protocol's auto-mocks: one field-name table, one seeded faker, and coherent
 * objects (the first name, full name, username and email of one object belong to one person).
 * Each adapter maps its type system onto it: GraphQL scalars, proto field types, JSON Schema
 * types and formats. Imported as `@mockstack/core/fake`, so that faker loads only where auto-mocks
 * are made; nothing here needs node (it runs in a browser).
 */
import type { Faker } from '@faker-js/faker';
import { faker as englishFakerInstance } from '@faker-js/faker/locale/en';
import { hashString, SeededRandom } from './random.js';

// The CLI bundle replaces this line with a require() run on the first call, so that a stack whose
// answers need no fake data never evaluates faker's English data (see fakerOnFirstUse in packages/mockstack/bundle.mjs).
const englishFaker = (): Faker => englishFakerInstance;

const FROM = '2024-01-01T00:00:00.000Z';
const TO = '2026-06-30T00:00:00.000Z';

/** A Faker drawing from `random` (English data: loading only that locale saves ~120 ms of start-up). */
function createFaker(random: SeededRandom): Faker {
  const english = englishFaker();
  const FakerClass = english.constructor as typeof Faker;
  return new FakerClass({
    locale: english.rawDefinitions,
    randomizer: { next: () => random.next(), seed: (seed) => random.seed(Array.isArray(seed) ? (seed[0] ?? 0) : seed) },
  });
}

/** Who an object is about, when it is about a person: drawn once per object. */
interface Person {
  firstName: string;
  lastName: string;
}

type StringMaker = (fake: FakeData) => string;

const PERSON =
  /user|person|customer|author|member|employee|contact|owner|account|profile|viewer|buyer|seller|people|friend|assignee|reviewer|recipient|sender|holder|payer|payee/i;
const COMPANY = /company|org|vendor|brand|merchant|store|shop|supplier|manufacturer|team|publisher|tenant|carrier|provider/i;
const PRODUCT = /product|item|variant|article|sku|offer|listing|good/i;
const IMAGE = /avatar|image|photo|picture|thumbnail|logo|icon|banner/;

/** Splits `createdAt`, `created_at`, `avatarURL`, `shipping.address` into lower-case words. */
export function fieldWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_.-]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

const dateTime: StringMaker = (d) => d.faker.date.between({ from: FROM, to: TO }).toISOString();
const date: StringMaker = (d) => dateTime(d).slice(0, 10);
const uuid: StringMaker = (d) => d.faker.string.uuid();
const fullName: StringMaker = (d) => {
  const p = d.person();
  return `${p.firstName} ${p.lastName}`;
};
const email: StringMaker = (d) => {
  const p = d.person();
  return d.faker.internet.email({ firstName: p.firstName, lastName: p.lastName }).toLowerCase();
};
const base64 = (text: string): string => btoa(text);

/** The one field-name table: a maker for a string field from its name and its object's name, or undefined. */
function stringByName(field: string, parent: string): StringMaker | undefined {
  const w = fieldWords(field);
  const last = w[w.length - 1] ?? '';
  const all = w.join(' ');
  if (all.includes('email')) return email;
  if (['url', 'uri', 'href', 'link', 'website', 'homepage'].includes(last)) {
    return IMAGE.test(all) ? (d) => d.faker.image.url({ width: 640, height: 480 }) : (d) => d.faker.internet.url();
  }
  if (IMAGE.test(last) && w.length === 1) return (d) => d.faker.image.url({ width: 640, height: 480 });
  if (last === 'id' || last === 'ids' || last === 'uuid' || last === 'guid') return uuid;
  if (last === 'date' || last === 'birthday' || last === 'birthdate') return date;
  if (last === 'at' || last === 'time' || last === 'timestamp' || all === 'created' || all === 'updated') return dateTime;
  if (all === 'first name' || all === 'given name' || all === 'firstname') return (d) => d.person().firstName;
  if (all === 'last name' || all === 'family name' || all === 'surname' || all === 'lastname') return (d) => d.person().lastName;
  if (last === 'username' || all === 'user name' || last === 'login' || last === 'handle') {
    return (d) => {
      const p = d.person();
      return d.faker.internet.username({ firstName: p.firstName, lastName: p.lastName }).toLowerCase();
    };
  }
  if (all === 'full name' || all === 'display name') return fullName;
  if (last === 'name' || last === 'title' || last === 'label') {
    const context = w.length > 1 ? all : parent;
    if (PERSON.test(context) || /^(to|from|ship to|bill to)$/i.test(context)) return fullName;
    if (/pet|dog|cat|animal/i.test(context)) return (d) => d.person().firstName;
    if (COMPANY.test(context)) return (d) => d.faker.company.name();
    if (PRODUCT.test(context)) return (d) => d.faker.commerce.productName();
    if (/category|department|collection/i.test(context)) return (d) => d.faker.commerce.department();
    if (/city/i.test(context)) return (d) => d.faker.location.city();
    if (/country/i.test(context)) return (d) => d.faker.location.country();
    if (last === 'title') return (d) => d.faker.lorem.sentence({ min: 3, max: 6 }).replace(/\.$/, '');
    return (d) => d.faker.commerce.productName();
  }
  if (/^(description|summary|bio|about|body|content|text|comment|message|note|notes|details|excerpt|reason)$/.test(last)) {
    return (d) => d.faker.lorem.sentence();
  }
  if (last === 'slug') return (d) => d.faker.lorem.slug(3);
  if (all.includes('phone') || last === 'mobile') return (d) => d.faker.phone.number({ style: 'international' });
  if (/street|address( line)?/.test(all)) return (d) => d.faker.location.streetAddress();
  if (last === 'city') return (d) => d.faker.location.city();
  if (all.includes('country code') || last === 'country') return (d) => d.faker.location.countryCode();
  if (last === 'zip' || last === 'postcode' || all.includes('postal code') || all.includes('zip code')) return (d) => d.faker.location.zipCode();
  if (last === 'currency' || all.includes('currency code')) return (d) => d.faker.helpers.arrayElement(['EUR', 'USD', 'GBP']);
  if (last === 'sku') return (d) => `SKU-${d.faker.string.alphanumeric({ length: 8, casing: 'upper' })}`;
  if (last === 'color' || last === 'colour') return (d) => d.faker.color.human();
  if (last === 'company' || last === 'brand' || last === 'vendor' || last === 'carrier' || last === 'merchant') return (d) => d.faker.company.name();
  if (last === 'category' || last === 'department') return (d) => d.faker.commerce.department();
  if (last === 'token' || last === 'hash' || last === 'secret' || last === 'key' || last === 'cursor') return (d) => d.faker.string.alphanumeric(24);
  if (last === 'ip') return (d) => d.faker.internet.ipv4();
  if (last === 'locale' || last === 'language' || last === 'lang') return () => 'en-US';
  if (last === 'version') return (d) => d.faker.system.semver();
  if (last === 'code') return (d) => d.faker.string.alphanumeric({ length: 6, casing: 'upper' });
  if (last === 'password') return () => '********';
  if (last === 'status' || last === 'state') return (d) => d.faker.helpers.arrayElement(['active', 'pending', 'inactive']);
  if (last === 'word' || last === 'tag' || last === 'tags' || last === 'keyword' || last === 'keywords') return (d) => d.faker.lorem.word();
  return undefined;
}

/** A maker for a string of a named format or scalar (`email`, `date-time`, `DateTime`, `uuid`…), or undefined. */
function stringByFormat(format: string): StringMaker | undefined {
  switch (format.toLowerCase().replace(/[-_]/g, '')) {
    case 'email':
    case 'idnemail':
    case 'emailaddress':
      return email;
    case 'uri':
    case 'url':
    case 'iri':
    case 'urireference':
    case 'link':
      return (d) => d.faker.internet.url();
    case 'datetime':
    case 'timestamp':
    case 'instant':
    case 'zoneddatetime':
    case 'offsetdatetime':
    case 'datetimeiso':
    case 'iso8601datetime':
      return dateTime;
    case 'date':
    case 'localdate':
      return date;
    case 'time':
      return (d) => `${dateTime(d).slice(11, 19)}Z`;
    case 'localtime':
      return (d) => dateTime(d).slice(11, 19);
    case 'localdatetime':
    case 'naivedatetime':
      return (d) => dateTime(d).slice(0, 19);
    case 'uuid':
    case 'guid':
      return uuid;
    case 'hostname':
    case 'idnhostname':
      return (d) => d.faker.internet.domainName();
    case 'ipv4':
    case 'ip':
    case 'ipaddress':
      return (d) => d.faker.internet.ipv4();
    case 'ipv6':
      return (d) => d.faker.internet.ipv6();
    case 'byte':
    case 'bytes':
    case 'base64':
    case 'binary':
      return (d) => base64(d.faker.lorem.word());
    case 'password':
      return (d) => d.faker.internet.password({ length: 12 });
    case 'duration':
    case 'iso8601duration':
      return (d) => `PT${d.faker.number.int({ min: 1, max: 59 })}M`;
    case 'currency':
    case 'currencycode':
      return (d) => d.faker.helpers.arrayElement(['EUR', 'USD', 'GBP']);
    case 'countrycode':
      return (d) => d.faker.location.countryCode();
    case 'locale':
    case 'languagecode':
      return () => 'en-US';
    case 'phone':
    case 'phonenumber':
      return (d) => d.faker.phone.number({ style: 'international' });
    case 'hexcolor':
    case 'color':
    case 'hexcolorcode':
    case 'rgb':
      return (d) => d.faker.color.rgb();
    case 'uritemplate':
      return (d) => `${d.faker.internet.url()}/{${d.faker.lorem.word()}}`;
    case 'jsonpointer':
      return (d) => `/${d.faker.lorem.word()}/${d.faker.number.int({ min: 0, max: 9 })}`;
    case 'jsonpointerurifragment':
      return (d) => `#/${d.faker.lorem.word()}`;
    case 'relativejsonpointer':
      return (d) => `${d.faker.number.int({ min: 0, max: 3 })}/${d.faker.lorem.word()}`;
    case 'semver':
    case 'version':
      return (d) => d.faker.system.semver();
    // Numbers carried as strings (Google's int64 and uint64, Stripe's `decimal`): SDKs parse them.
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64':
    case 'uint8':
    case 'uint16':
    case 'uint32':
    case 'uint64':
    case 'integer':
    case 'int':
    case 'long':
      return (d) => String(d.faker.number.int({ min: 1, max: 99_999 }));
    case 'decimal':
    case 'decimalstring':
    case 'bigdecimal':
    case 'double':
    case 'float':
    case 'number':
      return (d) => d.faker.number.float({ min: 0, max: 1000, fractionDigits: 2 }).toFixed(2);
    case 'googledatetime':
      return dateTime;
    // Twilio's `date-time-rfc-2822`, HTTP dates: `Tue, 15 Nov 1994 08:12:31 GMT`.
    case 'datetimerfc2822':
    case 'rfc2822':
    case 'datetimerfc1123':
    case 'rfc1123':
    case 'httpdate':
      return (d) => new Date(dateTime(d)).toUTCString();
    case 'googleduration':
      return (d) => `${d.faker.number.int({ min: 1, max: 3600 })}s`;
    case 'googlefieldmask':
      return (d) => d.faker.lorem.words({ min: 1, max: 3 }).replace(/ /g, ',');
    default:
      return undefined;
  }
}

/**
 * The range a number named `field` is drawn from when its type sets none (prices are amounts, ages adults, counts ≥ 0;
 * a calendar's or a clock's parts within their bounds, as google.type.Date and TimeOfDay have them: month 57 fails
 * every client that makes a date of it).
 */
export function numberRange(field: string, integer: boolean): [number, number] {
  const all = fieldWords(field).join(' ');
  const last = all.slice(all.lastIndexOf(' ') + 1);
  if (/price|amount|cost|total|subtotal|balance|fee|tax|salary|revenue|discount|cents|units/.test(all)) return integer ? [100, 50_000] : [1, 500];
  if (last === 'rating' || last === 'stars') return [1, 5];
  if (last === 'lat' || last === 'latitude') return [-90, 90];
  if (last === 'lng' || last === 'lon' || last === 'longitude') return [-180, 180];
  if (/percent|percentage|progress/.test(all)) return [0, 100];
  if (last === 'age') return [18, 90];
  if (last === 'year') return [1990, 2026];
  if (/day of month$/.test(all) || last === 'day') return [1, 28];
  if (/day of week$/.test(all) || last === 'weekday') return [1, 6];
  if (last === 'month') return [1, 12];
  if (last === 'hour' || last === 'hours') return [0, 23];
  if (last === 'minute' || last === 'minutes' || last === 'second' || last === 'seconds') return [0, 59];
  if (
    /count|quantity|qty|stock|inventory|size|length|number|num|views|likes|score|position|rank|index|page|pages|limit|offset|days|weight|height|width/.test(all)
  ) {
    return [0, 100];
  }
  return integer ? [0, 100] : [0, 1000];
}

/**
 * A seeded source of realistic values. `seed()` restarts it (adapters seed per value or per
 * message, so a value depends on the scenario's seed and what it is for, never on request order);
 * `enterObject()` says which object the next values belong to, so that they agree with each other.
 */
export class FakeData {
  readonly random: SeededRandom;
  // Made on first use: most stacks' first answers (and many stacks) need no faker.
  #faker: Faker | undefined;
  readonly #personRandom = new SeededRandom();
  #personFaker: Faker | undefined;
  readonly #strings = new Map<string, StringMaker | null>();
  #object: number | undefined;
  #person: Person | undefined;

  constructor(seed = 0) {
    this.random = new SeededRandom(seed);
  }

  /** A faker drawing from `random`. */
  get faker(): Faker {
    this.#faker ??= createFaker(this.random);
    return this.#faker;
  }

  /** The faker that draws an entered object's person from that object's seed alone. */
  #objectPersonFaker(): Faker {
    this.#personFaker ??= createFaker(this.#personRandom);
    return this.#personFaker;
  }

  /** Starts the value stream again from `seed`. */
  seed(seed: number): void {
    this.random.seed(seed);
  }

  /**
   * The object the next values belong to, by a seed that identifies it (e.g. its type and key):
   * its person (first and last name) is drawn from that seed alone. Returns the previous object,
   * to give back to `enterObject` when a nested object is done. Undefined: values agree with nothing.
   */
  enterObject(objectSeed: number | undefined): number | undefined {
    const previous = this.#object;
    if (objectSeed !== previous) {
      this.#object = objectSeed;
      this.#person = undefined;
    }
    return previous;
  }

  /** The seed for a new object inside the current value stream (for generators that build objects in one go). */
  nextObjectSeed(): number {
    return Math.floor(this.random.next() * 4294967296);
  }

  /** The person the current object is about (a new one for each value when no object was entered). */
  person(): Person {
    if (this.#person) return this.#person;
    const faker = this.#object === undefined ? this.faker : this.#objectPersonFaker();
    if (this.#object !== undefined) this.#personRandom.seed(hashString('person', this.#object));
    const person = { firstName: faker.person.firstName(), lastName: faker.person.lastName() };
    if (this.#object !== undefined) this.#person = person;
    return person;
  }

  /** A realistic string for a field from its name and its object's (type) name, or undefined when the name says nothing. */
  string(field: string, parent = ''): string | undefined {
    const key = `${field}\u0000${parent}`;
    let maker = this.#strings.get(key);
    if (maker === undefined) {
      maker = stringByName(field, parent) ?? null;
      if (this.#strings.size > 10_000) this.#strings.clear();
      this.#strings.set(key, maker);
    }
    return maker ? maker(this) : undefined;
  }

  /** A string of a named format or scalar (`email`, `date-time`, `DateTime`, `UUID`…), or undefined when the name is not one. */
  format(name: string): string | undefined {
    return stringByFormat(name)?.(this);
  }

  /** Some words, for a string nothing says more about. */
  words(): string {
    return this.faker.lorem.words({ min: 1, max: 3 });
  }

  /** A number for a field from its name, within `range` when the type gives one (else `numberRange`). */
  number(field: string, integer: boolean, range: [number, number] = numberRange(field, integer)): number {
    const [low, high] = range;
    if (integer) return this.random.int(Math.ceil(low), Math.floor(high));
    return Math.round((low + this.random.next() * (high - low)) * 100) / 100;
  }

  boolean(): boolean {
    return this.random.next() < 0.5;
  }
}
