import type { Readable } from "node:stream";
import axios, { type AxiosInstance } from "axios";
import { type AnswerBody, readAnswerBody, TOO_LARGE } from "./answer-body";
import { classifyTransportFailure, type HttpAnswer } from "./classify";
import type { NewbookError } from "./errors";
import { createAgents, type NewbookAgents } from "./http-agent";
import { DEFAULT_MAX_RESPONSE_BYTES, MAX_REQUEST_BYTES, responseTooLargeError } from "./limits";

/** How to reach one Newbook credential over HTTP. */
export interface NewbookTransportOptions {
  baseUrl: string;
  region: string;
  username: string;
  password: string;
  apiKey: string;
  /** Whole-attempt budget: connect, send, wait and read. */
  timeoutMs: number;
  connectTimeoutMs: number;
  /** Pooled keep-alive agents of this credential; left open by close(). Default: own. */
  agents?: NewbookAgents;
  /** Largest answer read, in bytes (default DEFAULT_MAX_RESPONSE_BYTES). */
  maxResponseBytes?: number;
}

/**
 * An HTTP answer whose body is joined and decoded only when something reads it (a recognised one never
 * is: its digest is taken from the chunks).
 */
export type RawAnswer = HttpAnswer & { raw: AnswerBody };

function rawAnswer(status: number, retryAfter: string | undefined, raw: AnswerBody): RawAnswer {
  let text: string | undefined;
  return {
    status,
    retryAfter,
    raw,
    get body() {
      text ??= raw.bytes.toString("utf8");
      return text;
    },
  };
}

export type SendResult = { ok: true; answer: RawAnswer } | { ok: false; error: NewbookError };

/**
 * One HTTP attempt at a time to one credential: POST + JSON with the credential's keep-alive agents, the
 * answer read as raw bytes up to the size cap. It knows nothing of retries, budgets or answer shapes.
 */
export class NewbookTransport {
  private readonly http: AxiosInstance;
  private readonly agents: NewbookAgents;
  private readonly ownsAgents: boolean;
  private readonly maxResponseBytes: number;

  constructor(private readonly options: NewbookTransportOptions) {
    this.ownsAgents = !options.agents;
    this.agents = options.agents ?? createAgents(options.connectTimeoutMs);
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.http = axios.create({
      baseURL: `${options.baseUrl.replace(/\/+$/, "")}/`,
      auth: { username: options.username, password: options.password },
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      timeout: options.timeoutMs,
      httpAgent: this.agents.httpAgent,
      httpsAgent: this.agents.httpsAgent,
      // Every status and body is interpreted by classifyAnswer, including malformed JSON.
      validateStatus: () => true,
      // The body is read here as raw chunks (readAnswerBody): an answer recognised by its digest is never
      // joined or decoded. The size cap is enforced there too, as axios's own check for a stream wraps it
      // in an async generator that costs more per chunk than the rest of the read.
      responseType: "stream",
      transformResponse: [(data: unknown) => data],
      maxRedirects: 0,
      maxContentLength: -1,
      maxBodyLength: MAX_REQUEST_BYTES,
    });
  }

  /** Closes the transport's own keep-alive sockets (pooled ones stay open for the credential's next client). */
  close(): void {
    if (!this.ownsAgents) return;
    this.agents.httpAgent.destroy();
    this.agents.httpsAgent.destroy();
  }

  /**
   * One HTTP attempt. A kept-alive connection the server closed while it sat idle in the pool fails the
   * next request on it with ECONNRESET/EPIPE before any answer: that says nothing about Newbook, so the
   * request goes once more on a fresh connection without using the retry budget (Node's documented
   * `reusedSocket` pattern). The pool's other idle connections sat as long and are dropped first: taking
   * one of them instead failed the run when the server had closed them all. A fresh connection failing
   * the same way is a real network error.
   */
  async send(action: string, params: Record<string, unknown>): Promise<SendResult> {
    const sent = await this.sendOnce(action, params);
    if (sent.ok || !sent.staleConnection) return sent;
    this.dropIdleConnections();
    return this.sendOnce(action, params);
  }

  /** Closes the pooled connections no request is using (a request in flight keeps its own). */
  private dropIdleConnections(): void {
    for (const agent of [this.agents.httpAgent, this.agents.httpsAgent]) {
      for (const sockets of Object.values(agent.freeSockets))
        for (const socket of sockets ?? []) socket.destroy();
    }
  }

  private async sendOnce(
    action: string,
    params: Record<string, unknown>,
  ): Promise<
    { ok: true; answer: RawAnswer } | { ok: false; error: NewbookError; staleConnection?: boolean }
  > {
    const { timeoutMs, connectTimeoutMs } = this.options;
    // axios's `timeout` only covers socket inactivity; the signal bounds the whole attempt.
    const deadline = AbortSignal.timeout(timeoutMs);
    try {
      const response = await this.http.post<Readable>(
        encodeURIComponent(action),
        { ...params, region: this.options.region, api_key: this.options.apiKey },
        { signal: deadline },
      );
      const raw = await readAnswerBody(response.data, this.maxResponseBytes);
      if (raw === TOO_LARGE)
        return { ok: false, error: responseTooLargeError(action, this.maxResponseBytes) };
      const retryAfter = response.headers["retry-after"];
      return {
        ok: true,
        answer: rawAnswer(response.status, typeof retryAfter === "string" ? retryAfter : undefined, raw),
      };
    } catch (error) {
      // axios's errors, or the response stream's own (a reset while the body was read): both carry a code.
      const code = errorCode(error);
      return {
        ok: false,
        staleConnection: isStaleConnectionReset(error, code),
        error: classifyTransportFailure(
          action,
          { code, totalTimedOut: deadline.aborted },
          { timeoutMs, connectTimeoutMs },
        ),
      };
    }
  }
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Reset before any answer on a connection reused from the keep-alive pool (see NewbookTransport.send). */
function isStaleConnectionReset(error: unknown, code: string | undefined): boolean {
  if (code !== "ECONNRESET" && code !== "EPIPE") return false;
  const request = axios.isAxiosError(error)
    ? (error.request as { reusedSocket?: unknown } | undefined)
    : undefined;
  return request?.reusedSocket === true && !(axios.isAxiosError(error) && error.response);
}
