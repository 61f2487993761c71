/**
 * Rendering in the test page: each render gets its own container (so two people can share a page)
 * and is unmounted after the test. `screen` finds what the render shows, as a person would:
 * by text, role and label, retried until it appears (`expect.element`).
 */
import { QueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach } from "vitest";
import { page, type Locator } from "vitest/browser";
import type { HeraldClient } from "@herald/client";
import { HeraldProvider } from "../../src/index.js";

const mounted = new Set<{ root: Root; container: HTMLElement }>();

afterEach(() => {
  for (const { root, container } of mounted) {
    root.unmount();
    container.remove();
  }
  mounted.clear();
});

export interface Rendered {
  /** What this render shows. */
  screen: Locator;
  rerender(ui: ReactNode): void;
  unmount(): void;
}

export function render(ui: ReactNode): Rendered {
  const container = document.body.appendChild(document.createElement("div"));
  const root = createRoot(container);
  const entry = { root, container };
  mounted.add(entry);
  root.render(ui);
  return {
    screen: page.elementLocator(container),
    rerender: (next) => root.render(next),
    unmount() {
      mounted.delete(entry);
      root.unmount();
      container.remove();
    },
  };
}

/** Renders `ui` under a HeraldProvider for `client`, with a fresh QueryClient. */
export function renderWithClient(client: HeraldClient, ui: ReactNode): Rendered {
  return render(
    <HeraldProvider client={client} queryClient={new QueryClient()}>
      {ui}
    </HeraldProvider>,
  );
}
