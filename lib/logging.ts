/** The logging port: Powertools Logger satisfies it; tests pass a recording fake. */
export interface Log {
  debug(message: string, ...extra: object[]): void;
  info(message: string, ...extra: object[]): void;
  warn(message: string, ...extra: object[]): void;
  error(message: string, ...extra: object[]): void;
}

export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };
