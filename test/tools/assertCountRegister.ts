// `--import` entry of `npm run test:count`: installs the hooks that count assertions.
import { register } from 'node:module';

register('./assertCountHooks.js', import.meta.url);
