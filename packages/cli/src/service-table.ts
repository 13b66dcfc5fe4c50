import { relative } from 'node:path';
import type { ServiceAddress } from '@mockstack/core';

export interface ServiceTable {
  scenario: string;
  file: string;
  seed: number;
  variants: readonly string[];
  services: readonly ServiceAddress[];
  admin: string | undefined;
  /** The dashboard's address, to open in a browser (with `?token=` when the admin API needs one). */
  dashboard?: string | undefined;
  readyMs: number;
  watch: boolean;
  /** With TLS: the CA file clients must trust. */
  ca?: string | undefined;
}

/** The table `mockstack up` prints once every service listens. */
export function printServiceTable(table: ServiceTable): void {
  const rows = [['SERVICE', 'PROTOCOL', 'URL'], ...table.services.flatMap((s) => [s, ...(s.also ?? [])].map((a) => [a.name, a.protocol, a.url]))];
  if (table.admin) rows.push(['admin', 'http', table.admin]);
  const widths = [0, 1].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const lines = rows.map((r) => `  ${(r[0] ?? '').padEnd(widths[0] ?? 0)}  ${(r[1] ?? '').padEnd(widths[1] ?? 0)}  ${r[2] ?? ''}`);
  const variants = table.variants.length ? ` · variants ${table.variants.join(', ')}` : '';
  console.log(`mockstack · scenario "${table.scenario}" (${table.file}) · seed ${table.seed}${variants}`);
  console.log(lines.join('\n'));
  if (table.ca)
    console.log(`TLS: trust the CA in ${relative(process.cwd(), table.ca) || table.ca} (curl --cacert, NODE_EXTRA_CA_CERTS, grpc credentials.createSsl)`);
  if (table.dashboard) console.log(`Dashboard: ${table.dashboard}`);
  console.log(`Ready in ${Math.round(table.readyMs)} ms${table.watch ? ', watching for changes' : ''}. Ctrl-C to stop.`);
}
