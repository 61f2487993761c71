/** Status message text (issue 10, item 11): layout-forging text is refused, emoji and real scripts pass. */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { displayNameInput, messageInput } from "../src/inputs.js";
import { MAX_COMBINING_MARKS, messageTextProblem } from "../src/message-text.js";

const EMOJI: Record<string, string> = {
  "family (ZWJ)": "👨‍👩‍👧‍👦",
  "rainbow flag (VS16 + ZWJ)": "🏳️‍🌈",
  "transgender flag (two VS16)": "🏳️‍⚧️",
  "eye in speech bubble": "👁️‍🗨️",
  "heart on fire": "❤️‍🔥",
  "skin tones": "👋🏽 👍🏿 🧑🏻‍💻",
  "kiss, two skin tones": "🧑🏿‍❤️‍💋‍🧑🏻",
  "regional-indicator flags": "🇫🇷🇯🇵🇺🇦",
  keycaps: "#️⃣ 1️⃣ *️⃣ 🔟",
  "England (tag sequence)": "🏴󠁧󠁢󠁥󠁮󠁧󠁿",
  "Scotland (tag sequence)": "🏴󠁧󠁢󠁳󠁣󠁴󠁿",
  "text-style heart (VS15)": "❤︎",
};

const SCRIPTS: Record<string, string> = {
  Hindi: "नमस्ते दुनिया, क्षत्रिय स्त्री",
  "Devanagari with ZWJ (eyelash ra)": "र्‍य",
  Sinhala: "ශ්‍රී ලංකාව",
  Bengali: "আমি বাংলায় গান গাই",
  Tamil: "வணக்கம் உலகம்",
  Thai: "สวัสดีครับ ผู้ใหญ่ กี่โมงแล้ว",
  "Vietnamese (composed)": "Tiếng Việt rất đẹp",
  "Vietnamese (decomposed)": "Tiếng Việt rất đẹp".normalize("NFD"),
  "Arabic with harakat": "مُحَمَّدٌ يَقْرَأُ",
  "Hebrew with niqqud": "שָׁלוֹם עֲלֵיכֶם",
  Tibetan: "བཀྲ་ཤིས་བདེ་ལེགས། བསྒྲུབས",
  "Japanese with combining dakuten": "か\u3099き\u3099",
  Korean: "안녕하세요",
  "right-to-left marks": "שלום\u200F (hi)\u200E عربي\u061C",
  "accents in Latin": "Crème brûlée, naïve, Ångström".normalize("NFD"),
  [`${MAX_COMBINING_MARKS} marks on one letter`]: `a${"\u0301".repeat(MAX_COMBINING_MARKS)}`,
};

describe("messageTextProblem", () => {
  it.each(Object.entries(EMOJI))("accepts emoji: %s", (_, text) => {
    expect(messageTextProblem(text)).toBeNull();
    expect(messageTextProblem(`in a meeting ${text} back soon`)).toBeNull();
  });

  it.each(Object.entries(SCRIPTS))("accepts real text: %s", (_, text) => {
    expect(messageTextProblem(text)).toBeNull();
  });

  it.each(["\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066", "\u2067", "\u2068", "\u2069"])(
    "refuses the bidi control U+%s",
    (char) => {
      expect(messageTextProblem(`my file ${char}gnp.exe`)).toMatch(/bidirectional/);
    },
  );

  it("refuses line and paragraph separators", () => {
    expect(messageTextProblem("one\u2028two")).toMatch(/line or paragraph separators/);
    expect(messageTextProblem("one\u2029two")).toMatch(/line or paragraph separators/);
  });

  it("refuses unpaired surrogates, alone, reversed or at either end", () => {
    for (const text of ["\uD83D", "x\uDE00", "\uDE00\uD83D", "ok \uD800 ok", "😀\uD83D"]) {
      expect(messageTextProblem(text), JSON.stringify(text)).toMatch(/unpaired surrogate/);
    }
  });

  it("refuses more than 4 combining marks in a row, even split by ZWJ/ZWNJ", () => {
    expect(messageTextProblem(`a${"\u0301".repeat(MAX_COMBINING_MARKS + 1)}`)).toMatch(/more than 4 combining marks/);
    expect(messageTextProblem(`Z${"\u0336\u0317\u0358".repeat(100)}algo`)).toMatch(/combining marks/);
    expect(messageTextProblem(`a${"\u0301\u0301\u0301\u200D".repeat(3)}`)).toMatch(/combining marks/);
    expect(messageTextProblem(`a${"\u0301\u0301\u200C\u0301\u0301\u0301"}`)).toMatch(/combining marks/);
    // Many marks, each run on its own base letter, are fine.
    expect(messageTextProblem("a\u0301\u0301b\u0301\u0301c\u0301\u0301d\u0301\u0301")).toBeNull();
  });

  it("still refuses control characters", () => {
    expect(messageTextProblem("bell\u0007")).toMatch(/control characters/);
    expect(messageTextProblem("a\nb")).toMatch(/control characters/);
  });
});

describe("messageInput", () => {
  const schema = z.object({ message: messageInput });

  it("refuses bad text naming the field", () => {
    const result = schema.safeParse({ message: "hello \u202Edlrow" });
    expect(result.success).toBe(false);
    expect(z.flattenError(result.error!).fieldErrors.message).toEqual([expect.stringMatching(/bidirectional/)]);
  });

  it("takes a message that shows nothing for no message", () => {
    for (const blank of ["", "   ", "\u200B", "\u3164\u3164", "\u2800", "\u2060\uFEFF\u115F\u1160\uFFA0", " \u200B \u180E "]) {
      expect(schema.parse({ message: blank }).message, JSON.stringify(blank)).toBeNull();
    }
    // Invisible characters beside visible ones are the writer's business (ZWJ is in every emoji family).
    expect(schema.parse({ message: "\u200Bhi" }).message).toBe("\u200Bhi");
  });

  it("keeps emoji and scripts exactly as sent", () => {
    for (const text of [...Object.values(EMOJI), ...Object.values(SCRIPTS)]) {
      expect(schema.parse({ message: text }).message).toBe(text);
    }
  });
});

describe("displayNameInput", () => {
  it("refuses a name that shows nothing, as it refuses an empty one", () => {
    for (const blank of ["", " ", "\u3164", "\u200B\u200B", "\u2800"]) {
      const result = displayNameInput.safeParse(blank);
      expect(result.success, JSON.stringify(blank)).toBe(false);
      expect(result.error!.issues.map((issue) => issue.message)).toEqual(["must show at least one visible character"]);
    }
    expect(displayNameInput.parse(" Ana ")).toBe("Ana");
  });
});
