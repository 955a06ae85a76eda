/**
 * A small labeled capture written in the test: BitTorrent hosts that learn
 * peers from Mainline DHT `get_peers` responses and then fail to reach most of
 * them, a horizontal and a vertical scanner, and an ordinary web client.
 */
import { encodeKrpc } from '../../src/protocol/krpc/index.ts';
import { type Frame, frame, pcapFile, tcpPacket, udpPacket } from './pcap-writer.ts';

export const BT_HOSTS = ['10.9.0.2', '10.9.0.3', '10.9.0.4', '10.9.0.5', '10.9.0.6'];
export const SCANNERS = ['10.66.0.2', '10.66.0.3'];
export const OTHER = ['10.7.0.2'];
const NODE = '198.51.100.7';
const T0 = 1_763_700_000_000_000;

export function labeledScenario(): {
  frames: Frame[];
  labels: { bittorrent: string[]; scanner: string[]; other: string[] };
} {
  const frames: Frame[] = [];
  let ts = T0;
  const push = (p: Uint8Array) => {
    frames.push({ ts, data: frame(1, p) });
    ts += 1000;
  };
  BT_HOSTS.forEach((host, h) => {
    const peers = Array.from({ length: 120 }, (_, i) => ({
      address: `203.0.${h * 2 + (i >> 7)}.${(i & 127) + 1}`,
      port: 10000 + h * 1000 + i * 7,
    }));
    const t = new Uint8Array([h, 1]);
    const query = encodeKrpc({
      y: 'q',
      t,
      method: 'get_peers',
      args: { id: new Uint8Array(20).fill(1), infoHash: new Uint8Array(20).fill(2) },
    });
    const response = encodeKrpc({
      y: 'r',
      t,
      result: { id: new Uint8Array(20).fill(3), token: new Uint8Array([1, 2]), values: peers },
    });
    push(udpPacket({ src: host, dst: NODE, srcPort: 6881, dstPort: 6881, payload: query }));
    push(udpPacket({ src: NODE, dst: host, srcPort: 6881, dstPort: 6881, payload: response }));
    peers.forEach((peer, i) => {
      const sport = 40000 + i;
      push(
        tcpPacket({
          src: host,
          dst: peer.address,
          srcPort: sport,
          dstPort: peer.port,
          flags: 'S',
          seq: 1,
        }),
      );
      if (i % 12 === 0) {
        push(
          tcpPacket({
            src: peer.address,
            dst: host,
            srcPort: peer.port,
            dstPort: sport,
            flags: 'SA',
            seq: 50,
            ack: 2,
          }),
        );
        push(
          tcpPacket({
            src: host,
            dst: peer.address,
            srcPort: sport,
            dstPort: peer.port,
            flags: 'PA',
            seq: 2,
            payload: new Uint8Array([19]),
          }),
        );
      } else if (i % 3 === 0) {
        push(
          tcpPacket({
            src: peer.address,
            dst: host,
            srcPort: peer.port,
            dstPort: sport,
            flags: 'RA',
            seq: 0,
            ack: 2,
          }),
        );
      }
    });
  });
  for (let i = 0; i < 150; i++) {
    const dst = `172.20.${i >> 8}.${i & 255}`;
    push(tcpPacket({ src: SCANNERS[0]!, dst, srcPort: 55555, dstPort: 22, flags: 'S' }));
    if (i % 2)
      push(tcpPacket({ src: dst, dst: SCANNERS[0]!, srcPort: 22, dstPort: 55555, flags: 'RA' }));
  }
  for (let p = 1; p <= 200; p++) {
    push(
      tcpPacket({ src: SCANNERS[1]!, dst: '172.21.0.9', srcPort: 44444, dstPort: p, flags: 'S' }),
    );
    push(
      tcpPacket({ src: '172.21.0.9', dst: SCANNERS[1]!, srcPort: p, dstPort: 44444, flags: 'RA' }),
    );
  }
  for (let i = 0; i < 3; i++) {
    const server = `192.0.2.${i + 10}`;
    push(
      tcpPacket({
        src: OTHER[0]!,
        dst: server,
        srcPort: 50000 + i,
        dstPort: 80,
        flags: 'S',
        seq: 9,
      }),
    );
    push(
      tcpPacket({
        src: server,
        dst: OTHER[0]!,
        srcPort: 80,
        dstPort: 50000 + i,
        flags: 'SA',
        seq: 99,
        ack: 10,
      }),
    );
    push(
      tcpPacket({
        src: OTHER[0]!,
        dst: server,
        srcPort: 50000 + i,
        dstPort: 80,
        flags: 'FA',
        seq: 10,
      }),
    );
    push(
      tcpPacket({
        src: server,
        dst: OTHER[0]!,
        srcPort: 80,
        dstPort: 50000 + i,
        flags: 'FA',
        seq: 100,
      }),
    );
  }
  return { frames, labels: { bittorrent: BT_HOSTS, scanner: SCANNERS, other: OTHER } };
}

export function labeledScenarioPcap(): {
  bytes: Uint8Array;
  labels: { bittorrent: string[]; scanner: string[]; other: string[] };
} {
  const { frames, labels } = labeledScenario();
  return { bytes: pcapFile(frames), labels };
}
