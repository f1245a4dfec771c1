// `npm run lint:imports`: prints every layer-rule violation (see importRules.ts for the rules and
// why each exists) and exits 1 if there is any. `npm test` runs the same check.
import { checkRepository, formatViolation, RULES } from './importRules.js';

const violations = checkRepository();
for (const v of violations) console.log(formatViolation(v));
if (violations.length > 0) {
  console.log(`\n${violations.length} violation(s) of the layer rules.`);
  process.exitCode = 1;
} else {
  console.log(
    `Layer rules hold: ${Object.values(RULES)
      .map((r) => r.id)
      .join(', ')}.`,
  );
}
