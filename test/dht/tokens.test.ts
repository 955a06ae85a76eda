/** BEP 5 write tokens: bound to the address, rotating every 5 minutes, valid 5 to 10. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/dht/manual-clock.ts';
import { memoryNetwork } from '../../src/dht/memory-network.ts';
import { DhtNode } from '../../src/dht/node.ts';
import { TokenIssuer } from '../../src/dht/tokens.ts';
import { randomNodeId } from '../../src/protocol/kademlia/index.ts';
import type { KrpcMessage } from '../../src/protocol/krpc/index.ts';
import { ascii, messageOf, RawPeer, seeded } from './helpers.ts';

const MINUTE = 60_000;

describe('TokenIssuer', () => {
  it('accepts a token for 5 to 10 minutes, then refuses it', () => {
    const clock = new ManualClock(0);
    const tokens = new TokenIssuer(clock, seeded(1));
    const token = tokens.issue('192.0.2.1');
    assert.equal(token.length, 8);
    clock.advance(4 * MINUTE);
    assert.ok(tokens.isValid('192.0.2.1', token));
    clock.advance(2 * MINUTE); // 6 min: one rotation, the previous secret still counts
    assert.ok(tokens.isValid('192.0.2.1', token));
    assert.notDeepEqual(tokens.issue('192.0.2.1'), token, 'a new secret gives a new token');
    clock.advance(3 * MINUTE + 59_999); // 9:59.999
    assert.ok(tokens.isValid('192.0.2.1', token));
    clock.advance(1); // 10:00
    assert.equal(tokens.isValid('192.0.2.1', token), false);
  });

  it('a token issued late in a period lives at least 5 minutes', () => {
    const clock = new ManualClock(0);
    const tokens = new TokenIssuer(clock, seeded(2));
    clock.advance(4 * MINUTE + 59_000);
    const token = tokens.issue('192.0.2.1');
    clock.advance(5 * MINUTE);
    assert.ok(tokens.isValid('192.0.2.1', token));
  });

  it('after a long silence both secrets are new', () => {
    const clock = new ManualClock(0);
    const tokens = new TokenIssuer(clock, seeded(3));
    const token = tokens.issue('192.0.2.1');
    clock.advance(60 * MINUTE);
    assert.equal(tokens.isValid('192.0.2.1', token), false);
  });

  it('binds the token to the address (IPv4 and IPv6) and rejects other lengths', () => {
    const clock = new ManualClock(0);
    const tokens = new TokenIssuer(clock, seeded(4), { length: 4 });
    const v4 = tokens.issue('192.0.2.1');
    const v6 = tokens.issue('2001:db8::1');
    assert.equal(v4.length, 4);
    assert.ok(tokens.isValid('192.0.2.1', v4));
    assert.equal(tokens.isValid('192.0.2.2', v4), false);
    assert.ok(tokens.isValid('2001:db8:0::1', v6), 'same address, other spelling');
    assert.equal(tokens.isValid('192.0.2.1', new Uint8Array([...v4, 0])), false);
  });

  it('two issuers with different secrets issue different tokens', () => {
    const clock = new ManualClock(0);
    const a = new TokenIssuer(clock, seeded(5));
    const b = new TokenIssuer(clock, seeded(6));
    assert.notDeepEqual(a.issue('192.0.2.1'), b.issue('192.0.2.1'));
  });
});

describe('tokens over the wire', () => {
  it('announce_peer succeeds 6 minutes after get_peers and fails 11 minutes after', async () => {
    const network = memoryNetwork();
    const clock = new ManualClock(0);
    const random = seeded(12);
    const node = new DhtNode({
      id: randomNodeId(random),
      transport: network.transport('127.0.0.1', 6881),
      clock,
    });
    const peer = new RawPeer(network, '127.0.0.2', 5000);
    const id = randomNodeId(random);
    const infoHash = randomNodeId(random);
    const t = ascii('aa');
    const token = async () => {
      const reply = messageOf(
        await peer.request({ t, y: 'q', method: 'get_peers', args: { id, infoHash } }, node.local),
      );
      assert.equal(reply.y, 'r');
      return reply.y === 'r' ? reply.result.token! : new Uint8Array();
    };
    const announce = (token: Uint8Array): KrpcMessage => ({
      t,
      y: 'q',
      method: 'announce_peer',
      args: { id, infoHash, port: 7000, token, impliedPort: false },
    });

    const early = await token();
    clock.advance(6 * MINUTE);
    assert.equal(messageOf(await peer.request(announce(early), node.local)).y, 'r');
    const late = await token();
    clock.advance(11 * MINUTE);
    const refused = messageOf(await peer.request(announce(late), node.local));
    assert.equal(refused.y, 'e');
    assert.equal(refused.y === 'e' ? refused.code : 0, 203);
    await node.close();
  });
});
