/**
 * The skim must agree with `parseKrpc`: whenever it takes a datagram, the
 * parser reads it too, to the same message type and transaction id, with
 * `values`, `nodes` and `nodes6` exactly where the skim says they are. It
 * may decline anything; it must take the common queries and responses.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeKrpc, parseKrpc } from '../../../src/protocol/krpc/index.ts';
import { KrpcSkim, stringHeader, Y_QUERY } from '../../../src/protocol/krpc/skim.ts';
import { readCompactNodes } from '../../../src/protocol/net/compact.ts';
import { ascii } from '../../helpers/bytes.ts';
import { krpcMessage, mutatedKrpc } from './arbitraries.ts';

const skim = new KrpcSkim();

/** The skim's reading of a datagram it took, in the parser's terms. */
function skimmed(bytes: Uint8Array) {
  const peers: number[] = [];
  if (skim.values >= 0)
    for (let p = skim.values + 1; bytes[p] !== 0x65; ) {
      const header = stringHeader(bytes, p);
      const length = bytes[p] === 0x36 ? 6 : 18;
      peers.push(length);
      p += header + length;
    }
  const nodes = (start: number, end: number, family: 4 | 6) =>
    start < 0 ? undefined : readCompactNodes(bytes, start, end, family);
  return {
    y: skim.y === Y_QUERY ? 'q' : 'r',
    t: Buffer.from(bytes.subarray(skim.tStart, skim.tEnd)).toString('hex'),
    values: skim.values < 0 ? undefined : peers,
    nodes: nodes(skim.nodesStart, skim.nodesEnd, 4),
    nodes6: nodes(skim.nodes6Start, skim.nodes6End, 6),
  };
}

function agree(bytes: Uint8Array): boolean {
  if (!skim.read(bytes)) return false;
  const parsed = parseKrpc(bytes);
  if (!parsed.ok) assert.fail(`skim took what parseKrpc rejects: ${parsed.reason}`);
  const message = parsed.message;
  const mine = skimmed(bytes);
  assert.equal(mine.y, message.y);
  assert.equal(mine.t, Buffer.from(message.t).toString('hex'));
  if (message.y === 'r') {
    const r = message.result;
    assert.deepEqual(
      mine.values,
      r.values?.map((p) => (p.address.includes(':') ? 18 : 6)),
    );
    assert.deepEqual(mine.nodes, r.nodes);
    assert.deepEqual(mine.nodes6, r.nodes6);
  }
  return true;
}

describe('KRPC skim', () => {
  it('takes the common messages, and agrees with parseKrpc on them', () => {
    for (const text of [
      'd1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe',
      'd1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:aa1:y1:qe',
      'd1:rd2:id20:abcdefghij01234567895:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:y1:re',
      'd1:rd2:id20:abcdefghij01234567895:nodes26:mnopqrstuvwxyz123456axje.ue1:t2:aa1:y1:re',
    ])
      assert.ok(agree(ascii(text)), `declined ${text}`);
  });

  it('declines errors and non-canonical input', () => {
    for (const text of [
      'd1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee',
      'd1:q4:ping1:ad2:id20:abcdefghij0123456789e1:t2:aa1:y1:qe',
      'd1:ad2:id020:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe',
    ])
      assert.equal(skim.read(ascii(text)), false, text);
  });

  it('agrees on every typed message it takes, and takes a fair share of them', () => {
    let taken = 0;
    fc.assert(
      fc.property(krpcMessage, (message) => {
        if (agree(encodeKrpc(message))) taken++;
      }),
      { numRuns: 3000, seed: 0x5c1a },
    );
    // It declines what the capture does not need read fast (BEP 44 values, unknown methods, errors).
    assert.ok(taken > 500, `took only ${taken} of 3000`);
  });

  it('never takes a mutated datagram parseKrpc would reject or read differently', () => {
    fc.assert(
      fc.property(mutatedKrpc, (bytes) => {
        agree(bytes);
      }),
      { numRuns: 10000, seed: 0x5c1a },
    );
  });

  it('random bytes: agrees or declines', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        agree(bytes);
      }),
      { numRuns: 3000, seed: 0x5c1a },
    );
  });
});
