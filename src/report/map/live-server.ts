/**
 * `map --live`: the page served on loopback, with its data re-read from the
 * store whenever the page asks (every `--refresh-sec`), so a map left open
 * beside a running crawl or antenna fills in as they write. Plain node:http:
 * two routes, GET only, bound to 127.0.0.1 unless told otherwise.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PageData } from './page-data.ts';

export interface MapServerOptions {
  host: string;
  /** 0: any free port. */
  port: number;
  /** The page (with the data of the moment embedded). */
  page: () => Promise<string>;
  /** The data for a refresh. */
  data: () => Promise<PageData>;
  /** Told about a failed read (the page keeps its last data and retries). */
  onError?: (error: unknown) => void;
}

export interface MapServer {
  url: string;
  close(): Promise<void>;
}

export async function startMapServer(options: MapServerOptions): Promise<MapServer> {
  // One read at a time: several open pages refreshing at once share it.
  let pending: Promise<PageData> | undefined;
  const freshData = (): Promise<PageData> => {
    pending ??= options.data().finally(() => {
      pending = undefined;
    });
    return pending;
  };
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, 'text/plain', 'only GET\n');
    } else if (path === '/' || path === '/index.html') {
      send(response, 200, 'text/html; charset=utf-8', await options.page());
    } else if (path === '/data.json') {
      send(response, 200, 'application/json', JSON.stringify(await freshData()));
    } else {
      send(response, 404, 'text/plain', 'not found\n');
    }
  };
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.onError?.(error);
      if (!response.headersSent) send(response, 500, 'text/plain', 'the store could not be read\n');
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    // The page needs nothing from anywhere else.
    'content-security-policy':
      "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
  });
  response.end(body);
}
