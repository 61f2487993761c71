/**
 * Records every status a friend's row ever shows on a page, straight from the DOM (a
 * MutationObserver reporting to Node), so a flash that lasts one frame is still caught.
 */
import type { Page } from "playwright-core";

export interface StatusRecorder {
  /** Every distinct value in order, "missing" while the row is absent. */
  readonly seen: string[];
}

let recorders = 0;

export async function recordStatuses(page: Page, username: string): Promise<StatusRecorder> {
  const seen: string[] = [];
  const binding = `heraldRecord${++recorders}`;
  await page.exposeFunction(binding, (status: string) => {
    if (seen[seen.length - 1] !== status) seen.push(status);
  });
  await page.evaluate(
    ({ binding, testId }) => {
      const report = (window as unknown as Record<string, (status: string) => void>)[binding]!;
      const look = () => report(document.querySelector(`[data-testid="${testId}"]`)?.getAttribute("data-status") ?? "missing");
      new MutationObserver(look).observe(document.body, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ["data-status"],
      });
      look();
    },
    { binding, testId: `friend-${username}` },
  );
  return { seen };
}
