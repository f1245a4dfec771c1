// Structured logs: pino JSON lines on stdout, one child logger per connection and per call.
import { pino, type Logger } from 'pino';

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'gatehouse' },
      redact: { paths: ['*.privateKey', '*.passphrase', '*.password'], censor: '********' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
}

export type { Logger };
