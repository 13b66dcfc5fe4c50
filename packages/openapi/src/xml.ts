import { isObject, type JsonObject } from './pointer.js';

/** `application/xml`, `text/xml`, `application/atom+xml`… */
export function isXmlMediaType(type: string): boolean {
  return /^(?:application|text)\/(?:[\w.+-]+\+)?xml\b/i.test(type);
}

/**
 * A value as XML, shaped by its schema's `xml` objects (OpenAPI 3 §4.8.26): element `name`,
 * `attribute`, `wrapped` arrays, `prefix` and `namespace`. The root element is named by the
 * schema's `xml.name`, else the component it comes from, else `root`.
 */
export function toXml(value: unknown, schema: unknown, resolve: (node: unknown) => unknown): string {
  const root = resolve(schema);
  const name = xmlOf(root).name ?? componentName(schema) ?? 'root';
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element(name, value, root, resolve, 0)}`;
}

interface XmlObject {
  name?: string | undefined;
  namespace?: string | undefined;
  prefix?: string | undefined;
  attribute?: boolean | undefined;
  wrapped?: boolean | undefined;
}

function xmlOf(schema: unknown): XmlObject {
  const xml = isObject(schema) && isObject(schema.xml) ? schema.xml : {};
  return {
    name: typeof xml.name === 'string' ? xml.name : undefined,
    namespace: typeof xml.namespace === 'string' ? xml.namespace : undefined,
    prefix: typeof xml.prefix === 'string' ? xml.prefix : undefined,
    attribute: xml.attribute === true,
    wrapped: xml.wrapped === true,
  };
}

function componentName(raw: unknown): string | undefined {
  const ref = isObject(raw) ? raw.$ref : undefined;
  return typeof ref === 'string' ? ref.slice(ref.lastIndexOf('/') + 1) : undefined;
}

function qualified(name: string, xml: XmlObject): string {
  return xml.prefix ? `${xml.prefix}:${name}` : name;
}

function namespaceAttribute(xml: XmlObject): string {
  if (!xml.namespace) return '';
  return xml.prefix ? ` xmlns:${xml.prefix}="${escapeXml(xml.namespace)}"` : ` xmlns="${escapeXml(xml.namespace)}"`;
}

function element(name: string, value: unknown, rawSchema: unknown, resolve: (node: unknown) => unknown, depth: number): string {
  const schema = resolve(rawSchema);
  const xml = xmlOf(schema);
  const tag = qualified(xml.name ?? name, xml);
  if (value === null || value === undefined) return `<${tag}${namespaceAttribute(xml)}/>`;
  if (Array.isArray(value)) {
    const items = isObject(schema) ? schema.items : undefined;
    const itemName = xmlOf(resolve(items)).name ?? xml.name ?? name;
    const children = value.map((item) => element(itemName, item, items, resolve, depth + 1)).join('');
    return xml.wrapped || depth === 0 ? `<${tag}${namespaceAttribute(xml)}>${children}</${tag}>` : children;
  }
  if (isObject(value)) {
    const properties: JsonObject = isObject(schema) && isObject(schema.properties) ? schema.properties : {};
    let attributes = namespaceAttribute(xml);
    let children = '';
    for (const [key, child] of Object.entries(value)) {
      const property = properties[key];
      const propertyXml = xmlOf(resolve(property));
      if (propertyXml.attribute && (child === null || typeof child !== 'object')) {
        attributes += ` ${qualified(propertyXml.name ?? key, propertyXml)}="${escapeXml(String(child))}"`;
      } else children += element(key, child, property, resolve, depth + 1);
    }
    return `<${tag}${attributes}>${children}</${tag}>`;
  }
  return `<${tag}${namespaceAttribute(xml)}>${escapeXml(String(value))}</${tag}>`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
