import { useEffect, useRef, useState } from 'preact/hooks';
import { AdminError, admin, type MachinesView, type RuleView, type ServiceView, type VariantsView } from './api.js';

/** What an action in a panel came to: done (a status), or refused with why (an alert). */
type Notice = { kind: 'ok' | 'error'; text: string };

function NoticeLine({ notice }: { notice: Notice | undefined }) {
  if (!notice) return null;
  return (
    <p class={notice.kind === 'ok' ? 'saved' : 'problem'} role={notice.kind === 'ok' ? 'status' : 'alert'}>
      {notice.text}
    </p>
  );
}

/** The JSON typed in a box, or the notice saying why it is not JSON. */
function parseTyped(text: string): { value: unknown } | { notice: Notice } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { notice: { kind: 'error', text: `not JSON: ${(error as Error).message}` } };
  }
}

/** Each service: its URL and operations, with the rules that answer them (name, id, file:line). */
export function ServicesPanel({ services, rules }: { services: ServiceView[]; rules: Map<string, RuleView> }) {
  return (
    <div class="cards">
      {services.map((s) => (
        <section class="card" key={s.name} aria-label={`service ${s.name}`}>
          <h2>
            {s.name} <span class={`proto ${s.protocol}`}>{s.protocol}</span>
          </h2>
          <p>
            {s.protocol === 'grpc' ? (
              <code>{s.url}</code>
            ) : (
              <a href={s.url} target="_blank" rel="noreferrer">
                {s.url}
              </a>
            )}
          </p>
          <table class="operations">
            <thead>
              <tr>
                <th scope="col">operation</th>
                <th scope="col">rules</th>
              </tr>
            </thead>
            <tbody>
              {s.operations.map((o) => (
                <tr key={o.id}>
                  <td>
                    <code>{o.id}</code>
                  </td>
                  <td>
                    {o.rules.length === 0 ? (
                      <span class="dim">contract answers</span>
                    ) : (
                      o.rules.map((id) => {
                        const rule = rules.get(id);
                        return (
                          <div key={id}>
                            {rule?.name ? (
                              <>
                                <strong>{rule.name}</strong> <span class="dim">{id}</span>
                              </>
                            ) : (
                              id
                            )}
                            {rule?.source && <span class="dim"> · {rule.source}</span>}
                          </div>
                        );
                      })
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </div>
  );
}

/** A switch per variant; switching one sends the whole active list (as `PUT /__admin/variants` takes it). */
export function VariantsPanel({ variants, onChange }: { variants: VariantsView; onChange: (active: string[]) => void }) {
  if (!variants.available.length) return <p class="empty">The scenario has no variants.</p>;
  return (
    <fieldset class="variants">
      <legend>Variants (take effect from the next request)</legend>
      {variants.available.map((name) => {
        const on = variants.active.includes(name);
        return (
          <label key={name} class="switch">
            <input
              type="checkbox"
              role="switch"
              checked={on}
              aria-checked={on}
              onChange={() => onChange(on ? variants.active.filter((v) => v !== name) : [...variants.active, name])}
            />
            <span>{name}</span>
          </label>
        );
      })}
      {variants.active.length > 0 && (
        <button type="button" onClick={() => onChange([])}>
          All off
        </button>
      )}
    </fieldset>
  );
}

/**
 * The shared state as JSON (Maps as `{"$map": …}`, Sets as `{"$set": …}`), editable: the edit is parsed
 * here, then validated by `PUT /__admin/state`, whose refusal (unknown key, value of another kind) is shown.
 * While the text is being edited, live updates do not overwrite it.
 */
export function StatePanel({ version }: { version: number }) {
  const [text, setText] = useState('');
  const [dirty, setDirty] = useState(false);
  const [message, setMessage] = useState<Notice | undefined>();

  // Counts keystrokes, so a live reload that was already in flight when the user started typing does not
  // overwrite the edit; the Reload/Discard button passes `force`.
  const edits = useRef(0);
  const load = async (force = false) => {
    const editsBefore = edits.current;
    try {
      const current = JSON.stringify(await admin<unknown>('state'), null, 2);
      if (!force && edits.current !== editsBefore) return;
      setText(current);
      setDirty(false);
    } catch (error) {
      setMessage({ kind: 'error', text: (error as Error).message });
    }
  };
  // Reload when the version says the state may have changed (not while the text is being edited).
  useEffect(() => {
    if (!dirty) void load();
  }, [version]);

  const save = async () => {
    const typed = parseTyped(text);
    if ('notice' in typed) return setMessage(typed.notice);
    try {
      setText(JSON.stringify(await admin<unknown>('state', 'PUT', typed.value), null, 2));
      setDirty(false);
      setMessage({ kind: 'ok', text: 'saved: handlers see it from the next request' });
    } catch (error) {
      setMessage({ kind: 'error', text: error instanceof AdminError ? error.message : String(error) });
    }
  };

  return (
    <section class="state" aria-label="State">
      <h2>State</h2>
      <label for="state-json">The scenario's shared state (JSON; send back only the keys you change, or all)</label>
      <textarea
        id="state-json"
        spellcheck={false}
        value={text}
        rows={Math.min(24, Math.max(6, text.split('\n').length + 1))}
        onInput={(event) => {
          edits.current++;
          setText((event.currentTarget as HTMLTextAreaElement).value);
          setDirty(true);
          setMessage(undefined);
        }}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void save();
        }}
      />
      <div class="actions">
        <button type="button" onClick={save} disabled={!dirty}>
          Save state
        </button>
        <button type="button" onClick={() => load(true)}>
          {dirty ? 'Discard edits' : 'Reload'}
        </button>
        <span class="dim">Ctrl+Enter saves</span>
      </div>
      <NoticeLine notice={message} />
    </section>
  );
}

/** Each state machine with its current state, and a setter. */
export function MachinesPanel({ machines, onSet }: { machines: MachinesView; onSet: (machine: string, state: string) => void }) {
  const names = Object.keys(machines.available);
  return (
    <section class="machines" aria-label="State machines">
      <h2>State machines</h2>
      {names.length === 0 ? (
        <p class="empty">The scenario has no state machines.</p>
      ) : (
        <table>
          <tbody>
            {names.map((name) => (
              <tr key={name}>
                <th scope="row">
                  <label for={`machine-${name}`}>{name}</label>
                </th>
                <td>
                  <select
                    id={`machine-${name}`}
                    value={machines.current[name]}
                    onChange={(event) => onSet(name, (event.currentTarget as HTMLSelectElement).value)}
                  >
                    {(machines.available[name] ?? []).map((state) => (
                      <option key={state} value={state}>
                        {state}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** A stub added while serving, as `GET /__admin/mappings` lists it (WireMock's mapping JSON). */
interface StubMapping {
  id: string;
  name?: string;
  priority?: number;
  request?: Record<string, unknown>;
  metadata?: { service?: string };
}

const EXAMPLE_STUB = `{
  "request": { "method": "GET", "urlPath": "/promo" },
  "response": { "status": 200, "jsonBody": { "code": "SPRING" } }
}`;

/** `GET /orders/1` of a mapping's request: its method and whichever URL key it has. */
function stubTarget(request: Record<string, unknown> | undefined): string {
  const url = ['url', 'urlPath', 'urlPathTemplate', 'urlPathPattern', 'urlPattern'].map((key) => request?.[key]).find((value) => typeof value === 'string');
  return `${typeof request?.method === 'string' ? request.method : 'ANY'} ${url ?? '(any URL)'}`;
}

/**
 * Stubs added while serving (WireMock mappings through `/__admin/mappings`): each with a Remove, and a
 * box to add one. They answer before the scenario's rules until removed or reset.
 */
export function StubsPanel({ version }: { version: number }) {
  const [stubs, setStubs] = useState<StubMapping[]>([]);
  const [text, setText] = useState(EXAMPLE_STUB);
  const [message, setMessage] = useState<Notice | undefined>();
  const load = async () => {
    try {
      setStubs((await admin<{ mappings: StubMapping[] }>('mappings')).mappings);
    } catch (error) {
      setMessage({ kind: 'error', text: (error as Error).message });
    }
  };
  // Reloaded when the stack may have changed (a request, a reset).
  useEffect(() => {
    void load();
  }, [version]);
  const add = async () => {
    const typed = parseTyped(text);
    if ('notice' in typed) return setMessage(typed.notice);
    try {
      const added = await admin<StubMapping>('mappings', 'POST', typed.value);
      setMessage({ kind: 'ok', text: `added stub ${added.id}` });
    } catch (error) {
      setMessage({ kind: 'error', text: (error as Error).message });
    }
    await load();
  };
  const remove = async (id: string) => {
    try {
      await admin(`mappings/${encodeURIComponent(id)}`, 'DELETE');
      setMessage({ kind: 'ok', text: `removed stub ${id}` });
    } catch (error) {
      setMessage({ kind: 'error', text: (error as Error).message });
    }
    await load();
  };
  return (
    <section class="stubs" aria-label="Stubs">
      <h2>Stubs added while serving</h2>
      {stubs.length === 0 ? (
        <p class="empty">No stubs: the scenario's rules answer.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">request</th>
              <th scope="col">service</th>
              <th scope="col">priority</th>
              <th scope="col">
                <span class="sr-only">remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {stubs.map((stub) => (
              <tr key={stub.id}>
                <td>
                  <code>{stubTarget(stub.request)}</code>
                  {stub.name && <span class="dim"> · {stub.name}</span>}
                </td>
                <td>{stub.metadata?.service ?? <span class="dim">the only REST service</span>}</td>
                <td>{stub.priority ?? 5}</td>
                <td>
                  <button type="button" class="danger" onClick={() => remove(stub.id)} aria-label={`remove stub ${stubTarget(stub.request)}`}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <label for="stub-editor">
        Add a stub: a WireMock mapping (<code>metadata.service</code> names the REST service when there are several)
      </label>
      <textarea
        id="stub-editor"
        spellcheck={false}
        rows={Math.min(20, Math.max(6, text.split('\n').length + 1))}
        value={text}
        onInput={(event) => {
          setText((event.currentTarget as HTMLTextAreaElement).value);
          setMessage(undefined);
        }}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void add();
        }}
      />
      <div class="actions">
        <button type="button" onClick={add}>
          Add stub
        </button>
        <span class="dim">Ctrl+Enter adds · Reset removes every stub</span>
      </div>
      <NoticeLine notice={message} />
    </section>
  );
}
