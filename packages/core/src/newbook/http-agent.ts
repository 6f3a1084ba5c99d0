import http from "node:http";
import https from "node:https";
import { Socket } from "node:net";
import { CONNECT_TIMEOUT_CODE } from "./classify";

function armConnectTimeout(socket: Socket, connectTimeoutMs: number): void {
  if (!socket.connecting) return;
  const timer = setTimeout(() => {
    const error = Object.assign(new Error(`connect timed out after ${connectTimeoutMs} ms`), {
      code: CONNECT_TIMEOUT_CODE,
    });
    socket.destroy(error);
  }, connectTimeoutMs);
  timer.unref();
  const disarm = () => clearTimeout(timer);
  socket.once("connect", disarm);
  socket.once("close", disarm);
}

/**
 * How long a kept-alive connection may sit idle in the pool before we close it ourselves. A server closes
 * idle connections on its own clock (Node's and Apache's default: 5 s); a request sent on one at that
 * moment is reset. Closing first, like agentkeepalive's default, avoids that race instead of retrying
 * after it. Node also honours a server's `Keep-Alive: timeout=N` hint (closing 1 s before it) but only
 * when the agent has an idle timeout of its own: without one it keeps idle sockets until the server
 * closes them.
 */
export const KEEP_ALIVE_IDLE_MS = 4_000;

/**
 * Keep-alive agents whose new sockets fail with CONNECT_TIMEOUT_CODE if the TCP connection is not up in
 * time: Node has no connect timeout of its own, and the total timeout alone would wait for a black-holed
 * host as long as for a slow answer. Idle sockets close after `idleMs` (see KEEP_ALIVE_IDLE_MS); a
 * request in flight is bounded by the transport's own timeout, which replaces the agent's on its socket.
 */
export function createAgents(
  connectTimeoutMs: number,
  idleMs = KEEP_ALIVE_IDLE_MS,
): { httpAgent: http.Agent; httpsAgent: https.Agent } {
  const wrap = <A extends http.Agent>(agent: A): A => {
    const create = agent.createConnection.bind(agent);
    agent.createConnection = (options, callback) => {
      const stream = create(options, callback);
      if (stream instanceof Socket) armConnectTimeout(stream, connectTimeoutMs);
      return stream;
    };
    return agent;
  };
  return {
    httpAgent: wrap(new http.Agent({ keepAlive: true, timeout: idleMs })),
    httpsAgent: wrap(new https.Agent({ keepAlive: true, timeout: idleMs })),
  };
}

export type NewbookAgents = ReturnType<typeof createAgents>;

/**
 * Keep-alive agents per credential, shared by every client of that credential in one process (a worker
 * builds a client per sync): a sync reuses the connection the credential's previous request left open
 * instead of paying a new TCP (and TLS) handshake each time. Connections stay per credential, never
 * shared across accounts. Bounded: past `maxCredentials` the least recently used credential's agents are
 * closed (their in-flight requests finish first: only idle sockets are destroyed).
 */
export class NewbookAgentPool {
  private readonly agents = new Map<string, NewbookAgents>();

  constructor(private readonly maxCredentials = 1_000) {}

  forCredential(credentialKey: string, connectTimeoutMs: number): NewbookAgents {
    const id = `${credentialKey}|${connectTimeoutMs}`;
    const found = this.agents.get(id);
    // Re-inserted on every use, so the Map's order is least recently used first.
    if (found) this.agents.delete(id);
    const agents = found ?? createAgents(connectTimeoutMs);
    this.agents.set(id, agents);
    for (const [oldest, evicted] of this.agents) {
      if (this.agents.size <= this.maxCredentials) break;
      this.agents.delete(oldest);
      closeIdle(evicted);
    }
    return agents;
  }

  get size(): number {
    return this.agents.size;
  }

  destroy(): void {
    for (const { httpAgent, httpsAgent } of this.agents.values()) {
      httpAgent.destroy();
      httpsAgent.destroy();
    }
    this.agents.clear();
  }
}

function closeIdle({ httpAgent, httpsAgent }: NewbookAgents): void {
  for (const agent of [httpAgent, httpsAgent]) {
    for (const sockets of Object.values(agent.freeSockets))
      for (const socket of sockets ?? []) socket.destroy();
  }
}
