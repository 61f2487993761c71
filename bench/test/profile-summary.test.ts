/** profile-summary on a sampling heap profile: bytes by function, alone and with what it calls. */
import { describe, expect, it } from "vitest";
import { summarizeAllocations } from "../src/profile-summary.js";

const frame = (functionName: string) => ({ functionName, url: "file:///work/main/packages/presence/src/x.ts", lineNumber: 0 });

describe("summarizeAllocations", () => {
  it("charges a function its own bytes, and its callers everything below them, a recursion once", () => {
    // root → flush (100) → send (300) → send (100, recursive) ; root → publish (500)
    const head = {
      callFrame: { functionName: "(root)", url: "", lineNumber: -1 },
      selfSize: 0,
      children: [
        {
          callFrame: frame("flush"),
          selfSize: 100,
          children: [{ callFrame: frame("send"), selfSize: 300, children: [{ callFrame: frame("send"), selfSize: 100, children: [] }] }],
        },
        { callFrame: frame("publish"), selfSize: 500, children: [] },
      ],
    };
    const lines = summarizeAllocations(head).split("\n");
    const share = (section: string, name: string) => {
      const from = lines.indexOf(section);
      return lines
        .slice(from)
        .find((line) => line.includes(`${name}  packages/presence/src/x.ts:1`))
        ?.trim()
        .split("%")[0];
    };
    expect(share("by function (self):", "publish")).toBe("50.0");
    expect(share("by function (self):", "send")).toBe("40.0");
    expect(share("by function (with what it calls):", "flush")).toBe("50.0");
    expect(share("by function (with what it calls):", "send")).toBe("40.0");
    expect(lines[lines.indexOf("by function (with what it calls):") + 1]?.trim()).toBe("100.0%  (root)");
  });
});
