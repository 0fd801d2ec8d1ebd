// Synthetic data in this file's database, without the progress output.
import { Writable } from "node:stream";
import { seedSynthetic, type SyntheticCounts } from "../../src/tools/seed/synthetic.ts";
import { masterKeys } from "../../src/privacy/masterKeys.ts";
import { rootUrl, testConfig } from "./db.ts";

const quiet = Object.assign(new Writable({ write: (_chunk, _encoding, done) => done() }), { isTTY: false }) as unknown as NodeJS.WriteStream;

export const seedQuietly = (scale: number): Promise<SyntheticCounts> => seedSynthetic(rootUrl, scale, masterKeys(testConfig()), quiet);
