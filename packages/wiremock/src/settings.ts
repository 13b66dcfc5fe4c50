import { isRecord } from '@mockstack/core';
import { WiremockMappingInvalid } from './errors.js';
import { type StubAnswer, wiremockDelay } from './stub.js';

/** WireMock's global settings as sent (`POST /__admin/settings`), and the delays they add to every stub. */
export interface WiremockSettings {
  /** What GET /__admin/settings answers: the settings as sent, WireMock's defaults filled in. */
  sent: Record<string, unknown>;
  /** Milliseconds every stub without its own `fixedDelayMilliseconds` waits. */
  fixedDelay?: number;
  /** The random delay every stub without its own `delayDistribution` adds. */
  delayDistribution?: NonNullable<StubAnswer['delay']>;
}

export const DEFAULT_SETTINGS: WiremockSettings = { sent: { extended: {}, proxyPassThrough: true } };

/** WireMock's settings JSON (`{ fixedDelay, delayDistribution, extended, proxyPassThrough }`) read; throws WiremockMappingInvalid naming each problem. */
export function parseSettings(body: unknown): WiremockSettings {
  const problems: string[] = [];
  if (!isRecord(body)) throw new WiremockMappingInvalid(['settings are a JSON object such as { "fixedDelay": 500 }'], 'the settings');
  const settings: WiremockSettings = { sent: { extended: {}, proxyPassThrough: true, ...body } };
  const { fixedDelay, delayDistribution, extended, proxyPassThrough } = body;
  if (fixedDelay !== undefined && fixedDelay !== null) {
    if (Number.isInteger(fixedDelay) && Number(fixedDelay) >= 0) settings.fixedDelay = Number(fixedDelay);
    else problems.push(`fixedDelay must be a whole number of milliseconds; got ${JSON.stringify(fixedDelay)}`);
  }
  if (delayDistribution !== undefined && delayDistribution !== null) {
    const delay = wiremockDelay(delayDistribution);
    if (delay === undefined)
      problems.push(
        `delayDistribution must be { "type": "lognormal", "median", "sigma" }, { "type": "uniform", "lower", "upper" } or { "type": "fixed", "milliseconds" }; got ${JSON.stringify(delayDistribution)}`,
      );
    else settings.delayDistribution = delay;
  }
  if (extended !== undefined && !isRecord(extended)) problems.push('extended must be an object');
  if (proxyPassThrough === false) problems.push('proxyPassThrough: false is not served (proxy mappings always pass requests on); leave it out or send true');
  for (const key of Object.keys(body))
    if (!['fixedDelay', 'delayDistribution', 'extended', 'proxyPassThrough'].includes(key))
      problems.push(`${key} is not a WireMock setting mockstack serves (fixedDelay, delayDistribution, extended and proxyPassThrough are)`);
  if (problems.length) throw new WiremockMappingInvalid(problems, 'the settings');
  return settings;
}

/**
 * A stub's delay under the global settings, as WireMock adds them: its own fixed delay or else the
 * global one, plus its own distribution or else the global one. A fixed delay plus a lognormal has no
 * single form here: that is a problem in words.
 */
export function delayUnder(settings: WiremockSettings, response: Record<string, unknown>, problems: string[]): StubAnswer['delay'] {
  const own = typeof response.fixedDelayMilliseconds === 'number' ? response.fixedDelayMilliseconds : undefined;
  const fixed = own ?? settings.fixedDelay;
  const distribution = wiremockDelay(response.delayDistribution) ?? settings.delayDistribution;
  if (distribution === undefined || fixed === undefined) return distribution ?? fixed;
  if (typeof distribution === 'number') return fixed + distribution;
  if ('min' in distribution) return { min: distribution.min + fixed, max: distribution.max + fixed };
  problems.push(
    `a fixed delay of ${fixed} ms and a lognormal delayDistribution together (WireMock adds them) are not served: give the stub its own fixedDelayMilliseconds: 0, or set one of them globally`,
  );
  return undefined;
}
