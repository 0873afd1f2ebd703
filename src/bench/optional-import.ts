/**
 * Loading a module another engineer may not have written yet, so the benchmark can run (or explain what is
 * missing) without breaking the rest of the CLI.
 */

/** Imports `name` from a module that may not exist yet; null when either is missing. */
export async function optionalExport<T>(specifier: string, name: string): Promise<T | null> {
  try {
    const mod = (await import(specifier)) as Record<string, unknown>;
    return typeof mod[name] === 'function' ? (mod[name] as T) : null;
  } catch (error) {
    // Only the module itself missing means "not available"; a broken import inside it is a real error.
    const e = error as { code?: string; message?: string };
    if (e.code === 'ERR_MODULE_NOT_FOUND' && e.message?.includes(new URL(specifier).pathname)) return null;
    throw error;
  }
}
