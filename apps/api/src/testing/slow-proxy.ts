import net from "node:net";

export interface SlowProxy {
  /** redis://127.0.0.1:PORT (or any scheme given): the proxy's address in the target's URL form. */
  url: string;
  /** How long every chunk the server sends is held back (order kept); 0 passes answers at once. */
  delayMs: number;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of a real server (e.g. the test Redis) whose answers can be held back: a real slow
 * server to the code under test, which talks to it over an ordinary connection and is not mocked.
 */
export async function startSlowProxy(target: URL): Promise<SlowProxy> {
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const proxy: SlowProxy = { url: "", delayMs: 0, close };
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    // One queue per connection, drained in order: a later chunk never overtakes an earlier one.
    const held: { due: number; chunk: Buffer }[] = [];
    let timer: NodeJS.Timeout | undefined;
    const drain = () => {
      if (timer) timers.delete(timer);
      timer = undefined;
      while (held.length > 0 && held[0]!.due <= Date.now()) client.write(held.shift()!.chunk);
      if (held.length > 0) {
        timer = setTimeout(drain, held[0]!.due - Date.now());
        timers.add(timer);
      }
    };
    upstream.on("data", (chunk: Buffer) => {
      held.push({ due: Date.now() + proxy.delayMs, chunk });
      if (!timer) drain();
    });
    upstream.on("end", () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  proxy.url = `${target.protocol}//127.0.0.1:${port}`;

  function close(): Promise<void> {
    for (const timer of timers) clearTimeout(timer);
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return proxy;
}
