import { type Attr, DOMParser, type Element, type Node, XMLSerializer, type Document as XmlDocument } from '@xmldom/xmldom';
import { parse } from '#xpath';

/**
 * WireMock's XML body matchers: `equalToXml` (XMLUnit's comparison as WireMock configures it) and
 * `matchesXPath` (XPath 1.0). A body that is not well-formed XML matches neither; a pattern that is
 * not (malformed XML, an XPath that does not compile) is refused when the stub is read.
 */

/** The DOM nodes this file reads (xmldom's, which the xpath library takes). */

/** The comparisons WireMock counts (a difference in any other is no difference); `exemptedComparisons` takes some away. */
export const XML_COMPARISONS = [
  'ELEMENT_TAG_NAME',
  'SCHEMA_LOCATION',
  'NO_NAMESPACE_SCHEMA_LOCATION',
  'NODE_TYPE',
  'NAMESPACE_URI',
  'TEXT_VALUE',
  'PROCESSING_INSTRUCTION_TARGET',
  'PROCESSING_INSTRUCTION_DATA',
  'ELEMENT_NUM_ATTRIBUTES',
  'ATTR_VALUE',
  'CHILD_NODELIST_LENGTH',
  'CHILD_LOOKUP',
  'ATTR_NAME_LOOKUP',
] as const;
type XmlComparison = (typeof XML_COMPARISONS)[number];

const XMLNS = 'http://www.w3.org/2000/xmlns/';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const ELEMENT = 1;
const ATTRIBUTE = 2;
const TEXT = 3;
const CDATA = 4;
const PROCESSING_INSTRUCTION = 7;
const DOCUMENT = 9;

/** The document of well-formed XML text, or undefined (an error, a warning on a broken entity, no root element). */
export function parseXml(text: string): XmlDocument | undefined {
  const read = readXml(text);
  return typeof read === 'string' ? undefined : read;
}

/** Why XML text is not well-formed, in words, or undefined when it is. */
export function xmlProblem(text: string): string | undefined {
  const read = readXml(text);
  return typeof read === 'string' ? read : undefined;
}

/** The document, or why there is none. */
function readXml(text: string): XmlDocument | string {
  try {
    const document = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(text, 'text/xml');
    return document.documentElement ? document : 'it has no root element';
  } catch (error) {
    // xmldom's message: `Reporting fatalError "missing root element" caused Error: …`.
    const message = (error as Error).message;
    return /^Reporting \w+ "([\s\S]*?)" caused/.exec(message)?.[1] ?? message.split('\n')[0] ?? 'it is not XML';
  }
}

/** How `equalToXml` compares, from its JSON. */
export interface XmlEqualityOptions {
  placeholders?: { open: RegExp; close: RegExp };
  exempted?: ReadonlySet<XmlComparison>;
  /** Same-named siblings may come in any order (they are paired by their text). */
  ignoreOrderOfSameNode?: boolean;
  /** NONE: names compared whole (`s:a`), no namespace URIs, xmlns attributes are attributes. Default STRICT. */
  namespaceAwareness?: 'STRICT' | 'NONE';
}

/**
 * Whether `actual` is the same XML as `expected` as WireMock's equalToXml sees it: whitespace between
 * elements and around text ignored, comments ignored, attributes in any order, namespace prefixes
 * ignored (their URIs compared), siblings of different names in any order (same-named ones in order).
 */
export function xmlEquals(expected: XmlDocument, actualText: string, options: XmlEqualityOptions): boolean {
  const actual = parseXml(actualText);
  if (!actual) return false;
  const counted = (type: XmlComparison) => !options.exempted?.has(type);
  const strict = options.namespaceAwareness !== 'NONE';
  const localName = (node: Node) => (strict ? (node.localName ?? node.nodeName) : node.nodeName);
  const namespace = (node: Node) => (strict ? (node.namespaceURI ?? null) : null);

  const placeholder = (value: string): { name: string; args: string } | undefined => {
    if (!options.placeholders) return undefined;
    const { open, close } = options.placeholders;
    const match = new RegExp(`^\\s*${open.source}\\s*xmlunit\\.(\\w+)\\s*(?:\\(([\\s\\S]*)\\))?\\s*${close.source}\\s*$`).exec(value);
    return match ? { name: match[1] as string, args: match[2] ?? '' } : undefined;
  };
  const sameValue = (want: string, got: string): boolean => {
    const held = placeholder(want);
    if (!held) return want === got;
    if (held.name === 'ignore') return true;
    if (held.name === 'isNumber') return got.trim() !== '' && Number.isFinite(Number(got));
    if (held.name === 'matchesRegex') {
      try {
        return new RegExp(`^(?:${held.args})$`).test(got);
      } catch {
        return false;
      }
    }
    if (held.name === 'isDateTime') return !Number.isNaN(Date.parse(got));
    return want === got;
  };

  /** The children compared: elements, non-blank text (trimmed), processing instructions; comments are left out. */
  const children = (node: Node): Node[] =>
    Array.from(node.childNodes).filter((child) => {
      if (child.nodeType === TEXT || child.nodeType === CDATA) return (child.nodeValue ?? '').trim() !== '';
      // xmldom reads the XML declaration as a processing instruction named xml.
      return child.nodeType === ELEMENT || (child.nodeType === PROCESSING_INSTRUCTION && child.nodeName.toLowerCase() !== 'xml');
    });
  const attributes = (element: Node): Attr[] =>
    attributesOf(element).filter((attribute) => {
      if (!strict) return true;
      return attribute.namespaceURI !== XMLNS && !(attribute.namespaceURI === XSI && /^(?:noNamespaceS|s)chemaLocation$/.test(attribute.localName ?? ''));
    });
  const textOf = (node: Node) => (node.nodeValue ?? '').trim();
  const sortKey = (node: Node) => (node.nodeType === ELEMENT ? localName(node) : '');
  const sorted = (nodes: Node[]) =>
    [...nodes].sort((a, b) => {
      const byName = compareText(sortKey(a), sortKey(b));
      return byName !== 0 || !options.ignoreOrderOfSameNode ? byName : compareText(a.textContent ?? '', b.textContent ?? '');
    });
  const canPair = (a: Node, b: Node) => {
    const kind = (node: Node) => (node.nodeType === CDATA ? TEXT : node.nodeType);
    if (kind(a) !== kind(b)) return false;
    return a.nodeType !== ELEMENT || (localName(a) === localName(b) && namespace(a) === namespace(b));
  };

  const same = (want: Node, got: Node): boolean => {
    // Text and CDATA pair up (canPair) but differ in NODE_TYPE, as XMLUnit compares them.
    if (want.nodeType !== got.nodeType && counted('NODE_TYPE')) return false;
    const wantKind = want.nodeType === CDATA ? TEXT : want.nodeType;
    if (wantKind === TEXT) return !counted('TEXT_VALUE') || sameValue(textOf(want), textOf(got));
    if (wantKind === PROCESSING_INSTRUCTION)
      return (
        (!counted('PROCESSING_INSTRUCTION_TARGET') || want.nodeName === got.nodeName) &&
        (!counted('PROCESSING_INSTRUCTION_DATA') || want.nodeValue === got.nodeValue)
      );
    if (counted('ELEMENT_TAG_NAME') && localName(want) !== localName(got)) return false;
    if (counted('NAMESPACE_URI') && namespace(want) !== namespace(got)) return false;
    const wantAttributes = attributes(want);
    const gotAttributes = attributes(got);
    if (counted('ELEMENT_NUM_ATTRIBUTES') && wantAttributes.length !== gotAttributes.length) return false;
    for (const attribute of wantAttributes) {
      const match = gotAttributes.find((other) =>
        strict
          ? localName(other) === localName(attribute) && (other.namespaceURI ?? null) === (attribute.namespaceURI ?? null)
          : other.nodeName === attribute.nodeName,
      );
      if (!match) {
        if (counted('ATTR_NAME_LOOKUP')) return false;
        continue;
      }
      if (counted('ATTR_VALUE') && !sameValue(attribute.nodeValue ?? '', match.nodeValue ?? '')) return false;
    }
    return sameChildren(want, got);
  };

  const sameChildren = (want: Node, got: Node): boolean => {
    const wanted = children(want);
    const given = children(got);
    if (counted('CHILD_NODELIST_LENGTH') && wanted.length !== given.length) return false;
    // XMLUnit's DefaultNodeMatcher over both lists sorted by name: each wanted node pairs with the next
    // unpaired node it can be compared with, looking on from the last pair, then from the start.
    const control = sorted(wanted);
    const test = sorted(given);
    const paired = new Set<number>();
    let last = -1;
    for (const node of control) {
      const order = [...test.keys()].slice(last + 1).concat([...test.keys()].slice(0, last + 1));
      const index = order.find((i) => !paired.has(i) && canPair(node, test[i] as Node));
      if (index === undefined) {
        if (counted('CHILD_LOOKUP')) return false;
        continue;
      }
      paired.add(index);
      last = index;
      if (!same(node, test[index] as Node)) return false;
    }
    return true;
  };

  return sameChildren(expected, actual);
}

/** An element's attributes (none for other nodes). */
function attributesOf(node: Node): Attr[] {
  return node.nodeType === ELEMENT ? Array.from((node as Element).attributes) : [];
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** An XPath 1.0 expression checked to compile, or why it does not. */
export function xpathProblem(expression: string, namespaces: Record<string, string> | undefined): string | undefined {
  try {
    const probe = parseXml('<probe/>') as XmlDocument;
    evaluate(expression, probe, namespaces);
    return undefined;
  } catch (error) {
    const message = (error as Error).message;
    // A prefix the expression uses is bound by xPathNamespaces; without them it is unknown only on a document.
    if (/Cannot resolve QName|prefix/i.test(message) && namespaces === undefined) return undefined;
    return message;
  }
}

/** The nodes an expression selects, or its string, number or boolean as text; throws when it does not compile or names an unbound prefix. */
function evaluate(expression: string, document: XmlDocument, namespaces: Record<string, string> | undefined): Node[] | string {
  const value = parse(expression).evaluate({ node: document, ...(namespaces && { namespaces }), isHtml: false });
  return value.toArray ? value.toArray() : value.stringValue();
}

/**
 * What an XPath selects in an XML body, each as text (an element as its XML, an attribute or text
 * node as its value, a number, string or boolean result as text); undefined when the body is not XML
 * or the XPath cannot be evaluated on it. Without `namespaces` the document is read as WireMock reads
 * it then: prefixed names are names, and a default namespace is no namespace.
 */
export function xpathValues(body: string, expression: string, namespaces: Record<string, string> | undefined): string[] | undefined {
  if (!body.trim().startsWith('<')) return undefined;
  const parsed = parseXml(body);
  if (!parsed) return undefined;
  const document = namespaces ? parsed : withoutNamespaces(parsed);
  let result: Node[] | string;
  try {
    result = evaluate(expression, document, namespaces);
  } catch {
    return undefined;
  }
  return Array.isArray(result) ? result.map(nodeText) : [result];
}

function nodeText(node: Node): string {
  if (node.nodeType === ELEMENT || node.nodeType === DOCUMENT) return new XMLSerializer().serializeToString(node);
  if (node.nodeType === ATTRIBUTE) return node.nodeValue ?? '';
  return node.textContent ?? node.nodeValue ?? '';
}

/**
 * A copy of the document with every element named by its local name (`Envelope` of `soap:Envelope`) and
 * no namespace, as WireMock reads a document for an XPath without namespaces (`/Envelope/Body` selects
 * `<soap:Envelope><soap:Body>`).
 */
function withoutNamespaces(document: XmlDocument): XmlDocument {
  const copy = new DOMParser().parseFromString('<_/>', 'text/xml');
  const clone = (node: Node): Node | undefined => {
    if (node.nodeType === ELEMENT) {
      const element = copy.createElement(node.localName ?? node.nodeName);
      for (const attribute of attributesOf(node)) element.setAttribute(attribute.nodeName, attribute.nodeValue ?? '');
      for (const child of Array.from(node.childNodes)) {
        const copied = clone(child);
        if (copied) element.appendChild(copied);
      }
      return element;
    }
    if (node.nodeType === TEXT) return copy.createTextNode(node.nodeValue ?? '');
    if (node.nodeType === CDATA) return copy.createCDATASection(node.nodeValue ?? '');
    if (node.nodeType === PROCESSING_INSTRUCTION) return copy.createProcessingInstruction(node.nodeName, node.nodeValue ?? '');
    return undefined;
  };
  const root = document.documentElement && clone(document.documentElement);
  if (root && copy.documentElement) copy.replaceChild(root, copy.documentElement);
  return copy;
}
