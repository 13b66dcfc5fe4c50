/**
 * The part of the `xpath` package this package calls, typed over xmldom's nodes. Its own typings
 * reference the DOM lib, which would put the browser's globals (fetch, Headers…) into every program
 * that compiles this package; package.json's `imports` maps `#xpath` to them for TypeScript only.
 */
import type { Node } from '@xmldom/xmldom';

/** What an expression gives: the nodes it selects, or a string, number or boolean. */
export type SelectedValue = Node[] | Node | string | number | boolean | null;

/** Evaluates an XPath 1.0 expression on a node; throws when it does not compile or names an unbound prefix. */
export function select(expression: string, node: Node): SelectedValue;

/** `select` with namespace prefixes bound to URIs. */
export function useNamespaces(namespaces: Record<string, string>): (expression: string, node: Node) => SelectedValue;
