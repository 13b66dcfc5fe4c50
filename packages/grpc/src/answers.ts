import * as grpc from '@grpc/grpc-js';
import { type Code, displayPath, type Engine, type Fault, isFault, makeFault, type Outcome, type Rule, type Service } from '@mockstack/core';
import type protobuf from 'protobufjs';
import type { AutoMocker } from './automock.js';
import { type BadMessage, encode, ShapeError } from './codec.js';
import type { LoadedProtos, MethodInfo } from './protos.js';
import type { GrpcRequest } from './request.js';
import { grpcStatusOfCode, statusOfFault } from './status.js';

/** How many messages an auto-mocked server stream sends (over gRPC, Connect and gRPC-Web alike). */
export const AUTO_STREAM_LENGTH = 3;

/** A fault or unmatched outcome's status, with the fault it stands for (an override of the outcome's). */
export type StatusOverride = grpc.StatusObject & { fault: Fault };

/**
 * What a gRPC service answers with, whatever wire the call came over (native gRPC, Connect, gRPC-Web):
 * the contract answer when no rule answered, a rule's answer encoded, a fault as a gRPC status (with
 * its details and trailers), and the journal entry of a call that ends with a status.
 */
export class GrpcAnswers {
  readonly #service: Service;
  readonly #engine: Engine;
  readonly #protos: LoadedProtos;
  readonly #autoMock: boolean;
  readonly #mocker: AutoMocker;
  readonly #statuses = new WeakMap<Fault, grpc.StatusObject>();
  readonly #encoded = new WeakMap<object, Map<protobuf.Type, Buffer>>();

  constructor(service: Service, engine: Engine, protos: LoadedProtos, autoMock: boolean, mocker: AutoMocker) {
    this.#service = service;
    this.#engine = engine;
    this.#protos = protos;
    this.#autoMock = autoMock;
    this.#mocker = mocker;
  }

  /** The contract's answer when no rule answered (see ContractDefault): the auto-mock, or UNIMPLEMENTED when auto-mocks are off. */
  contract(method: MethodInfo, request: GrpcRequest, rule: Rule, count: number): Outcome & { kind: 'fault' | 'body' } {
    if (!this.#autoMock) {
      return {
        kind: 'fault',
        rule,
        fault: makeFault('UNIMPLEMENTED', `${method.id} is not implemented by service "${this.#service.name}" (auto-mocks are off)`),
      };
    }
    if (method.kind === 'unary' || method.kind === 'client-streaming') {
      return { kind: 'body', rule, body: this.#mocker.message(method.responseType, method.id, request.body) };
    }
    if (method.kind === 'bidi') {
      const mocker = this.#mocker;
      const body = (async function* () {
        let i = 0;
        for await (const message of request.incoming) yield mocker.message(method.responseType, method.id, message, i++);
      })();
      return { kind: 'body', rule, body };
    }
    return { kind: 'body', rule, body: Array.from({ length: count }, (_, i) => this.#mocker.message(method.responseType, method.id, request.body, i)) };
  }

  /**
   * Encodes a rule's answer; throws a ShapeError when it does not fit. A rule's static value (not a
   * handler's return) is the same object on every call, so its bytes are kept; handlers' answers may
   * be live state and are encoded each time.
   */
  encodeAnswer(method: MethodInfo, outcome: Outcome & { kind: 'body' | 'reply' }, message: unknown): Buffer {
    return typeof outcome.rule.respond === 'function' ? encode(method.responseType, message) : this.encodeStatic(method, message);
  }

  /** Encodes a static message, its bytes kept per message object and type. */
  encodeStatic(method: MethodInfo, message: unknown): Buffer {
    if (typeof message !== 'object' || message === null) return encode(method.responseType, message);
    let byType = this.#encoded.get(message);
    const cached = byType?.get(method.responseType);
    if (cached) return cached;
    const buffer = encode(method.responseType, message);
    if (!byType) {
      byType = new Map();
      this.#encoded.set(message, byType);
    }
    byType.set(method.responseType, buffer);
    return buffer;
  }

  /** A handler's throw or a wrong-shaped message as a Fault naming the rule. */
  shapeFault(method: MethodInfo, outcome: Outcome, error: unknown): Fault {
    if (isFault(error)) return error;
    const rule =
      'rule' in outcome && outcome.rule
        ? ` of rule ${outcome.rule.id}${outcome.rule.source ? ` (${displayPath(outcome.rule.source.file)}:${outcome.rule.source.line})` : ''}`
        : '';
    if (error instanceof ShapeError) {
      return makeFault(
        'INTERNAL',
        `the handler${rule} answered ${method.id} with a message that is not a ${method.responseType.fullName.slice(1)}: ${error.message}`,
      );
    }
    return makeFault('INTERNAL', `the handler${rule} of ${method.id} failed: ${error instanceof Error ? error.message : String(error)}`);
  }

  /** `shapeFault` as the status to send instead of the outcome's. */
  wrongShape(method: MethodInfo, outcome: Outcome, error: unknown): StatusOverride {
    const fault = this.shapeFault(method, outcome, error);
    return { ...this.status(fault), fault };
  }

  /** The gRPC status of a Fault (INTERNAL saying why when its details or headers do not encode). */
  status(fault: Fault): grpc.StatusObject {
    let status = this.#statuses.get(fault);
    if (!status) {
      try {
        status = statusOfFault(fault, this.#protos.root, this.#protos.statusType);
      } catch (error) {
        status = {
          code: grpc.status.INTERNAL,
          details: `cannot send fault ${fault.code}: its details or headers do not encode: ${(error as Error).message}`,
          metadata: new grpc.Metadata(),
        };
      }
      this.#statuses.set(fault, status);
    }
    // grpc-js may add to the metadata it sends; give each call its own copy.
    return { ...status, metadata: status.metadata.clone() };
  }

  /** Sends a fault or unmatched outcome through `send` and journals it (an override status replaces the outcome's). */
  finish(request: GrpcRequest, outcome: Outcome, startedAt: number, send: (status: grpc.StatusObject) => void, override?: StatusOverride): void {
    let status: grpc.StatusObject;
    let fault: Fault;
    if (override) {
      status = override;
      fault = override.fault;
    } else if (outcome.kind === 'fault') {
      fault = outcome.fault;
      status = this.status(fault);
    } else if (outcome.kind === 'unmatched') {
      const { miss } = outcome;
      const nearest = miss.nearest ? ` Nearest rule ${miss.nearest.rule}: ${miss.nearest.missed.join('; ')}.` : '';
      fault = makeFault('NOT_FOUND', `${miss.message}.${nearest} ${miss.hint}`);
      status = this.status(fault);
      status.metadata.set('x-mockstack-unmatched', '1');
    } else return;
    send(status);
    // A fault whose details do not encode went out as INTERNAL (see status()); journal what was sent.
    const code = status.code === grpcStatusOfCode[fault.code] ? fault.code : 'INTERNAL';
    this.#engine.record(request, outcome, { status: code, code, error: status.details, startedAt, messages: request.streamLog });
  }

  /**
   * Journals a call the client left (or whose deadline passed) before it was answered, and returns which
   * it was. `remainingMs`: what was left of the client's timeout at that moment (undefined: none). The
   * client's own timer usually fires (and cancels) a little before the server's: the server counts from
   * when the call arrived, which on a loaded machine can be well over 100 ms after the client sent it.
   * Within a tenth of the timeout (at least 250 ms) it is the deadline.
   */
  recordAborted(request: GrpcRequest, outcome: Outcome, startedAt: number, remainingMs: number | undefined): Code {
    const timeout = remainingMs === undefined ? undefined : remainingMs + (performance.now() - startedAt);
    const passed = remainingMs !== undefined && timeout !== undefined && remainingMs <= Math.max(250, timeout / 10);
    const code: Code = passed ? 'DEADLINE_EXCEEDED' : 'CANCELLED';
    const error = passed ? `the client's deadline passed before ${request.operation} answered` : 'the client cancelled the call';
    this.#engine.record(request, outcome, { status: code, code, error, startedAt, messages: request.streamLog });
    return code;
  }
}

/** An outcome as the aborted outcome of the same rule. */
export function abortedOf(outcome: Outcome): Outcome & { kind: 'aborted' } {
  return outcome.kind === 'aborted' ? outcome : { kind: 'aborted', rule: 'rule' in outcome ? outcome.rule : undefined };
}

/** A request message that does not decode: the client's mistake, INVALID_ARGUMENT. */
export function badRequest(bad: BadMessage): Outcome & { kind: 'fault' } {
  return { kind: 'fault', rule: undefined, fault: makeFault('INVALID_ARGUMENT', bad.reason) };
}
