import type { IncomingMessage } from 'node:http';
import { type CoreRequest, type Engine, makeFault, type Outcome, parseDuration } from '@mockstack/core';
import { createSourceEventStream, type ExecutionArgs, type ExecutionResult, GraphQLError, type GraphQLFieldResolver } from 'graphql';
import { operationOf } from './documents.js';
import { extensionsOf, FieldFault, NONE, type RequestContext as ResolverContext, type SubscriptionWiring } from './field-bridge.js';
import { type GraphqlExecutor, INVALID } from './graphql-executor.js';
import {
  AutoEvent,
  type AutoStreamSettings,
  autoStream,
  DEFAULT_AUTO_STREAM,
  EventStream,
  faultEvent,
  type StreamedParams,
  type StreamSpec,
  type SubscriptionHost,
  type SubscriptionTransport,
  streamItemsOf,
} from './subscriptions.js';

// Operations sent over graphql-ws and graphql-sse (subscriptions.ts carries them): their rules,
// subscriptions to Subscription fields and their events, and what the journal says of each.

/** What every resolver of one request sees as its GraphQL context, here with the subscription transport. */
interface RequestContext extends ResolverContext {
  /** Set for an operation sent over graphql-ws or graphql-sse. */
  streamed: Streamed | undefined;
}

/** An operation carried by a subscription transport, and (for a subscription) its source stream once subscribed. */
interface Streamed {
  transport: SubscriptionTransport;
  startedAt: number;
  source: EventStream | undefined;
  /** The subscription field's request as journaled, what answered it, and the events sent so far. */
  subscription: { request: SubscriptionRequest; outcome: Outcome; events: number } | undefined;
  /** A query's or mutation's whole result, when an operation rule answered `respond(result)`. */
  answered?: ExecutionResult | undefined;
}

/**
 * The streamed side of one GraphQL service. Made before its executor (`subscriptionField` wires the
 * executor's Subscription fields to it), then given the executor with `serve`.
 */
export class StreamedOperations {
  readonly #service: string;
  readonly #engine: Engine;
  readonly #autoStream: AutoStreamSettings;
  #executor!: GraphqlExecutor;

  constructor(service: string, engine: Engine, subscriptions: unknown) {
    this.#service = service;
    this.#engine = engine;
    this.#autoStream = autoStreamOf(subscriptions);
  }

  serve(executor: GraphqlExecutor): void {
    this.#executor = executor;
  }

  /** Wires a Subscription field: subscribing asks the engine; each event is the field's value. */
  readonly subscriptionField: SubscriptionWiring = (field, operation, mock: GraphQLFieldResolver<unknown, unknown>) => {
    const fieldName = field.name;
    field.subscribe = (_source, args, context) => this.#subscribe(operation, fieldName, args, context as RequestContext);
    // Each event is the field's value: auto-mocked for an AutoEvent (its index varies the values), a Fault is that field's error.
    field.resolve = (event, args, context, info) => {
      if (event instanceof AutoEvent || event === undefined)
        return mock(undefined, { ...args, event: event instanceof AutoEvent ? event.index : -1 }, context, info);
      const fault = faultEvent(event);
      if (fault) throw new FieldFault(fault);
      return event;
    };
  };

  /**
   * Subscribes to a Subscription field: the engine answers it like any operation (rules, variants,
   * service faults and delays), its answer is the stream of events (`graphql.stream`, an array, an
   * async iterable), and without a rule the schema's auto-mock streams a few events. What handlers
   * publish on the field's name joins the stream. Journaled once here, then once per event sent.
   */
  async #subscribe(operation: string, fieldName: string, args: Record<string, unknown>, ctx: RequestContext): Promise<EventStream> {
    const streamed = ctx.streamed;
    if (!streamed) throw new Error('subscriptions are served over WebSocket (graphql-ws) and SSE (graphql-sse)');
    const controller = new AbortController();
    const startedAt = performance.now();
    const request = new SubscriptionRequest(this.#service, operation, ctx.core.headers, args, `${ctx.core.target}`, {
      parent: undefined,
      args,
      variables: ctx.variables,
      operationName: ctx.operationName,
      info: undefined,
    });
    request.signal = controller.signal;
    const outcome = await this.#engine.handle(request, 'unmatched');
    let spec: StreamSpec;
    switch (outcome.kind) {
      case 'body':
        spec = streamItemsOf(outcome.body);
        break;
      case 'reply':
        spec = streamItemsOf(outcome.reply.body);
        break;
      case 'fault': {
        const fault = outcome.fault;
        this.#engine.record(request, outcome, { status: fault.transport ? 'dropped' : 'error', startedAt });
        streamed.subscription = { request, outcome, events: 0 };
        if (fault.transport) streamed.transport.drop();
        throw new FieldFault(fault);
      }
      case 'aborted':
        this.#engine.record(request, outcome, { status: 'aborted', startedAt });
        streamed.subscription = { request, outcome, events: 0 };
        throw new Error('the client went away');
      default:
        spec = autoStream(this.#autoStream);
    }
    this.#engine.record(request, outcome, { status: 'subscribed', startedAt });
    streamed.subscription = { request, outcome, events: 0 };
    return new EventStream(
      spec,
      controller,
      (push) => this.#engine.onPublish(fieldName, push),
      () => streamed.transport.drop(),
    );
  }

  /** What the graphql-ws and graphql-sse servers ask of this service. */
  host(): SubscriptionHost {
    return {
      prepare: (params, headers, transport) => this.#prepare(params, headers, transport),
      sourceOf: (args) => (args.contextValue as RequestContext | undefined)?.streamed?.source,
      answeredOf: (args) => (args.contextValue as RequestContext | undefined)?.streamed?.answered,
      sent: (context, result) => this.#sent(context as RequestContext | undefined, result),
    };
  }

  /** Parses, checks and (for a subscription) subscribes one operation sent over graphql-ws or graphql-sse. */
  async #prepare(
    params: StreamedParams,
    headers: IncomingMessage['headers'],
    transport: SubscriptionTransport,
  ): Promise<ExecutionArgs | readonly GraphQLError[]> {
    const startedAt = performance.now();
    const core = new SubscriptionRequest(this.#service, INVALID, headers, params, `${transport.name} ${this.#executor.path}`, undefined);
    const refuse = (message: string, errors?: readonly GraphQLError[]): readonly GraphQLError[] => {
      const refused = errors?.length ? errors : [new GraphQLError(message, { extensions: { code: 'BAD_REQUEST' } })];
      const fault = makeFault('INVALID_ARGUMENT', refused[0]?.message ?? message);
      this.#engine.record(core, { kind: 'fault', rule: undefined, fault }, { status: 'error', startedAt });
      return refused;
    };
    const query = params.query;
    if (typeof query !== 'string' || query.trim() === '') return refuse('the operation has no query');
    const variables = params.variables ?? undefined;
    if (variables !== undefined && (typeof variables !== 'object' || Array.isArray(variables)))
      return refuse('variables must be a JSON object, e.g. {"sku":"SKU-1"}');
    const operationName = typeof params.operationName === 'string' && params.operationName !== '' ? params.operationName : undefined;
    const compiled = this.#executor.documents.get(query);
    if (!compiled.ok) return refuse('invalid document', compiled.errors);
    const operation = operationOf(compiled, operationName);
    if (!operation)
      return refuse(
        operationName === undefined
          ? 'the document has several operations; say which with operationName'
          : `the document has no operation named "${operationName}"`,
      );
    core.operation = operation.id;
    core.target = `${operation.id} (${transport.name})`;
    const context: RequestContext = {
      core,
      operationId: operation.id,
      variables: (variables ?? {}) as Record<string, unknown>,
      operationName,
      rootFromRule: false,
      rule: undefined,
      escalated: undefined,
      streamed: { transport, startedAt, source: undefined, subscription: undefined },
    };
    const args: ExecutionArgs = {
      schema: this.#executor.schema,
      document: compiled.document,
      variableValues: context.variables,
      operationName,
      contextValue: context,
    };
    if (operation.type !== 'subscription') return this.#streamedOperation(core, context, args, startedAt);
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) {
      // Variables that do not fit, or a subscription refused by a fault (journaled by #subscribe): the protocol's error message.
      if (!context.streamed?.subscription) return refuse('invalid variables', source.errors ?? []);
      return source.errors ?? [];
    }
    if (context.streamed) context.streamed.source = source as EventStream;
    return args;
  }

  /**
   * A query or mutation over graphql-ws or graphql-sse: its operation rules first (`graphql.query`,
   * `graphql.mutation`), then the service's variant fault, delay, limit and chaos, as over HTTP; when none
   * answers, the schema (and the field rules) does. A fault is the protocol's error message.
   */
  async #streamedOperation(
    core: SubscriptionRequest,
    context: RequestContext,
    args: ExecutionArgs,
    startedAt: number,
  ): Promise<ExecutionArgs | readonly GraphQLError[]> {
    const outcome = await this.#engine.handle(core, 'unmatched');
    switch (outcome.kind) {
      case 'fault': {
        const fault = outcome.fault;
        this.#engine.record(core, outcome, { status: fault.transport ? 'dropped' : 'error', code: fault.code, error: fault.message, startedAt });
        if (fault.transport) context.streamed?.transport.drop();
        return [new GraphQLError(fault.message, { extensions: extensionsOf(fault) })];
      }
      case 'aborted':
        this.#engine.record(core, outcome, { status: 'aborted', startedAt });
        return [new GraphQLError('the client went away')];
      case 'reply':
        context.rule = outcome.rule;
        if (context.streamed) context.streamed.answered = outcome.reply.body as ExecutionResult;
        return args;
      case 'body':
        context.rule = outcome.rule;
        context.rootFromRule = outcome.body !== undefined;
        return { ...args, rootValue: outcome.body };
      default:
        return args;
    }
  }

  /** Journals a result sent over graphql-ws or graphql-sse: an event of a subscription, or a query's or mutation's result. */
  #sent(context: RequestContext | undefined, result: ExecutionResult): void {
    const streamed = context?.streamed;
    if (!context || !streamed) return;
    const error = result.errors?.[0];
    const fieldFault = error?.originalError instanceof FieldFault ? error.originalError : undefined;
    const subscription = streamed.subscription;
    if (subscription) {
      const { request, outcome } = subscription;
      const event = new SubscriptionRequest(
        this.#service,
        `next ${request.operation}`,
        request.headers,
        request.body,
        `event ${++subscription.events} of ${request.target}`,
        undefined,
      );
      this.#engine.record(event, outcome, {
        status: error ? 'error' : 'next',
        code: fieldFault?.fault.code,
        error: error?.message,
        startedAt: performance.now(),
        response: { body: result },
      });
      return;
    }
    const outcome: Outcome = context.rule
      ? { kind: 'body', rule: context.rule, body: undefined }
      : { kind: 'unmatched', miss: { message: `no rule answered ${context.operationId}`, candidates: [], hint: 'the schema answered it' } };
    this.#engine.record(context.core, outcome, {
      status: error ? 'error' : 'next',
      code: fieldFault?.fault.code,
      error: error?.message,
      startedAt: streamed.startedAt,
      response: { body: result },
    });
  }
}

/**
 * The CoreRequest of an operation sent over graphql-ws or graphql-sse, of a subscription to one
 * Subscription field (its rules' context, journaled as `Subscription.field`), and of each event sent.
 */
export class SubscriptionRequest implements CoreRequest {
  readonly protocol = 'graphql';
  readonly params = NONE;
  readonly query = NONE;
  /** Set by the engine before a handler runs (this request is the handler's context). */
  state: unknown = undefined;
  call = 0;
  publish: ((topic: string, payload: unknown) => number) | undefined = undefined;
  signal: AbortSignal | undefined = undefined;

  constructor(
    readonly service: string,
    public operation: string,
    readonly headers: CoreRequest['headers'],
    readonly body: unknown,
    public target: string,
    readonly graphql: { parent: unknown; args: unknown; variables: unknown; operationName: string | undefined; info: unknown } | undefined,
  ) {}
}

/** The service's `subscriptions` option: how the auto-mock streams a Subscription field no rule answers. */
function autoStreamOf(setting: unknown): AutoStreamSettings {
  if (typeof setting !== 'object' || setting === null) return DEFAULT_AUTO_STREAM;
  const given = setting as { events?: unknown; interval?: unknown; open?: unknown };
  const interval = typeof given.interval === 'number' || typeof given.interval === 'string' ? parseDuration(given.interval) : undefined;
  return {
    events: typeof given.events === 'number' && given.events >= 0 ? Math.floor(given.events) : DEFAULT_AUTO_STREAM.events,
    intervalMs: interval ?? DEFAULT_AUTO_STREAM.intervalMs,
    open: given.open === true,
  };
}
