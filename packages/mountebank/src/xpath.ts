import { DOMParser, type Node } from '@xmldom/xmldom';
import { parse, useNamespaces } from '#xpath';

/** Mountebank's `xpath` parameter of a predicate, and `using` of a `copy` by xpath: the selector and its namespace prefixes. */
export interface XPathSelector {
  selector: string;
  /** Prefix → namespace URI, for the prefixes the selector uses. */
  ns?: Record<string, string>;
}

/** Why an xpath selector cannot be evaluated (not XPath 1.0, a bad `ns`), or undefined when it can. */
export function xpathProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || typeof (value as XPathSelector).selector !== 'string')
    return `'xpath' must be { "selector": "//path", "ns": { "prefix": "uri" } } (ns optional)`;
  const { selector, ns } = value as XPathSelector;
  if (ns !== undefined && (typeof ns !== 'object' || ns === null || Array.isArray(ns) || Object.values(ns).some((uri) => typeof uri !== 'string')))
    return `'ns' maps namespace prefixes to URIs, e.g. { "soap": "http://schemas.xmlsoap.org/soap/envelope/" }`;
  try {
    parse(selector);
  } catch (error) {
    return `malformed xpath selector ${JSON.stringify(selector)}: ${(error as Error).message}`;
  }
  return undefined;
}

/**
 * What an xpath selector selects from XML text, as Mountebank takes it: the text of each node selected
 * (an element's first child's text, an attribute's value), a number or boolean for an expression such as
 * `count(//item)`, or undefined when nothing is selected or the text is not well-formed XML.
 */
export function selectXPath(xml: string, { selector, ns }: XPathSelector): string[] | string | number | boolean | undefined {
  let document: ReturnType<DOMParser['parseFromString']>;
  try {
    // A fatal error (not XML at all) throws; what xmldom only warns about is taken as parsed.
    document = new DOMParser({ onError: () => {} }).parseFromString(xml, 'text/xml');
  } catch {
    return undefined;
  }
  // xmldom says it has every feature, HTML 2.0 too, which makes xpath compare names ignoring case: XML's are not.
  const implementation = document.implementation as { hasFeature: (feature: string, version?: string) => boolean };
  const hasFeature = implementation.hasFeature.bind(implementation);
  implementation.hasFeature = (feature, version) => !(feature === 'HTML' && version === '2.0') && hasFeature(feature, version);
  let result: ReturnType<ReturnType<typeof useNamespaces>>;
  try {
    result = useNamespaces(ns ?? {})(selector, document);
  } catch {
    return undefined; // a prefix the ns does not bind (a malformed selector is refused when the stub is added)
  }
  if (!Array.isArray(result)) return result;
  const values = result.map(nodeText);
  return values.length ? values : undefined;
}

/** Mountebank's text of a selected node: its value (text, attribute), else its first child's text ('undefined' when none, as in Mountebank). */
function nodeText(node: Node): string {
  if (node.nodeType === node.TEXT_NODE || node.nodeType === node.CDATA_SECTION_NODE) return String(node.nodeValue);
  if (node.nodeType === node.ATTRIBUTE_NODE) return String((node as Node & { value: string }).value);
  const first = node.firstChild as (Node & { data?: string }) | null;
  return String(first ? first.data : (node as Node & { data?: string }).data);
}
