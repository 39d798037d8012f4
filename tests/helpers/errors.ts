/** What a promise rejected with; fails the test when it resolved instead. */
export const rejectionOf = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
};

/** Everything an error shows: message, stack, JSON and causes, recursively (to look for a secret in). */
export const everythingIn = (error: unknown): string => {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth += 1) {
    parts.push(String(current), (current as Error).stack ?? '', JSON.stringify(current));
    current = (current as Error).cause;
  }
  return parts.join('\n');
};
