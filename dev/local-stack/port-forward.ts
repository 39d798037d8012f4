/**
 * Puts the BambooHR simulator on a chosen port: its start() always takes a random one, so a plain
 * TCP forwarder listens on the chosen port of 127.0.0.1 and pipes each connection to it.
 * (Not needed once the simulator's start() accepts a port.)
 */
import { connect, createServer, type Socket } from 'node:net';
import { LOCAL_HOST, listenOn, type PortRequest } from '../local-emulators.js';

export interface PortForward {
  port: number;
  fellBack: boolean;
  close(): Promise<void>;
}

export const forwardPort = async (request: PortRequest, targetPort: number, what: string): Promise<PortForward> => {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, LOCAL_HOST);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  const { port, fellBack } = await listenOn(server, request, what);
  return {
    port,
    fellBack,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
};
