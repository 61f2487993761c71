/** The slice of pino that the presence package logs through (the server passes a pino logger). */
export interface Logger {
  info(context: object, message: string): void;
  warn(context: object, message: string): void;
  error(context: object, message: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
