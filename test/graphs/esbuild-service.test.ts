/** The loader's esbuild: stopped when idle, never while a call is in flight, and never anyone else's. */
import { createRequire } from "node:module";
import * as sharedEsbuild from "esbuild";
import { describe, expect, it } from "vitest";
import { EsbuildService, loadPrivateEsbuild, type EsbuildApi } from "../../src/graphs/esbuild-service.js";

/** An esbuild whose transforms settle when the test says so, counting stops. */
function fakeEsbuild() {
  const pending: Array<() => void> = [];
  const api = {
    stops: 0,
    transform: () => new Promise((resolve) => pending.push(() => resolve({ code: "", map: "", warnings: [], mangleCache: undefined, legalComments: undefined }))),
    stop: async () => {
      api.stops += 1;
    },
  };
  return { api, settleOne: () => pending.shift()!() };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("EsbuildService", () => {
  it("stops the service once idle, never while a call is in flight, and starts again on the next call", async () => {
    const { api, settleOne } = fakeEsbuild();
    const service = new EsbuildService({ load: () => api as unknown as EsbuildApi, idleMs: 5 });
    const first = service.transform("a", {});
    const second = service.transform("b", {});
    settleOne();
    await first;
    // One call is still in flight: however long it takes, no stop.
    await sleep(30);
    expect(api.stops).toBe(0);
    expect(service.busy).toBe(1);
    settleOne();
    await second;
    await sleep(30);
    expect(api.stops).toBe(1);
    // A call within the idle time puts the stop off.
    const third = service.transform("c", {});
    settleOne();
    await third;
    const fourth = service.transform("d", {});
    await sleep(30);
    expect(api.stops).toBe(1);
    settleOne();
    await fourth;
    await sleep(30);
    expect(api.stops).toBe(2);
  });

  it("uses an esbuild of its own: stopping it leaves a call of the process's esbuild in flight unharmed", async () => {
    const mine = loadPrivateEsbuild();
    expect(mine.transform).not.toBe(sharedEsbuild.transform);
    // The shared module is left as it was in require's cache.
    const require = createRequire(import.meta.url);
    expect(require("esbuild").transform).toBe(sharedEsbuild.transform);

    let sharedSettled = false;
    let stoppedWhileSharedInFlight: boolean | undefined;
    const service = new EsbuildService({
      idleMs: 0,
      load: () => ({
        transform: mine.transform,
        stop: () => {
          stoppedWhileSharedInFlight = !sharedSettled;
          return mine.stop();
        },
      }),
    });
    // Another user of esbuild in this process (user code, a test, a tool), with a call that takes a while.
    const big = "x = 1;\n".repeat(400_000);
    const shared = sharedEsbuild.transform(big, { loader: "ts" }).then((r) => {
      sharedSettled = true;
      return r.code.length;
    });
    expect((await service.transform("const a: number = 1", { loader: "ts" })).code).toBe("const a = 1;\n");
    while (stoppedWhileSharedInFlight === undefined) await sleep(1);
    expect(stoppedWhileSharedInFlight).toBe(true);
    // Had the loader stopped the shared service, this would never settle.
    expect(await shared).toBe(big.length);
    // And the loader's own service starts again after its stop.
    expect((await service.transform("let b: string", { loader: "ts" })).code).toBe("let b;\n");
    await sharedEsbuild.stop();
  }, 20_000);
});
