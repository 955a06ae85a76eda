/**
 * The fast path must agree with the general path: whenever it accepts a
 * datagram, the general path accepts it too, as canonical, with a deeply
 * equal message. It may decline anything; it must not decline everything.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseKrpcFast } from '../../../src/protocol/krpc/fast-path.ts';
import { encodeKrpc, parseKrpcGeneral } from '../../../src/protocol/krpc/index.ts';
import { ascii } from '../../helpers/bytes.ts';
import { krpcMessage, mutatedKrpc } from './arbitraries.ts';

function agree(bytes: Uint8Array): boolean {
  const fast = parseKrpcFast(bytes);
  if (fast === undefined) return false;
  const general = parseKrpcGeneral(bytes);
  if (!general.ok)
    assert.fail(`fast path accepted what the general path rejects: ${general.reason}`);
  assert.deepStrictEqual(fast, general.message);
  assert.equal(general.nonCanonical, null, 'fast path accepted non-canonical bencode');
  return true;
}

describe('KRPC fast path', () => {
  it('takes the common messages, and agrees with the general path on them', () => {
    const common = [
      'd1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe',
      'd1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:aa1:y1:qe',
      'd1:ad2:id20:abcdefghij012345678912:implied_porti1e9:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe',
      'd1:rd2:id20:abcdefghij01234567895:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:y1:re',
      'd2:ip6:\x01\x02\x03\x04\x1a\xe11:rd2:id20:abcdefghij0123456789e1:t2:aa1:v4:LT\x02\x001:y1:re',
    ];
    for (const text of common) assert.ok(agree(ascii(text)), `declined ${text}`);
  });

  it('declines what it leaves to the general path: errors, unknown methods, non-canonical input', () => {
    for (const text of [
      'd1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee',
      'd1:ad2:id20:abcdefghij0123456789e1:q4:vote1:t2:aa1:y1:qe',
      'd1:q4:ping1:ad2:id20:abcdefghij0123456789e1:t2:aa1:y1:qe',
      'd1:ad2:id020:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe',
      'd1:ad2:id19:abcdefghij012345678e1:q4:ping1:t2:aa1:y1:qe',
    ]) {
      assert.equal(parseKrpcFast(ascii(text)), undefined, text);
    }
  });

  it('agrees on every typed message, and takes every query and response it is meant for', () => {
    fc.assert(
      fc.property(krpcMessage, (message) => {
        const taken = agree(encodeKrpc(message));
        // Declined by design: errors, unknown methods, and BEP 44 values of any type.
        const meantFor =
          (message.y === 'q' && message.method !== 'unknown' && message.method !== 'put') ||
          (message.y === 'r' && message.result.value === undefined);
        assert.equal(taken, meantFor);
      }),
      { numRuns: 3000, seed: 0xfa57 },
    );
  });

  it('never accepts a mutated datagram the general path would reject or read differently', () => {
    fc.assert(
      fc.property(mutatedKrpc, (bytes) => {
        agree(bytes);
      }),
      { numRuns: 10000, seed: 0xfa57 },
    );
  });

  it('random bytes: agrees or declines', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        agree(bytes);
      }),
      { numRuns: 3000, seed: 0xfa57 },
    );
  });
});
