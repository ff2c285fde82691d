import { describe, expect, test } from "vitest";
import excludeAdd from "../../commands/exclude/add.js";
import excludeRemove from "../../commands/exclude/remove.js";
import paramsSet from "../../commands/params/set.js";
import undo from "../../commands/undo.js";
import history from "../../commands/history.js";
import { UsageError } from "../../src/cli/errors.js";
import { resolveGlobalOptions } from "../../src/cli/global-options.js";
import { runCli } from "../helpers/cli.js";

const globals = resolveGlobalOptions({}, {});

describe("parse layer: argv to options", () => {
  test("exclude add: namespaces validated and deduplicated; assignment optional (asked on a terminal)", () => {
    expect(excludeAdd.parse({ args: { assignment: "pss", namespace: ["a", "b", "a"] }, options: { reason: "r", ticket: "T-1" } }, globals)).toMatchObject({
      assignment: "pss",
      namespaces: ["a", "b"],
      reason: "r",
      ticket: "T-1",
    });
    expect(excludeAdd.parse({ args: {}, options: {} }, globals)).toMatchObject({ assignment: undefined, namespaces: [] });
    expect(() => excludeAdd.parse({ args: { assignment: "pss", namespace: ["UPPER"] }, options: {} }, globals)).toThrow(UsageError);
  });
  test("exclude remove: --force", () => {
    expect(excludeRemove.parse({ args: { assignment: "pss", namespace: ["a"] }, options: { force: true } }, globals)).toMatchObject({ force: true });
  });
  test("params set: name=value pairs, effect, policies, enforcement mode", () => {
    expect(paramsSet.parse({ args: { assignment: "pss", values: ["a=1", "b=x=y"] }, options: { effect: "deny", policies: ["A,B"], enforcementMode: "do-not-enforce" } }, globals)).toMatchObject({
      values: [
        { name: "a", raw: "1" },
        { name: "b", raw: "x=y" },
      ],
      effect: "deny",
      policies: ["A", "B"],
      enforcementMode: "DoNotEnforce",
    });
    expect(() => paramsSet.parse({ args: { assignment: "pss", values: ["novalue"] }, options: {} }, globals)).toThrow(/name=value/);
    expect(() => paramsSet.parse({ args: { assignment: "pss" }, options: { policies: ["A"] } }, globals)).toThrow(/--effect/);
    expect(() => paramsSet.parse({ args: { assignment: "pss", values: ["effect=deny"] }, options: { effect: "deny" } }, globals)).toThrow(/once/);
  });
  test("undo and history", () => {
    expect(() => undo.parse({ args: { changeId: " " }, options: {} }, globals)).toThrow(UsageError);
    expect(history.parse({ args: {}, options: { limit: "3" } }, globals)).toEqual({ assignment: undefined, limit: 3, all: false });
    expect(() => history.parse({ args: {}, options: { limit: "0" } }, globals)).toThrow(UsageError);
  });
});

describe("parse layer through main, with and without a terminal (no Azure needed)", () => {
  test("without a terminal a missing <assignment> is exit 2 naming it", async () => {
    for (const argv of [
      ["exclude", "add"],
      ["exclude", "remove"],
      ["exclude", "list"],
      ["params", "get"],
      ["params", "set"],
      ["params", "unset"],
    ]) {
      // --yes: the scripted form; without it the frame refuses a writer first, naming --yes.
      const result = await runCli([...argv, "--yes"]);
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.stderr).toMatch(/<assignment>/);
    }
  });
  test("--no-input on a terminal behaves like no terminal", async () => {
    const result = await runCli(["exclude", "add", "--no-input"], { tty: true });
    expect(result.code).toBe(2);
  });
  test("an invalid --effect is refused by the parser", async () => {
    const result = await runCli(["params", "set", "pss", "--effect", "block", "--yes"]);
    expect(result.code).toBe(2);
  });
});
