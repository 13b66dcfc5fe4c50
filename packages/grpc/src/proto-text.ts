/**
 * What protobufjs' parser cannot read in a .proto file's text, rewritten to what it reads, before it
 * parses the file. Every rewrite keeps each line where it was, so errors still name the right line.
 *
 * A list of messages in an option's value (protobuf text format, `tags: [{ name: "a" }, { name: "b" }]`):
 * grpc-gateway's openapiv2 annotations are written so (Temporal's Cloud API, Zitadel, many gateways'
 * protos), and protobufjs 7 fails on them with "illegal value '{'". Text format says the same thing by
 * repeating the field (`tags { name: "a" } tags { name: "b" }`), which protobufjs reads; an empty list
 * (`tags: []`) says nothing and goes.
 */
export function readableProtoText(text: string): string {
  if (!text.includes('[')) return text;
  return rewriteLists(text);
}

const NAME_BEFORE = /([A-Za-z_][\w.]*)(\s*:?\s*)$/;

function rewriteLists(text: string): string {
  let out = '';
  let copied = 0;
  for (let i = 0; i < text.length; ) {
    const skipped = skipStringOrComment(text, i);
    if (skipped !== i) {
      i = skipped;
      continue;
    }
    if (text[i] !== '[') {
      i++;
      continue;
    }
    const list = messageList(text, i);
    if (!list) {
      i++;
      continue;
    }
    const before = out + text.slice(copied, i);
    // The name is a few characters back (a long tail keeps the regex from scanning the whole file).
    const named = NAME_BEFORE.exec(before.slice(-256));
    if (!named?.[1]) {
      i++;
      continue;
    }
    const name = named[1];
    // The name and what separated it from `[` go, then each item is written after the name again.
    let written = before.slice(0, before.length - named[0].length);
    if (list.items.length === 0) {
      // The separator after it goes too: protobufjs skips one `,` or `;` after a field, not two.
      const after = skipSpace(text, list.end);
      if (text[after] === ',' || text[after] === ';') list.end = after + 1;
      written += blank(named[0]) + blank(text.slice(i, list.end));
    }
    for (const [index, item] of list.items.entries()) {
      const gap = blank(index === 0 ? `${named[2] ?? ''}${text.slice(i, item.start)}` : text.slice(list.items[index - 1]?.end ?? i, item.start));
      written += `${index === 0 ? name : ` ${name}`} ${gap}${rewriteLists(text.slice(item.start, item.end))}`;
    }
    const last = list.items.at(-1);
    if (last) written += blank(text.slice(last.end, list.end));
    out = written;
    copied = list.end;
    i = list.end;
  }
  return out + text.slice(copied);
}

/** Whitespace in place of `text`, keeping its line breaks. */
function blank(text: string): string {
  return text.replace(/[^\n]/g, ' ');
}

/** The items of a list of messages starting at `open` (`[`): each `{…}` or `<…>`; undefined if it is not one. */
function messageList(text: string, open: number): { items: { start: number; end: number }[]; end: number } | undefined {
  const items: { start: number; end: number }[] = [];
  let i = skipSpace(text, open + 1);
  if (text[i] === ']') return { items, end: i + 1 };
  for (;;) {
    if (text[i] !== '{' && text[i] !== '<') return undefined;
    const end = closingOf(text, i);
    if (end === undefined) return undefined;
    items.push({ start: i, end });
    i = skipSpace(text, end);
    if (text[i] === ']') return { items, end: i + 1 };
    if (text[i] !== ',') return undefined;
    i = skipSpace(text, i + 1);
  }
}

/** The index after the `}` or `>` that closes the message opened at `open`. */
function closingOf(text: string, open: number): number | undefined {
  let depth = 0;
  for (let i = open; i < text.length; ) {
    const skipped = skipStringOrComment(text, i);
    if (skipped !== i) {
      i = skipped;
      continue;
    }
    const c = text[i];
    if (c === '{' || c === '<') depth++;
    else if (c === '}' || c === '>') {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return undefined;
}

function skipSpace(text: string, from: number): number {
  let i = from;
  for (;;) {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
    const skipped = text[i] === '/' ? skipStringOrComment(text, i) : i;
    if (skipped === i) return i;
    i = skipped;
  }
}

/** The index after a string literal or comment starting at `i`; `i` itself if none starts there. */
function skipStringOrComment(text: string, i: number): number {
  const c = text[i];
  if (c === '"' || c === "'") {
    let j = i + 1;
    while (j < text.length && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
    return j + 1;
  }
  if (c === '/' && text[i + 1] === '/') {
    const end = text.indexOf('\n', i);
    return end === -1 ? text.length : end;
  }
  if (c === '/' && text[i + 1] === '*') {
    const end = text.indexOf('*/', i + 2);
    return end === -1 ? text.length : end + 2;
  }
  return i;
}
