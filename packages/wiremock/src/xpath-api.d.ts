/**
 * The part of the `xpath` package this package calls, typed over xmldom's nodes. Its own typings
 * reference the DOM lib, which would put the browser's globals (fetch, Headers…) into every program
 * that compiles this package; package.json's `imports` maps `#xpath` to them for TypeScript only.
 */
import type { Node } from '@xmldom/xmldom';

/** What an expression gives: a node set (`toArray`), or a string, number or boolean (`stringValue`). */
export interface XPathValue {
  toArray?: () => Node[];
  stringValue(): string;
}

/** A compiled XPath 1.0 expression. */
export interface XPathExpression {
  /** `isHtml: false`: names compare case-sensitively (xmldom claims HTML 2.0, which would make them not). */
  evaluate(options: { node: Node; namespaces?: Record<string, string>; isHtml: boolean }): XPathValue;
}

/** Compiles an expression; throws (`XPath parse error`) when it is not XPath 1.0. */
export function parse(expression: string): XPathExpression;
