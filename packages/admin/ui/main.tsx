import { render } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { admin, type Health, type JournalEntry, type MachinesView, type RuleView, type ServiceView, type VariantsView } from './api.js';
import { JournalView } from './journal.js';
import { MachinesPanel, ServicesPanel, StatePanel, StubsPanel, VariantsPanel } from './panels.js';
import './style.css';

/** Entries the page keeps (the newest); the admin API's journal keeps its own bound. */
const KEPT_ENTRIES = 2000;

const TABS = ['journal', 'services', 'stubs', 'variants', 'state'] as const;
type Tab = (typeof TABS)[number];
const TAB_LABELS: Record<Tab, string> = { journal: 'Journal', services: 'Services', stubs: 'Stubs', variants: 'Variants', state: 'State & machines' };

type Feed = 'connecting' | 'live' | 'reconnecting';

function App() {
  const [tab, setTab] = useState<Tab>('journal');
  const [entries, setEntries] = useState<JournalEntry[]>([]);
  const [feed, setFeed] = useState<Feed>('connecting');
  const [health, setHealth] = useState<Health | undefined>();
  const [services, setServices] = useState<ServiceView[]>([]);
  const [rules, setRules] = useState<Map<string, RuleView>>(new Map());
  const [variants, setVariants] = useState<VariantsView>({ active: [], available: [] });
  const [machines, setMachines] = useState<MachinesView>({ current: {}, available: {} });
  const [problem, setProblem] = useState<string | undefined>();
  /** Bumped when something may have changed the state (a request, a reset): the state panel reloads. */
  const [stateVersion, setStateVersion] = useState(0);

  const refreshModel = useCallback(async () => {
    try {
      const [h, s, r] = await Promise.all([admin<Health>('health'), admin<ServiceView[]>('services'), admin<RuleView[]>('rules')]);
      setHealth(h);
      setServices(s);
      setRules(new Map(r.map((rule) => [rule.id, rule])));
    } catch (error) {
      setProblem((error as Error).message);
    }
  }, []);
  // Only the latest refresh applies: an older one (started before a toggle) answering last would undo the toggle on the page.
  const steeringTicket = useRef(0);
  const refreshSteering = useCallback(async () => {
    const ticket = ++steeringTicket.current;
    try {
      const [v, m] = await Promise.all([admin<VariantsView>('variants'), admin<MachinesView>('machines')]);
      if (ticket !== steeringTicket.current) return;
      setVariants(v);
      setMachines(m);
      setStateVersion((n) => n + 1);
    } catch (error) {
      setProblem((error as Error).message);
    }
  }, []);

  useEffect(() => {
    void refreshModel();
    void refreshSteering();
  }, [refreshModel, refreshSteering]);

  // The live journal: one EventSource; what arrives in one turn is applied in one render.
  const steeringTimer = useRef<number | undefined>(undefined);
  useEffect(() => {
    const source = new EventSource('events');
    let batch: JournalEntry[] = [];
    let scheduled = false;
    const apply = () => {
      scheduled = false;
      const arrived = batch;
      batch = [];
      setEntries((kept) => {
        const known = new Set(kept.map((e) => e.id));
        const fresh = arrived.filter((e) => !known.has(e.id));
        return [...fresh.reverse(), ...kept].slice(0, KEPT_ENTRIES);
      });
      // A request may move state machines or change the state (and a --watch reload the services): refresh once things calm down.
      window.clearTimeout(steeringTimer.current);
      steeringTimer.current = window.setTimeout(() => {
        void refreshSteering();
        void refreshModel();
      }, 250);
    };
    source.addEventListener('entry', (event) => {
      batch.push(JSON.parse((event as MessageEvent<string>).data) as JournalEntry);
      if (!scheduled) {
        scheduled = true;
        queueMicrotask(apply);
      }
    });
    source.addEventListener('removed', (event) => {
      const ids = new Set(JSON.parse((event as MessageEvent<string>).data) as number[]);
      setEntries((kept) => kept.filter((e) => !ids.has(e.id)));
    });
    source.addEventListener('cleared', () => {
      setEntries([]);
      void refreshSteering();
    });
    source.addEventListener('ready', () => setFeed('live'));
    source.onerror = () => setFeed('reconnecting');
    return () => source.close();
  }, [refreshSteering, refreshModel]);

  const act = useCallback(
    async (action: () => Promise<unknown>) => {
      setProblem(undefined);
      try {
        await action();
      } catch (error) {
        setProblem((error as Error).message);
      }
      await refreshSteering();
    },
    [refreshSteering],
  );

  const reset = () => act(() => admin('reset', 'POST'));
  // The switch shows the user's choice at once (a re-render before the server answered would flip it back);
  // a refresh already in flight is dropped, and the one after the PUT shows what the server took.
  const switchVariants = (active: string[]) => {
    steeringTicket.current++;
    setVariants((current) => ({ ...current, active }));
    void act(() => admin('variants', 'PUT', { active }));
  };
  const tabIndex = TABS.indexOf(tab);
  const onTabKey = (event: KeyboardEvent) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next = TABS[(tabIndex + step + TABS.length) % TABS.length] as Tab;
    setTab(next);
    document.getElementById(`tab-${next}`)?.focus();
  };
  const unmatched = useMemo(() => entries.filter((e) => e.rule === null).length, [entries]);

  return (
    <>
      <header class="top">
        <h1>
          mockstack <span class="scenario">{health?.scenario ?? '…'}</span>
        </h1>
        <span class="meta">
          {health ? `seed ${health.seed}` : ''}
          {variants.active.length ? ` · variants ${variants.active.join(', ')}` : ''}
        </span>
        <output class={`feed ${feed}`} aria-live="polite">
          {feed === 'live' ? '● live' : feed === 'connecting' ? '○ connecting' : '○ reconnecting…'}
        </output>
        <button type="button" class="danger" onClick={reset} title="state and machines back to the seed, counters restarted, journal emptied">
          Reset
        </button>
      </header>
      {problem && (
        <p class="problem" role="alert">
          {problem}{' '}
          <button type="button" class="link" onClick={() => setProblem(undefined)}>
            dismiss
          </button>
        </p>
      )}
      <div role="tablist" aria-label="Views" class="tabs" onKeyDown={onTabKey}>
        {TABS.map((name) => (
          <button
            type="button"
            role="tab"
            id={`tab-${name}`}
            key={name}
            aria-selected={tab === name}
            aria-controls={`panel-${name}`}
            tabIndex={tab === name ? 0 : -1}
            onClick={() => setTab(name)}
          >
            {TAB_LABELS[name]}
            {name === 'journal' && (
              <span class="count">
                {entries.length}
                {unmatched ? ` · ${unmatched} unmatched` : ''}
              </span>
            )}
          </button>
        ))}
      </div>
      <main>
        <div id={`panel-${tab}`} role="tabpanel" aria-labelledby={`tab-${tab}`}>
          {tab === 'journal' && <JournalView entries={entries} rules={rules} services={services} />}
          {tab === 'services' && <ServicesPanel services={services} rules={rules} />}
          {tab === 'stubs' && <StubsPanel version={stateVersion} />}
          {tab === 'variants' && <VariantsPanel variants={variants} onChange={switchVariants} />}
          {tab === 'state' && (
            <>
              <StatePanel version={stateVersion} />
              <MachinesPanel machines={machines} onSet={(name, state) => act(() => admin('machines', 'PUT', { [name]: state }))} />
            </>
          )}
        </div>
      </main>
    </>
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
