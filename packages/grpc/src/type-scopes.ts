import protobuf from 'protobufjs';

/**
 * Resolves every type a field or method names again by protoc's scoping rules, where protobufjs resolved it to
 * another type, and returns how many it changed.
 *
 * protoc looks a name's first part up among the direct children of each enclosing scope, innermost first.
 * protobufjs 7 also looks inside the nested messages of each scope, so in googleapis' Dataplex
 * `message Lake { message MetastoreStatus { enum State {…} } State state = 8; }` the field was typed
 * Lake.MetastoreStatus.State instead of the package's own State: auto-mocked values and JSON enum names came from
 * the wrong enum, and a field of a message type so resolved was encoded as another message altogether.
 */
export function resolveAsProtoc(root: protobuf.Root): number {
  let changed = 0;
  const visit = (namespace: protobuf.NamespaceBase): void => {
    for (const nested of namespace.nestedArray) {
      if (nested instanceof protobuf.Type) for (const field of nested.fieldsArray) changed += retyped(field);
      else if (nested instanceof protobuf.Field) changed += retyped(nested);
      if (nested instanceof protobuf.Service) for (const method of nested.methodsArray) changed += retypedMethod(method);
      if (nested instanceof protobuf.Namespace) visit(nested);
    }
  };
  visit(root);
  return changed;
}

/** A field whose type protoc resolves elsewhere, typed so: 1, else 0. */
function retyped(field: protobuf.Field): number {
  if (!field.resolvedType) return 0;
  // An extension's copy inside the message it extends names its type as written where it was declared.
  const declared = field.declaringField ?? field;
  const target = protocLookup(declared.parent, declared.type);
  if (!target || target === field.resolvedType) return 0;
  field.type = target.fullName;
  field.resolved = false;
  field.resolvedType = null;
  field.resolve();
  return 1;
}

function retypedMethod(method: protobuf.Method): number {
  let changed = 0;
  const request = protocLookup(method.parent, method.requestType);
  if (request instanceof protobuf.Type && request !== method.resolvedRequestType) {
    method.requestType = request.fullName;
    method.resolvedRequestType = request;
    changed++;
  }
  const response = protocLookup(method.parent, method.responseType);
  if (response instanceof protobuf.Type && response !== method.resolvedResponseType) {
    method.responseType = response.fullName;
    method.resolvedResponseType = response;
    changed++;
  }
  return changed;
}

/** The message or enum `name` means in `scope` by protoc's rules; undefined where they find none (protobufjs' answer stays). */
function protocLookup(scope: protobuf.NamespaceBase | null, name: string): protobuf.Type | protobuf.Enum | undefined {
  if (!scope || name.startsWith('.')) return undefined;
  const [first, ...rest] = name.split('.');
  if (!first) return undefined;
  for (let at: protobuf.NamespaceBase | null = scope; at; at = at.parent) {
    let found: protobuf.ReflectionObject | undefined = at.nested?.[first];
    for (const part of rest) found = found instanceof protobuf.Namespace ? found.nested?.[part] : undefined;
    if (found instanceof protobuf.Type || found instanceof protobuf.Enum) return found;
  }
  return undefined;
}
