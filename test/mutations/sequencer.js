// Jest's test sequencer for `npm run test:mutations`: the files run in the order
// MUTATION_TEST_ORDER lists them (the quickest to fail first), so that with --bail
// a mutant is usually killed by the first file.
import Sequencer from "@jest/test-sequencer";

const BaseSequencer = Sequencer.default ?? Sequencer;

export default class ListedOrder extends BaseSequencer {
  sort(tests) {
    const order = (process.env.MUTATION_TEST_ORDER ?? "").split(",");
    const rank = (test) => order.findIndex((file) => test.path.endsWith(file));
    return [...tests].sort((a, b) => rank(a) - rank(b));
  }
}
