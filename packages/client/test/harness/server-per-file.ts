/** One Herald server for a test file: started before its tests, stopped after. */
import { afterAll, beforeAll } from "vitest";
import type { ServerInfo, ServerOptions } from "./control.js";
import { harness } from "./harness.js";

export function useServer(options: ServerOptions = {}): { current: ServerInfo } {
  const holder = {} as { current: ServerInfo };
  beforeAll(async () => {
    holder.current = await harness.startServer(options);
  });
  afterAll(async () => {
    if (holder.current) await harness.stopServer(holder.current.id);
  });
  return holder;
}
