/** A bare KRPC client on loopback for sensor tests: send queries, collect answers. */
import { createSocket, type Socket } from 'node:dgram';
import { encodeKrpc, type KrpcMessage, parseKrpc } from '../../src/protocol/krpc/index.ts';

export class KrpcClient {
  readonly socket: Socket;
  readonly received: { message: KrpcMessage; from: number }[] = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('message', (data, rinfo) => {
      const result = parseKrpc(new Uint8Array(data));
      if (result.ok) this.received.push({ message: result.message, from: rinfo.port });
    });
  }

  static async open(address = '127.0.0.1'): Promise<KrpcClient> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, address, () => resolve()));
    return new KrpcClient(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(message: KrpcMessage | Uint8Array, port: number): void {
    this.socket.send(
      message instanceof Uint8Array ? message : encodeKrpc(message),
      port,
      '127.0.0.1',
    );
  }

  /** Waits until `predicate` holds for the answers received so far. */
  async until(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error('timed out waiting for answers');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
