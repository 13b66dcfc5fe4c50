import { readableProtoText } from './proto-text.js';

test('a list of messages in an option value becomes the field repeated, each line where it was', () => {
  const text = ['option (sw) = {', '  title: "x";', '  tags: [', '    {name: "A"; description: "a, [b]"},', '    <name: "B">', '  ];', '};'].join('\n');
  const rewritten = readableProtoText(text);
  expect(rewritten.split('\n')).toHaveLength(7);
  expect(rewritten.replace(/\s+/g, ' ')).toBe('option (sw) = { title: "x"; tags {name: "A"; description: "a, [b]"} tags <name: "B"> ; };');
});

test('nested lists, empty lists, and what is not a list of messages', () => {
  expect(readableProtoText('o: { a: [{ b: [{ c: 1 }, { c: 2 }] }], e: [], n: [1, 2] }').replace(/\s+/g, ' ')).toBe(
    'o: { a { b { c: 1 } b { c: 2 } } , n: [1, 2] }',
  );
  const untouched = ['int32 x = 1 [(v.rules) = { repeated: { items: [1] } }];', '// tags: [{a: 1}]', 'string s = 2 [default = "[{x}]"];'].join('\n');
  expect(readableProtoText(untouched)).toBe(untouched);
});
