import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { IDLE_MS_STORAGE_KEY, resolveIdleMs } from "./idle-time";
import "./styles.css";

function storedIdleMs(): string | null {
  try {
    return localStorage.getItem(IDLE_MS_STORAGE_KEY);
  } catch {
    return null;
  }
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App idleMs={resolveIdleMs(window.location.search, storedIdleMs())} />
  </StrictMode>,
);
