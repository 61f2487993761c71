/** The tests' side of the control server: the same calls, typed, from Node or from Chromium. */
import { inject } from "vitest";
import type { Control } from "./control.js";

type Remote = { [K in keyof Control]: (...args: Parameters<Control[K]>) => Promise<Awaited<ReturnType<Control[K]>>> };

async function call(name: string, args: unknown[]): Promise<unknown> {
  const response = await fetch(`${inject("controlUrl")}/${name}`, { method: "POST", body: JSON.stringify(args) });
  const body = (await response.json()) as { result?: unknown; error?: string };
  if (!response.ok) throw new Error(`control.${name} failed: ${body.error ?? response.status}`);
  return body.result;
}

export const harness = new Proxy({} as Remote, {
  get:
    (_target, name) =>
    (...args: unknown[]) =>
      call(String(name), args),
});
