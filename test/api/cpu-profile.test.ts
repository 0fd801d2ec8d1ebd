// timeByPart (src/bench/cpuProfile.ts): a sample is charged to the nearest package or source frame
// above it, a native write(2) to the kernel on behalf of its caller, and idle time to nobody.
import { type CpuProfile, timeByPart } from "../../src/bench/cpuProfile.ts";

const frame = (functionName: string, url = "") => ({ functionName, url });
/** root → express handler → jsonwebtoken verify; root → pg submit → native writev; root → idle; root → node timers. */
const PROFILE: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame("(root)"), children: [2, 4, 6, 7, 8] },
    { id: 2, callFrame: frame("handle", "file:///app/node_modules/express/lib/application.js"), children: [3] },
    { id: 3, callFrame: frame("verify", "file:///app/node_modules/jsonwebtoken/verify.js") },
    { id: 4, callFrame: frame("submit", "file:///app/node_modules/pg/lib/query.js"), children: [5] },
    { id: 5, callFrame: frame("writev") },
    { id: 6, callFrame: frame("(idle)") },
    { id: 7, callFrame: frame("listOnTimeout", "node:internal/timers") },
    { id: 8, callFrame: frame("(garbage collector)"), children: [9] },
    // A package's own src/ folder is not our code.
    { id: 9, callFrame: frame("log", "file:///app/node_modules/some-package/src/index.js") },
  ],
  samples: [3, 3, 5, 6, 6, 6, 7, 8, 2, 9],
  timeDeltas: [100, 100, 300, 1000, 1000, 1000, 50, 150, 100, 25],
};

test("busy time by part, largest first, idle left out", () => {
  const { busyMicroseconds, shares } = timeByPart(PROFILE);
  expect(busyMicroseconds).toBe(825);
  expect(shares.map((s) => [s.part, s.microseconds])).toEqual([
    ["socket writes to PostgreSQL (kernel)", 300],
    ["JWT verification (jsonwebtoken)", 200],
    ["garbage collector", 150],
    ["express and its middleware", 100],
    ["Node core (http, net, streams, timers)", 50],
    ["other packages", 25],
  ]);
  expect(shares.reduce((sum, s) => sum + s.share, 0)).toBeCloseTo(1);
});
