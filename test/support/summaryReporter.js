// Prints jest's own totals as the plain closing line `N passed, N failed` (so that a run which executed
// no test shows `0 passed, 0 failed`). Jest prints its summary after every reporter, so the line is
// written when the process exits, to stay the last line of the run.
const fs = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const line =
      `${results.numPassedTests} passed, ${failed} failed` + (skipped > 0 ? `, ${skipped} skipped` : '');
    process.once('exit', () => fs.writeSync(process.stderr.fd, `\n${line}\n`));
  }
}
module.exports = SummaryReporter;
