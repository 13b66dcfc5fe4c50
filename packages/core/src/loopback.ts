/**
 * Whether a host name or address only ever means this machine: `localhost` and `*.localhost`,
 * 127.0.0.0/8 and `::1` (brackets allowed, as in a Host header). The test behind the CORS default and
 * the admin API's guard against foreign pages and DNS rebinding. No node import: core runs in browsers too.
 */
export function isLoopbackHost(host: string): boolean {
  const name = host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (/^127(\.\d{1,3}){3}$/.test(name)) return true;
  return name === '::1' || name === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(name);
}

/** Whether a browser origin (`http://localhost:3000`) is on this machine; `null` and junk are not. */
export function isLoopbackOrigin(origin: string): boolean {
  try {
    return isLoopbackHost(new URL(origin).hostname);
  } catch {
    return false;
  }
}
