import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import type { JournalEntry, RuleView, ServiceView } from './api.js';

interface Filters {
  service: string;
  protocol: string;
  operation: string;
  status: string;
  matched: '' | 'matched' | 'unmatched';
  text: string;
}

const NO_FILTERS: Filters = { service: '', protocol: '', operation: '', status: '', matched: '', text: '' };

/** The journal, newest first, with filters and the selected entry's detail. */
export function JournalView({ entries, rules, services }: { entries: JournalEntry[]; rules: Map<string, RuleView>; services: ServiceView[] }) {
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [selected, setSelected] = useState<number | undefined>();
  const set = (key: keyof Filters) => (event: Event) => setFilters({ ...filters, [key]: (event.currentTarget as HTMLInputElement).value });

  const choices = useMemo(() => {
    const of = (pick: (e: JournalEntry) => string, extra: string[] = []) => [...new Set([...extra, ...entries.map(pick)])].sort();
    return {
      service: of(
        (e) => e.service,
        services.map((s) => s.name),
      ),
      protocol: of(
        (e) => e.protocol,
        services.map((s) => s.protocol),
      ),
      operation: of(
        (e) => e.operation,
        services.flatMap((s) => s.operations.map((o) => o.id)),
      ),
      status: of((e) => String(e.status)),
    };
  }, [entries, services]);

  const shown = useMemo(() => entries.filter((e) => passes(e, filters, rules)), [entries, filters, rules]);
  const entry = entries.find((e) => e.id === selected);

  const onListKey = (event: KeyboardEvent) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp' && event.key !== 'Home' && event.key !== 'End') return;
    event.preventDefault();
    const at = shown.findIndex((e) => e.id === selected);
    const next =
      event.key === 'Home' ? 0 : event.key === 'End' ? shown.length - 1 : Math.max(0, Math.min(shown.length - 1, at + (event.key === 'ArrowDown' ? 1 : -1)));
    const target = shown[next];
    if (!target) return;
    setSelected(target.id);
    document.getElementById(`entry-${target.id}`)?.focus();
  };

  return (
    <div class="journal">
      <form class="filters" aria-label="Filter the journal" onSubmit={(event) => event.preventDefault()}>
        <Choice label="Service" value={filters.service} options={choices.service} onChange={set('service')} />
        <Choice label="Protocol" value={filters.protocol} options={choices.protocol} onChange={set('protocol')} />
        <Choice label="Operation" value={filters.operation} options={choices.operation} onChange={set('operation')} />
        <Choice label="Status" value={filters.status} options={choices.status} onChange={set('status')} />
        <label>
          Answered
          <select value={filters.matched} onChange={set('matched')}>
            <option value="">all</option>
            <option value="matched">by a rule</option>
            <option value="unmatched">unmatched</option>
          </select>
        </label>
        <label class="grow">
          Text
          <input type="search" value={filters.text} onInput={set('text')} placeholder="target, rule, body, header…" />
        </label>
        {filters !== NO_FILTERS && (
          <button type="button" class="link" onClick={() => setFilters(NO_FILTERS)}>
            clear filters
          </button>
        )}
      </form>
      <div class="split">
        <section class="list" aria-label="Requests">
          {entries.length === 0 ? (
            <p class="empty">No requests yet. They appear here as they arrive.</p>
          ) : shown.length === 0 ? (
            <p class="empty">No request matches the filters.</p>
          ) : (
            <div role="listbox" class="rows" aria-label="Requests, newest first" onKeyDown={onListKey}>
              {shown.map((e) => (
                <div
                  key={e.id}
                  id={`entry-${e.id}`}
                  role="option"
                  tabIndex={e.id === (selected ?? shown[0]?.id) ? 0 : -1}
                  aria-selected={e.id === selected}
                  class={`entry ${statusClass(e)}`}
                  onClick={() => setSelected(e.id)}
                  onKeyDown={(event) => {
                    if (event.key === 'Enter' || event.key === ' ') {
                      event.preventDefault();
                      setSelected(e.id);
                    }
                  }}
                >
                  <span class="time">{e.time.slice(11, 23)}</span>
                  <span class={`proto ${e.protocol}`}>{e.protocol}</span>
                  <span class="service">{e.service}</span>
                  <span class="target" title={e.target}>
                    {shortTarget(e)}
                  </span>
                  <span class="status">{String(e.status)}</span>
                  <span class="rule">{ruleLabel(e, rules)}</span>
                  <span class="ms">{e.durationMs.toFixed(1)} ms</span>
                </div>
              ))}
            </div>
          )}
        </section>
        <section class="detail" aria-label="Request detail" aria-live="polite">
          {entry ? <Detail entry={entry} rules={rules} /> : <p class="empty">Select a request to see what was sent and answered.</p>}
        </section>
      </div>
    </div>
  );
}

function Choice({ label, value, options, onChange }: { label: string; value: string; options: string[]; onChange: (event: Event) => void }) {
  return (
    <label>
      {label}
      <select value={value} onChange={onChange}>
        <option value="">all</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

function passes(e: JournalEntry, f: Filters, rules: Map<string, RuleView>): boolean {
  if (f.service && e.service !== f.service) return false;
  if (f.protocol && e.protocol !== f.protocol) return false;
  if (f.operation && e.operation !== f.operation) return false;
  if (f.status && String(e.status) !== f.status) return false;
  if (f.matched === 'matched' && e.rule === null) return false;
  if (f.matched === 'unmatched' && e.rule !== null) return false;
  if (f.text) {
    const needle = f.text.toLowerCase();
    const haystack = `${e.target} ${e.operation} ${e.service} ${e.status} ${ruleLabel(e, rules)} ${JSON.stringify(e.request)} ${JSON.stringify(e.response ?? '')}`;
    if (!haystack.toLowerCase().includes(needle)) return false;
  }
  return true;
}

/** Protocols whose calls are gRPC methods: native gRPC, and Connect / gRPC-Web on a gRPC service's web port. */
const RPC_PROTOCOLS = new Set(['grpc', 'connect', 'grpc-web']);

/**
 * The target as the list shows it: a gRPC method without its package (`Greeter/SayHello`), a GraphQL request by
 * its operation (`query Home`); the full target is its tooltip.
 */
function shortTarget(e: JournalEntry): string {
  if (RPC_PROTOCOLS.has(e.protocol)) return e.target.replace(/^\/?(?:[\w]+\.)*/, '');
  if (e.protocol === 'graphql' && /^(query|mutation|subscription)\b/.test(e.operation)) return e.operation;
  return e.target;
}

/** A GraphQL request's document and variables, when its body is one (`{ query, variables, operationName }`). */
function graphqlRequestOf(e: JournalEntry): { query: string; variables: unknown } | undefined {
  const body = e.request.body;
  if (e.protocol !== 'graphql' || typeof body !== 'object' || body === null) return undefined;
  const { query, variables } = body as { query?: unknown; variables?: unknown };
  return typeof query === 'string' ? { query, variables } : undefined;
}

function ruleLabel(e: JournalEntry, rules: Map<string, RuleView>): string {
  if (e.rule === null) return e.miss ? 'unmatched' : '–';
  return rules.get(e.rule)?.name ?? e.rule;
}

function statusClass(e: JournalEntry): string {
  if (e.rule === null) return 'unmatched';
  const s = e.status;
  if (typeof s === 'number') return s >= 500 ? 'bad' : s >= 400 ? 'warn' : 'ok';
  return s === 'OK' ? 'ok' : 'bad';
}

function Detail({ entry: e, rules }: { entry: JournalEntry; rules: Map<string, RuleView> }) {
  const rule = e.rule === null ? undefined : rules.get(e.rule);
  const grpc = RPC_PROTOCOLS.has(e.protocol);
  const graphqlRequest = graphqlRequestOf(e);
  return (
    <article>
      <h2>
        <span class={`proto ${e.protocol}`}>{e.protocol}</span> {e.target} → <span class={`status ${statusClass(e)}`}>{String(e.status)}</span>
      </h2>
      <p class="meta">
        #{e.id} · {e.service} · {e.operation} · {new Date(e.time).toLocaleTimeString()} · {e.durationMs.toFixed(1)} ms
        {e.variants.length ? ` · variants ${e.variants.join(', ')}` : ''}
      </p>
      {e.rule !== null && (
        <p class="answered">
          Answered by <strong>{rule?.name ?? e.rule}</strong>
          {rule?.name ? ` (${e.rule})` : ''}
          {rule?.source && (
            <>
              {' '}
              at <code>{rule.source}</code>
            </>
          )}
          {e.rule.startsWith('contract:') && ' — no rule answered, the contract did'}
        </p>
      )}
      {e.miss && (
        <section class="miss">
          <h3>Why no rule answered</h3>
          <p>{e.miss.message}</p>
          {e.miss.nearest && (
            <dl>
              <dt>nearest rule</dt>
              <dd>
                <code>{e.miss.nearest.rule}</code>
                {e.miss.nearest.source ? ` at ${e.miss.nearest.source}` : ''}
              </dd>
              <dt>it wanted</dt>
              <dd>{e.miss.nearest.wanted.join('; ')}</dd>
              <dt>what differed</dt>
              <dd>{e.miss.nearest.missed.join('; ')}</dd>
            </dl>
          )}
          <p class="hint">{e.miss.hint}</p>
        </section>
      )}
      {(e.error || e.strayErrors?.length) && (
        <section class="errors">
          <h3>Errors</h3>
          {e.error && <pre>{e.error}</pre>}
          {e.strayErrors?.map((s) => (
            <pre key={s}>{s}</pre>
          ))}
        </section>
      )}
      <h3>Request</h3>
      <Pairs title={grpc ? 'metadata' : 'headers'} values={e.request.headers} />
      <Pairs title="query" values={e.request.query} />
      <Pairs title="params" values={e.request.params} />
      {graphqlRequest ? (
        <>
          <Body title="operation" value={graphqlRequest.query} />
          <Body title="variables" value={graphqlRequest.variables} />
        </>
      ) : (
        <Body title={grpc ? 'message' : 'body'} value={e.request.body} />
      )}
      <h3>Response</h3>
      {e.response ? (
        <>
          <p class="meta">
            status <span class={`status ${statusClass(e)}`}>{String(e.response.status)}</span>
            {e.code && e.code !== String(e.response.status) ? ` · ${e.code}` : ''}
          </p>
          <Pairs title={grpc ? 'metadata' : 'headers'} values={e.response.headers} />
          {grpc && <Pairs title="trailers" values={e.response.trailers} />}
          {e.response.messages ? (
            <Messages messages={e.response.messages} dropped={e.response.droppedMessages} />
          ) : (
            <Body title={grpc ? 'message' : 'body'} value={e.response.body} />
          )}
          {e.response.truncatedBytes !== undefined && <p class="hint">The body has {e.response.truncatedBytes} bytes of JSON; this is its start.</p>}
        </>
      ) : (
        <p class="empty">Nothing recorded.</p>
      )}
    </article>
  );
}

function Pairs({ title, values }: { title: string; values: Record<string, unknown> | undefined }) {
  const rows = Object.entries(values ?? {});
  if (!rows.length) return null;
  return (
    <details open>
      <summary>
        {title} ({rows.length})
      </summary>
      <table class="pairs">
        <tbody>
          {rows.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>{typeof v === 'string' ? v : JSON.stringify(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function Body({ title, value }: { title: string; value: unknown }) {
  if (value === undefined || value === null || value === '') return null;
  return (
    <Block title={title}>
      <pre class="body">{typeof value === 'string' ? value : JSON.stringify(value, null, 2)}</pre>
    </Block>
  );
}

function Messages({ messages, dropped }: { messages: NonNullable<NonNullable<JournalEntry['response']>['messages']>; dropped: number | undefined }) {
  return (
    <Block title={`stream messages (${messages.length}${dropped ? `, ${dropped} more not kept` : ''})`}>
      <ol class="messages">
        {messages.map((m, i) => (
          <li key={i}>
            <span class="at">
              +{m.atMs.toFixed(1)} ms {m.direction === 'in' ? '⇠ received' : '⇢ sent'}
            </span>
            <pre class="body">{JSON.stringify(m.message, null, 2)}</pre>
          </li>
        ))}
      </ol>
    </Block>
  );
}

function Block({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <details open>
      <summary>{title}</summary>
      {children}
    </details>
  );
}
