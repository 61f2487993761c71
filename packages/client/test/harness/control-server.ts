/**
 * Vitest global setup: serves `control` (control.ts) over HTTP on a free port, so that the same
 * test files can drive servers from Node and from Chromium (which cannot start one). Tests find it
 * with `inject("controlUrl")`; harness.ts is their side of it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProject } from "vitest/node";
import { control } from "./control.js";

declare module "vitest" {
  export interface ProvidedContext {
    controlUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const http = createServer((req, res) => void answer(req, res));
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  project.provide("controlUrl", `http://127.0.0.1:${(http.address() as AddressInfo).port}`);
  return async () => {
    await control.stopAll();
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  };
}

async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
  // The Chromium suite's page comes from Vitest's own origin.
  res.setHeader("access-control-allow-origin", "*");
  res.setHeader("access-control-allow-headers", "content-type");
  if (req.method === "OPTIONS") return void res.writeHead(204).end();
  const name = (req.url ?? "").slice(1) as keyof typeof control;
  const command = control[name] as ((...args: unknown[]) => unknown) | undefined;
  if (req.method !== "POST" || typeof command !== "function") return void res.writeHead(404).end(`no command ${name}`);
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const args = JSON.parse(Buffer.concat(chunks).toString() || "[]") as unknown[];
    const result = await command(...args);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ result: result ?? null }));
  } catch (error) {
    res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: String((error as Error)?.stack ?? error) }));
  }
}
