/**
 * `/healthz`'s check: the database, the live store and the bus each answer within 2 s.
 *
 * A load balancer asks every few seconds, so a failure is logged when the set of failing
 * backends changes, naming each and why (once per outage, not once per probe, and without a
 * stack: a timeout's says nothing), and the recovery once. The answer itself names nothing: it is
 * public, and says only whether to send this server traffic.
 */
import type { Logger } from "pino";
import type { Backends } from "./backends.js";

const HEALTH_TIMEOUT_MS = 2_000;

type Part = "database" | "store" | "bus";

/** Returns the check: true when every backend answered in time. */
export function healthCheck(backends: Backends, log: Logger): () => Promise<boolean> {
  const parts: Record<Part, () => Promise<unknown>> = {
    database: () => backends.database.ping(),
    store: () => backends.store.ping(),
    bus: () => backends.bus.ping(),
  };
  /** What failed at the last check, e.g. "store"; "" when everything answered. */
  let failing = "";
  return async () => {
    const answers = await Promise.all(Object.entries(parts).map(async ([part, ping]) => ({ part, problem: await problemOf(ping) })));
    const failed = answers.filter((answer) => answer.problem !== null);
    const nowFailing = failed.map((answer) => answer.part).join(", ");
    if (nowFailing !== failing) {
      if (nowFailing)
        log.warn({ failing: Object.fromEntries(failed.map((f) => [f.part, f.problem])) }, `health check failing: ${nowFailing}`);
      else log.info("health check passing again");
      failing = nowFailing;
    }
    return failed.length === 0;
  };
}

/** Why `ping` did not answer within the timeout, or null when it did. */
async function problemOf(ping: () => Promise<unknown>): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${HEALTH_TIMEOUT_MS} ms`), HEALTH_TIMEOUT_MS);
    timer.unref();
  });
  try {
    return await Promise.race([ping().then(() => null), timeout]);
  } catch (error) {
    return rootCauseOf(error);
  } finally {
    clearTimeout(timer);
  }
}

/** The innermost cause's message (a driver wraps the socket's error in its own, e.g. "Failed query: select 1"). */
function rootCauseOf(error: unknown): string {
  let root = error;
  while (root instanceof Error && root.cause !== undefined) root = root.cause;
  if (!(root instanceof Error)) return String(root);
  const code = (root as { code?: unknown }).code;
  const message = root.message || root.name;
  return typeof code === "string" && !message.includes(code) ? `${code}: ${message}` : message;
}
