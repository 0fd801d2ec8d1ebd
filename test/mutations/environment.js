// Jest test environment for `npm run test:mutations`: once a test of a file has
// failed, the file's remaining tests are skipped (--bail then stops the run), so
// a mutant is judged by its first failing test instead of a whole file's worth.
import { TestEnvironment } from "jest-environment-node";

export default class StopAtFirstFailure extends TestEnvironment {
  failed = false;

  async handleTestEvent(event) {
    if (event.name === "test_fn_failure" || event.name === "hook_failure") this.failed = true;
    else if (event.name === "test_start" && this.failed) event.test.mode = "skip";
  }
}
