import type { Journal, JournalEntry, JournalEvent } from '@mockstack/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Entries a new live-feed connection receives first when it names none it has seen. */
export const LIVE_FEED_BACKLOG = 500;

/** How often an idle live feed sends a comment, so proxies and browsers keep the connection open. */
const HEARTBEAT_MS = 15_000;

/**
 * `GET /__admin/events`: the journal as Server-Sent Events. On connect, the entries after
 * `Last-Event-ID` (what a reconnecting EventSource sends) or `?after=<id>`, else the newest
 * `LIVE_FEED_BACKLOG`; then each new entry as it is journaled (`event: entry`, id = entry id),
 * `event: removed` with the ids removed, and `event: cleared` when the journal is emptied (reset).
 * Entries are serialised after the current turn of the event loop, in one write per batch: the
 * engine notes stray errors on an entry just after journaling it, and a burst of requests costs
 * one write, not one per request.
 */
export function serveLiveFeed(journal: Journal, request: FastifyRequest<{ Querystring: Record<string, string | undefined> }>, reply: FastifyReply): void {
  const raw = reply.raw;
  reply.hijack();
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    connection: 'keep-alive',
  });
  const after = Number(request.headers['last-event-id'] ?? request.query.after);
  const backlog = Number.isInteger(after) && after >= 0 ? journal.list({ after }) : journal.list({ limit: LIVE_FEED_BACKLOG });
  raw.write(`retry: 1000\n\n${backlog.map(entryEvent).join('')}event: ready\ndata: {}\n\n`);

  let pending: JournalEvent[] = [];
  let flush: NodeJS.Immediate | undefined;
  const unsubscribe = journal.subscribe((event) => {
    pending.push(event);
    flush ??= setImmediate(() => {
      raw.write(pending.map(eventText).join(''));
      pending = [];
      flush = undefined;
    });
  });
  const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS).unref();
  raw.on('close', () => {
    unsubscribe();
    clearInterval(heartbeat);
    if (flush) clearImmediate(flush);
  });
}

function eventText(event: JournalEvent): string {
  if (event.type === 'entry') return entryEvent(event.record.toJSON());
  if (event.type === 'removed') return `event: removed\ndata: ${JSON.stringify(event.ids)}\n\n`;
  // id 0: a reconnecting feed asks for everything after it
  return 'id: 0\nevent: cleared\ndata: {}\n\n';
}

function entryEvent(entry: JournalEntry): string {
  return `id: ${entry.id}\nevent: entry\ndata: ${safeJson(entry)}\n\n`;
}

/** JSON of an entry; a body JSON cannot write (a bigint) as text. */
function safeJson(entry: JournalEntry): string {
  return JSON.stringify(entry, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
}
