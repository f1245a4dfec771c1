// node:assert/strict with a counter: every call of the function or of one of its methods adds one,
// and the process appends "<count>\t<test file>" to $ASSERT_COUNT_FILE when it exits.
import fs from 'node:fs';
import real from 'node:assert/strict';

let count = 0;
const file = process.env['ASSERT_COUNT_FILE'];
if (file) {
  process.on('exit', () => {
    fs.appendFileSync(file, `${count}\t${process.argv[1] ?? '?'}\n`);
  });
}

type AnyFn = (...args: unknown[]) => unknown;
const wrapped = ((...args: unknown[]) => {
  count++;
  return (real as unknown as AnyFn)(...args);
}) as unknown as typeof real;
for (const [name, member] of Object.entries(real)) {
  const value: unknown =
    typeof member === 'function' && name !== 'AssertionError' && name !== 'CallTracker'
      ? (...args: unknown[]) => {
          count++;
          return (member as AnyFn)(...args);
        }
      : member;
  Object.defineProperty(wrapped, name, { value: name === 'strict' ? wrapped : value, enumerable: true });
}

export default wrapped;
