// `node --experimental-strip-types --import ./test/helpers/register-ts.mjs file.ts` runs the sources
// without a build (see ts-resolve.mjs).
import { register } from "node:module";
register(new URL("./ts-resolve.mjs", import.meta.url));
