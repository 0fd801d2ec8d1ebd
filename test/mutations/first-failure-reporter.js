// Jest reporter for `npm run test:mutations`: writes the first failed test (or the
// file that could not run) to MUTATION_REPORT as soon as it is known, since --bail
// ends the run before jest's own reports are written.
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";

export default class FirstFailureReporter {
  onTestResult(test, result) {
    const report = process.env.MUTATION_REPORT;
    if (!report || existsSync(report)) return;
    const file = path.relative(process.cwd(), test.path);
    const failed = result.testResults.find((assertion) => assertion.status === "failed");
    if (failed) writeFileSync(report, `${file}: ${failed.fullName}`);
    else if (result.testExecError) writeFileSync(report, `${file}: ${String(result.testExecError.message).trim().split("\n")[0]}`);
  }
}
