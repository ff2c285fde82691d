// Node resolve hook for child processes that run the TypeScript sources with type stripping:
// the sources import "./x.js" (what tsc emits); when no x.js exists, load x.ts instead.
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const relative = specifier.startsWith("./") || specifier.startsWith("../") || specifier.startsWith("file:");
    if (error?.code === "ERR_MODULE_NOT_FOUND" && relative && specifier.endsWith(".js")) {
      return nextResolve(specifier.slice(0, -3) + ".ts", context);
    }
    throw error;
  }
}
