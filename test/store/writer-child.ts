/**
 * A writer process for the crash and concurrency tests: appends events as
 * fast as a busy sensor would, numbering them in announce_port, and reports
 * "gen <last seq>" on stdout every 50 ms until it is killed (or, with a
 * duration, closes cleanly).
 *
 * argv: dataDir firstSeq [durationMs] [rotateAfterMs]
 */
import { EVENTS, type EventRecord, Journal, openDataDir } from '../../src/store/index.ts';
import { makeEvents } from '../helpers/events.ts';

const [dataDir, firstSeqText, durationText, rotateText] = process.argv.slice(2);
const layout = openDataDir(dataDir!, { create: true });
const journal = await Journal.open<EventRecord>(layout, EVENTS, {
  writerId: 'crashy',
  ...(rotateText === undefined ? {} : { rotateAfterMs: Number(rotateText) }),
});
let seq = Number(firstSeqText);
const stopAt =
  durationText === undefined ? Number.POSITIVE_INFINITY : Date.now() + Number(durationText);
process.stdout.write('ready\n');

const report = setInterval(() => process.stdout.write(`gen ${seq - 1}\n`), 50);
function burst(): void {
  // About 20 events per millisecond of wall time, each stamped with the real clock.
  const batch = makeEvents(20, Date.now() * 1000, 1, seq, seq);
  for (const event of batch) journal.append(event);
  seq += batch.length;
  if (Date.now() < stopAt) setTimeout(burst, 1);
  else {
    clearInterval(report);
    void journal.close().then(() => process.stdout.write(`closed ${seq - 1}\n`));
  }
}
burst();
