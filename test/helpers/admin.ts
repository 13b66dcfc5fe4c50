import { type RunningStack, runScenario } from '@mockstack/runner';

/** A request to the admin API at `admin` (its `/__admin` URL); a string body is sent as is (e.g. malformed JSON). */
export function adminRequest(admin: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${admin}${path}`, {
    method,
    ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

/** A scenario served with its admin API for the tests of a file: started before them, reset before each, closed after. */
export interface ServedWithAdmin {
  running: RunningStack;
  /** The admin API's `/__admin` URL. */
  admin: string;
  /** The URL of the service named when serving. */
  url: string;
}

export function serveWithAdmin(scenario: object, service: string): ServedWithAdmin {
  const served = { admin: '', url: '' } as ServedWithAdmin;
  beforeAll(async () => {
    served.running = await runScenario(scenario, { randomPorts: true, adminPort: 0 });
    served.admin = served.running.admin?.url ?? '';
    served.url = served.running.stack.address(service).url;
  });
  afterAll(() => served.running.close());
  beforeEach(() => served.running.stack.engine.reset());
  return served;
}
