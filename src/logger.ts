import pino, { Logger } from 'pino';
import type { LogLevel } from './config/types';

/** JSON lines on stdout; the level comes from the config. */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'openeo' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: pino.stdSerializers.err },
      redact: ['req.headers.authorization'],
    },
    destination,
  );
}
