/**
 * Where the antenna's live alerts go: JSON lines to a file (appended) or to
 * standard output (`-`), and optionally a POST of each alert to a webhook.
 * The webhook is the one connection the antenna opens that is not DHT
 * traffic, to a URL the user gave; at most 16 requests are in flight and
 * the rest are counted as dropped, so a slow receiver never grows memory.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Alert } from '../analysis/live/detectors.ts';
import type { Logger } from '../sensor/log.ts';
import type { CliIo } from './io.ts';

const MAX_IN_FLIGHT = 16;

export interface AlertSink {
  send(alert: Alert): void;
  readonly stats: { alerts: number; webhookFailures: number; webhookDropped: number };
  close(): void;
}

export function openAlertSink(
  target: string | undefined,
  webhook: string | undefined,
  io: CliIo,
  log: Logger,
): AlertSink {
  const fd = target === undefined || target === '-' ? undefined : openSync(target, 'a');
  const stats = { alerts: 0, webhookFailures: 0, webhookDropped: 0 };
  let inFlight = 0;
  return {
    stats,
    send(alert) {
      stats.alerts++;
      const line = `${JSON.stringify(alert)}\n`;
      if (fd !== undefined) writeSync(fd, line);
      else if (target === '-') io.out(line.trimEnd());
      if (webhook === undefined) return;
      if (inFlight >= MAX_IN_FLIGHT) {
        stats.webhookDropped++;
        return;
      }
      inFlight++;
      fetch(webhook, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: line,
        signal: AbortSignal.timeout(10_000),
      })
        .then((response) => {
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
        })
        .catch((error: unknown) => {
          stats.webhookFailures++;
          log.warn('alert webhook failed', { error: String(error) });
        })
        .finally(() => {
          inFlight--;
        });
    },
    close() {
      if (fd !== undefined) closeSync(fd);
    },
  };
}
