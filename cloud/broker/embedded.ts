import { Aedes } from "aedes";
import { createServer, type Server } from "node:net";

export interface EmbeddedBroker {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * An in-process MQTT 3.1.1 broker (aedes) for running the whole system with nothing installed.
 * It listens on loopback only and has no ACLs: it is for a developer's machine, not a site.
 * If the preferred port is taken, it takes any free one and says so in its URL.
 */
export async function startEmbeddedBroker(preferredPort: number): Promise<EmbeddedBroker> {
  const aedes = await Aedes.createBroker();
  const server = createServer(aedes.handle);
  const port = await listen(server, preferredPort).catch(() => listen(server, 0));
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    close: () =>
      // aedes.close ends every client connection; only then can the listener finish closing.
      new Promise<void>((resolve) => aedes.close(() => server.close(() => resolve()))),
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off("listening", onListening);
      reject(error);
    };
    const onListening = () => {
      server.off("error", onError);
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, "127.0.0.1");
  });
}
