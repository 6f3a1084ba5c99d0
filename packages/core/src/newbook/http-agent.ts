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
 * Keep-alive agents whose new sockets fail with CONNECT_TIMEOUT_CODE if the TCP connection is not up in
 * time: Node has no connect timeout of its own, and the total timeout alone would wait for a black-holed
 * host as long as for a slow answer.
 */
export function createAgents(connectTimeoutMs: number): { httpAgent: http.Agent; httpsAgent: https.Agent } {
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
    httpAgent: wrap(new http.Agent({ keepAlive: true })),
    httpsAgent: wrap(new https.Agent({ keepAlive: true })),
  };
}
