// Module hooks for `npm run test:count`: a test file's `node:assert/strict` is replaced by
// assertCountStrict.js, which counts every assertion made before passing it to the real one.
const WRAPPER = new URL('./assertCountStrict.js', import.meta.url).href;

interface ResolveContext {
  readonly parentURL?: string;
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string }>;

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<{ url: string; shortCircuit?: boolean }> {
  if ((specifier === 'node:assert/strict' || specifier === 'assert/strict') && context.parentURL !== WRAPPER) {
    return { url: WRAPPER, shortCircuit: true };
  }
  return next(specifier, context);
}
