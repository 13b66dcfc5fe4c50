/**
 * The part of the `xpath` package this package calls, typed over xmldom's nodes. Its own typings
 * reference the DOM lib, which would put the browser's globals (fetch, Headers…) into every program
 * that compiles this package; package.json's `imports` maps `#xpath` to them for TypeScript only.
 */
import type { Node } from '@xmldom/xmldom';

/** What an expression gives: the nodes it selects, or a string, number or boolean. */
export type SelectedValue = Node[] | string | number | boolean;

/** Compiles an expression; throws (`XPath parse error`) when it is not XPath 1.0. */
export function parse(expression: string): unknown;

/** `select` with namespace prefixes bound to URIs; throws when an expression does not compile or names an unbound prefix. */
export function useNamespaces(namespaces: Record<string, string>): (expression: string, node: Node) => SelectedValue;
