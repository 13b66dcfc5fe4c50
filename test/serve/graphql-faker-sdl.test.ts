/**
 * SDL written for graphql-faker (the `@fake`, `@examples` and `@listLength` directives, undeclared,
 * as its users write them) is served zero-config, and the auto-mock answers as those directives ask.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStack } from '@mockstack/testing';
import { GraphQLClient } from 'graphql-request';
import { servedSdl } from '../helpers/served-sdl.js';

const SDL = `scalar Email @fake(type: email)

type Company {
  name: String @fake(type: companyName)
  industry: String @examples(values: ["IT", "Manufacturing", "Medicine", "Media"])
  employees: [Employee!] @listLength(min: 5, max: 10)
}

type Employee {
  firstName: String @fake(type: firstName, locale: en_CA)
  address: String @fake(type: streetAddress, options: { useFullAddress: true })
  salary: Float @fake(type: money, options: { minMoney: 1000, maxMoney: 2000 })
  contact: Email
  avatar: String @fake(type: avatarUrl)
  level: Int @examples(values: [1, 2, 3])
}

type Query {
  company(id: ID): Company
  employees: [Employee!]! @listLength(min: 2, max: 3)
}
`;

const served = servedSdl({ 'faker.graphql': SDL });

test('@examples, @fake and @listLength are answered as graphql-faker answers them', async () => {
  type Employee = { firstName: string; address: string; salary: number; contact: string; avatar: string; level: number };
  const data = await new GraphQLClient(served.stack.url('faker')).request<{
    company: { industry: string; employees: Employee[] } | null;
    employees: Employee[];
  }>('{ company(id: "1") { industry employees { level } } employees { firstName address salary contact avatar level } }');
  expect(['IT', 'Manufacturing', 'Medicine', 'Media', undefined]).toContain(data.company?.industry);
  expect(data.company === null || (data.company.employees.length >= 5 && data.company.employees.length <= 10)).toBe(true);
  expect(data.employees.length).toBeGreaterThanOrEqual(2);
  expect(data.employees.length).toBeLessThanOrEqual(3);
  for (const employee of data.employees) {
    expect(employee.salary).toBeGreaterThanOrEqual(1000);
    expect(employee.salary).toBeLessThanOrEqual(2000);
    expect(employee.contact).toMatch(/^[^@\s]+@[^@\s]+$/);
    expect(employee.avatar).toMatch(/^https?:\/\//);
    expect([1, 2, 3]).toContain(employee.level);
    expect(employee.firstName).toMatch(/^[A-Z]/);
  }
});

test('a schema that declares graphql-faker directives itself keeps its own declarations', async () => {
  const declared = join(served.dir, 'declared.graphql');
  writeFileSync(declared, `directive @examples(values: [String]!) on FIELD_DEFINITION\n\ntype Query {\n  colour: String @examples(values: ["red"])\n}\n`);
  const own = await startStack([declared]);
  try {
    expect(await new GraphQLClient(own.url('declared')).request('{ colour }')).toEqual({ colour: 'red' });
  } finally {
    await own.close();
  }
});
