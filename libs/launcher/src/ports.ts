import { createServer } from "node:net";

/** True when nothing listens on 127.0.0.1:`port`. */
export async function portIsFree(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** The client port in nats-server's "Listening for client connections on <host>:<port>" log line (for `-p -1`). */
export function natsClientPort(log: string): number | undefined {
  const match = /Listening for client connections on \S+:(\d+)/.exec(log);
  return match ? Number(match[1]) : undefined;
}
